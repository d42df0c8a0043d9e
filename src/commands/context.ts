// What every command gets from the composition root: streams, working folder, and how to open things.

import { loadConfig, type Config } from '../config.js';
import type { Capturer } from '../monitor.js';
import type { BrowserState } from '../metrics.js';
import type { DashboardDeps, DashboardHandle } from './serve.js';
import { openStore, type Store } from '../store/open-store.js';

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
  /** Who is acting when --by is not given. */
  defaultActor: string;
  /** Opens the crawler for a scan; cli.ts supplies it so src/ never imports crawler/. */
  openCapturer(config: Config, needsBrowser: boolean): Promise<Capturer & { close(): Promise<void>; browserState(): BrowserState }>;
  /** Builds the dashboard for `serve`; cli.ts supplies it so src/ never imports dashboard/. */
  createDashboard(deps: DashboardDeps): DashboardHandle;
  /** Resolves with the signal name when the process is asked to stop (SIGINT, SIGTERM). */
  waitForShutdown(): Promise<string>;
  version: string;
}

export function withStore<T>(configPath: string | undefined, ctx: CommandContext, fn: (store: Store, config: Config) => T): T {
  const config = loadConfig(configPath, ctx.cwd, ctx.env);
  const store = openStore(config.database);
  try {
    return fn(store, config);
  } finally {
    store.close();
  }
}

export const EXIT = { ok: 0, newAlerts: 1, usage: 2, targetsFailed: 3, internal: 70 } as const;
