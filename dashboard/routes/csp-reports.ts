// POST /reports/csp/:key: where visitors' browsers send CSP reports. No sign-in (browsers cannot sign in); the key in
// the URL names the target. Bounded: 64 KB a body, the collector's limits on reports per request and per minute.

import { Router, type Request, type Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Collector, CollectorAnswer } from '../../src/run/visitor-collector.js';

export const REPORT_BODY_BYTES = 64 * 1024;
const PREFIX = '/reports/csp/';

/** The headers of every answer: nothing to cache, nothing to sniff or run (the answers are plain text). */
const ANSWER_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'none'" };

function send(res: ServerResponse, answer: CollectorAnswer | { status: 413; message: string }, close = false): void {
  if (res.headersSent) return;
  const headers: Record<string, string | number> = { ...ANSWER_HEADERS, ...(close ? { connection: 'close' } : {}) };
  if (answer.status === 204) {
    res.writeHead(204, headers).end();
    return;
  }
  res.writeHead(answer.status, { ...headers, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(answer.message) }).end(answer.message);
}

/** Past this much, a refused body is not even drained: the connection is cut. */
const DRAIN_BYTES = 1024 * 1024;

/**
 * The body, or null once it passed the limit. The rest of a refused body is read and dropped (so the sender sees the
 * answer) up to DRAIN_BYTES, after which the connection is closed.
 */
function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > DRAIN_BYTES) req.socket.destroy();
      else if (size > REPORT_BODY_BYTES) resolve(null);
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(size > REPORT_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}

/**
 * Answers one report request. The key and its minute's count are checked before the body is read, so an unknown or
 * over-limit key costs no parsing; a body over 64 KB is refused as soon as it passes the limit.
 */
export async function answerCspReport(collector: Collector, key: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const refused = await collector.admit(key);
    if (refused) return send(res, refused);
    const tooLarge = { status: 413 as const, message: `a report body is at most ${REPORT_BODY_BYTES / 1024} KB` };
    if (Number(req.headers['content-length'] ?? 0) > DRAIN_BYTES) return send(res, tooLarge, true);
    const body = await readBody(req);
    if (body === null) return send(res, tooLarge);
    send(res, await collector.accept(key, String(req.headers['content-type'] ?? ''), body, req.headers['user-agent']));
  } catch {
    send(res, { status: 400, message: 'the report cannot be read' });
  }
}

/**
 * The report route ahead of the app: a request for it is answered here without the dashboard's middleware (a flood of
 * reports then costs the dashboard's process as little as it can); returns false for every other request.
 */
export function cspReportFastPath(collector: Collector): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if (req.method !== 'POST' || !req.url?.startsWith(PREFIX)) return false;
    const path = req.url.slice(PREFIX.length).split('?')[0]!;
    if (path.includes('/')) return false;
    let key: string;
    try {
      key = decodeURIComponent(path);
    } catch {
      send(res, { status: 404, message: 'no target has this report key' });
      return true;
    }
    void answerCspReport(collector, key, req, res);
    return true;
  };
}

/** The same route in the app (for an app served by another server, as the tests do). */
export function cspReportsRouter(collector: Collector): Router {
  const router = Router();
  router.post('/reports/csp/:key', (req: Request, res: Response) => void answerCspReport(collector, String(req.params.key), req, res));
  return router;
}
