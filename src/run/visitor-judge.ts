// Judges visitors' new reports against the crawler's record of their page: explained ones are marked, the others raise
// visitor.unseen-script / -destination (one alert per subject, its reports folded in; the script to fetch named).

import type { Config } from '../config/config.js';
import { reportSubject, reportUrl, squeezeSpace } from '../detect/visitor-reports.js';
import { destinationInventory, scriptInventory } from '../evidence/inventory-report.js';
import { readAlert, type AlertWithDetails } from '../store/alerts.js';
import { insertLateAlert } from '../store/late-alerts.js';
import type { Store } from '../store/open-store.js';
import { upsertTarget } from '../store/targets.js';
import { explainReports, sawPaymentForm, visitorAlertsSince, type StoredReport } from '../store/visitor-reports.js';
import type { Logger } from './log.js';

/** New visitor alerts one target may get per hour: report keys are public, so forged reports must not flood the team. */
export const VISITOR_ALERTS_PER_HOUR = 20;

/** What fetching a reported script gave: its bytes, or why there are none. */
export interface FetchedScript { body: string | null; status: number | null; error: string | null; userAgent: string }
export type ScriptFetcher = (url: string, device: string) => Promise<FetchedScript>;

export interface JudgeDeps { config: Config; store: Store; log: Logger; now: () => Date }

type VisitorType = 'visitor.unseen-script' | 'visitor.unseen-destination';

/** The figures of one subject's reports in a batch, as the alert shows them. */
function folded(reports: StoredReport[]) {
  const first = reports[0]!;
  const uniq = (values: string[]) => [...new Set(values)].sort();
  return {
    count: reports.reduce((n, r) => n + r.count, 0),
    firstSeen: reports.map((r) => r.firstSeen).sort()[0]!,
    lastSeen: reports.map((r) => r.lastSeen).sort().at(-1)!,
    devices: uniq(reports.map((r) => r.device)),
    userAgents: uniq(reports.map((r) => r.uaFamily)),
    directive: first.directive, document: first.document, source: first.source, line: first.line, sample: first.sample,
  };
}

/** A script to fetch for an alert raised just now. */
export interface FetchJob { alertId: number; url: string; device: string }

/** Judges a batch; the alerts raised, and the reported scripts to fetch for them (never fetched here: see below). */
export async function judgeReports(deps: JudgeDeps, fresh: StoredReport[], yieldToOthers: () => Promise<void>): Promise<{ raised: AlertWithDetails[]; fetches: FetchJob[] }> {
  const fetches: FetchJob[] = [];
  const { config, store, log } = deps;
  const db = store.database;
  const raised: AlertWithDetails[] = [];
  for (const target of new Set(fresh.map((r) => r.target))) {
    // One target at a time, letting the dashboard's requests in between (the store's reads do not yield).
    await yieldToOthers();
    const configured = config.targets.find((t) => t.name === target);
    if (!configured) continue;
    const scripts = await scriptInventory(store, { target });
    const destinations = await destinationInventory(store, { target });
    const scriptState = new Map(scripts.filter((s) => s.url).map((s) => [reportUrl(s.url)!, s.state]));
    const hostState = new Map(destinations.map((d) => [d.host.toLowerCase(), d.state]));
    let inline: { body: string; state: string }[] | null = null;
    const inlineOf = async () => {
      inline ??= await Promise.all(scripts.filter((s) => s.kind === 'inline' && s.sha256).slice(0, 200)
        .map(async (s) => ({ body: squeezeSpace((await store.blobs.textBySha(s.sha256!)) ?? ''), state: s.state })));
      return inline;
    };
    const explained: { id: number; why: string }[] = [];
    const unseen = new Map<string, { type: VisitorType; subject: string; reports: StoredReport[] }>();
    const note = (type: VisitorType, subject: string, r: StoredReport) => {
      const key = `${type}|${subject}`;
      const entry = unseen.get(key) ?? { type, subject, reports: [] };
      entry.reports.push(r);
      unseen.set(key, entry);
    };
    for (const r of fresh.filter((x) => x.target === target)) {
      const about = reportSubject(r);
      if (!about) continue;
      let state: string | undefined;
      if (about.type === 'visitor.unseen-destination') state = hostState.get(about.subject);
      else if (r.blocked !== 'inline') state = scriptState.get(r.blocked);
      else {
        // Browsers send the first characters of an inline script the policy did not allow: is it one the crawler kept?
        const sample = squeezeSpace(r.sample!);
        state = (await inlineOf()).find((s) => s.body.startsWith(sample))?.state;
      }
      if (state) explained.push({ id: r.id, why: state === 'approved' ? 'approved' : 'seen' });
      else note(about.type, about.subject, r);
    }
    await explainReports(db, explained);
    if (!unseen.size) continue;
    const at = deps.now().toISOString();
    const hourAgo = new Date(Date.parse(at) - 3_600_000).toISOString();
    const known = await visitorAlertsSince(db, target, hourAgo);
    const fresher = [...unseen.values()].filter((u) => !known.subjects.has(`${u.type}|${u.subject}`));
    const room = Math.max(0, VISITOR_ALERTS_PER_HOUR - known.lastHour);
    if (fresher.length > room) {
      log.warn('reports.alerts_capped', `${fresher.length - room} more subjects visitors reported on ${target} are not alerted this hour (at most ${VISITOR_ALERTS_PER_HOUR} visitor alerts a target an hour); they stay on its Visitors screen as unexplained`, { target, capped: fresher.length - room });
    }
    const toRaise = fresher.slice(0, room);
    const payment = configured.payment ?? await sawPaymentForm(db, target);
    const toFetch: FetchJob[] = [];
    const ids = await db.transaction(async () => {
      const targetId = await upsertTarget(db, { name: configured.name, url: configured.url, type: configured.type }, at);
      const made: number[] = [];
      toFetch.length = 0;
      for (const { type, subject, reports } of toRaise) {
        const script = type === 'visitor.unseen-script';
        const visitors = folded(reports);
        const seenOn = `${visitors.devices.join(', ')}; ${visitors.userAgents.join(', ')}`;
        const id = await insertLateAlert(db, type, {
          targetId, profile: '*', page: configured.url, subject, subjectType: script ? 'script' : 'host', severity: payment ? 'high' : 'medium', sha256: null,
          summary: script
            ? `Visitors' browsers ran (or tried to run) ${subject}, which the crawler never saw on ${configured.name}: a script served to some visitors only (${seenOn})`
            : `Visitors' browsers sent to ${subject} (${visitors.directive}), which the crawler never saw ${configured.name} contact (${seenOn})`,
          dedupeKey: `${type}|${subject}`,
          details: { visitors, paymentPage: payment },
        }, at);
        if (id !== null) made.push(id);
        // A reported script the crawler can fetch is fetched afterwards, as the reporting device would ask for it.
        if (id !== null && script && /^https?:\/\//.test(subject)) toFetch.push({ alertId: id, url: subject, device: reports[0]!.device });
      }
      return made;
    });
    fetches.push(...toFetch);
    for (const id of ids) {
      const alert = await readAlert(db, id);
      if (!alert) continue;
      raised.push(alert);
      log.warn('alert.opened', `alert #${alert.id} ${alert.severity} ${alert.type} on ${configured.name}: ${alert.summary.slice(0, 200)}`, { alertId: alert.id, type: alert.type, target: configured.name });
    }
  }
  return { raised, fetches };
}
