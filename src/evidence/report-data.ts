// The assessor report's content (PCI DSS 6.4.3 and 11.6.1) for payment pages over a period, read from the store.

import { SECURITY_HEADERS, type Severity } from '../capture/types.js';
import type { Config, TargetConfig } from '../config/config.js';
import { parseDuration } from '../config/duration.js';
import type { Store } from '../store/open-store.js';
import { inOrder } from '../store/sql.js';
import type { ChainHead } from '../store/report-reads.js';
import { withProvenance, type RunsIn } from './inventory-report.js';

export interface ReportParameters {
  /** Target names; empty: every payment page. */
  targets: string[];
  from: string;
  to: string;
  generatedAt: string;
}

export interface ReportScript {
  scriptId: number;
  profile: string;
  kind: string;
  script: string;
  url: string | null;
  party: 'first' | 'third' | 'fourth';
  vendor: string | null;
  runsIn: RunsIn;
  chain: string[];
  sha256: string | null;
  sri: string | null;
  state: string;
  present: boolean;
  authorizedBy: string | null;
  authorizedAt: string | null;
  justification: string | null;
  bulkApproved: boolean;
}

export interface HeaderChange {
  header: string;
  profile: string;
  /** null: the header was absent. */
  value: string | null;
  since: string;
  scanId: number;
}

export interface Evaluation {
  scans: { id: number; profile: string; at: string; status: 'ok' | 'failed'; errorCode: string | null }[];
  successful: number;
  failed: number;
  /** The longest stretch without a successful scan, counting from the period's start and to its end. */
  largestGap: { ms: number; from: string; to: string } | null;
  requiredMs: number;
  /** Where the required frequency comes from: `evaluationFrequency` or the target's schedule. */
  requiredFrom: string;
  met: boolean;
}

export interface ReportAlert {
  id: number;
  /** The scan that raised it. */
  scanId: number;
  type: string;
  severity: Severity;
  profile: string;
  subject: string;
  summary: string;
  detectedAt: string;
  status: string;
  /** approved (authorized change), rejected (incident), resolved (health), or open. */
  resolution: string;
  decidedBy: string | null;
  decidedAt: string | null;
  note: string | null;
  timeToDecisionMs: number | null;
  decisions: { status: string; by: string; at: string; note: string | null }[];
}

export interface ReportPage {
  target: string;
  url: string;
  paymentBecause: string;
  inventory: ReportScript[];
  headers: HeaderChange[];
  evaluation: Evaluation;
  alerts: ReportAlert[];
}

export interface ReportSummary {
  pages: number;
  scripts: number;
  authorized: number;
  /** Authorized on their own (not only by a bulk approval), out of all scripts. */
  authorizedShare: number;
  bulkOnly: number;
  alerts: number;
  /** Rejected alerts (confirmed unauthorized changes) and alerts still open at the end of the period. */
  openIncidents: number;
  openAlerts: number;
  evaluationMet: boolean;
  frequency: string;
}

export interface ReportData {
  title: string;
  parameters: ReportParameters;
  summary: ReportSummary;
  pages: ReportPage[];
  tamperEvidence: {
    verified: boolean;
    scansChecked: number;
    blobsChecked: number;
    auditEntriesChecked: number;
    firstBreak: string | null;
    chainHeadAtStart: ChainHead | null;
    chainHeadAtEnd: ChainHead | null;
  };
}

const WEEK = 7 * 86_400_000;

/** The frequency a page must be evaluated at: the config's evaluationFrequency, else the target's schedule, else weekly. */
function requiredFrequency(config: Pick<Config, 'evaluationFrequency' | 'every'>, target: TargetConfig): { ms: number; from: string } {
  if (config.evaluationFrequency) return { ms: parseDuration(config.evaluationFrequency)!, from: `evaluationFrequency ${config.evaluationFrequency}` };
  const every = target.every ?? config.every;
  if (every && !target.cron) return { ms: parseDuration(every)!, from: `the target's schedule (every ${every})` };
  return { ms: WEEK, from: 'weekly (PCI DSS 11.6.1)' };
}

/** Gaps without a successful scan: start of period → first success → … → last success → end of period. */
export function largestGap(successes: string[], from: string, to: string): { ms: number; from: string; to: string } | null {
  const points = [from, ...successes, to];
  let best: { ms: number; from: string; to: string } | null = null;
  for (let i = 1; i < points.length; i++) {
    const ms = Date.parse(points[i]!) - Date.parse(points[i - 1]!);
    if (!best || ms > best.ms) best = { ms, from: points[i - 1]!, to: points[i]! };
  }
  return best;
}

async function evaluationOf(store: Store, config: Config, target: TargetConfig, p: ReportParameters): Promise<{ evaluation: Evaluation; sawPaymentForm: boolean }> {
  const scans = await store.scans.inPeriod(target.name, p.from, p.to);
  const required = requiredFrequency(config, target);
  // A page scanned with several profiles counts as evaluated when any of them succeeded.
  const successes = scans.filter((s) => s.status === 'ok').map((s) => s.startedAt);
  const gap = largestGap(successes, p.from, p.to);
  // The grace of a tenth covers the scheduler's jitter: a scan every 15 minutes is not late at 15 min 30 s.
  const met = successes.length > 0 && gap !== null && gap.ms <= required.ms * 1.1;
  return {
    sawPaymentForm: scans.some((s) => s.paymentForm),
    evaluation: {
      scans: scans.map((s) => ({ id: s.id, profile: s.profile, at: s.startedAt, status: s.status, errorCode: s.errorCode })),
      successful: successes.length,
      failed: scans.length - successes.length,
      largestGap: gap,
      requiredMs: required.ms,
      requiredFrom: required.from,
      met,
    },
  };
}

