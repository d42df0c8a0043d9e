// Fetches the scripts visitor alerts name, beside the collector rather than in its write path: a slow or dead host
// delays only its own fetch. Bounded: a few at once, a short queue (more are skipped and logged), a time limit each.

import type { Store } from '../store/open-store.js';
import { attachFetchedScript } from '../store/visitor-reports.js';
import type { Logger } from './log.js';
import type { FetchJob, ScriptFetcher } from './visitor-judge.js';

const CONCURRENCY = 4;
const MAX_QUEUED = 100;
/** Beyond the fetcher's own limits: a name that takes long to resolve is given up too. */
const FETCH_MS = 15_000;

export interface ReportedScriptFetches {
  push(jobs: FetchJob[]): void;
  /** Waits for the fetches under way and queued, up to `maxMs`. */
  drain(maxMs: number): Promise<void>;
}

export function reportedScriptFetches(deps: { store: Store; log: Logger; fetchScript?: ScriptFetcher }): ReportedScriptFetches {
  const queue: FetchJob[] = [];
  const running = new Set<Promise<void>>();
  const one = async (job: FetchJob) => {
    let timer: NodeJS.Timeout | undefined;
    const got = await Promise.race([
      deps.fetchScript!(job.url, job.device),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${FETCH_MS / 1000} s`)), FETCH_MS); }),
    ]).catch((error: unknown) => ({ body: null, status: null, error: `cannot fetch ${job.url}: ${(error as Error).message ?? String(error)}`, userAgent: '' })).finally(() => clearTimeout(timer));
    const sha256 = got.body !== null ? await deps.store.blobs.shaOf(await deps.store.blobs.put(got.body)) : null;
    await attachFetchedScript(deps.store.database, job.alertId, sha256, {
      status: got.status, sha256, bytes: got.body === null ? null : Buffer.byteLength(got.body), error: got.error, userAgent: got.userAgent, device: job.device, at: new Date().toISOString(),
    });
  };
  const next = () => {
    while (running.size < CONCURRENCY && queue.length) {
      const job = queue.shift()!;
      const task = one(job).catch((error: unknown) => deps.log.warn('reports.fetch_failed', `cannot keep the script of alert #${job.alertId}: ${String(error)}`, { alertId: job.alertId }))
        .finally(() => { running.delete(task); next(); });
      running.add(task);
    }
  };
  return {
    push(jobs) {
      if (!deps.fetchScript) return;
      for (const job of jobs) {
        if (queue.length >= MAX_QUEUED) {
          deps.log.warn('reports.fetch_skipped', `alert #${job.alertId}: ${job.url} is not fetched (${MAX_QUEUED} fetches already wait)`, { alertId: job.alertId });
          continue;
        }
        queue.push(job);
      }
      next();
    },
    async drain(maxMs) {
      const until = Date.now() + maxMs;
      while ((running.size || queue.length) && Date.now() < until) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([Promise.race(running), new Promise((resolve) => { timer = setTimeout(resolve, Math.max(1, until - Date.now())); })]).finally(() => clearTimeout(timer));
      }
    },
  };
}
