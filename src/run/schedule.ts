// When a target is scanned next: `every` durations or `cron` expressions, plus jitter; pure functions of the clock.

import { Cron } from 'croner';
import { parseDuration } from '../config/duration.js';

export { cronError } from '../config/cron.js';

export type ScheduleSpec = { every: number } | { cron: string };

/** Used when neither the target nor the top level sets `every` or `cron`. */
export const DEFAULT_EVERY = '15m';

/** The schedule keys of the config's top level or of one target. */
export interface ScheduleKeys {
  every?: string;
  cron?: string;
}

export function scheduleFor(config: ScheduleKeys, target: ScheduleKeys): ScheduleSpec {
  if (target.cron) return { cron: target.cron };
  if (target.every) return { every: parseDuration(target.every)! };
  if (config.cron) return { cron: config.cron };
  return { every: parseDuration(config.every ?? DEFAULT_EVERY)! };
}

/** The next regular run after `after`, before jitter. */
export function nextRun(spec: ScheduleSpec, after: Date): Date {
  if ('every' in spec) return new Date(after.getTime() + spec.every);
  const next = new Cron(spec.cron, { paused: true }).nextRun(after);
  // An expression that never fires again (a date in the past) is treated as daily, not as "never".
  return next ?? new Date(after.getTime() + 86_400_000);
}

/** The regular gap between runs, for the default jitter. */
export function intervalMs(spec: ScheduleSpec, now: Date): number {
  if ('every' in spec) return spec.every;
  const first = nextRun(spec, now);
  return Math.max(1000, nextRun(spec, first).getTime() - first.getTime());
}

/** Configured jitter, else a tenth of the interval, at most one minute. */
export function jitterMs(configured: string | undefined, spec: ScheduleSpec, now: Date): number {
  if (configured !== undefined) return parseDuration(configured) ?? 0;
  return Math.min(60_000, Math.floor(intervalMs(spec, now) / 10));
}

/**
 * When a target runs first after a (re)start: at its stored time if that is still ahead; a time missed while the
 * process was down gives one run soon (spread by jitter), never one run per missed interval.
 */
export function firstRun(storedNext: string | null, now: Date, jitter: number, random: () => number): Date {
  const stored = storedNext ? new Date(storedNext) : null;
  if (stored && !Number.isNaN(stored.getTime()) && stored.getTime() > now.getTime()) return stored;
  return new Date(now.getTime() + Math.floor(random() * jitter));
}

/** After a run that started at `startedAt`: the next regular time (never in the past) plus jitter. */
export function followingRun(spec: ScheduleSpec, startedAt: Date, now: Date, jitter: number, random: () => number): Date {
  let next = nextRun(spec, startedAt);
  if (next.getTime() < now.getTime()) next = 'every' in spec ? now : nextRun(spec, now);
  return new Date(next.getTime() + Math.floor(random() * jitter));
}

/** A schedule in words, as /healthz shows it: `every 900s`, or `cron` and its expression. */
export function describeSpec(spec: ScheduleSpec): string {
  return 'every' in spec ? `every ${spec.every / 1000}s` : `cron ${spec.cron}`;
}
