// The investigation screens: search (a retro-hunt through the stored record, within a time budget), and a target's
// Harden and Visitors screens.

import { Router } from 'express';
import { huntMatcher, type HuntKind } from '../../src/detect/hunt-query.js';
import { isScriptwardenError, ScriptwardenError } from '../../src/errors.js';
import type { HardenResult } from '../../src/run/harden.js';
import { runHunt } from '../../src/run/hunt.js';
import type { Store } from '../../src/store/open-store.js';
import { need } from '../auth/authenticate.js';
import { queryText } from '../request-input.js';
import { sendPage } from '../send-page.js';
import { huntPage } from '../views/hunt.js';
import { hardenPage } from '../views/harden.js';
import { visitorsPage } from '../views/visitors.js';
import { reportsSince } from '../../src/store/visitor-reports.js';

const KINDS: HuntKind[] = ['host', 'sha256', 'string', 'regex'];
/** A search from the dashboard answers within this; the command line has none. */
const BUDGET_MS = 10_000;

/** The header's box: 64 hex digits are a hash, a dotted name a host, anything else text. */
function guessKind(q: string): HuntKind {
  if (/^[0-9a-f]{64}$/i.test(q)) return 'sha256';
  return /^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(q) ? 'host' : 'string';
}

export function huntRouter(store: Store, harden?: (target: string) => Promise<HardenResult | null>): Router {
  const router = Router();
  router.get('/targets/:name/visitors', need('read'), async (req, res) => {
    const name = String(req.params.name).slice(0, 64);
    const since = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
    sendPage(res, visitorsPage(name, await reportsSince(store.database, name, since(1)), await reportsSince(store.database, name, since(7))));
  });
  router.get('/targets/:name/harden', need('read'), async (req, res) => {
    const result = harden ? await harden(String(req.params.name)) : null;
    if (!result) throw new ScriptwardenError('NOT_FOUND', `no page target named ${String(req.params.name).slice(0, 64)} to harden`);
    sendPage(res, hardenPage(result));
  });
  router.get('/hunt', need('read'), async (req, res) => {
    const q = queryText(req, 'q').trim().slice(0, 1000);
    const asked = queryText(req, 'kind');
    const kind = KINDS.includes(asked as HuntKind) ? (asked as HuntKind) : guessKind(q);
    if (!q) return sendPage(res, huntPage(kind, '', null, null));
    try {
      const matcher = huntMatcher({ kind, value: q });
      sendPage(res, huntPage(kind, q, await runHunt(store, matcher, { budgetMs: BUDGET_MS }), null));
    } catch (error) {
      if (!isScriptwardenError(error) || error.code !== 'USAGE') throw error;
      sendPage(res, huntPage(kind, q, null, error.message), 400);
    }
  });
  return router;
}
