// Compares the extra loads taken while a baseline is established with the first: learns volatile literals, keeps variants.

import type { KnownScript } from './baseline.js';
import { isAnonymous } from './identity.js';
import { learnVolatile, withLearned } from './learn-volatile.js';
import { DEFAULT_MASK_SETTINGS } from './normalize.js';
import type { PlannedScript, ScanPlan } from './plan.js';
import type { PageCapture } from '../capture/types.js';

export type SampleResolver = (sample: PageCapture, known: KnownScript[]) => { scripts: PlannedScript[]; bodies: Map<string, string> };

/** The first load's scripts dressed as known scripts, so a sample's scripts resolve to them by the usual rules. */
function asKnown(plan: ScanPlan): KnownScript[] {
  return plan.scripts.map((script, index) => {
    const body = script.sha256 ? plan.bodies.get(script.sha256) ?? null : null;
    return {
      id: index + 1, key: script.key, kind: script.kind, url: script.url, frameUrl: script.frameUrl, retired: false,
      missingStreak: 0, accepted: script.sha256 ? [script.sha256] : [], acceptedNormalized: [], lastSha: script.sha256,
      mask: { disabled: [], learned: [] }, library: null, lastBody: isAnonymous(script) ? body : null,
    };
  });
}

/**
 * For each script the first load and a sample both have, with different bytes: literals that differ are learned
 * as volatile (plan.learned); a version that differs in code is kept as another baseline variant (A/B tests).
 */
export function learnFromSamples(plan: ScanPlan, samples: PageCapture[], resolve: SampleResolver): void {
  const known = asKnown(plan);
  const learned = new Map<string, Set<string>>();
  for (const sample of samples) {
    if (!sample.outcome.ok) continue;
    const resolved = resolve(sample, known);
    for (const script of resolved.scripts) {
      if (script.knownId === null || !script.sha256) continue;
      const first = plan.scripts[script.knownId - 1]!;
      if (!first.sha256 || first.sha256 === script.sha256) continue;
      const before = plan.bodies.get(first.sha256);
      const after = resolved.bodies.get(script.sha256);
      if (before === undefined || after === undefined) continue;
      const result = learnVolatile(before, after);
      const anchors = learned.get(first.key) ?? new Set<string>();
      result.anchors.forEach((a) => anchors.add(a));
      learned.set(first.key, anchors);
      if (result.structural) {
        plan.bodies.set(script.sha256, after);
        plan.variants.push({ key: first.key, sha256: script.sha256 });
      }
    }
  }
  plan.learned = [...learned].filter(([, a]) => a.size > 0).map(([key, anchors]) => ({ key, settings: withLearned(DEFAULT_MASK_SETTINGS, [...anchors]) }));
}
