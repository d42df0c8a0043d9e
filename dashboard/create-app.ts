// The dashboard factory: an Express app over a store, with strict security headers and JSON or HTML errors.

import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describeError, isScriptwardenError } from '../src/errors.js';
import type { Store } from '../src/store/open-store.js';
import type { AlertWithDetails } from '../src/store/alerts.js';
import { html } from './html.js';
import { apiRouter } from './routes/api.js';
import { pagesRouter } from './routes/pages.js';
import { layout } from './views/layout.js';

export interface AppDeps {
  store: Store;
  /** Name recorded on decisions when the form or request does not give one. */
  actor: string;
  log?: (line: string) => void;
  /** GET /healthz: the scheduler, each target's last success, the browser. Absent: a plain {status: ok}. */
  health?: () => { status: number; body: unknown };
  /** GET /metrics in Prometheus text format. */
  metrics?: () => string;
  /** scriptwarden's version, recorded in evidence bundles. */
  version?: string;
  /** Told about every approval or rejection made here (serve queues their notifications). */
  onDecision?: (alerts: AlertWithDetails[]) => void;
}

export interface Dashboard {
  app: express.Express;
  listen(port: number, host: string): Promise<{ url: string; port: number }>;
  close(): Promise<void>;
}

const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));

function statusOf(error: unknown): number {
  if (isScriptwardenError(error)) return error.code === 'NOT_FOUND' ? 404 : error.code === 'USAGE' ? 400 : 500;
  const status = (error as { status?: unknown })?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
}

/**
 * A page on another site must not be able to approve alerts through the reviewer's browser: state-changing
 * requests that a browser marks as cross-site (Sec-Fetch-Site, or an Origin for another host) are refused.
 * Clients that are not browsers send neither header and pass. Accounts and CSRF tokens come with user management.
 */
function refuseCrossSiteWrites(req: Request, res: Response, next: NextFunction): void {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
  const site = req.get('sec-fetch-site');
  const origin = req.get('origin');
  // Browsers that send Sec-Fetch-Site are judged by it (their Origin is "null" under our no-referrer policy).
  let crossSite = site !== undefined && site !== 'same-origin' && site !== 'none';
  if (site === undefined && origin !== undefined) {
    try {
      crossSite = new URL(origin).host !== req.get('host');
    } catch {
      crossSite = true;
    }
  }
  if (!crossSite) return next();
  res.status(403);
  if (req.path.startsWith('/api/')) res.json({ error: { status: 403, message: 'cross-site request refused' } });
  else res.type('html').send(layout('Refused', html`<h1>Refused</h1><p>Cross-site requests cannot change anything here.</p>`));
}

export function createApp(deps: AppDeps): Dashboard {
  const app = express();
  app.disable('x-powered-by');
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      referrerPolicy: { policy: 'no-referrer' },
    }),
  );
  app.use('/static', express.static(STATIC_DIR, { fallthrough: false, index: false }));
  app.use(refuseCrossSiteWrites);
  app.use(express.urlencoded({ extended: false, limit: '16kb' }));
  app.use(express.json({ limit: '16kb' }));
  app.get('/healthz', (_req: Request, res: Response) => {
    const report = deps.health?.() ?? { status: 200, body: { status: 'ok', scheduler: { enabled: false } } };
    res.status(report.status).set('cache-control', 'no-store').json(report.body);
  });
  app.get('/metrics', (_req: Request, res: Response) => {
    res.set('cache-control', 'no-store').type('text/plain; version=0.0.4; charset=utf-8').send(deps.metrics?.() ?? '');
  });
  app.use('/api', apiRouter(deps.store, deps.actor, deps.onDecision));
  app.use(pagesRouter(deps.store, deps.actor, deps.version, deps.onDecision));
  app.use((_req: Request, res: Response) => {
    res.status(404).type('html').send(layout('Not found', html`<h1>Not found</h1><p><a href="/">Back to the overview</a></p>`));
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = statusOf(error);
    const message = status === 500 ? 'internal error' : describeError(error);
    if (status === 500) deps.log?.(`dashboard: ${req.method} ${req.path}: ${describeError(error)}`);
    if (req.path.startsWith('/api/') || req.originalUrl.startsWith('/api/')) {
      res.status(status).json({ error: { status, message } });
    } else {
      res.status(status).type('html').send(layout('Error', html`<h1>Error ${status}</h1><p>${message}</p><p><a href="/">Back to the overview</a></p>`));
    }
  });

  let server: Server | null = null;
  return {
    app,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server = app.listen(port, host);
        server.once('error', reject);
        server.once('listening', () => {
          const address = server!.address() as AddressInfo;
          const shownHost = host.includes(':') ? `[${host}]` : host;
          resolve({ url: `http://${shownHost}:${address.port}/`, port: address.port });
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (!server) return resolve();
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
