// `scriptwarden serve`: the dashboard plus the scheduler in one foreground process (or one role of them), stopped cleanly by SIGTERM.

import { openVantageCapturer } from '../../run/vantage-capturer.js';
import { configuredVantages } from '../../config/vantages.js';
import { loadConfig } from '../../config/config.js';
import { parseDuration } from '../../config/duration.js';
import { describeError, ScriptwardenError } from '../../errors.js';
import { loadIntel } from '../../run/load-intel.js';
import { createLogger, type LogFormat } from '../../run/log.js';
import { renderMetrics } from '../../run/metrics.js';
import type { BrowserState } from '../../capture/types.js';
import { createScheduler, type Scheduler } from '../../run/scheduler.js';
import { openStore } from '../../store/open-store.js';
import type { AlertWithDetails } from '../../store/alerts.js';
import { channelLabel, queueDecisions, startDelivery } from '../../run/notify.js';
import { isLoopback } from '../../auth/loopback.js';
import { EXIT, requireSharedDatabase, type CommandContext, type HealthReport } from './context.js';
import { watchApprovalPolicy } from '../../run/approval-policy.js';
import { schedulerRole } from './serve-scheduler.js';
import { sharedTargets, vantageQueues } from '../../run/shared-health.js';
import { hardenTarget } from '../../run/harden.js';
import { createCollector } from '../../run/visitor-collector.js';
import { reportedScriptFetcher } from '../crawler-factory.js';
import { collectorRole } from './serve-collector.js';

export interface ServeOptions {
  config?: string;
  port: string;
  host: string;
  schedule: boolean;
  /** all (one process does everything, as on one machine), web (the dashboard) or scheduler (dispatch to workers). */
  role?: string;
  logFormat: string;
  stopTimeout: string;
}

