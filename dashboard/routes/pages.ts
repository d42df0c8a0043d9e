// Server-rendered screens, the decision forms, CSV export and raw body downloads.

import { Router } from 'express';
import type { DiffViews } from '../diff-views.js';
import { ScriptwardenError } from '../../src/errors.js';
import type { Store } from '../../src/store/open-store.js';
import { ALERT_TYPES } from '../../src/capture/types.js';
import { decideFromRequest, type DecisionDeps, evidenceOf, loadAlertView } from '../alert-view.js';
import { bundleFiles, writeBundle } from '../../src/evidence/evidence-bundle.js';
import { alertDetailPage } from '../views/alert-detail.js';
import { alertsPage } from '../views/alerts.js';
import { overviewPage } from '../views/overview.js';
import { scansPage, scriptPage } from '../views/tables.js';
import { pageNumber, parseId, queryText, rulesInput, severityFilter, statusFilter } from '../request-input.js';
import { MASK_RULES, normalizedHash } from '../../src/plan/normalize.js';
import { allows } from '../../src/auth/roles.js';
import { actorOf, authOf, need } from '../auth/authenticate.js';
import { sendPage } from '../send-page.js';

const PAGE_SIZE = 100;
/** Pages and profiles on one page of the overview: a thousand targets stay quick to load and to read. */
const OVERVIEW_PAGE = 100;
/** Alerts on one page of the list, most severe and newest first. */
const ALERTS_PAGE = 250;

