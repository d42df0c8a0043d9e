// POST /reports/csp/:key: where visitors' browsers send CSP reports. No sign-in (browsers cannot sign in); the key in
// the URL names the target. Bounded: 64 KB a body, the collector's limits on reports per request and per minute.

import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Collector } from '../../src/run/visitor-collector.js';

export const REPORT_BODY_LIMIT = '64kb';

export function cspReportsRouter(collector: Collector): Router {
  const router = Router();
  // Any content type is read as text (the collector tells the two formats apart); a bigger body is refused unread.
  router.post('/reports/csp/:key', express.text({ type: () => true, limit: REPORT_BODY_LIMIT }), async (req: Request, res: Response) => {
    const answer = await collector.accept(String(req.params.key), String(req.headers['content-type'] ?? ''), typeof req.body === 'string' ? req.body : '', req.headers['user-agent']);
    res.status(answer.status).set('cache-control', 'no-store');
    if (answer.status === 204) res.end();
    else res.type('text/plain').send(answer.message);
  });
  // A body over the limit, or one that cannot be read: a short plain answer, never the dashboard's error page.
  router.use('/reports/csp', (error: { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const status = error.type === 'entity.too.large' ? 413 : 400;
    res.status(status).type('text/plain').send(status === 413 ? `a report body is at most ${REPORT_BODY_LIMIT}` : 'the report body cannot be read');
  });
  return router;
}
