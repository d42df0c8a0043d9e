// The scheduler role on a shared database: every second, claims the schedule rows that are due and sends one scan job
// per target and vantage to the queue, in the transaction that moves each row to its next time, politely (at most
// queue.perDomain scans of one registrable domain at once).

import type { Config, TargetConfig } from '../config/config.js';
import { configuredVantages, vantagesFor } from '../config/vantages.js';
import { describeError } from '../errors.js';
import type { Store } from '../store/open-store.js';
import type { ScheduleRow } from '../store/monitoring.js';
import { createHousekeeping } from './housekeeping.js';
import { inFlightByDomain, waitingJobs, type JobQueue } from './job-queue.js';
import { siteOf } from '../detect/vendors.js';
import { raiseUnhealthy } from './scan-target.js';
import type { Logger } from './log.js';
import { firstRun, followingRun, intervalMs, jitterMs, scheduleFor } from './schedule.js';

/** How often waiting jobs are looked at for targets that are overdue. */
const OVERDUE_EVERY_MS = 10_000;


export interface DispatcherDeps {
  config: Config;
  store: Store;
  queue: JobQueue;
  log: Logger;
  now?: () => Date;
  random?: () => number;
  tickMs?: number;
}

export interface Dispatcher {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** When the schedule was last looked at: proof the loop is alive. */
  lastTickAt(): string | null;
}

/**
 * Payment pages are sent first among the slots due together. Only the order of sending: the queue hands jobs out
 * oldest first, so under overload a page that is not a payment page waits its turn instead of starving behind payment
 * pages that keep coming due.
 */
export function dispatchOrder(target: TargetConfig): number {
  return target.payment ? 1 : 0;
}

export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const { config, store, queue, log } = deps;
  const now = deps.now ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const byName = new Map(config.targets.map((t) => [t.name, t]));
  const vantages = configuredVantages(config);
  const housekeeping = createHousekeeping(store, config, log);
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<void> | null = null;
  let stopped = false;
  let lastTick: string | null = null;
  let unknown: string[] = [];
  let lastOverdue = 0;

  /**
   * A target whose scan has waited for a worker longer than its interval is reported unhealthy, as "overdue" (one
   * alert, resolved by its next successful scan): the workers are short of capacity, or none runs.
   */
  const reportOverdue = async (at: Date) => {
    lastOverdue = at.getTime();
    for (const vantage of vantages) {
      for (const job of await waitingJobs(store.database, vantage)) {
        const target = byName.get(job.target);
        if (!target) continue;
        const late = at.getTime() - Date.parse(job.slot);
        if (!(late > intervalMs(scheduleFor(config, target), at))) continue;
        const reason = `its ${job.slot} scan has waited ${Math.round(late / 1000)} s for a worker, longer than its interval`;
        await raiseUnhealthy(deps, target, reason, 0, at.toISOString(), vantage);
      }
    }
  };

  /**
   * Sends each due row's jobs, one per vantage of its target, and returns the rows to advance. A row whose domain
   * has queue.perDomain scans waiting or running already is held: it stays due and is tried at the next tick.
   */
  const dispatch = async (due: ScheduleRow[], at: Date, held: Set<string>) => {
    const sorted = due
      .map((row) => ({ row, target: byName.get(row.target) }))
      .filter((d): d is { row: ScheduleRow; target: TargetConfig } => d.target !== undefined)
      .sort((a, b) => dispatchOrder(b.target) - dispatchOrder(a.target));
    const load = await inFlightByDomain(store.database, sorted.map((d) => siteOf(d.target.url)));
    const advanced: { target: string; nextRunAt: string }[] = [];
    for (const { row, target } of sorted) {
      const domain = siteOf(target.url);
      const from = vantagesFor(config, target);
      if ((load.get(domain) ?? 0) + from.length > config.queue.perDomain) {
        held.add(target.name);
        continue;
      }
      const spec = scheduleFor(config, target);
      for (const vantage of from) {
        const sent = await queue.enqueue({ target: target.name, slot: row.nextRunAt, vantage: vantage.name, domain });
        if (sent) load.set(domain, (load.get(domain) ?? 0) + 1);
        // A slot due while the target's previous job still waits is folded into that job (missed runs give one run).
        else log.info('schedule.coalesced', `${target.name}: the ${row.nextRunAt} slot joins the job still waiting at ${vantage.name}`, { target: target.name, slot: row.nextRunAt, vantage: vantage.name });
      }
      const next = followingRun(spec, new Date(row.nextRunAt), at, jitterMs(config.jitter, spec, at), random);
      advanced.push({ target: target.name, nextRunAt: next.toISOString() });
    }
    return advanced;
  };

  const tick = async () => {
    const at = now();
    lastTick = at.toISOString();
    try {
      // Paused targets keep their due time, so resuming one scans it at once. Rows of targets no longer configured are
      // left alone. Rows are claimed in batches until none are due, so a backlog drains in one tick.
      // Rows held for politeness are left out of the next batches of the tick, so they cannot block the rows behind them.
      const skip = (await store.access.targets.paused()).map((p) => p.target);
      const held = new Set<string>();
      while (!stopped && (await store.scheduling.claimDue(at.toISOString(), 500, [...skip, ...unknown, ...held], (due) => dispatch(due, at, held))) === 500);
      if (at.getTime() - lastOverdue > OVERDUE_EVERY_MS) await reportOverdue(at);
    } catch (error) {
      log.error('schedule.dispatch_failed', `cannot dispatch due scans: ${describeError(error)}`);
    }
    await housekeeping.tick(at);
  };
  const loop = () => {
    if (stopped) return;
    ticking = tick().finally(() => {
      ticking = null;
      if (!stopped) timer = setTimeout(loop, deps.tickMs ?? 1000);
    });
  };

  return {
    async start() {
      const at = now();
      // Targets new to the database get their first time; those known keep theirs, however many dispatchers start.
      await store.scheduling.ensure(config.targets.map((target) => {
        const jitter = jitterMs(config.jitter, scheduleFor(config, target), at);
        return { target: target.name, nextRunAt: firstRun(null, at, jitter, random).toISOString() };
      }));
      unknown = (await store.scheduling.read()).map((r) => r.target).filter((name) => !byName.has(name));
      for (const target of config.targets) {
        const names = vantagesFor(config, target).map((v) => v.name);
        log.info('schedule.target', `${target.name}: dispatched to the ${names.join(', ')} queue${names.length > 1 ? 's' : ''}`, { target: target.name, vantages: names.join(',') });
      }
      loop();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await ticking;
      await housekeeping.anchor(now());
    },
    lastTickAt: () => lastTick,
  };
}
