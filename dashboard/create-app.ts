// The dashboard factory: an Express app over a store, with strict security headers and JSON or HTML errors.

import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describeError, httpStatusOf, isScriptwardenError, ScriptwardenError } from '../src/errors.js';
import type { Store } from '../src/store/open-store.js';
import type { AlertWithDetails } from '../src/store/alerts.js';
import type { ApprovalPolicy } from '../src/auth/approvals.js';
import { html } from './html.js';
import { apiRouter } from './routes/api.js';
import { createDiffViews } from './diff-views.js';
import type { AnalysisPool } from '../src/run/analysis-pool.js';
import { inventoryRouter } from './routes/inventory.js';
import { huntRouter } from './routes/hunt.js';
import { cspReportFastPath, cspReportsRouter } from './routes/csp-reports.js';
import type { Collector } from '../src/run/visitor-collector.js';
import type { HardenResult } from '../src/run/harden.js';
import { reportsRouter, type ReportDeps } from './routes/reports.js';
import { pagesRouter } from './routes/pages.js';
import { layout } from './views/layout.js';
import { answersJson, authenticate, authOf, need, type AuthSettings } from './auth/authenticate.js';
import { requireCsrfToken } from './auth/csrf.js';
import { accountRouter } from './routes/account.js';
import { adminRouter } from './routes/admin.js';
import { signInRouter } from './routes/sign-in.js';
import { sendPage } from './send-page.js';

export interface AppDeps {
  store: Store;
  /** Name recorded on decisions when the form or request does not give one. */
  actor: string;
  log?: (line: string) => void;
  /** GET /healthz: the scheduler, each target's last success, the browser. Absent: a plain {status: ok}. */
  health?: () => Promise<{ status: number; body: unknown }>;
  /** GET /metrics in Prometheus text format. */
  metrics?: () => Promise<string>;
  /** scriptwarden's version, recorded in evidence bundles. */
  version?: string;
  /** Told about every approval or rejection made here (serve queues their notifications). */
  onDecision?: (alerts: AlertWithDetails[]) => Promise<void>;
  /** The Reports screen: the config it reports on and the PDF renderer; absent: no Reports screen. */
  reports?: ReportDeps;
  /** Where visitors' browsers send CSP reports (POST /reports/csp/:key); absent: no collector in this process. */
  collector?: Collector;
  /** Serve only the collector (the collector role's own port). */
  collectorOnly?: boolean;
  /** The Harden screen of a target (a proposal, replayed when the process has a browser); null: no such page target. */
  harden?: (target: string) => Promise<HardenResult | null>;
  /** Approvals an alert needs, by severity (config `approvals`); absent: one. */
  approvals?: ApprovalPolicy;
  /** Sign-in settings. Absent: open access while no user exists (tests and local use), config defaults otherwise. */
  auth?: Partial<AuthSettings>;
  /** Express's trust proxy setting: which X-Forwarded-* headers to believe for the client address and HTTPS. */
  trustProxy?: boolean | number | string;
  /** Labels of the configured notification channels, for the admin's settings page. */
  notifyChannels?: string[];
  /** The configured targets, which admins may pause; absent: the targets the database knows. */
  targetNames?: string[];
  /** Worker threads for beautifying and diffing large bodies; absent, they are done here (bounded). */
  analysis?: AnalysisPool;
}

const DEFAULT_AUTH: AuthSettings = {
  allowOpen: true,
  idleMs: 30 * 60_000,
  absoluteMs: 12 * 3_600_000,
  lockout: { maxFailures: 5, lockMs: 15 * 60_000 },
  loginAttemptsPerIp: 30,
};

export interface Dashboard {
  app: express.Express;
  listen(port: number, host: string): Promise<{ url: string; port: number }>;
  close(): Promise<void>;
}

const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));

function statusOf(error: unknown): number {
  if (isScriptwardenError(error)) return httpStatusOf(error);
  const status = (error as { status?: unknown })?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
}

/**
 * A page on another site must not be able to approve alerts through the reviewer's browser: state-changing
 * requests that a browser marks as cross-site (Sec-Fetch-Site, or an Origin for another host) are refused.
 * Clients that are not browsers send neither header and pass. Session requests also need their CSRF token (auth/csrf.ts).
 */
