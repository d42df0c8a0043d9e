// JSON API: the dashboard's data for automation.

import { Router, type Request } from 'express';
import { ScriptwardenError } from '../../src/errors.js';
import type { Store } from '../../src/store/open-store.js';
import { ALERT_STATUSES, SEVERITIES, type AlertStatus } from '../../src/types.js';
import { loadAlertView, parseId } from '../alert-view.js';

export function decisionInput(req: Request, fallbackActor: string): { note: string | null; by: string } {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const note = body.note;
  const by = body.by;
  if (note !== undefined && note !== null && (typeof note !== 'string' || note.length > 2000)) {
    throw new ScriptwardenError('USAGE', 'note must be a string of at most 2000 characters');
  }
  if (by !== undefined && (typeof by !== 'string' || by.trim() === '' || by.length > 100)) {
    throw new ScriptwardenError('USAGE', 'by must be a non-empty string of at most 100 characters');
  }
  return { note: typeof note === 'string' && note.trim() ? note : null, by: typeof by === 'string' ? by.trim() : fallbackActor };
}

export function statusFilter(raw: unknown): AlertStatus | 'all' | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'all' || ALERT_STATUSES.includes(raw as AlertStatus)) return raw as AlertStatus | 'all';
  throw new ScriptwardenError('USAGE', `status must be one of ${[...ALERT_STATUSES, 'all'].join(', ')}`);
}

export function severityFilter(raw: unknown): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (SEVERITIES.includes(raw as never)) return raw as string;
  throw new ScriptwardenError('USAGE', `severity must be one of ${SEVERITIES.join(', ')}`);
}

export function apiRouter(store: Store, actor: string): Router {
  const router = Router();
  router.get('/targets', (_req, res) => {
    res.json({ targets: store.overview() });
  });
  router.get('/alerts', (req, res) => {
    const status = statusFilter(req.query.status) ?? 'all';
    const severity = severityFilter(req.query.severity);
    const target = typeof req.query.target === 'string' && req.query.target ? req.query.target : undefined;
    const type = typeof req.query.type === 'string' && req.query.type ? req.query.type : undefined;
    const alerts = store.listAlerts({ status, target, severity, type });
    res.json({ alerts });
  });
  router.get('/alerts/:id', (req, res) => {
    const view = loadAlertView(store, parseId(req.params.id, 'alert id'), actor);
    res.json({ alert: view.alert, old: view.old, diff: view.hunks });
  });
  for (const [action, status] of [['approve', 'approved'], ['reject', 'rejected']] as const) {
    router.post(`/alerts/:id/${action}`, (req, res) => {
      const id = parseId(req.params.id, 'alert id');
      const { note, by } = decisionInput(req, actor);
      const [alert] = store.decide([id], status, { by, note, at: new Date().toISOString() });
      res.json({ alert });
    });
  }
  router.get('/inventory', (req, res) => {
    const target = typeof req.query.target === 'string' && req.query.target ? req.query.target : undefined;
    res.json({ inventory: store.inventory({ target }), destinations: store.destinations({ target }), headers: store.headers({ target }) });
  });
  router.get('/scripts/:id/versions', (req, res) => {
    const id = parseId(req.params.id, 'script id');
    const script = store.script(id);
    if (!script) throw new ScriptwardenError('NOT_FOUND', `no script with id ${id}`);
    res.json({ script, versions: store.scriptVersions(id) });
  });
  router.use((_req, _res) => {
    throw new ScriptwardenError('NOT_FOUND', 'no such API endpoint');
  });
  return router;
}
