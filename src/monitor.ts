// Sequences one scan run: capture each target and profile, read its baseline, plan, and write the result.

import { lookalikeFindings } from './analyzers/lookalike-host.js';
import { runAnalyzers, withFindings } from './analyzers/run-analyzers.js';
import { planScan } from './compare.js';
import { profilesFor, type Config, type TargetConfig } from './config.js';
import { describeError } from './errors.js';
import type { AlertWithDetails } from './store/alerts.js';
import type { Store } from './store/open-store.js';
import type { PlannedAlert, ScanPlan } from './plan.js';
import type { PageCapture } from './types.js';

/** What the monitor needs from the outside world to look at a target; cli.ts wires the crawler in. */
export interface Capturer {
  page(request: { target: string; url: string; profile: string }): Promise<PageCapture>;
  resource(target: { name: string; url: string }): Promise<PageCapture>;
}

export interface TargetOutcome {
  target: string;
  type: 'page' | 'resource';
  url: string;
  profile: string;
  status: 'ok' | 'failed';
  error: { code: string; message: string } | null;
  scanId: number | null;
  scripts: number;
  newAlerts: number;
  durationMs: number;
  /** Limits that cut the capture short, e.g. limits.maxScriptsPerPage. */
  warnings: string[];
}

export interface ScanRun {
  startedAt: string;
  finishedAt: string;
  targets: TargetOutcome[];
  /** Alerts this run raised. */
  alerts: AlertWithDetails[];
  /** Rejected changes this run saw again: an unauthorized script is still being served. */
  rejectedStillServed: AlertWithDetails[];
}

export interface ScanEvents {
  onStart?(job: { target: string; profile: string; index: number; total: number }): void;
  onDone?(outcome: TargetOutcome, index: number, total: number): void;
}

interface Job {
  target: TargetConfig;
  profile: string;
}

const CODE_ALERTS = new Set(['script.added', 'script.changed', 'resource.changed']);

/** Reads the previous body of a changed script and lets the analyzers explain (and rate) the change. */
function analyzeAlert(alert: PlannedAlert, plan: ScanPlan, knownHosts: string[], store: Store): PlannedAlert {
  if (alert.type === 'connection.added') return withFindings(alert, lookalikeFindings(alert.subject, [...knownHosts, new URL(plan.target.url).host]));
  if (!CODE_ALERTS.has(alert.type) || !alert.newValue) return alert;
  const newCode = plan.bodies.get(alert.newValue);
  if (newCode === undefined) return alert;
  let pageHost: string | null = null;
  try {
    pageHost = new URL(plan.target.url).host;
  } catch {
    pageHost = null;
  }
  const oldCode = alert.oldValue ? store.blobs.textBySha(alert.oldValue) : null;
  const url = typeof alert.details.url === 'string' ? alert.details.url : null;
  return withFindings(alert, runAnalyzers({ oldCode, newCode, url, pageHost, knownHosts, paymentPage: plan.scan.paymentForm }));
}

export function selectTargets(config: Config, names: string[] | undefined): TargetConfig[] {
  if (!names || names.length === 0) return config.targets;
  return config.targets.filter((t) => names.includes(t.name));
}

interface JobResult {
  outcome: TargetOutcome;
  alerts: AlertWithDetails[];
  rejected: AlertWithDetails[];
}

async function runJob(job: Job, config: Config, store: Store, capturer: Capturer): Promise<JobResult> {
  const started = Date.now();
  const { target, profile } = job;
  let capture: PageCapture;
  try {
    capture = target.type === 'resource'
      ? await capturer.resource({ name: target.name, url: target.url })
      : await capturer.page({ target: target.name, url: target.url, profile });
  } catch (error) {
    const now = new Date().toISOString();
    capture = {
      target: target.name, targetType: target.type, profile, requestedUrl: target.url, finalUrl: null,
      startedAt: now, finishedAt: now, outcome: { ok: false, code: 'BROWSER_CRASHED', reason: describeError(error) },
      documentStatus: null, securityHeaders: {}, scripts: [], requests: [],
      forms: { payment: false, login: false, evidence: [] }, truncated: [],
    };
  }
  const baseline = store.readBaseline(target.name, profile);
  const plan = planScan(capture, baseline, { removalThreshold: config.removalThreshold });
  // A sighting of a change already alerted only moves its lastSeen, so it is not analysed again.
  plan.alerts = plan.alerts.map((alert) =>
    store.isRepeat(target.name, profile, alert.dedupeKey) ? alert : analyzeAlert(alert, plan, [...baseline.hosts], store));
  const result = store.applyPlan(plan);
  return {
    outcome: {
      target: target.name,
      type: target.type,
      url: target.url,
      profile,
      status: plan.scan.status,
      error: capture.outcome.ok ? null : { code: capture.outcome.code, message: capture.outcome.reason },
      scanId: result.scanId,
      scripts: plan.scripts.length,
      newAlerts: result.newAlerts.length,
      durationMs: Date.now() - started,
      warnings: plan.scan.warnings,
    },
    alerts: result.newAlerts,
    rejected: result.repeatedAlerts.filter((a) => a.status === 'rejected'),
  };
}

export async function runScan(
  deps: { config: Config; store: Store; capturer: Capturer; targets: TargetConfig[] },
  events: ScanEvents = {},
): Promise<ScanRun> {
  const startedAt = new Date().toISOString();
  const jobs: Job[] = deps.targets.flatMap((target) => profilesFor(deps.config, target).map((profile) => ({ target, profile })));
  const outcomes: TargetOutcome[] = new Array(jobs.length);
  const alerts: AlertWithDetails[] = [];
  const rejectedStillServed: AlertWithDetails[] = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      const job = jobs[index]!;
      events.onStart?.({ target: job.target.name, profile: job.profile, index, total: jobs.length });
      const { outcome, alerts: found, rejected } = await runJob(job, deps.config, deps.store, deps.capturer);
      outcomes[index] = outcome;
      alerts.push(...found);
      rejectedStillServed.push(...rejected);
      events.onDone?.(outcome, index, jobs.length);
    }
  };
  const width = Math.min(deps.config.browser.concurrency, Math.max(1, jobs.length));
  await Promise.all(Array.from({ length: width }, worker));
  alerts.sort((a, b) => b.id - a.id);
  return { startedAt, finishedAt: new Date().toISOString(), targets: outcomes, alerts, rejectedStillServed };
}
