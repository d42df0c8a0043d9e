// One scheduled scan of one target, wherever it runs (serve's scheduler or a worker): retries, logs, the run's
// record on the target's schedule row, one self-clearing target.unhealthy alert, and notifications queued.

import { profilesFor, type Config, type TargetConfig } from '../config/config.js';
import { namedVantage, vantagesFor } from '../config/vantages.js';
import { slotNotes } from '../detect/cloaking.js';
import { describeError } from '../errors.js';
import type { Intel } from '../detect/intel/intel.js';
import type { Store } from '../store/open-store.js';
import type { Logger } from './log.js';
import type { AnalysisPool } from './analysis-pool.js';
import { queueNotifications } from './notify.js';
import { runScan } from './run-scan.js';
import type { Capturer } from '../capture/capturer.js';

export interface ScanTargetDeps {
  config: Config;
  store: Store;
  capturer: Capturer;
  loadIntel(): Intel;
  analysis?: AnalysisPool;
  log: Logger;
  version: string;
  now: () => Date;
  /** True once shutting down: a load cut short then is not the target's failure. */
  abandoned(): boolean;
  counters: ScanCounters;
  /**
   * A worker's: a run whose result could not be written (the database was unreachable) throws, so that the queue
   * gives the job again, instead of counting as the target's failure. Serve's own scheduler records it as one.
   */
  throwUnwritten?: boolean;
}

export interface ScanCounters {
  /** Scans by target and status (ok, failed). */
  scans: Map<string, { ok: number; failed: number; durationSeconds: number }>;
  retries: number;
}

/** How a target's scheduled runs went, as its schedule row keeps it. */
export interface RunRecord { lastStartedAt: string | null; lastFinishedAt: string | null; lastSuccessAt: string | null; consecutiveFailures: number; lastError: string | null }

/**
 * Opens the target's one target.unhealthy alert (nothing when one is open), logs it and queues its notifications.
 * `failures` 0: the target is overdue rather than failing.
 */
export async function raiseUnhealthy(deps: Pick<ScanTargetDeps, 'config' | 'store' | 'log'>, target: TargetConfig, reason: string, failures: number, at: string, vantage?: string): Promise<void> {
  const opened = await deps.store.scheduling.openUnhealthy({ name: target.name, url: target.url, type: target.type }, reason, failures, at, namedVantage(vantage));
  if (!opened) return;
  deps.log.warn('alert.opened', `alert #${opened.id} target.unhealthy on ${target.name}: ${opened.summary.slice(0, 200)}`, { alertId: opened.id, target: target.name, overdue: failures === 0, ...(namedVantage(vantage) ? { vantage } : {}) });
  if (deps.config.notify.length > 0) await queueNotifications(deps.store, deps.config.notify, [opened], at, 'alert.opened');
}

/**
 * Scans `target` for the slot due at `due` (from one vantage, a worker's job; else from all), updating `row` in
 * place; 'abandoned' when cut short by a shutdown.
 */
