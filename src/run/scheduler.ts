// Scans targets on their schedules inside `serve`: jitter, one scan per target at a time, bounded concurrency,
// retries, one self-clearing target.unhealthy alert, queued notifications, retention, and a clean stop.

import type { Config, TargetConfig } from '../config/config.js';
import { describeError } from '../errors.js';
import type { Intel } from '../detect/intel/intel.js';
import type { Logger } from './log.js';
import { runScan, type Capturer } from './run-scan.js';
import { queueNotifications } from './notify.js';
import { firstRun, followingRun, jitterMs, scheduleFor, type ScheduleSpec } from './schedule.js';
import type { Store } from '../store/open-store.js';
import { parseDuration } from '../config/duration.js';
import type { AnalysisPool } from './analysis-pool.js';

export interface SchedulerDeps {
  config: Config;
  store: Store;
  capturer: Capturer;
  loadIntel(): Intel;
  /** Worker threads for planning and analysis, so the dashboard and health checks stay responsive. */
  analysis?: AnalysisPool;
  log: Logger;
  version: string;
  now?: () => Date;
  random?: () => number;
}

export interface TargetState {
  target: string;
  schedule: string;
  nextRunAt: string;
  running: boolean;
  /** An admin paused this target's scheduled scans from the dashboard. */
  paused: boolean;
  lastStartedAt: string | null;
  lastFinishedAt: string | null;
  lastSuccessAt: string | null;
  consecutiveFailures: number;
  lastError: string | null;
  healthy: boolean;
}

export interface ScanCounters {
  /** Scans by target and status (ok, failed). */
  scans: Map<string, { ok: number; failed: number; durationSeconds: number }>;
  retries: number;
}

export interface SchedulerSnapshot {
  state: 'idle' | 'running' | 'stopping' | 'stopped';
  startedAt: string | null;
  /** When the schedule was last looked at (every 200 ms while running): proof the loop is alive. */
  lastTickAt: string | null;
  activeScans: number;
  concurrency: number;
  targets: TargetState[];
}

export interface Scheduler {
  start(): Promise<void>;
  /** Stops starting scans, waits up to graceMs for running ones, then abandons them (their loads are not recorded). */
  stop(graceMs: number): Promise<{ abandoned: number }>;
  /** Resolves once no scan is running (after stop and the browser closing, abandoned scans end quickly). */
  idle(timeoutMs: number): Promise<void>;
  snapshot(): Promise<SchedulerSnapshot>;
  counters(): ScanCounters;
}

const TICK_MS = 200;
const RETENTION_EVERY_MS = 6 * 3_600_000;
/** How often the heads of the scan chains that moved are anchored (and once more at a clean stop). */
const ANCHOR_EVERY_MS = 5 * 60_000;

interface Slot {
  target: TargetConfig;
  spec: ScheduleSpec;
  jitter: number;
  next: Date;
  running: Promise<void> | null;
  row: { lastStartedAt: string | null; lastFinishedAt: string | null; lastSuccessAt: string | null; consecutiveFailures: number; lastError: string | null };
}

