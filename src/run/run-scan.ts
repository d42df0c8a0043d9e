// Sequences one scan run: capture each target and profile, read its baseline, plan, and write the result.

import { brandLabel, lookalikeFindings } from '../detect/analyzers/lookalike-host.js';
import { classify } from '../detect/vendors.js';
import { packageBrand, urlClaims } from '../detect/intel/release-claims.js';
import { runAnalyzers, withFindings } from '../detect/analyzers/run-analyzers.js';
import { capAlerts, groupRuntimeAlerts } from '../plan/group-alerts.js';
import type { AnalysisPool } from './analysis-pool.js';
import { planScan, type PlanOptions } from '../plan/plan-scan.js';
import type { Finding } from '../detect/analyzers/types.js';
import { profilesFor, type Config, type TargetConfig } from '../config/config.js';
import { describeError, isScriptwardenError } from '../errors.js';
import type { AlertWithDetails } from '../store/alerts.js';
import type { Store } from '../store/open-store.js';
import type { PlannedAlert, ScanPlan } from '../plan/plan.js';
import type { PageCapture } from '../capture/types.js';
import type { BaselineSnapshot } from '../plan/baseline.js';
import type { Intel } from '../detect/intel/intel.js';
import type { LibraryMatch } from '../detect/intel/libraries.js';
import { knownBadFindings } from '../detect/analyzers/known-bad-host.js';
import { isLibraryVersionChange, isVerifiedRelease } from '../detect/analyzers/library-change.js';
import type { ReleaseVerification } from '../detect/intel/release-claims.js';
import { applyVerification, firstScanMismatches, releaseCandidates, verifyReleases } from './verify-releases.js';
import { isVersionedUrl } from '../plan/severity.js';
import { cloakingFlags } from '../detect/cloaking.js';
import { emptyCapture } from '../capture/empty-capture.js';
import type { JourneyStep } from '../config/journey.js';
import { evidenceFiles } from '../evidence/evidence.js';

