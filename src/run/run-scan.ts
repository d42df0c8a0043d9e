// Sequences one scan run: capture each target and profile, read, plan, read what judging needs, detect, and write each scan.

import type { AnalysisPool } from './analysis-pool.js';
import { planScan, type PlanOptions } from '../plan/plan-scan.js';
import { profilesFor, type Config, type TargetConfig } from '../config/config.js';
import { describeError, isScriptwardenError } from '../errors.js';
import type { AlertWithDetails } from '../store/alerts.js';
import type { Store } from '../store/open-store.js';
import type { ScanPlan } from '../plan/plan.js';
import type { PageCapture } from '../capture/types.js';
import type { Capturer } from '../capture/capturer.js';
import type { BaselineSnapshot } from '../plan/baseline.js';
import type { Intel } from '../detect/intel/intel.js';
import { readJudgement } from './read-judgement.js';
import { detect, isRepeat } from '../detect/detect.js';
import { budgetFinding } from '../detect/analyze-alert.js';
import { noteCloaking } from '../detect/cloaking.js';
import { emptyCapture } from '../capture/empty-capture.js';
import type { JourneyStep } from '../config/journey.js';
import { evidenceFiles } from '../evidence/evidence.js';
import { knownContent, type KnownContent } from '../plan/known-content.js';
import { DEFAULT_VANTAGE, splitProfileKey } from '../config/vantages.js';
import { resolveExpectations } from './provenance-sources.js';
import { recheckIntel } from './intel-recheck.js';