const describeSpec = (spec: ScheduleSpec) => ('every' in spec ? `every ${spec.every / 1000}s` : `cron ${spec.cron}`);

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { config, store, log } = deps;
  const now = deps.now ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const counters: ScanCounters = { scans: new Map(), retries: 0 };
  let state: SchedulerSnapshot['state'] = 'idle';
  let startedAt: string | null = null;
  let lastTickAt: string | null = null;
  let timer: NodeJS.Timeout | null = null;
  let lastRetention = 0;
  let lastAnchor = 0;
  const pausedTargets = async () => new Set((await store.access.targets.paused()).map((p) => p.target));
  let abandoning = false;
  const slots: Slot[] = [];

  const save = async (slot: Slot) => {
    try {
      await store.scheduling.save({ target: slot.target.name, nextRunAt: slot.next.toISOString(), ...slot.row });
    } catch (error) {
      log.error('schedule.save_failed', `cannot save the schedule of ${slot.target.name}: ${describeError(error)}`, { target: slot.target.name });
    }
  };
  const active = () => slots.filter((s) => s.running).length;

  const notify = async (alerts: Parameters<typeof queueNotifications>[2], event: 'alert.opened' | 'alert.resolved') => {
    if (config.notify.length > 0 && alerts.length > 0) await queueNotifications(store, config.notify, alerts, now().toISOString(), event);
  };

  const anchor = async (at: Date) => {
    lastAnchor = at.getTime();
    try {
      const anchored = await store.scans.anchor(at.toISOString());
      if (anchored) log.info('chain.anchored', `anchor #${anchored.id} over the heads of ${anchored.chains} scan chains`, { anchorId: anchored.id, chains: anchored.chains });
    } catch (error) {
      log.error('chain.anchor_failed', `cannot anchor the scan chains: ${describeError(error)}`);
    }
  };

  async function scanSlot(slot: Slot, due: string): Promise<void> {
    const name = slot.target.name;
    const started = now();
    slot.row.lastStartedAt = started.toISOString();
    log.info('scan.started', `scanning ${name}`, { target: name });
    let failure: string | null = null;
    try {
      const run = await runScan({
        config: { ...config, browser: { ...config.browser, concurrency: 1 } },
        store, capturer: deps.capturer, targets: [slot.target], intel: deps.loadIntel(), version: deps.version, analysis: deps.analysis, slot: due,
        retry: {
          attempts: config.retries, delayMs: config.retryDelay, abandoned: () => abandoning,
          onRetry: (target, profile, attempt, reason) => {
            counters.retries++;
            log.warn('scan.retry', `load of ${target} (${profile}) failed, retry ${attempt} of ${config.retries}: ${reason}`, { target, profile, attempt });
          },
        },
      });
      if (run.targets.some((t) => t.error?.code === 'ABANDONED')) {
        log.warn('scan.abandoned', `scan of ${name} abandoned at shutdown`, { target: name });
        return;
      }
      const failed = run.targets.filter((t) => t.status === 'failed');
      const seconds = (now().getTime() - started.getTime()) / 1000;
      const count = counters.scans.get(name) ?? { ok: 0, failed: 0, durationSeconds: 0 };
      count[failed.length > 0 ? 'failed' : 'ok']++;
      count.durationSeconds += seconds;
      counters.scans.set(name, count);
      failure = failed.length > 0 ? failed.map((t) => `${t.profile}: ${t.error?.message ?? 'failed'}`).join('; ') : null;
      for (const outcome of run.targets) {
        const fields = { target: name, profile: outcome.profile, status: outcome.status, scripts: outcome.scripts, newAlerts: outcome.newAlerts, durationMs: outcome.durationMs, scanId: outcome.scanId };
        if (outcome.status === 'ok') log.info('scan.finished', `scanned ${name} (${outcome.profile}): ${outcome.scripts} scripts, ${outcome.newAlerts} new alerts`, fields);
        else if (outcome.status === 'duplicate') log.warn('scan.duplicate_dropped', `scan of ${name} (${outcome.profile}) for ${due} not recorded: ${outcome.error?.message ?? ''}`, { ...fields, slot: due });
        else log.warn('scan.failed', `scan of ${name} (${outcome.profile}) failed: ${outcome.error?.message ?? ''}`, { ...fields, error: outcome.error?.code });
      }
      for (const alert of run.alerts) {
        log.warn('alert.opened', `alert #${alert.id} ${alert.severity} ${alert.type} on ${name}: ${alert.summary.slice(0, 200)}`, { alertId: alert.id, severity: alert.severity, type: alert.type, target: name });
      }
      await notify(run.alerts, 'alert.opened');
    } catch (error) {
      failure = describeError(error);
      log.error('scan.error', `scan of ${name} failed: ${failure}`, { target: name });
    }
    const at = now().toISOString();
    slot.row.lastFinishedAt = at;
    if (failure === null) {
      slot.row.lastSuccessAt = at;
      slot.row.consecutiveFailures = 0;
      slot.row.lastError = null;
      const resolved = await store.scheduling.resolveUnhealthy(name, at);
      if (resolved) {
        log.info('alert.resolved', `alert #${resolved.id} target.unhealthy on ${name} resolved: the target recovered`, { alertId: resolved.id, target: name });
        await notify([resolved], 'alert.resolved');
      }
    } else {
      slot.row.consecutiveFailures++;
      slot.row.lastError = failure.slice(0, 500);
      if (slot.row.consecutiveFailures >= config.unhealthyAfter) {
        const opened = await store.scheduling.openUnhealthy({ name, url: slot.target.url, type: slot.target.type }, failure, slot.row.consecutiveFailures, at);
        if (opened) {
          log.warn('alert.opened', `alert #${opened.id} target.unhealthy on ${name}: ${opened.summary.slice(0, 200)}`, { alertId: opened.id, target: name });
          await notify([opened], 'alert.opened');
        }
      }
    }
  }

  const launch = (slot: Slot) => {
    slot.running = scanSlot(slot, slot.next.toISOString())
      .catch((error) => log.error('scan.error', `scan of ${slot.target.name}: ${describeError(error)}`, { target: slot.target.name }))
      .finally(async () => {
        slot.running = null;
        if (abandoning) return;
        slot.next = followingRun(slot.spec, new Date(slot.row.lastStartedAt ?? now().toISOString()), now(), slot.jitter, random);
        await save(slot);
        log.info('schedule.next', `next scan of ${slot.target.name} at ${slot.next.toISOString()}`, { target: slot.target.name, nextRunAt: slot.next.toISOString() });
      });
  };

  const tick = async () => {
    if (state !== 'running') return;
    const at = now();
    lastTickAt = at.toISOString();
    const due = slots.filter((slot) => !slot.running && slot.next.getTime() <= at.getTime()).sort((a, b) => a.next.getTime() - b.next.getTime());
    // Pauses are read only when something is due; a paused target keeps its due time, so resuming it scans at once.
    const paused = due.length > 0 ? await pausedTargets() : new Set<string>();
    if (state !== 'running') return;
    for (const slot of due) {
      if (active() >= config.browser.concurrency) break;
      if (!paused.has(slot.target.name)) launch(slot);
    }
    if (at.getTime() - lastAnchor > ANCHOR_EVERY_MS) await anchor(at);
    if (config.retention && at.getTime() - lastRetention > RETENTION_EVERY_MS) {
      lastRetention = at.getTime();
      const cutoff = new Date(at.getTime() - parseDuration(config.retention)!).toISOString();
      try {
        const report = await store.scans.retain(cutoff, at.toISOString());
        if (report.observationsRemoved > 0) log.info('retention', `retention removed ${report.observationsRemoved} observations from ${report.scans} scans before ${cutoff}`, { ...report });
      } catch (error) {
        log.error('retention.failed', `retention failed: ${describeError(error)}`);
      }
    }
    timer = setTimeout(() => void tick().catch((error) => log.error('schedule.tick_failed', `scheduler tick failed: ${describeError(error)}`)), TICK_MS);
  };

  return {
    async start() {
      const stored = new Map((await store.scheduling.read()).map((row) => [row.target, row]));
      const at = now();
      for (const target of config.targets) {
        const spec = scheduleFor(config, target);
        const jitter = jitterMs(config.jitter, spec, at);
        const row = stored.get(target.name);
        const slot: Slot = {
          target, spec, jitter, running: null,
          next: firstRun(row?.nextRunAt ?? null, at, jitter, random),
          row: {
            lastStartedAt: row?.lastStartedAt ?? null, lastFinishedAt: row?.lastFinishedAt ?? null, lastSuccessAt: row?.lastSuccessAt ?? null,
            consecutiveFailures: row?.consecutiveFailures ?? 0, lastError: row?.lastError ?? null,
          },
        };
        slots.push(slot);
        await save(slot);
        log.info('schedule.target', `${target.name}: ${describeSpec(spec)}, jitter ${Math.round(jitter / 1000)}s, first scan at ${slot.next.toISOString()}`, { target: target.name, nextRunAt: slot.next.toISOString() });
      }
      state = 'running';
      startedAt = at.toISOString();
      await tick();
    },
    async stop(graceMs) {
      if (state !== 'running') return { abandoned: 0 };
      state = 'stopping';
      if (timer) clearTimeout(timer);
      const running = slots.filter((s) => s.running).map((s) => s.running!);
      let timeout: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        Promise.all(running).then(() => true),
        new Promise<false>((resolve) => { timeout = setTimeout(() => resolve(false), graceMs); }),
      ]);
      clearTimeout(timeout);
      const abandoned = finished ? 0 : active();
      if (abandoned > 0) abandoning = true;
      else await anchor(now());
      state = 'stopped';
      return { abandoned };
    },
    async idle(timeoutMs) {
      const running = slots.filter((s) => s.running).map((s) => s.running!);
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(running), new Promise((resolve) => { timeout = setTimeout(resolve, timeoutMs); })]);
      clearTimeout(timeout);
    },
    snapshot: async () => {
      const paused = await pausedTargets();
      return {
        state,
        startedAt,
        lastTickAt,
        activeScans: active(),
        concurrency: config.browser.concurrency,
        targets: slots.map((slot) => ({
          target: slot.target.name,
          schedule: describeSpec(slot.spec),
          nextRunAt: slot.next.toISOString(),
          running: Boolean(slot.running),
          paused: paused.has(slot.target.name),
          ...slot.row,
          healthy: slot.row.consecutiveFailures < config.unhealthyAfter,
        })),
      };
    },
    counters: () => counters,
  };
}
