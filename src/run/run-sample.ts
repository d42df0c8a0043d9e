// Sequences `scriptwarden sample`: one more load of each target, compared with the baseline to learn volatile literals.

import { planScan } from '../plan/plan-scan.js';
import { profilesFor } from '../config/config.js';
import { learnVolatile, withLearned } from '../plan/learn-volatile.js';
import { captureOnce, type ScanDeps } from './run-scan.js';
import { normalizedHash } from '../plan/normalize.js';
import type { TargetConfig } from '../config/config.js';

export interface SampledScript {
  key: string;
  scriptId: number;
  /** Volatile positions learned from this sample that were not known before. */
  learned: number;
  examples: string[];
  /** The sample's version now compares equal to an accepted one. */
  nowMatches: boolean;
  /** The sample differs in code, not only in literals: nothing was learned; a scan will alert on it. */
  structural: boolean;
}

export interface SampleOutcome {
  target: string;
  profile: string;
  status: 'ok' | 'failed' | 'no-baseline';
  error: { code: string; message: string } | null;
  scripts: SampledScript[];
}

async function sampleOne(deps: ScanDeps, target: TargetConfig, profile: string): Promise<SampleOutcome> {
  const { store, config, capturer, intel } = deps;
  const capture = await captureOnce(capturer, target, profile);
  const base = { target: target.name, profile, scripts: [] as SampledScript[] };
  if (!capture.outcome.ok) return { ...base, status: 'failed', error: { code: capture.outcome.code, message: capture.outcome.reason } };
  const baseline = await store.scans.readBaseline(target.name, profile);
  if (!baseline.established) return { ...base, status: 'no-baseline', error: null };
  const plan = planScan(capture, baseline, { removalThreshold: config.removalThreshold, libraries: intel.libraries, approvedHosts: config.canary.approvedHosts });
  const byId = new Map(baseline.scripts.map((k) => [k.id, k]));
  for (const script of plan.scripts) {
    const known = script.knownId === null ? undefined : byId.get(script.knownId);
    if (!known || !script.sha256 || known.accepted.length === 0 || known.accepted.includes(script.sha256) || script.meta.masked) continue;
    const before = await store.blobs.textBySha(known.accepted[0]!);
    const after = plan.bodies.get(script.sha256);
    if (before === null || after === undefined) continue;
    const result = learnVolatile(before, after);
    const current = await store.inventory.maskSettings(known.id);
    const fresh = result.anchors.filter((a) => !current.learned.includes(a));
    const settings = withLearned(current, fresh);
    const hash = normalizedHash(settings);
    if (fresh.length) await store.inventory.setMaskSettings(known.id, settings, hash);
    const nowMatches = hash(after) === hash(before);
    base.scripts.push({ key: known.key, scriptId: known.id, learned: fresh.length, examples: result.examples, nowMatches, structural: result.structural });
  }
  return { ...base, status: 'ok', error: null };
}

/** Takes one sample per target and profile, in order. Writes only mask settings: no scan, no alert. */
export async function runSample(deps: ScanDeps & { targets: TargetConfig[] }, onDone?: (outcome: SampleOutcome) => void): Promise<SampleOutcome[]> {
  const outcomes: SampleOutcome[] = [];
  for (const target of deps.targets) {
    for (const profile of profilesFor(deps.config, target)) {
      const outcome = await sampleOne(deps, target, profile);
      outcomes.push(outcome);
      onDone?.(outcome);
    }
  }
  return outcomes;
}
