// The inventory screens and grouped authorization: filters, checkboxes and "authorize selected" (PCI DSS 6.4.3).

import { Router, type Request, type Response } from 'express';
import { ScriptwardenError } from '../../src/errors.js';
import { SCRIPT_KINDS } from '../../src/capture/types.js';
import { inventoryCsv } from '../../src/evidence/inventory-csv.js';
import { scriptInventory, type InventoryRow } from '../../src/evidence/inventory-report.js';
import { scriptsToAuthorize, selectScripts, type ScriptSelector } from '../../src/evidence/script-selection.js';
import type { Store } from '../../src/store/open-store.js';
import { allows } from '../../src/auth/roles.js';
import { actorOf, authOf, need } from '../auth/authenticate.js';
import { bodyText, pageNumber, parseId, queryText } from '../request-input.js';
import { sendPage } from '../send-page.js';
import { inventoryPage } from '../views/tables.js';

const INVENTORY_PAGE = 250;

/** The selector of a request's query (a page's filters) or body (the API's grouped authorization). */
function selectorOf(source: Record<string, unknown>): ScriptSelector {
  const text = (name: string) => (typeof source[name] === 'string' ? (source[name] as string).trim().slice(0, 253) : '');
  const kind = text('kind');
  if (kind && !SCRIPT_KINDS.includes(kind as never)) throw new ScriptwardenError('USAGE', `kind must be one of ${SCRIPT_KINDS.join(', ')}`);
  return { target: text('target') || undefined, host: text('host') || undefined, vendor: text('vendor') || undefined, kind: kind || undefined };
}

/** One page of the inventory under the filters; host, vendor and kind are matched on the rows (party and vendor are derived). */
async function inventoryRows(store: Store, selector: ScriptSelector, page: number): Promise<{ rows: InventoryRow[]; hasMore: boolean }> {
  const grouped = selector.host || selector.vendor || selector.kind;
  const rows = grouped
    ? selectScripts(await scriptInventory(store, { target: selector.target }), selector).slice((page - 1) * INVENTORY_PAGE, page * INVENTORY_PAGE + 1)
    : await scriptInventory(store, { target: selector.target, limit: INVENTORY_PAGE + 1, offset: (page - 1) * INVENTORY_PAGE });
  return { rows: rows.slice(0, INVENTORY_PAGE), hasMore: rows.length > INVENTORY_PAGE };
}

/** The scripts a form (checkboxes) or an API call (ids, or a group) names, authorized with its justification as the viewer. */
export async function authorizeFromRequest(store: Store, req: Request, res: Response): Promise<number[]> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const justification = bodyText(req, 'justification', 4000).trim();
  if (!justification) throw new ScriptwardenError('USAGE', 'justification must say why the scripts are necessary (at most 4000 characters)');
  const raw = body.script ?? body.scriptIds;
  const ids = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map((v) => parseId(String(v), 'script id'));
  const selector = selectorOf(body);
  const chosen = await scriptsToAuthorize(ids, selector, () => scriptInventory(store, { target: selector.target }));
  const actor = actorOf(req, res);
  return store.inventory.authorize(chosen.ids, { justification, by: actor.name, at: new Date().toISOString(), selector: chosen.selector, ip: actor.ip });
}

export function inventoryRouter(store: Store): Router {
  const router = Router();
  router.get('/inventory', need('read'), async (req, res) => {
    const selector = selectorOf(req.query as Record<string, unknown>);
    const page = pageNumber(req);
    const { rows, hasMore } = await inventoryRows(store, selector, page);
    const authorized = req.query.authorized === undefined ? undefined : parseId(queryText(req, 'authorized'), 'authorized');
    const view = {
      target: selector.target ?? '', host: selector.host ?? '', vendor: selector.vendor ?? '', kind: selector.kind ?? '', page, hasMore,
      canAuthorize: allows(authOf(res).viewer!.role, 'decide'), authorized,
    };
    sendPage(res, inventoryPage(rows, view, await store.inventory.targetNames(), await store.inventory.fieldAccess({ target: selector.target })));
  });
  router.get('/inventory.csv', need('read'), async (req, res) => {
    const target = queryText(req, 'target');
    res.set({ 'Content-Disposition': 'attachment; filename="scriptwarden-inventory.csv"', 'Cache-Control': 'no-store' });
    res.type('text/csv; charset=utf-8').send(inventoryCsv(await scriptInventory(store, { target: target || undefined })));
  });
  router.post('/inventory/authorize', need('decide'), async (req, res) => {
    res.redirect(303, `/inventory?authorized=${(await authorizeFromRequest(store, req, res)).length}`);
  });
  return router;
}
