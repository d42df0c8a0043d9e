// `scriptwarden worker`: takes scan jobs of its vantages from the shared PostgreSQL queue and records each slot once.

import { loadConfig } from '../../config/config.js';
import { parseDuration } from '../../config/duration.js';
import { describeError, ScriptwardenError } from '../../errors.js';
import { configuredVantages, DEFAULT_VANTAGE, namedVantage } from '../../config/vantages.js';
import { openVantageCapturer } from '../../run/vantage-capturer.js';
import { openJobQueue } from '../../run/job-queue.js';
import { loadIntel } from '../../run/load-intel.js';
import { createLogger, type LogFormat } from '../../run/log.js';
import { checkVantages, scanTarget, type ScanCounters } from '../../run/scan-target.js';
import type { ScheduleRow } from '../../store/monitoring.js';
import { openStore } from '../../store/open-store.js';
import { EXIT, requireSharedDatabase, type CommandContext } from './context.js';

export interface WorkerOptions {
  config?: string;
  vantage?: string[];
  logFormat: string;
  stopTimeout: string;
}

export async function workerCommand(opts: WorkerOptions, ctx: CommandContext): Promise<number> {
  if (opts.logFormat !== 'text' && opts.logFormat !== 'json') throw new ScriptwardenError('USAGE', `--log-format must be text or json, not "${opts.logFormat}"`);
  const graceMs = parseDuration(opts.stopTimeout);
  if (graceMs === null) throw new ScriptwardenError('USAGE', `--stop-timeout must be a duration such as 20s, not "${opts.stopTimeout}"`);
  const config = loadConfig(opts.config, ctx.cwd, ctx.env);
  requireSharedDatabase(config, 'scriptwarden worker');
  const configured = configuredVantages(config);
  // Without --vantage, a worker serves every vantage of a config: enough for one region, or for one machine.
  const vantages = opts.vantage?.length ? [...new Set(opts.vantage)] : configured;
  const unknown = vantages.filter((v) => !configured.includes(v));
  if (unknown.length) {
    const known = configured[0] === DEFAULT_VANTAGE ? `this config scans from one vantage, "${DEFAULT_VANTAGE}" (add vantages: to scan from more)` : `the config's vantages are ${configured.join(', ')}`;
    throw new ScriptwardenError('USAGE', `--vantage ${unknown.join(', ')}: ${known}`);
  }
  const log = createLogger(opts.logFormat as LogFormat, (line) => ctx.stdout.write(line));
  const byName = new Map(config.targets.map((t) => [t.name, t]));

  const store = await openStore(config.database);
  const opened: { close(): Promise<void> }[] = [store];
  const closeAll = async () => { for (const part of opened.reverse()) await part.close().catch(() => undefined); };
  let abandoning = false;
  try {
    const capturer = await openVantageCapturer(ctx.openCapturer, config, config.targets.some((t) => t.type === 'page'), vantages);
    opened.push(capturer);
    const analysis = await ctx.openAnalysis({ intel: config.intel, budgetMs: config.limits.analysisBudget });
    opened.push(analysis);
    const queue = await openJobQueue(config.database, store.database, { expireMs: config.queue.jobExpiry, vantages, onError: (error) => log.warn('queue.error', `job queue: ${describeError(error)}`) });
    const counters: ScanCounters = { scans: new Map(), retries: 0 };
    const deps = { config, store, capturer, loadIntel: () => loadIntel(config.intel), analysis, log, version: ctx.version, now: () => new Date(), abandoned: () => abandoning, counters, throwUnwritten: true };
    for (const vantage of vantages) {
      await queue.work(vantage, config.browser.concurrency, async (job) => {
        const target = byName.get(job.target);
        if (!target) {
          log.warn('job.unknown_target', `job for ${job.target}, which this worker's config does not have: skipped`, { target: job.target, slot: job.slot });
          return;
        }
        const { target: _name, nextRunAt: _next, ...row }: ScheduleRow = (await store.scheduling.row(target.name, namedVantage(job.vantage)))
          ?? { target: target.name, nextRunAt: job.slot, lastStartedAt: null, lastFinishedAt: null, lastSuccessAt: null, consecutiveFailures: 0, lastError: null };
        // Cut short by a shutdown: the job fails, and another worker (or this one, restarted) takes it again.
        if ((await scanTarget(deps, target, job.slot, row, job.vantage)) === 'abandoned') throw new Error('abandoned at shutdown');
        await store.scheduling.recordRun(target.name, row, namedVantage(job.vantage));
        await checkVantages(deps, target, job.slot);
        // Fault injection for the tests of redelivery: the scan is committed, the job not yet completed.
        if (ctx.env.SCRIPTWARDEN_FAULT === 'kill-after-commit') process.kill(process.pid, 'SIGKILL');
      });
    }
    log.info('worker.started', `worker taking scan jobs of ${vantages.join(', ')}, ${config.browser.concurrency} at a time`, { vantages: vantages.join(','), concurrency: config.browser.concurrency });
    const signal = await ctx.waitForShutdown();
    log.info('worker.stopping', `${signal} received: finishing running scans (up to ${graceMs / 1000}s)`, { signal });
    const stopped = queue.close(graceMs);
    const timer = setTimeout(() => { abandoning = true; }, graceMs);
    await stopped.catch((error: unknown) => log.warn('worker.queue_stop', describeError(error)));
    clearTimeout(timer);
    log.info('worker.stopped', 'stopped cleanly');
    return EXIT.ok;
  } finally {
    await closeAll();
  }
}