export interface TargetOutcome {
  target: string;
  type: 'page' | 'resource';
  url: string;
  profile: string;
  /** `duplicate`: the scheduled slot was already recorded (by another worker); this scan of it was not. */
  status: 'ok' | 'failed' | 'duplicate';
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

export function selectTargets(config: Config, names: string[] | undefined): TargetConfig[] {
  if (!names || names.length === 0) return config.targets;
  return config.targets.filter((t) => names.includes(t.name));
}

/** A job judged and not yet written: its plan waits for the target's other profiles (cloaking compares them). */
interface Judged {
  job: Job;
  started: number;
  capture: PageCapture;
  /** Null when the run was abandoned at shutdown: nothing is written. */
  plan: ScanPlan | null;
  repeatKeys: ReadonlySet<string>;
}

interface JobResult {
  outcome: TargetOutcome;
  alerts: AlertWithDetails[];
  rejected: AlertWithDetails[];
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
export async function captureOnce(capturer: Capturer, target: TargetConfig, key: string, sample = false, known?: KnownContent): Promise<PageCapture> {
  // The browser is told the device profile and the vantage; the capture is stored under the key of both.
  const { profile, vantage } = splitProfileKey(key);
  const at = vantage === DEFAULT_VANTAGE ? {} : { vantage };
  try {
    const capture = target.type === 'resource'
      ? await capturer.resource({ name: target.name, url: target.url, ...at })
      : await capturer.page({ target: target.name, url: target.url, profile, journey: target.journey, ...(sample ? { sample } : {}), ...(known ? { known } : {}), ...at });
    return capture.profile === key ? capture : { ...capture, profile: key };
  } catch (error) {
    const failed = emptyCapture({ target: target.name, targetType: target.type, profile: key, requestedUrl: target.url, startedAt: new Date().toISOString() });
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
async function captureWithRetries(deps: ScanDeps, target: TargetConfig, profile: string, known: KnownContent | undefined): Promise<PageCapture> {
  let capture = await captureOnce(deps.capturer, target, profile, false, known);
  const retry = deps.retry;
  for (let attempt = 1; retry && !capture.outcome.ok && attempt <= retry.attempts && !retry.abandoned(); attempt++) {
    retry.onRetry?.(target.name, profile, attempt, capture.outcome.ok ? '' : capture.outcome.reason);
    await sleep(retry.delayMs * 2 ** (attempt - 1));
    if (retry.abandoned()) break;
    capture = await captureOnce(deps.capturer, target, profile, false, known);
  }
  return capture;
}

/** Read, then decide: capture, read the baseline, plan, read what judging needs, and detect. Writes nothing. */
async function judge(job: Job, deps: ScanDeps): Promise<Judged> {
  const { config, store, capturer, intel } = deps;
  const started = Date.now();
  const { target, profile } = job;
  const before = await store.scans.readBaseline(target.name, profile);
  // While a baseline is being established, further loads show which values change on every load (their scripts
  // only). They run beside the scan's own load, each in its own fresh context, rather than after it.
  const sampling = before.established
    ? []
    : Array.from({ length: config.baselineLoads - 1 }, () => captureOnce(capturer, target, profile, true));
  const capture = await captureWithRetries(deps, target, profile, knownContent(before));
  const sampled = await Promise.all(sampling);
  // Shutting down: a load cut short by the shutdown is not the target's failure, and is not recorded.
  if (!capture.outcome.ok && deps.retry?.abandoned()) return { job, started, capture, plan: null, repeatKeys: new Set() };
  // Read again: the capture is judged against the baseline as it is now (an approval may have landed meanwhile).
  const baseline = await store.scans.readBaseline(target.name, profile);
  const samples: PageCapture[] = capture.outcome.ok ? sampled : [];
  const planned = await planOf(capture, baseline, { removalThreshold: config.removalThreshold, libraries: intel.libraries, knownBad: intel.knownBad, samples, approvedHosts: config.canary.approvedHosts }, deps.analysis);
  // The true bytes the target's config expects (provenance), fetched the way this scan leaves.
  const expectations = target.expect?.length && capture.outcome.ok
    ? await resolveExpectations(target, { store, capturer, registry: intel.registry, maxBodyBytes: config.limits.maxBodyBytes, vantage: splitProfileKey(profile).vantage })
    : [];
  const inputs = await readJudgement(planned, baseline, store, intel, config.limits.maxAlertsPerScan, expectations);
  const pool = deps.analysis;
  const plan = await detect(planned, inputs, pool ? { analyze: async (change) => await pool.analyze(change) ?? [budgetFinding(pool.budgetMs)] } : {});
  // Evidence is built only for a scan that raises something new; an open alert seen again keeps its first evidence.
  if (plan.alerts.some((a) => !isRepeat(inputs, a))) plan.evidence = evidenceFiles(capture, deps.version ?? '0');
  return { job, started, capture, plan, repeatKeys: inputs.repeatKeys };
}

/** Writes one judged plan in its one transaction; a slot another scan recorded is refused, not recorded twice. */
async function record(judged: Judged, plan: ScanPlan | null, store: Store, slot: string | null): Promise<JobResult> {
  const { job: { target, profile }, capture, started } = judged;
  const base = { target: target.name, type: target.type, url: target.url, profile };
  // A scan not recorded: abandoned at shutdown, or a slot another scan holds.
  const unrecorded = (status: 'failed' | 'duplicate', error: { code: string; message: string }, scripts: number): JobResult => ({
    outcome: { ...base, status, error, scanId: null, scripts, newAlerts: 0, durationMs: Date.now() - started, warnings: [], failedLoads: [] },
    alerts: [],
    rejected: [],
  });
  if (!plan) return unrecorded('failed', { code: 'ABANDONED', message: 'abandoned at shutdown' }, 0);
  let result: Awaited<ReturnType<Store['scans']['applyPlan']>>;
  try {
    result = await store.scans.applyPlan(plan, undefined, slot);
  } catch (error) {
    if (!isScriptwardenError(error) || error.code !== 'SCAN_DUPLICATE') throw error;
    return unrecorded('duplicate', { code: error.code, message: error.message }, plan.scripts.length);
  }
  return {
    outcome: {
      ...base,
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
  /** The scheduled time these scans are for: each page records a slot once (see applyPlan). */
  slot?: string;
  /** Scan from this vantage only (a worker's job); absent: from every vantage of each target. */
  vantage?: string;
}

export async function runScan(deps: ScanDeps & { targets: TargetConfig[] }, events: ScanEvents = {}): Promise<ScanRun> {
  const startedAt = new Date().toISOString();
  // Intelligence that learned of a host or a vulnerability since the last run looks again at what was approved before.
  const { raised: intelAlerts } = await recheckIntel(deps.store, deps.intel);
  const jobs: Job[] = deps.targets.flatMap((target) => profilesFor(deps.config, target, deps.vantage).map((profile) => ({ target, profile })));
  const outcomes: TargetOutcome[] = new Array(jobs.length);
  const alerts: AlertWithDetails[] = [...intelAlerts];
  const rejectedStillServed: AlertWithDetails[] = [];
  // A target's profiles are written together once all are judged: a change only one profile saw (the mobile one,
  // say) may be served selectively, and says so in the alert as it is written.
  const waiting = new Map<string, { index: number; judged: Judged }[]>();
  const profilesOf = new Map<string, number>();
  for (const job of jobs) profilesOf.set(job.target.name, (profilesOf.get(job.target.name) ?? 0) + 1);
  const writeTarget = async (ready: { index: number; judged: Judged }[]) => {
    const judgedPlans = ready.filter((r) => r.judged.plan !== null);
    const noted = noteCloaking(judgedPlans.map((r) => ({ plan: r.judged.plan!, repeatKeys: r.judged.repeatKeys })));
    for (const { index, judged } of ready) {
      const at = judgedPlans.findIndex((r) => r.index === index);
      const { outcome, alerts: found, rejected } = await record(judged, at === -1 ? null : noted[at]!, deps.store, deps.slot ?? null);
      outcomes[index] = outcome;
      alerts.push(...found);
      rejectedStillServed.push(...rejected);
      events.onDone?.(outcome, index, jobs.length);
    }
  };
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      const job = jobs[index]!;
      events.onStart?.({ target: job.target.name, profile: job.profile, index, total: jobs.length });
      const judged = await judge(job, deps);
      const ready = [...(waiting.get(job.target.name) ?? []), { index, judged }];
      if (ready.length < profilesOf.get(job.target.name)!) {
        waiting.set(job.target.name, ready);
        continue;
      }
      waiting.delete(job.target.name);
      await writeTarget(ready);
    }
  };
  const width = Math.min(deps.config.browser.concurrency, Math.max(1, jobs.length));
  await Promise.all(Array.from({ length: width }, worker));
  alerts.sort((a, b) => b.id - a.id);
  return { startedAt, finishedAt: new Date().toISOString(), targets: outcomes, alerts, rejectedStillServed };
}
