// JSON API: the dashboard's data for automation.

import { Router } from 'express';
import { ScriptwardenError } from '../../src/errors.js';
import type { Store } from '../../src/store/open-store.js';
import { destinationInventory, scriptInventory } from '../../src/evidence/inventory-report.js';
import type { DiffViews } from '../diff-views.js';
import { withApprovalsRequired } from '../../src/auth/approvals.js';
import type { AlertWithDetails } from '../../src/store/alerts.js';
import { authorizeFromRequest } from './inventory.js';
import { decideFromRequest, type DecisionDeps, loadAlertView } from '../alert-view.js';
import { pageNumber, parseId, queryText, severityFilter, statusFilter } from '../request-input.js';
import { actorOf, authOf, need } from '../auth/authenticate.js';

export function apiRouter(store: Store, views: DiffViews, actor: string, decisions: DecisionDeps = {}): Router {
  const router = Router();
  // An alert as the API gives it: with the approvals it needs (`approvals` lists those given: "1 of 2").
  const withRequired = (alert: AlertWithDetails) => withApprovalsRequired(alert, decisions.approvals);
  router.use(need('read'));
  // What the API returns is for the caller only: no shared cache keeps it.
  router.use((_req, res, next) => {
    res.set('cache-control', 'no-store');
    next();
  });
  router.get('/targets', async (_req, res) => {
    res.json({ targets: await store.inventory.overview() });
  });
  router.get('/alerts', async (req, res) => {
    const status = statusFilter(req.query.status) ?? 'all';
    const severity = severityFilter(req.query.severity);
    const target = queryText(req, 'target') || undefined;
    const type = queryText(req, 'type') || undefined;
    const alerts = await store.alerts.list({ status, target, severity, type });
    res.json({ alerts: alerts.map(withRequired) });
  });
  // What a live page polls: the newest alert's id (null before any), one cheap query.
  router.get('/alerts/latest', async (_req, res) => {
    res.json({ latestId: await store.alerts.latestId() });
  });
  router.get('/alerts/:id', async (req, res) => {
    const view = await loadAlertView(store, views, parseId(req.params.id, 'alert id'), actor);
    res.json({ alert: withRequired(view.alert), old: view.old, diff: view.hunks, diffTooLarge: view.diffTooLarge, notifications: view.notifications, decisions: view.decisions, audit: view.audit });
  });
  for (const [action, status] of [['approve', 'approved'], ['reject', 'rejected']] as const) {
    router.post(`/alerts/:id/${action}`, need('decide'), async (req, res) => {
      res.json({ alert: withRequired(await decideFromRequest(store, req, res, status, decisions)) });
    });
  }
  router.get('/inventory', async (req, res) => {
    const target = queryText(req, 'target') || undefined;
    res.json({ inventory: await scriptInventory(store, { target }), destinations: await destinationInventory(store, { target }), headers: await store.inventory.headers({ target }), fieldAccess: await store.inventory.fieldAccess({ target }) });
  });
  router.post('/inventory/authorize', need('decide'), async (req, res) => {
    const ids = await authorizeFromRequest(store, req, res);
    res.json({ authorized: (await scriptInventory(store, {})).filter((r) => ids.includes(r.scriptId)) });
  });
  router.get('/scripts/:id/versions', async (req, res) => {
    const id = parseId(req.params.id, 'script id');
    const script = await store.inventory.script(id);
    if (!script) throw new ScriptwardenError('NOT_FOUND', `no script with id ${id}`);
    res.json({ script, versions: await store.inventory.versions(id) });
  });
  router.get('/me', (_req, res) => {
    const viewer = authOf(res).viewer!;
    res.json({ user: viewer.name, role: viewer.role, via: viewer.kind });
  });
  router.get('/audit', need('manage'), async (req, res) => {
    const page = pageNumber(req);
    const objectType = queryText(req, 'type') || undefined;
    const objectId = queryText(req, 'id') || undefined;
    const actor = queryText(req, 'actor') || undefined;
    res.json({ audit: await store.access.audit.list({ objectType, objectId, actor, limit: 200, offset: (page - 1) * 200 }), chain: await store.access.audit.verify() });
  });
  router.get('/users', need('manage'), async (_req, res) => {
    res.json({ users: await store.access.users.list(), twoFactorPolicy: await store.access.twoFactorPolicy() });
  });
  router.get('/tokens', need('manage'), async (_req, res) => {
    res.json({ tokens: await store.access.tokens.list() });
  });
  router.post('/tokens/:id/revoke', need('manage'), async (req, res) => {
    res.json({ token: await store.access.tokens.revoke(parseId(String(req.params.id), 'token id'), actorOf(req, res)) });
  });
  router.use((_req, _res) => {
    throw new ScriptwardenError('NOT_FOUND', 'no such API endpoint');
  });
  return router;
}
