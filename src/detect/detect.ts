// Detection, the one pure step between reading and writing: release verdicts, analyzers, provenance, grouping and the
// alert cap.

import { analyzeAlert, type AnalyzeChange } from './analyze-alert.js';
import { runAnalyzers } from './analyzers/run-analyzers.js';
import { applyVerification, firstScanMismatches } from './release-verdicts.js';
import { capAlerts, groupRuntimeAlerts } from '../plan/group-alerts.js';
import type { BaselineSnapshot } from '../plan/baseline.js';
import type { PlannedAlert, ScanPlan } from '../plan/plan.js';
import type { KnownBadHosts } from './intel/known-bad-hosts.js';
import type { ReleaseVerification } from './intel/release-claims.js';
import { provenanceFindings, type Expectation } from './provenance.js';

/** Everything the judgement of one plan needs, read beforehand: nothing in `detect` reads the store or the network. */
export interface DetectInputs {
  baseline: BaselineSnapshot;
  /** Dedupe keys of this target's and profile's alerts still open or rejected: seen again, they are not judged again. */
  repeatKeys: ReadonlySet<string>;
  /** The approved bodies the plan's changes are compared with, by SHA-256. */
  oldBodies: ReadonlyMap<string, string>;
  /** What the published releases say of the plan's scripts, by SHA-256 (empty when nothing was verified). */
  verdicts: ReadonlyMap<string, ReleaseVerification>;
  knownBad: KnownBadHosts;
  /** limits.maxAlertsPerScan. */
  maxAlerts: number;
  /** The target's expectations of true bytes (config `expect`), resolved; and the mismatches approved already. */
  provenance?: Expectation[];
  acceptedProvenance?: ReadonlySet<string>;
}

export interface DetectOptions {
  /** Where the script analyzers run (a worker pool); here, synchronously, by default. */
  analyze?: AnalyzeChange;
}

/** True when the alert is already open (or rejected) and is only seen again. */
export function isRepeat(inputs: Pick<DetectInputs, 'repeatKeys'>, alert: PlannedAlert): boolean {
  return inputs.repeatKeys.has(alert.dedupeKey);
}

/**
 * The final plan: a first scan's release mismatches added, verdicts recorded, each new alert explained and rated by
 * the analyzers (an alert seen again keeps what it said the first time), run-time alerts grouped, and the new ones
 * capped at `maxAlerts`. The plan given is not changed.
 */
export async function detect(plan: ScanPlan, inputs: DetectInputs, options: DetectOptions = {}): Promise<ScanPlan> {
  const out: ScanPlan = { ...plan, scripts: plan.scripts.map((s) => ({ ...s })), alerts: [...plan.alerts] };
  const verdicts = new Map(inputs.verdicts);
  if (!inputs.baseline.established) firstScanMismatches(out, verdicts);
  if (verdicts.size) applyVerification(out, verdicts);
  const context = { baseline: inputs.baseline, oldBodies: inputs.oldBodies, knownBad: inputs.knownBad, analyze: options.analyze ?? ((change) => runAnalyzers(change)) };
  const analysed = await Promise.all(out.alerts.map((alert) => (isRepeat(inputs, alert) ? alert : analyzeAlert(alert, out, context))));
  // Provenance is judged on its own terms (the publisher's bytes, not the baseline), so the analyzers do not rate it.
  const provenance = provenanceFindings(out, inputs.provenance ?? []);
  if (provenance.warnings.length) out.scan = { ...out.scan, warnings: [...out.scan.warnings, ...provenance.warnings] };
  analysed.push(...provenance.alerts.filter((a) => !inputs.acceptedProvenance?.has(a.dedupeKey)));
  out.alerts = capAlerts(groupRuntimeAlerts(analysed), inputs.maxAlerts, (alert) => isRepeat(inputs, alert), out.target.url);
  return out;
}
