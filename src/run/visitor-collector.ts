// The CSP report collector: accepts visitors' reports for a target's key within bounds (body, reports per request,
// reports per key per minute), writes them in batches, and raises visitor.unseen-script / -destination for a script
// or destination visitors' browsers met that the crawler's record of the page has never seen.

import type { Config } from '../config/config.js';
import { siteOf } from '../detect/vendors.js';
import { parseReports, reportFingerprint, reportHost, reportKind, reportUrl, type VisitorReport } from '../detect/visitor-reports.js';
import { describeError } from '../errors.js';
import { destinationInventory, scriptInventory } from '../evidence/inventory-report.js';
import { readAlert, type AlertWithDetails } from '../store/alerts.js';
import { insertLateAlert } from '../store/late-alerts.js';
import type { Store } from '../store/open-store.js';
import { upsertTarget } from '../store/targets.js';
import { explainReports, recordReports, sawPaymentForm, targetOfKey, type ReportEntry, type StoredReport } from '../store/visitor-reports.js';
import type { Logger } from './log.js';
import { queueNotifications } from './notify.js';

/** Reports one key may send per minute; more get 429 until the minute is over. */
export const REPORTS_PER_KEY_PER_MINUTE = 1200;
/** Distinct reports waiting for the next batch; more are dropped (and counted) until it is written. */
const MAX_PENDING = 5000;

export interface CollectorAnswer { status: 204 | 400 | 404 | 429; message: string }

export interface Collector {
  accept(key: string, contentType: string, body: string, userAgent: string | undefined): Promise<CollectorAnswer>;
  /** Writes what waits and judges what is new; resolves once done. */
  flush(): Promise<void>;
  stats(): { accepted: number; refused: number; dropped: number };
  close(): Promise<void>;
}

export function createCollector(deps: { config: Config; store: Store; log: Logger; now?: () => Date; flushMs?: number }): Collector {
  const { config, store, log } = deps;
  const now = deps.now ?? (() => new Date());
  const db = store.database;
  const keys = new Map<string, string | null>();
  const minute = new Map<string, { at: number; n: number }>();
  let pending = new Map<string, ReportEntry>();
  const stats = { accepted: 0, refused: 0, dropped: 0 };
  let flushing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => { void flush(); }, deps.flushMs ?? 1000);
  timer.unref();

  const targetOf = async (key: string) => {
    if (!keys.has(key)) {
      if (keys.size > 10_000) keys.clear();
      keys.set(key, /^[\w-]{16,64}$/.test(key) ? await targetOfKey(db, key) : null);
    }
    return keys.get(key)!;
  };

  /** Why the crawler's record explains each new report, and the alerts of those it does not. */
  const judge = async (fresh: StoredReport[]): Promise<AlertWithDetails[]> => {
    const raised: AlertWithDetails[] = [];
    for (const target of new Set(fresh.map((r) => r.target))) {
      const configured = config.targets.find((t) => t.name === target);
      if (!configured) continue;
      const scripts = await scriptInventory(store, { target });
      const destinations = await destinationInventory(store, { target });
      const scriptState = new Map(scripts.filter((s) => s.url).map((s) => [reportUrl(s.url)!, s.state]));
      const hostState = new Map(destinations.map((d) => [d.host.toLowerCase(), d.state]));
      const payment = configured.payment ?? await sawPaymentForm(db, target);
      const explained: { id: number; why: string }[] = [];
      const alerts: { type: 'visitor.unseen-script' | 'visitor.unseen-destination'; report: StoredReport }[] = [];
      for (const r of fresh.filter((x) => x.target === target)) {
        const kind = reportKind(r);
        if (kind === 'script' && /^https?:\/\//.test(r.blocked)) {
          const state = scriptState.get(r.blocked);
          if (state) explained.push({ id: r.id, why: state === 'approved' ? 'approved' : 'seen' });
          else alerts.push({ type: 'visitor.unseen-script', report: r });
        } else if (kind === 'destination') {
          const state = hostState.get(reportHost(r) ?? '');
          if (state) explained.push({ id: r.id, why: state === 'approved' ? 'approved' : 'seen' });
          else alerts.push({ type: 'visitor.unseen-destination', report: r });
        }
      }
      await explainReports(db, explained);
      if (!alerts.length) continue;
      const at = now().toISOString();
      const ids = await db.transaction(async () => {
        const targetId = await upsertTarget(db, { name: configured.name, url: configured.url, type: configured.type }, at);
        const made: number[] = [];
        for (const { type, report } of alerts) {
          const script = type === 'visitor.unseen-script';
          const subject = script ? report.blocked : reportHost(report)!;
          const id = await insertLateAlert(db, type, {
            targetId, profile: '*', page: configured.url, subject, subjectType: script ? 'script' : 'host', severity: payment ? 'high' : 'medium', sha256: null,
            summary: script
              ? `Visitors' browsers ran (or tried to run) ${subject}, which the crawler never saw on ${configured.name}: a script served to some visitors only (${report.device}, ${report.uaFamily})`
              : `Visitors' browsers sent to ${subject} (${report.directive}), which the crawler never saw ${configured.name} contact (${report.device}, ${report.uaFamily})`,
            dedupeKey: `${type}|${subject}`,
            details: { visitors: { count: report.count, firstSeen: report.firstSeen, lastSeen: report.lastSeen, devices: [report.device], userAgents: [report.uaFamily], directive: report.directive, document: report.document, source: report.source, line: report.line, sample: report.sample }, paymentPage: payment },
          }, at);
          if (id !== null) made.push(id);
        }
        return made;
      });
      for (const id of ids) {
        const alert = await readAlert(db, id);
        if (!alert) continue;
        raised.push(alert);
        log.warn('alert.opened', `alert #${alert.id} ${alert.severity} ${alert.type} on ${configured.name}: ${alert.summary.slice(0, 200)}`, { alertId: alert.id, type: alert.type, target: configured.name });
      }
    }
    if (raised.length && config.notify.length) await queueNotifications(store, config.notify, raised, now().toISOString(), 'alert.opened');
    return raised;
  };

  const flush = (): Promise<void> => {
    flushing = flushing.then(async () => {
      if (pending.size === 0) return;
      const batch = [...pending.values()];
      pending = new Map();
      try {
        await judge(await recordReports(db, batch, now().toISOString()));
      } catch (error) {
        log.error('reports.write_failed', `cannot write ${batch.length} visitor reports: ${describeError(error)}`);
      }
    });
    return flushing;
  };

  return {
    async accept(key, contentType, body, userAgent) {
      const target = await targetOf(key);
      if (!target) { stats.refused++; return { status: 404, message: 'no target has this report key' }; }
      const at = now();
      const window = minute.get(key);
      if (!window || at.getTime() - window.at >= 60_000) minute.set(key, { at: at.getTime(), n: 0 });
      const counted = minute.get(key)!;
      if (counted.n >= REPORTS_PER_KEY_PER_MINUTE) { stats.refused++; return { status: 429, message: 'too many reports for this key this minute' }; }
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
    flush,
    stats: () => ({ ...stats }),
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
