// The CSP report collector: accepts visitors' reports for a target's key within bounds (body, reports per request,
// reports per key per minute), writes them in batches, and raises visitor.unseen-script / -destination for a script
// or destination visitors' browsers met that the crawler's record of the page has never seen.

import type { Config } from '../config/config.js';
import { siteOf } from '../detect/vendors.js';
import { parseReports, reportFingerprint, reportKind, type VisitorReport } from '../detect/visitor-reports.js';
import { describeError } from '../errors.js';
import type { Store } from '../store/open-store.js';
import { recordReports, targetOfKey, type ReportEntry, type StoredReport } from '../store/visitor-reports.js';
import type { Logger } from './log.js';
import { queueNotifications } from './notify.js';
import { judgeReports, type ScriptFetcher } from './visitor-judge.js';
import { reportedScriptFetches } from './reported-script-fetches.js';

/** Reports one key may send per minute; more get 429 until the minute is over. */
export const REPORTS_PER_KEY_PER_MINUTE = 1200;
/** Distinct reports waiting for the next batch; more are dropped (and counted) until it is written. */
const MAX_PENDING = 5000;
/** Distinct reports written in one transaction. */
const WRITE_SLICE = 200;

/** Lets the requests waiting in the event loop run before the next slice of the collector's work. */
const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface CollectorAnswer { status: 204 | 400 | 404 | 429; message: string }

export interface Collector {
  /** What a request for this key gets before its body is read: null to read it, else the answer (unknown key, over limit). */
  admit(key: string): Promise<CollectorAnswer | null>;
  accept(key: string, contentType: string, body: string, userAgent: string | undefined): Promise<CollectorAnswer>;
  /** Writes what waits and judges what is new; resolves once done, the fetches of the scripts it alerted included. */
  flush(): Promise<void>;
  stats(): { accepted: number; refused: number; dropped: number };
  close(): Promise<void>;
}

export function createCollector(deps: { config: Config; store: Store; log: Logger; now?: () => Date; flushMs?: number; fetchScript?: ScriptFetcher }): Collector {
  const { config, store, log } = deps;
  const now = deps.now ?? (() => new Date());
  const db = store.database;
  const keys = new Map<string, string | null>();
  const minute = new Map<string, { at: number; n: number }>();
  let pending = new Map<string, ReportEntry>();
  const stats = { accepted: 0, refused: 0, dropped: 0 };
  let flushing: Promise<void> = Promise.resolve();
  const fetches = reportedScriptFetches({ store, log, fetchScript: deps.fetchScript });
  const timer = setInterval(() => { void flush(); }, deps.flushMs ?? 1000);
  timer.unref();

  const targetOf = async (key: string) => {
    if (!keys.has(key)) {
      if (keys.size > 10_000) keys.clear();
      keys.set(key, /^[\w-]{16,64}$/.test(key) ? await targetOfKey(db, key) : null);
    }
    return keys.get(key)!;
  };

  const flush = (): Promise<void> => {
    flushing = flushing.then(async () => {
      if (pending.size === 0) return;
      const batch = [...pending.values()];
      pending = new Map();
      try {
        // Written in slices, each its own transaction, with the dashboard's requests let in between.
        const fresh: StoredReport[] = [];
        for (let i = 0; i < batch.length; i += WRITE_SLICE) {
          await yieldToOthers();
          fresh.push(...await recordReports(db, batch.slice(i, i + WRITE_SLICE), now().toISOString()));
        }
        const { raised, fetches: jobs } = await judgeReports({ config, store, log, now }, fresh, yieldToOthers);
        fetches.push(jobs);
        if (raised.length && config.notify.length) await queueNotifications(store, config.notify, raised, now().toISOString(), 'alert.opened');
      } catch (error) {
        log.error('reports.write_failed', `cannot write ${batch.length} visitor reports: ${describeError(error)}`);
      }
    });
    return flushing;
  };

  /** The key's count this minute (a new minute starts it again). */
  const countOf = (key: string, at: number) => {
    const window = minute.get(key);
    if (window && at - window.at < 60_000) return window;
    if (minute.size > 10_000) minute.clear();
    const fresh = { at, n: 0 };
    minute.set(key, fresh);
    return fresh;
  };

  const admit = async (key: string): Promise<CollectorAnswer | null> => {
    if (!(await targetOf(key))) { stats.refused++; return { status: 404, message: 'no target has this report key' }; }
    if (countOf(key, now().getTime()).n >= REPORTS_PER_KEY_PER_MINUTE) { stats.refused++; return { status: 429, message: 'too many reports for this key this minute' }; }
    return null;
  };

  return {
    admit,
    async accept(key, contentType, body, userAgent) {
      const refused = await admit(key);
      if (refused) return refused;
      const target = (await targetOf(key))!;
      const at = now();
      const counted = countOf(key, at.getTime());
      const parsed = parseReports(contentType, body, userAgent);
      if ('error' in parsed) { stats.refused++; return { status: 400, message: parsed.error }; }
      counted.n += Math.max(1, parsed.length);
      // A key stands for one page: reports about documents of another site are not this target's (a forged report).
      const configured = config.targets.find((t) => t.name === target);
      const own = (r: VisitorReport) => !configured || siteOf(r.document) === siteOf(configured.url);
      if (!parsed.every(own)) { stats.refused++; return { status: 400, message: 'a report is about a page of another site than this key\'s target' }; }
      for (const report of parsed) {
        const fingerprint = reportFingerprint(report);
        const id = `${target}|${fingerprint}`;
        const waiting = pending.get(id);
        if (waiting) { waiting.count++; waiting.at = at.toISOString(); continue; }
        if (pending.size >= MAX_PENDING) { stats.dropped++; continue; }
        pending.set(id, { target, fingerprint, kind: reportKind(report), report, count: 1, at: at.toISOString() });
      }
      stats.accepted += parsed.length;
      if (pending.size >= 1000) void flush();
      return { status: 204, message: '' };
    },
    // The caller waits for the fetches this started too; the next write does not (it is chained to `flushing` only).
    flush: () => flush().then(() => fetches.drain(20_000)),
    stats: () => ({ ...stats }),
    async close() {
      clearInterval(timer);
      await flush();
      await fetches.drain(5000);
    },
  };
}