export async function scanTarget(deps: ScanTargetDeps, target: TargetConfig, due: string, row: RunRecord, vantage?: string): Promise<'done' | 'abandoned'> {
  const { config, store, log, now, counters } = deps;
  const name = target.name;
  const started = now();
  row.lastStartedAt = started.toISOString();
  log.info('scan.started', `scanning ${name}${vantage ? ` from ${vantage}` : ''}`, { target: name, slot: due, ...(vantage ? { vantage } : {}) });
  const notify = async (alerts: Parameters<typeof queueNotifications>[2], event: 'alert.opened' | 'alert.resolved') => {
    if (config.notify.length > 0 && alerts.length > 0) await queueNotifications(store, config.notify, alerts, now().toISOString(), event);
  };
  let failure: string | null = null;
  try {
    const run = await runScan({
      config: { ...config, browser: { ...config.browser, concurrency: 1 } },
      store, capturer: deps.capturer, targets: [target], intel: deps.loadIntel(), version: deps.version, analysis: deps.analysis, slot: due, vantage,
      retry: {
        attempts: config.retries, delayMs: config.retryDelay, abandoned: deps.abandoned,
        onRetry: (t, profile, attempt, reason) => {
          counters.retries++;
          log.warn('scan.retry', `load of ${t} (${profile}) failed, retry ${attempt} of ${config.retries}: ${reason}`, { target: t, profile, attempt });
        },
      },
    });
    if (run.targets.some((t) => t.error?.code === 'ABANDONED')) {
      log.warn('scan.abandoned', `scan of ${name} abandoned at shutdown`, { target: name });
      return 'abandoned';
    }
    const failed = run.targets.filter((t) => t.status === 'failed');
    const seconds = (now().getTime() - started.getTime()) / 1000;
    const count = counters.scans.get(name) ?? { ok: 0, failed: 0, durationSeconds: 0 };
    count[failed.length > 0 ? 'failed' : 'ok']++;
    count.durationSeconds += seconds;
    counters.scans.set(name, count);
    failure = failed.length > 0 ? failed.map((t) => `${t.profile}: ${t.error?.message ?? 'failed'}`).join('; ') : null;
    for (const outcome of run.targets) {
      const fields = { target: name, profile: outcome.profile, slot: due, status: outcome.status, scripts: outcome.scripts, newAlerts: outcome.newAlerts, durationMs: outcome.durationMs, scanId: outcome.scanId };
      if (outcome.status === 'ok') log.info('scan.finished', `scanned ${name} (${outcome.profile}): ${outcome.scripts} scripts, ${outcome.newAlerts} new alerts`, fields);
      else if (outcome.status === 'duplicate') log.warn('scan.duplicate_dropped', `scan of ${name} (${outcome.profile}) for ${due} not recorded: ${outcome.error?.message ?? ''}`, fields);
      else log.warn('scan.failed', `scan of ${name} (${outcome.profile}) failed: ${outcome.error?.message ?? ''}`, { ...fields, error: outcome.error?.code });
    }
    for (const alert of run.alerts) {
      log.warn('alert.opened', `alert #${alert.id} ${alert.severity} ${alert.type} on ${name}: ${alert.summary.slice(0, 200)}`, { alertId: alert.id, severity: alert.severity, type: alert.type, target: name });
    }
    await notify(run.alerts, 'alert.opened');
  } catch (error) {
    failure = describeError(error);
    log.error('scan.error', `scan of ${name} failed: ${failure}`, { target: name, slot: due });
    if (deps.throwUnwritten) throw error;
  }
  const at = now().toISOString();
  row.lastFinishedAt = at;
  if (failure === null) {
    row.lastSuccessAt = at;
    row.consecutiveFailures = 0;
    row.lastError = null;
    const resolved = await store.scheduling.resolveUnhealthy(name, at, namedVantage(vantage));
    if (resolved) {
      log.info('alert.resolved', `alert #${resolved.id} target.unhealthy on ${name} resolved: the target recovered`, { alertId: resolved.id, target: name });
      await notify([resolved], 'alert.resolved');
    }
  } else {
    row.consecutiveFailures++;
    row.lastError = failure.slice(0, 500);
    if (row.consecutiveFailures >= config.unhealthyAfter) await raiseUnhealthy(deps, target, failure, row.consecutiveFailures, at, vantage);
  }
  return 'done';
}

/**
 * After a worker recorded its vantage's scans of a slot: when the target is scanned from several vantages and this
 * was the last of them to report, compares them (once, whichever worker gets here last) and notifies the alerts
 * that only one vantage was served.
 */
export async function checkVantages(deps: Pick<ScanTargetDeps, 'config' | 'store' | 'log' | 'now'>, target: TargetConfig, slot: string): Promise<void> {
  const { config, store, log } = deps;
  if (vantagesFor(config, target).length < 2) return;
  const at = deps.now().toISOString();
  const noted = await store.scans.checkSlot(target.name, slot, profilesFor(config, target), at, slotNotes);
  if (!noted?.length) return;
  for (const alert of noted) {
    log.warn('alert.cloaking', `alert #${alert.id} ${alert.type} on ${target.name}: ${String(alert.details.cloaking ?? '').slice(0, 300)}`, { alertId: alert.id, target: target.name, profile: alert.profile, slot });
  }
  if (config.notify.length > 0) await queueNotifications(store, config.notify, noted, at, 'alert.updated');
}