async function headerChanges(store: Store, target: string, p: ReportParameters): Promise<HeaderChange[]> {
  const changes: HeaderChange[] = [];
  const last = new Map<string, string | null>();
  for (const seen of await store.scans.headerHistory(target, p.from, p.to)) {
    for (const header of SECURITY_HEADERS) {
      const value = seen.headers[header] ?? null;
      const key = `${seen.profile}\n${header}`;
      if (last.has(key) && last.get(key) === value) continue;
      last.set(key, value);
      changes.push({ header, profile: seen.profile, value, since: seen.at, scanId: seen.scanId });
    }
  }
  return changes;
}

async function alertsOf(store: Store, target: string, p: ReportParameters): Promise<ReportAlert[]> {
  const alerts = (await store.alerts.list({ status: 'all', target }))
    .filter((a) => a.firstSeen <= p.to && a.lastSeen >= p.from)
    .sort((a, b) => a.firstSeen.localeCompare(b.firstSeen) || a.id - b.id);
  return inOrder(alerts, async (a) => {
      const decided = a.status !== 'open' && a.decidedAt ? a.decidedAt : null;
      return {
        id: a.id, scanId: a.firstScanId, type: a.type, severity: a.severity, profile: a.profile, subject: a.subject, summary: a.summary, detectedAt: a.firstSeen,
        status: a.status,
        resolution: a.status === 'approved' ? 'approved: authorized change' : a.status === 'rejected' ? 'rejected: unauthorized (incident)' : a.status === 'resolved' ? 'resolved by scriptwarden' : 'open: not decided',
        decidedBy: a.status === 'open' ? null : a.decidedBy, decidedAt: decided, note: a.status === 'open' ? null : a.note,
        timeToDecisionMs: decided ? Date.parse(decided) - Date.parse(a.firstSeen) : null,
        decisions: await store.alerts.decisions(a.id),
      };
    });
}

async function inventoryOf(store: Store, target: string): Promise<ReportScript[]> {
  return withProvenance(await store.inventory.scripts({ target })).map((r) => ({
    scriptId: r.scriptId, profile: r.profile, kind: r.kind, script: r.subject, url: r.url, party: r.party, vendor: r.vendor, runsIn: r.runsIn,
    chain: r.chain, sha256: r.sha256, sri: r.sri, state: r.state, present: r.present, authorizedBy: r.authorizedBy, authorizedAt: r.authorizedAt,
    justification: r.justification, bulkApproved: r.bulkApproved,
  }));
}

/** Everything the report shows, read once; the renderers (HTML, JSON, PDF) only format it. */
export async function buildReport(store: Store, config: Config, p: ReportParameters): Promise<ReportData> {
  const chosen = p.targets.length ? config.targets.filter((t) => p.targets.includes(t.name)) : config.targets;
  const pages: ReportPage[] = [];
  for (const target of chosen.filter((t) => t.type === 'page')) {
    const { evaluation, sawPaymentForm } = await evaluationOf(store, config, target, p);
    // Scope: a page with a payment form seen in the period, or marked as a payment page; named targets are included as asked.
    const paymentBecause = target.payment ? 'marked payment: true in the config' : sawPaymentForm ? 'a payment form was seen on it' : p.targets.length ? 'named in the report\'s targets' : '';
    if (!paymentBecause || target.payment === false) continue;
    pages.push({
      target: target.name, url: target.url, paymentBecause, inventory: await inventoryOf(store, target.name), headers: await headerChanges(store, target.name, p),
      evaluation, alerts: await alertsOf(store, target.name, p),
    });
  }
  const scripts = pages.flatMap((page) => page.inventory.filter((s) => s.state !== 'removed'));
  const authorized = scripts.filter((s) => s.authorizedBy !== null && s.state === 'approved');
  const alerts = pages.flatMap((page) => page.alerts);
  const verify = await store.scans.verify();
  const frequencies = [...new Set(pages.map((page) => page.evaluation.requiredFrom))];
  return {
    title: 'Payment page script management and change detection (PCI DSS 6.4.3, 11.6.1)',
    parameters: p,
    summary: {
      pages: pages.length,
      scripts: scripts.length,
      authorized: authorized.length,
      authorizedShare: scripts.length ? authorized.filter((s) => !s.bulkApproved).length / scripts.length : 1,
      bulkOnly: authorized.filter((s) => s.bulkApproved).length,
      alerts: alerts.length,
      openIncidents: alerts.filter((a) => a.status === 'rejected').length,
      openAlerts: alerts.filter((a) => a.status === 'open').length,
      evaluationMet: pages.every((page) => page.evaluation.met),
      frequency: frequencies.join('; ') || 'weekly (PCI DSS 11.6.1)',
    },
    pages,
    tamperEvidence: {
      verified: verify.ok,
      scansChecked: verify.scans,
      blobsChecked: verify.blobs,
      auditEntriesChecked: verify.auditEntries,
      firstBreak: verify.firstBreak ? `${verify.firstBreak.kind} ${verify.firstBreak.id}: ${verify.firstBreak.reason}` : null,
      chainHeadAtStart: await store.scans.chainHeadAt(p.from),
      chainHeadAtEnd: await store.scans.chainHeadAt(p.to),
    },
  };
}