export function pagesRouter(store: Store, views: DiffViews, actor: string, version: string, decisions: DecisionDeps = {}): Router {
  const router = Router();
  // Everything here is for signed-in users; routes that change things ask for more below.
  router.use(need('read'));
  const targetNames = () => store.inventory.targetNames();

  router.get('/', async (req, res) => {
    const page = pageNumber(req);
    // Read first: an alert raised while the page is made is newer than this, and reloads it.
    const latestId = await store.alerts.latestId();
    const targets = await store.inventory.overview({ limit: OVERVIEW_PAGE, offset: (page - 1) * OVERVIEW_PAGE });
    const paging = { page, pageSize: OVERVIEW_PAGE, total: await store.inventory.pageCount() };
    sendPage(res, overviewPage(targets, await store.alerts.trend(new Date()), await store.access.targets.paused(), paging, latestId));
  });

  router.get('/alerts', async (req, res) => {
    const status = statusFilter(req.query.status) ?? 'open';
    const severity = severityFilter(req.query.severity);
    const type = queryText(req, 'type');
    if (type && !ALERT_TYPES.includes(type as never)) throw new ScriptwardenError('USAGE', `type must be one of ${ALERT_TYPES.join(', ')}`);
    const target = queryText(req, 'target');
    const page = pageNumber(req);
    const latestId = await store.alerts.latestId();
    const alerts = await store.alerts.list({ status, severity, type: type || undefined, target: target || undefined, limit: ALERTS_PAGE + 1, offset: (page - 1) * ALERTS_PAGE });
    sendPage(res, alertsPage(alerts.slice(0, ALERTS_PAGE), { status, severity: severity ?? '', target, type }, await targetNames(), { page, hasMore: alerts.length > ALERTS_PAGE }, decisions.approvals, latestId));
  });

  router.get('/alerts/:id', async (req, res) => {
    const viewer = authOf(res).viewer!;
    const access = { canDecide: allows(viewer.role, 'decide'), askName: viewer.kind === 'open', approvals: decisions.approvals };
    sendPage(res, alertDetailPage(await loadAlertView(store, views, parseId(req.params.id, 'alert id'), viewer.kind === 'open' ? actor : viewer.name, access)));
  });

  for (const [action, status] of [['approve', 'approved'], ['reject', 'rejected']] as const) {
    router.post(`/alerts/:id/${action}`, need('decide'), async (req, res) => {
      res.redirect(303, `/alerts/${(await decideFromRequest(store, req, res, status, decisions)).id}`);
    });
  }

  router.get('/scans', async (req, res) => {
    const page = pageNumber(req);
    const rows = await store.scans.list({ target: queryText(req, 'target') || undefined, limit: PAGE_SIZE + 1, offset: (page - 1) * PAGE_SIZE });
    sendPage(res, scansPage(rows.slice(0, PAGE_SIZE), page, rows.length > PAGE_SIZE));
  });

  router.get('/scripts/:id', async (req, res) => {
    const id = parseId(String(req.params.id), 'script id');
    const script = await store.inventory.script(id);
    if (!script) throw new ScriptwardenError('NOT_FOUND', `no script with id ${id}`);
    const versions = await store.inventory.versions(id);
    const from = queryText(req, 'from');
    const to = queryText(req, 'to');
    let compare = null;
    if (from && to) {
      const known = new Set(versions.map((v) => v.sha256));
      if (!known.has(from) || !known.has(to)) throw new ScriptwardenError('USAGE', 'from and to must be versions of this script');
      compare = { from, to, diff: await views.diff(from, to) };
    }
    sendPage(res, scriptPage(script, versions, compare, await store.inventory.maskSettings(id)));
  });

  router.post('/scripts/:id/rules', need('manage'), async (req, res) => {
    const id = parseId(String(req.params.id), 'script id');
    if (!(await store.inventory.script(id))) throw new ScriptwardenError('NOT_FOUND', `no script with id ${id}`);
    const { enabled, forgetLearned } = rulesInput(req);
    const current = await store.inventory.maskSettings(id);
    const settings = { disabled: MASK_RULES.filter((r) => !enabled.includes(r)), learned: forgetLearned ? [] : current.learned };
    await store.inventory.setMaskSettings(id, settings, normalizedHash(settings), undefined, actorOf(req, res));
    res.redirect(303, `/scripts/${id}`);
  });

  // Evidence files are scanned content: served as downloads with nosniff; only the PNG keeps its image type.
  router.get('/alerts/:id/evidence/:name', async (req, res) => {
    const id = parseId(req.params.id, 'alert id');
    const file = (await evidenceOf(store, id)).find((f) => f.name === req.params.name);
    const bytes = file ? await store.blobs.bytesBySha(file.sha256) : null;
    if (!file || !bytes) throw new ScriptwardenError('NOT_FOUND', `alert #${id} has no evidence file ${req.params.name}`);
    const png = file.name.endsWith('.png');
    res.set({
      'Content-Type': png ? 'image/png' : 'text/plain; charset=utf-8',
      'X-Content-Type-Options': 'nosniff',
      'Content-Disposition': `${png ? 'inline' : 'attachment'}; filename="alert-${id}-${file.name}${png ? '' : '.txt'}"`,
      'Cache-Control': 'no-store',
    });
    res.send(bytes);
  });

  router.get('/alerts/:id/evidence.zip', async (req, res) => {
    const id = parseId(req.params.id, 'alert id');
    const files = await bundleFiles(store, id, new Date().toISOString(), version);
    res.set({ 'Content-Type': 'application/zip', 'X-Content-Type-Options': 'nosniff', 'Content-Disposition': `attachment; filename="scriptwarden-alert-${id}.zip"`, 'Cache-Control': 'no-store' });
    writeBundle(id, files, res);
  });

  router.get('/raw/:sha', async (req, res) => {
    const sha = req.params.sha;
    if (!/^[0-9a-f]{64}$/.test(sha)) throw new ScriptwardenError('USAGE', 'expected a SHA-256 in hex');
    const body = await store.blobs.textBySha(sha);
    if (body === null) throw new ScriptwardenError('NOT_FOUND', `no content with SHA-256 ${sha}`);
    res.set({
      'Content-Type': 'text/plain; charset=utf-8',
      'X-Content-Type-Options': 'nosniff',
      'Content-Disposition': `attachment; filename="${sha}.txt"`,
      'Cache-Control': 'no-store',
    });
    res.send(body);
  });
  return router;
}