function refuseCrossSiteWrites(req: Request, _res: Response, next: NextFunction): void {
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
  next(crossSite ? new ScriptwardenError('FORBIDDEN', 'cross-site request refused: requests from other sites cannot change anything here') : undefined);
}

export function createApp(deps: AppDeps): Dashboard {
  const app = express();
  const auth: AuthSettings = { ...DEFAULT_AUTH, ...deps.auth };
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? false);
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
  app.get('/favicon.ico', (_req: Request, res: Response) => void res.status(204).end());
  // Visitors' browsers post CSP reports from the monitored site: before the cross-site and sign-in checks.
  if (deps.collector) app.use(cspReportsRouter(deps.collector));
  // `serve --role collector`: the collector alone, on its own port; nothing else answers there.
  if (deps.collectorOnly) {
    app.use((_req: Request, res: Response) => void res.status(404).type('text/plain').send('this port only takes CSP reports: POST /reports/csp/KEY'));
    return serving(app, deps.collector);
  }
  app.use(refuseCrossSiteWrites);
  app.use(express.urlencoded({ extended: false, limit: '16kb' }));
  app.use(express.json({ limit: '16kb' }));
  app.use(authenticate(deps.store, auth, deps.actor));
  app.use(requireCsrfToken);
  // Load balancers ask without credentials: they get the status only; signed-in users and tokens get the detail.
  app.get('/healthz', async (_req: Request, res: Response) => {
    const report = await deps.health?.() ?? { status: 200, body: { status: 'ok', scheduler: { enabled: false } } };
    const body = authOf(res).viewer ? report.body : { status: (report.body as { status?: unknown }).status ?? 'ok' };
    res.status(report.status).set('cache-control', 'no-store').json(body);
  });
  app.get('/metrics', need('read'), async (_req: Request, res: Response) => {
    res.set('cache-control', 'no-store').type('text/plain; version=0.0.4; charset=utf-8').send(await deps.metrics?.() ?? '');
  });
  app.use(signInRouter(deps.store, auth));
  app.use(accountRouter(deps.store, auth));
  const views = createDiffViews(deps.store, deps.analysis);
  app.use('/api', apiRouter(deps.store, views, deps.actor, { onDecision: deps.onDecision, approvals: deps.approvals }));
  app.use(adminRouter(deps.store, deps.notifyChannels ?? [], async () => deps.targetNames ?? await deps.store.inventory.targetNames()));
  app.use(inventoryRouter(deps.store));
  app.use(huntRouter(deps.store, deps.harden));
  if (deps.reports) app.use(reportsRouter(deps.store, deps.reports));
  app.use(pagesRouter(deps.store, views, deps.actor, deps.version ?? 'unknown', { onDecision: deps.onDecision, approvals: deps.approvals }));
  app.use((_req: Request, res: Response) => {
    sendPage(res, layout('Not found', html`<h1>Not found</h1><p><a href="/">Back to the overview</a></p>`), 404);
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = statusOf(error);
    const message = status === 500 ? 'internal error' : describeError(error);
    if (status === 500) deps.log?.(`dashboard: ${req.method} ${req.path}: ${describeError(error)}`);
    if (answersJson(req)) {
      res.status(status).json({ error: { status, message } });
    } else {
      sendPage(res, layout('Error', html`<h1>Error ${status}</h1><p>${message}</p><p><a href="/">Back to the overview</a></p>`), status);
    }
  });

  return serving(app, deps.collector);
}

/** An app with listen and close: the dashboard, or the collector alone. */
function serving(app: express.Express, collector?: Collector): Dashboard {
  let server: Server | null = null;
  // Reports are answered ahead of the app's middleware: a flood of them costs this process as little as it can.
  const report = collector ? cspReportFastPath(collector) : null;
  const handle = (req: IncomingMessage, res: ServerResponse) => { if (!report?.(req, res)) app(req, res); };
  return {
    app,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server = createServer(handle).listen(port, host);
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
