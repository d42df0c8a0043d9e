// CPU time spent by workers, from Chrome's sampling profiler: miners burn it in workers built from blobs.

import type { CDPSession, Protocol } from 'puppeteer';
import type { RuntimeSignal } from '../src/capture/types.js';

interface Running {
  session: CDPSession;
  url: string;
  startedAt: number;
}

/** Busy workers: at least this much CPU, and this share of the time they were watched (2-core machines, other pages). */
const MIN_CPU_MS = 250;
const MIN_SHARE = 0.25;
/** Each worker is watched at least this long, so a short page load still shows a worker that never rests. */
const MIN_WINDOW_MS = 1000;

/** CPU milliseconds per script URL in a profile (samples × their time deltas). */
export function cpuByUrl(profile: Protocol.Profiler.Profile): Map<string, number> {
  const urlOf = new Map(profile.nodes.map((n) => [n.id, n.callFrame.url]));
  const totals = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const url = urlOf.get(samples[i]!) ?? '';
    if (!url) continue;
    totals.set(url, (totals.get(url) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0) / 1000);
  }
  return totals;
}

/**
 * Milliseconds a thread was not idle: every sample except `(idle)`. On a loaded machine V8 may attribute a worker's
 * busy time to `(program)` rather than to its script, so busyness, not attribution, is what counts.
 */
export function busyMs(profile: Protocol.Profiler.Profile): number {
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let total = 0;
  for (let i = 0; i < samples.length; i++) if (!idle.has(samples[i]!)) total += (deltas[i + 1] ?? deltas[i] ?? 0) / 1000;
  return total;
}

export class WorkerCpu {
  private readonly running: Running[] = [];

  /** Starts sampling a worker as soon as it exists. */
  watch(session: CDPSession, url: string): void {
    const entry = { session, url, startedAt: Date.now() };
    this.running.push(entry);
    session.send('Profiler.enable')
      .then(() => session.send('Profiler.setSamplingInterval', { interval: 2000 }))
      .then(() => session.send('Profiler.start'))
      .catch(() => undefined);
  }

  /** Stops every profiler and reports the workers that kept a CPU busy. */
  async collect(): Promise<RuntimeSignal[]> {
    const signals: RuntimeSignal[] = [];
    const wait = Math.max(0, ...this.running.map((r) => r.startedAt + MIN_WINDOW_MS - Date.now()));
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(wait, MIN_WINDOW_MS)));
    await Promise.all(this.running.map(async ({ session, url, startedAt }) => {
      const result = await session.send('Profiler.stop').catch(() => null);
      if (!result) return;
      const watched = Math.max(1, Date.now() - startedAt);
      const total = busyMs(result.profile);
      if (total >= MIN_CPU_MS && total / watched >= MIN_SHARE) {
        signals.push({ kind: 'cpu', detail: `worker ${url.slice(0, 120)} used ${Math.round(total)} ms of CPU in ${watched} ms`, script: null });
      }
    }));
    return signals;
  }
}