/** What the monitor needs from the outside world to look at a target; cli.ts wires the crawler in. */
export interface Capturer {
  page(request: { target: string; url: string; profile: string; journey?: JourneyStep[] }): Promise<PageCapture>;
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
  /** What the scan could not see in full: limits that cut it short, scripts that failed to load. */
  warnings: string[];
  /** Scripts the page asked for that did not load (connection reset, DNS failure, HTTP error). */
  failedLoads: { url: string; error: string }[];
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

/** True when a script and a host belong together: one site, one third-party-web vendor, or the package the script is names the host. */
export function ownService(scriptUrl: string, host: string): boolean {
  try {
    const script = classify(scriptUrl, 'https://invalid.invalid/');
    const target = classify(host, 'https://invalid.invalid/');
    if (script.site === target.site || (script.vendor !== null && script.vendor === target.vendor)) return true;
    const brand = brandLabel(host).replace(/[^a-z0-9]/g, '');
    return brand.length >= 4 && urlClaims(scriptUrl).some((c) => packageBrand(c.name) === brand);
  } catch {
    return false;
  }
}

/** What an analysis that ran out of its time budget says: the code may be built to stall analysis. */
function budgetFinding(budgetMs: number): Finding {
  return {
    analyzer: 'analysis-budget', severity: 'medium', kind: 'obfuscation',
    title: `analysis stopped after its ${budgetMs} ms budget (code that stalls analysis may be crafted to: read it by hand)`,
    detail: `limit ${budgetMs} ms`,
  };
}

/** Reads the previous body of a changed script and lets the analyzers explain (and rate) the change. */
async function analyzeAlert(alert: PlannedAlert, plan: ScanPlan, baseline: BaselineSnapshot, store: Store, intel: Intel, pool?: AnalysisPool): Promise<PlannedAlert> {
  const release = (alert.details.release as ReleaseVerification | undefined) ?? null;
  const knownHosts = [...baseline.hosts];
  if (alert.type === 'connection.added') {
    // A vendor's script calling its own service (same site or vendor, or the package it is names the host): low.
    const initiators = Array.isArray(alert.details.initiators) ? (alert.details.initiators as string[]) : [];
    if (initiators.length > 0 && initiators.every((script) => ownService(script, alert.subject))) {
      alert = { ...alert, severity: 'low', summary: `${alert.summary}; the vendor's own service, called by its script` };
    }
    return withFindings(alert, [
      ...knownBadFindings([alert.subject], intel.knownBad),
      ...lookalikeFindings(alert.subject, [...knownHosts, new URL(plan.target.url).host]).map((f) => ({ ...f, kind: 'lookalike' as const })),
    ]);
  }
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
  const newLibrary = (alert.details.library as LibraryMatch | null | undefined) ?? null;
  // A new release at a new URL is compared with the script it replaces.
  const replaces = typeof alert.details.replaces === 'string' ? alert.details.replaces : null;
  const known = baseline.scripts.find((k) => k.key === (replaces ?? alert.subjectKey));
  const oldLibrary = alert.type === 'script.added' ? null : known?.library ?? null;
  // What the instrumentation saw this script do to payment and login fields in this load.
  // Code run through eval is reported under the script that ran it.
  const runner = url ?? (alert.details.initiator as { url?: string | null } | null | undefined)?.url ?? null;
  const fieldAccess = runner ? plan.scan.runtime.filter((s) => (s.kind === 'listen' || s.kind === 'read') && s.script === runner).map((s) => `${s.kind} ${s.detail}`) : [];
  const change = {
    oldCode, newCode, url, pageHost, knownHosts, paymentPage: plan.scan.paymentForm, oldLibrary, newLibrary, knownBad: intel.knownBad,
    release, fieldAccess, resource: plan.target.type === 'resource',
  };
  const findings = pool ? (await pool.analyze(change)) ?? [budgetFinding(pool.budgetMs)] : runAnalyzers(change);
  return withFindings(alert, findings, {
    libraryUpgrade: isLibraryVersionChange(change),
    verifiedRelease: isVerifiedRelease(change),
    immutable: alert.type !== 'script.added' && replaces === null && isVersionedUrl(url ?? plan.target.url),
  });
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

/** Lets the analyzers explain and rate each new alert of a plan. A change already alerted only moves its lastSeen, so it is not analysed again. */
export async function analyzePlan(plan: ScanPlan, baseline: BaselineSnapshot, store: Store, intel: Intel, pool?: AnalysisPool): Promise<void> {
  plan.alerts = await Promise.all(plan.alerts.map((alert) =>
    store.isRepeat(plan.target.name, plan.profile, alert.dedupeKey) ? alert : analyzeAlert(alert, plan, baseline, store, intel, pool)));
}

/**
 * The plan of one scan: in the analysis pool when there is one (library identification and normalisation of hostile
 * bodies then never hold up the process), else here. A plan that runs out of its budget is made again without
 * library identification, and says so.
 */
async function planOf(capture: PageCapture, baseline: BaselineSnapshot, options: PlanOptions, pool: AnalysisPool | undefined): Promise<ScanPlan> {
  if (!pool) return planScan(capture, baseline, options);
  const { libraries: _libraries, knownBad: _knownBad, ...rest } = options;
  const planned = await pool.plan(capture, baseline, rest);
  if (planned) return planned;
  const plan = planScan(capture, baseline, { ...rest, knownBad: options.knownBad });
  plan.scan.warnings.push(`analysis stopped after its ${pool.budgetMs} ms budget: scripts were compared without library identification`);
  return plan;
}

/** Chromium's words for a browser that went away under a capture (not a fault of ours). */
const BROWSER_GONE = /Target closed|Session closed|Connection closed|Protocol error|browser has disconnected|Navigating frame was detached|WebSocket is not open|socket hang up/i;

/**
 * One load of a target; a capturer that throws becomes a failed capture: BROWSER_CRASHED when the browser failed
 * or went away, CAPTURE_FAILED for anything else (a fault in scriptwarden, not the browser's).
 */
export async function captureOnce(capturer: Capturer, target: TargetConfig, profile: string): Promise<PageCapture> {
  try {
    return target.type === 'resource'
      ? await capturer.resource({ name: target.name, url: target.url })
      : await capturer.page({ target: target.name, url: target.url, profile, journey: target.journey });
  } catch (error) {
    const failed = emptyCapture({ target: target.name, targetType: target.type, profile, requestedUrl: target.url, startedAt: new Date().toISOString() });
    const browser = (isScriptwardenError(error) && error.code.startsWith('BROWSER_')) || (!isProgrammingError(error) && BROWSER_GONE.test(describeError(error)));
    return {
      ...failed,
      outcome: browser
        ? { ok: false, code: 'BROWSER_CRASHED', reason: describeError(error) }
        : { ok: false, code: 'CAPTURE_FAILED', reason: `the capture failed inside scriptwarden: ${describeError(error)} (please report it)` },
    };
  }
}

function isProgrammingError(error: unknown): boolean {
  return error instanceof TypeError || error instanceof ReferenceError || error instanceof RangeError || error instanceof SyntaxError;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A load, tried again with doubling waits while it fails (scheduled scans); stops early when the run is abandoned. */
async function captureWithRetries(deps: ScanDeps, target: TargetConfig, profile: string): Promise<PageCapture> {
  let capture = await captureOnce(deps.capturer, target, profile);
  const retry = deps.retry;
  for (let attempt = 1; retry && !capture.outcome.ok && attempt <= retry.attempts && !retry.abandoned(); attempt++) {
    retry.onRetry?.(target.name, profile, attempt, capture.outcome.ok ? '' : capture.outcome.reason);
    await sleep(retry.delayMs * 2 ** (attempt - 1));
    if (retry.abandoned()) break;
    capture = await captureOnce(deps.capturer, target, profile);
  }
  return capture;
}

async function runJob(job: Job, deps: ScanDeps): Promise<JobResult> {
  const { config, store, capturer, intel } = deps;
  const started = Date.now();
  const { target, profile } = job;
  const capture = await captureWithRetries(deps, target, profile);
  if (!capture.outcome.ok && deps.retry?.abandoned()) {
    // Shutting down: a load cut short by the shutdown is not the target's failure, and is not recorded.
    return {
      outcome: {
        target: target.name, type: target.type, url: target.url, profile, status: 'failed', error: { code: 'ABANDONED', message: 'abandoned at shutdown' },
        scanId: null, scripts: 0, newAlerts: 0, durationMs: Date.now() - started, warnings: [], failedLoads: [],
      },
      alerts: [],
      rejected: [],
    };
  }
  const baseline = store.readBaseline(target.name, profile);
  // While a baseline is being established, further loads show which values change on every load.
  const samples: PageCapture[] = [];
  if (!baseline.established && capture.outcome.ok) {
    for (let i = 1; i < config.baselineLoads; i++) samples.push(await captureOnce(capturer, target, profile));
  }
  const plan = await planOf(capture, baseline, { removalThreshold: config.removalThreshold, libraries: intel.libraries, knownBad: intel.knownBad, samples }, deps.analysis);
  // Library files are checked against the npm releases they claim (cached per release, fetched on first sight).
  const candidates = releaseCandidates(plan, baseline.established, (a) => !store.isRepeat(target.name, profile, a.dedupeKey));
  if (candidates.length) {
    const verdicts = await verifyReleases(candidates, { releases: store.releases, registry: intel.registry });
    if (!baseline.established) firstScanMismatches(plan, verdicts);
    applyVerification(plan, verdicts);
  }
  await analyzePlan(plan, baseline, store, intel, deps.analysis);
  plan.alerts = capAlerts(groupRuntimeAlerts(plan.alerts), config.limits.maxAlertsPerScan, (a) => store.isRepeat(target.name, profile, a.dedupeKey), plan.target.url);
  // Evidence is built only for a scan that raises something new; an open alert seen again keeps its first evidence.
  if (plan.alerts.some((a) => !store.isRepeat(target.name, profile, a.dedupeKey))) plan.evidence = evidenceFiles(capture, deps.version ?? '0');
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
      failedLoads: plan.scan.failedLoads,
    },
    alerts: result.newAlerts,
    rejected: result.repeatedAlerts.filter((a) => a.status === 'rejected'),
  };
}

export interface ScanDeps {
  config: Config;
  store: Store;
  capturer: Capturer;
  intel: Intel;
  /** Scheduled scans retry failed loads; `abandoned` turns true at shutdown. */
  retry?: { attempts: number; delayMs: number; abandoned(): boolean; onRetry?(target: string, profile: string, attempt: number, reason: string): void };
  /** scriptwarden's version, recorded in evidence files. */
  version?: string;
  /** Worker threads for planning and analysis; absent, both run on this thread. */
  analysis?: AnalysisPool;
}

export async function runScan(deps: ScanDeps & { targets: TargetConfig[] }, events: ScanEvents = {}): Promise<ScanRun> {
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
      const { outcome, alerts: found, rejected } = await runJob(job, deps);
      outcomes[index] = outcome;
      alerts.push(...found);
      rejectedStillServed.push(...rejected);
      events.onDone?.(outcome, index, jobs.length);
    }
  };
  const width = Math.min(deps.config.browser.concurrency, Math.max(1, jobs.length));
  await Promise.all(Array.from({ length: width }, worker));
  // A change only one profile saw (the mobile one, say) may be served selectively: say so on the alert.
  const scanned = new Map<string, string[]>();
  for (const outcome of outcomes) {
    if (outcome?.status === 'ok') scanned.set(outcome.target, [...(scanned.get(outcome.target) ?? []), outcome.profile]);
  }
  for (const flag of cloakingFlags(alerts, scanned)) {
    const note = `possible cloaking: only the ${flag.profile} profile sees this; the ${flag.others.join(' and ')} profile did not in the same run`;
    const updated = deps.store.annotateAlert(flag.id, { cloaking: note }, note);
    const index = alerts.findIndex((a) => a.id === flag.id);
    if (updated && index !== -1) alerts[index] = updated;
  }
  alerts.sort((a, b) => b.id - a.id);
  return { startedAt, finishedAt: new Date().toISOString(), targets: outcomes, alerts, rejectedStillServed };
}