export async function serveCommand(opts: ServeOptions, ctx: CommandContext): Promise<number> {
  const port = Number(opts.port);
  if (!/^\d+$/.test(opts.port) || port > 65535) throw new ScriptwardenError('USAGE', `--port must be a number from 0 to 65535, not "${opts.port}"`);
  if (opts.logFormat !== 'text' && opts.logFormat !== 'json') throw new ScriptwardenError('USAGE', `--log-format must be text or json, not "${opts.logFormat}"`);
  const graceMs = parseDuration(opts.stopTimeout);
  if (graceMs === null) throw new ScriptwardenError('USAGE', `--stop-timeout must be a duration such as 20s, not "${opts.stopTimeout}"`);
  const log = createLogger(opts.logFormat as LogFormat, (line) => ctx.stdout.write(line));
  const config = loadConfig(opts.config, ctx.cwd, ctx.env);
  const role = opts.role ?? 'all';
  if (!['all', 'web', 'scheduler', 'collector'].includes(role)) throw new ScriptwardenError('USAGE', `--role must be all, web, scheduler or collector, not "${role}"`);
  // The collector writes reports only: beside a serve on the same SQLite file, as the command line does.
  if (role === 'collector') return collectorRole(config, log, ctx, { port, host: opts.host });
  if (role !== 'all') requireSharedDatabase(config, `serve --role ${role}`);
  if (role === 'scheduler') return schedulerRole(config, log, ctx);
  // The web role serves the dashboard; scans are dispatched by a scheduler and run by workers.
  if (role === 'web') opts = { ...opts, schedule: false };
  const loopback = isLoopback(opts.host);
  const store = await openStore(config.database);
  if (!loopback && (await store.access.users.count()) === 0) {
    await store.close();
    const configFlag = opts.config ? ` --config ${opts.config}` : '';
    throw new ScriptwardenError('USAGE', `no dashboard user exists, so serve will not listen on ${opts.host} (only loopback may run open). Create the first admin:\n  npx scriptwarden users add admin --role admin${configFlag}`);
  }
  let capturer: Awaited<ReturnType<CommandContext['openCapturer']>> | null;
  try {
    capturer = opts.schedule ? await openVantageCapturer(ctx.openCapturer, config, config.targets.some((t) => t.type === 'page'), configuredVantages(config)) : null;
  } catch (error) {
    await store.close();
    throw error;
  }
  // Hostile bodies are planned, analysed, beautified and diffed in worker threads: the dashboard, /healthz and the
  // scheduler keep answering while one is.
  const analysis = await ctx.openAnalysis({ intel: config.intel, budgetMs: config.limits.analysisBudget });
  const scheduler: Scheduler | null = capturer
    ? createScheduler({ config, store, capturer, loadIntel: () => loadIntel(config.intel), analysis, log, version: ctx.version })
    : null;
  const browserState = (): BrowserState => capturer?.browserState() ?? { state: 'not-started', pid: null, restarts: 0, lastRestartAt: null };
  let stopping = false;

  const health = async (): Promise<{ status: number; body: HealthReport }> => {
    const snapshot = await scheduler?.snapshot() ?? null;
    // The web role has no scheduler of its own: it reports the schedule and the queues the others keep.
    const web = role === 'web' ? { targets: await sharedTargets(config, store, new Date()), queue: await vantageQueues(config, store, new Date()) } : null;
    const targets = web?.targets ?? snapshot?.targets ?? [];
    const browser = browserState();
    const status: HealthReport['status'] = stopping ? 'stopping' : targets.some((t) => !t.healthy) || browser.state === 'down' ? 'degraded' : 'ok';
    return {
      status: status === 'stopping' ? 503 : 200,
      body: {
        status,
        version: ctx.version,
        role,
        ...(web ? { queue: web.queue } : {}),
        scheduler: { enabled: Boolean(scheduler), state: snapshot?.state ?? (role === 'web' ? 'elsewhere' : 'disabled'), startedAt: snapshot?.startedAt ?? null, lastTickAt: snapshot?.lastTickAt ?? null, activeScans: snapshot?.activeScans ?? 0, concurrency: config.browser.concurrency },
        targets: targets.map(({ target, schedule, nextRunAt, running, paused, lastSuccessAt, lastFinishedAt, consecutiveFailures, healthy, lastError, ...rest }) =>
          ({ target, schedule, nextRunAt, running, paused, lastSuccessAt, lastFinishedAt, consecutiveFailures, healthy, lastError, ...('vantages' in rest ? { vantages: rest.vantages } : {}) })),
        browser,
      },
    };
  };
  const metrics = async () => renderMetrics({
    snapshot: await scheduler?.snapshot() ?? null,
    counters: scheduler?.counters() ?? null,
    store: await store.scans.counts(),
    notificationsPending: await store.notifications.pendingCount(),
    browser: browserState(),
    queue: role === 'web' ? await vantageQueues(config, store, new Date()) : undefined,
  });

  const onDecision = async (alerts: AlertWithDetails[]) => {
    if (config.notify.length > 0) await queueDecisions(store, config.notify, alerts, new Date().toISOString());
  };
  // A change of the approval policy since the last process is audited and told before anyone decides under it.
  const approvals = await watchApprovalPolicy(store, config, (line) => log.warn('approvals.changed', line));
  const d = config.dashboard;
  const auth = { allowOpen: loopback, idleMs: d.sessionIdle, absoluteMs: d.sessionMax, lockout: { maxFailures: d.lockoutAfter, lockMs: d.lockoutFor }, loginAttemptsPerIp: d.loginAttemptsPerIp };
  // The Harden screen replays in this process's browser, one target at a time (a viewer cannot pile replays up).
  let hardening: Promise<unknown> = Promise.resolve();
  const harden = async (name: string) => {
    const target = config.targets.find((t) => t.name === name && t.type === 'page');
    if (!target) return null;
    const run = hardening.then(() => hardenTarget({ config, store, capturer }, target));
    hardening = run.catch(() => undefined);
    return run;
  };
  // Visitors' CSP reports, written in batches (role all and web; `serve --role collector` runs it alone).
  const collector = createCollector({ config, store, log, fetchScript: await reportedScriptFetcher(config) });
  const dashboard = await ctx.createDashboard({
    store, actor: ctx.defaultActor, log: (line) => log.error('dashboard', line), health, metrics, version: ctx.version, onDecision, approvals, analysis, harden, collector,
    reports: { config, renderPdf: (page) => ctx.renderPdf(config, page), generator: `scriptwarden ${ctx.version}` },
    auth, trustProxy: d.trustProxy ?? false, notifyChannels: config.notify.map(channelLabel), targetNames: config.targets.map((t) => t.name),
  });
  // Expired sessions are removed hourly; a read of one checks its limits anyway.
  const pruneSessions = setInterval(() => void store.access.sessions.prune(auth).catch((error) => log.error('sessions.prune_failed', describeError(error))), 3_600_000);
  pruneSessions.unref();
  await store.access.sessions.prune(auth);
  let address: { url: string };
  try {
    address = await dashboard.listen(port, opts.host);
  } catch (error) {
    await collector.close();
    await store.close();
    await capturer?.close();
    await analysis.close();
    throw new ScriptwardenError('USAGE', `cannot listen on ${opts.host}:${port}: ${describeError(error)}`);
  }
  log.info('serve.started', `scriptwarden dashboard: ${address.url}`, { url: address.url, scheduler: Boolean(scheduler) });
  if ((await store.access.users.count()) === 0) log.warn('serve.open_access', 'no dashboard users yet: open access on loopback until the first admin exists (npx scriptwarden users add NAME --role admin)');
  if (!scheduler) log.info('serve.no_schedule', role === 'web' ? 'web role: serving the dashboard; scans are dispatched by `serve --role scheduler` to workers' : 'scheduled scans are off (--no-schedule); serving the dashboard only');
  await scheduler?.start();
  // Deliveries (new alerts, decisions, retries) run on their own loop, so a slow receiver never delays a scan.
  const delivery = role === 'web' ? { stop: async () => undefined } : startDelivery(store, config, (line) => log.warn('notify.failed', line));

  const signal = await ctx.waitForShutdown();
  stopping = true;
  log.info('serve.stopping', `${signal} received: finishing running scans (up to ${graceMs / 1000}s)`, { signal });
  const { abandoned } = await scheduler?.stop(graceMs) ?? { abandoned: 0 };
  if (abandoned > 0) log.warn('serve.abandoned', `abandoning ${abandoned} running scans; they are not recorded`, { abandoned });
  await dashboard.close();
  await collector.close();
  clearInterval(pruneSessions);
  await delivery.stop();
  await capturer?.close();
  await scheduler?.idle(10_000);
  await analysis.close();
  try {
    await store.checkpoint();
  } catch (error) {
    log.warn('serve.checkpoint', `database checkpoint: ${describeError(error)}`);
  }
  await store.close();
  log.info('serve.stopped', 'stopped cleanly');
  return EXIT.ok;
}
