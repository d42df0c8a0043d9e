// Scans targets on their schedules inside `serve` (one machine): jitter, one scan per target at a time, bounded
// concurrency, anchors, retention, and a clean stop. Each scan runs through scanTarget, as a worker's does.

import type { Config, TargetConfig } from '../config/config.js';
import { describeError } from '../errors.js';
import type { Intel } from '../detect/intel/intel.js';
import type { Logger } from './log.js';
import type { Capturer } from '../capture/capturer.js';
import { scanTarget, type RunRecord, type ScanCounters, type ScanTargetDeps } from './scan-target.js';
import { describeSpec, firstRun, followingRun, jitterMs, scheduleFor, type ScheduleSpec } from './schedule.js';
import type { Store } from '../store/open-store.js';
import { createHousekeeping } from './housekeeping.js';
import type { AnalysisPool } from './analysis-pool.js';

export type { ScanCounters } from './scan-target.js';

/** What a scan needs (see ScanTargetDeps), and the scheduler's own clock and dice. */
export interface SchedulerDeps extends Pick<ScanTargetDeps, 'config' | 'store' | 'capturer' | 'loadIntel' | 'analysis' | 'log' | 'version'> {
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

interface Slot {
  target: TargetConfig;
  spec: ScheduleSpec;
  jitter: number;
  next: Date;
  running: Promise<void> | null;
  row: RunRecord;
}


export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { config, store, log } = deps;
  const now = deps.now ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const counters: ScanCounters = { scans: new Map(), retries: 0 };
  let state: SchedulerSnapshot['state'] = 'idle';
  let startedAt: string | null = null;
  let lastTickAt: string | null = null;
  let timer: NodeJS.Timeout | null = null;
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

  const housekeeping = createHousekeeping(store, config, log);

  const scanDeps: ScanTargetDeps = {
    config, store, capturer: deps.capturer, loadIntel: deps.loadIntel, analysis: deps.analysis, log, version: deps.version, now,
    abandoned: () => abandoning, counters,
  };
  const scanSlot = async (slot: Slot, due: string) => { await scanTarget(scanDeps, slot.target, due, slot.row); };

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
    await housekeeping.tick(at);
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
      else await housekeeping.anchor(now());
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
