// What the web role of a shared database reports in /healthz and /metrics: each target's schedule row as the
// schedulers and workers left it, and each vantage's queue (depth and lag).

import type { Config } from '../config/config.js';
import { configuredVantages, DEFAULT_VANTAGE, vantagesFor } from '../config/vantages.js';
import type { Store } from '../store/open-store.js';
import { queueMetrics } from './job-queue.js';
import { describeSpec, intervalMs, scheduleFor } from './schedule.js';

export interface SharedTargetHealth {
  target: string; schedule: string; nextRunAt: string; running: boolean; paused: boolean; lastSuccessAt: string | null;
  lastFinishedAt: string | null; consecutiveFailures: number; healthy: boolean; lastError: string | null;
  /** How long its due scan has waited to be sent, in seconds (0: it is not due). */
  lagSeconds: number;
  /** With named vantages: each vantage's runs, which its own workers record. */
  vantages?: { vantage: string; lastSuccessAt: string | null; lastFinishedAt: string | null; consecutiveFailures: number; healthy: boolean; lastError: string | null }[];
}

/** Each vantage's jobs waiting and the lag of its oldest due scan. */
export async function vantageQueues(config: Config, store: Store, now: Date): Promise<{ vantage: string; depth: number; lagSeconds: number }[]> {
  return Promise.all(configuredVantages(config).map((vantage) => queueMetrics(store.database, vantage, now,
    config.targets.filter((t) => vantagesFor(config, t).some((v) => v.name === vantage)).map((t) => t.name))));
}

/**
 * The configured targets as their schedule rows stand. A target is unhealthy after `unhealthyAfter` failed runs in
 * a row, or when its due scan has not been sent for longer than its interval (the schedulers are down or held back).
 */
export async function sharedTargets(config: Config, store: Store, now: Date): Promise<SharedTargetHealth[]> {
  const rows = new Map((await store.scheduling.read()).map((r) => [r.target, r]));
  const paused = new Set((await store.access.targets.paused()).map((p) => p.target));
  const runs = await store.scheduling.vantageRuns();
  const named = configuredVantages(config)[0] !== DEFAULT_VANTAGE;
  return config.targets.flatMap((target) => {
    const row = rows.get(target.name);
    if (!row) return [];
    const spec = scheduleFor(config, target);
    const isPaused = paused.has(target.name);
    const lagSeconds = isPaused ? 0 : Math.max(0, (now.getTime() - Date.parse(row.nextRunAt)) / 1000);
    const vantages = named ? vantagesFor(config, target).map(({ name }) => {
      const run = runs.find((r) => r.target === target.name && r.vantage === name);
      const failures = run?.consecutiveFailures ?? 0;
      return { vantage: name, lastSuccessAt: run?.lastSuccessAt ?? null, lastFinishedAt: run?.lastFinishedAt ?? null, consecutiveFailures: failures, healthy: failures < config.unhealthyAfter, lastError: run?.lastError ?? null };
    }) : undefined;
    // With named vantages the target's own row has no runs: each vantage's are its own, and the worst of them counts.
    const worst = vantages ? [...vantages].sort((a, b) => b.consecutiveFailures - a.consecutiveFailures)[0] : undefined;
    const failures = worst?.consecutiveFailures ?? row.consecutiveFailures;
    const healthy = failures < config.unhealthyAfter && lagSeconds * 1000 <= intervalMs(spec, now);
    // The target's last success is the oldest of its vantages' (none while one vantage never succeeded).
    const successes = vantages?.map((v) => v.lastSuccessAt);
    const lastSuccess = successes ? (successes.includes(null) ? null : [...successes].sort()[0] ?? null) : row.lastSuccessAt;
    const lastFinished = vantages ? vantages.map((v) => v.lastFinishedAt).filter((t): t is string => t !== null).sort().at(-1) ?? null : row.lastFinishedAt;
    return [{
      target: target.name, schedule: describeSpec(spec), nextRunAt: row.nextRunAt, running: false, paused: isPaused, lastSuccessAt: lastSuccess,
      lastFinishedAt: lastFinished, consecutiveFailures: failures, healthy, lastError: worst?.lastError ?? row.lastError, lagSeconds, ...(vantages ? { vantages } : {}),
    }];
  });
}
