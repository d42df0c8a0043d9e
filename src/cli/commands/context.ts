// What every command gets from the composition root: streams, working folder, and how to open things.

import type { AnalysisPool, PoolOptions } from '../../run/analysis-pool.js';
import { loadConfig, type Config } from '../../config/config.js';
import type { Capturer } from '../../capture/capturer.js';
import type { BrowserState } from '../../capture/types.js';
import type { AlertWithDetails } from '../../store/alerts.js';
import type { ApprovalPolicy } from '../../auth/approvals.js';
import type { HardenResult } from '../../run/harden.js';
import type { Collector } from '../../run/visitor-collector.js';
import { openStore, type Store } from '../../store/open-store.js';
import { isPostgresUrl } from '../../config/config-database.js';
import { ScriptwardenError } from '../../errors.js';

export interface Output {
  write(text: string): void;
  isTTY: boolean;
}

export interface CommandContext {
  cwd: string;
  /** The environment, for `env:NAME` secrets in the config; only cli.ts reads process.env. */
  env: Record<string, string | undefined>;
  stdout: Output;
  stderr: Output;
  /** Standard input, for passwords: read whole when piped, or typed without echo on a terminal. */
  stdin: { isTTY: boolean; readAll(): Promise<string>; readHidden(prompt: string): Promise<string> };
  /** Who is acting when --by is not given. */
  defaultActor: string;
  /** Opens the crawler for a scan; cli.ts supplies it so src/ never imports crawler/. */
  openCapturer(config: Config, needsBrowser: boolean): Promise<Capturer & { close(): Promise<void>; browserState(): BrowserState }>;
  /** Renders scriptwarden's own HTML (a report) to PDF in the configured browser; cli.ts supplies it. */
  renderPdf(config: Config, html: string): Promise<Buffer>;
  /** Starts the worker threads that plan and analyse what pages served; closing the pool ends them. */
  openAnalysis(options: PoolOptions): Promise<AnalysisPool>;
  /** Builds the dashboard for `serve`; cli.ts supplies it so src/ never imports dashboard/. */
  createDashboard(deps: DashboardDeps): Promise<DashboardHandle>;
  /** Resolves with the signal name when the process is asked to stop (SIGINT, SIGTERM). */
  waitForShutdown(): Promise<string>;
  version: string;
}

export async function withStore<T>(configPath: string | undefined, ctx: CommandContext, fn: (store: Store, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig(configPath, ctx.cwd, ctx.env);
  const store = await openStore(config.database);
  try {
    return await fn(store, config);
  } finally {
    await store.close();
  }
}

export { EXIT } from './exit-codes.js';

/** What /healthz answers. */
export interface HealthReport {
  status: 'ok' | 'degraded' | 'stopping';
  version: string;
  /** all, or web (the scheduler and workers run elsewhere: targets are read from the shared schedule). */
  role: string;
  /** The web role's: each vantage's jobs waiting and the lag of its oldest due scan. */
  queue?: { vantage: string; depth: number; lagSeconds: number }[];
  scheduler: { enabled: boolean; state: string; startedAt: string | null; lastTickAt: string | null; activeScans: number; concurrency: number };
  targets: { target: string; schedule: string; nextRunAt: string; running: boolean; paused: boolean; lastSuccessAt: string | null; lastFinishedAt: string | null; consecutiveFailures: number; healthy: boolean; lastError: string | null;
    /** The web role's, with named vantages: each vantage's runs. */
    vantages?: { vantage: string; lastSuccessAt: string | null; consecutiveFailures: number; healthy: boolean; lastError: string | null }[] }[];
  browser: BrowserState;
}

/** The dashboard as serve needs it; cli.ts builds it, so src/ never imports dashboard/. */
export interface DashboardHandle {
  listen(port: number, host: string): Promise<{ url: string; port: number }>;
  close(): Promise<void>;
}

export interface DashboardDeps {
  store: Store;
  actor: string;
  log(line: string): void;
  health?(): Promise<{ status: number; body: HealthReport }>;
  metrics?(): Promise<string>;
  version: string;
  /** Called with the alerts a reviewer just approved or rejected, for their notifications. */
  onDecision?(alerts: AlertWithDetails[]): Promise<void>;
  /** Approvals an alert needs, by severity (config `approvals`). */
  approvals?: ApprovalPolicy;
  /** Where visitors' browsers send CSP reports; absent: no collector. */
  collector?: Collector;
  /** Serve only the collector (the collector role's own port). */
  collectorOnly?: boolean;
  /** A target's Harden screen: its proposal, replayed when this process has a browser; null for no such page target. */
  harden?: (target: string) => Promise<HardenResult | null>;
  /** The Reports screen: the config it reports on, a PDF renderer, and who made the report. */
  reports?: { config: Config; renderPdf?: (html: string) => Promise<Buffer>; generator: string };
  auth: {
    /** Open access while no user exists: serve allows it only on a loopback address. */
    allowOpen: boolean;
    idleMs: number;
    absoluteMs: number;
    lockout: { maxFailures: number; lockMs: number };
    loginAttemptsPerIp: number;
  };
  trustProxy: boolean | number | string;
  notifyChannels: string[];
  /** The configured targets' names, which admins may pause and resume. */
  targetNames: string[];
  /** Worker threads for beautifying and diffing large bodies off the request thread. */
  analysis?: AnalysisPool;
}

/** Roles that share work through the database need one all their processes reach: PostgreSQL, not a file. */
export function requireSharedDatabase(config: Config, role: string): void {
  if (!isPostgresUrl(config.database)) {
    throw new ScriptwardenError('USAGE', `${role} shares its work through the database, and "database:" is a SQLite file (${config.database}) that only one machine can use. Set database: to a postgres:// URL, or run plain \`scriptwarden serve\`, which scans by itself.`);
  }
}
