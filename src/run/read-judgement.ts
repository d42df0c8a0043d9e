// Reads what judging one plan needs (the IO half of detection): standing alerts, approved bodies, release verdicts,
// and which provenance mismatches stand or were accepted.

import type { DetectInputs } from '../detect/detect.js';
import { mismatchDedupeKey } from '../detect/release-verdicts.js';
import type { Intel } from '../detect/intel/intel.js';
import type { BaselineSnapshot } from '../plan/baseline.js';
import type { ScanPlan } from '../plan/plan.js';
import type { Store } from '../store/open-store.js';
import { releaseCandidates, verifyReleases } from './verify-releases.js';
import { provenanceFindings, type Expectation } from '../detect/provenance.js';

/**
 * The inputs of `detect` for a plan: which of its alerts already stand (looked up once), the approved bodies its
 * changes are compared with, and what the published npm releases say of its scripts (cached, else fetched).
 */
export async function readJudgement(plan: ScanPlan, baseline: BaselineSnapshot, store: Store, intel: Intel, maxAlerts: number, provenance: Expectation[] = []): Promise<DetectInputs> {
  // A first scan may add one alert per script whose bytes are not the release its URL names (detect/release-verdicts).
  const mismatchKeys = baseline.established ? [] : plan.scripts.filter((s) => s.sha256).map(mismatchDedupeKey);
  // Provenance mismatches (any scan): one that stands is seen again; one approved (accepted as served) is not raised again.
  const provenanceKeys = provenanceFindings(plan, provenance).alerts.map((a) => a.dedupeKey);
  const repeatKeys = await store.alerts.standingKeys(plan.target.name, plan.profile, [...plan.alerts.map((a) => a.dedupeKey), ...mismatchKeys, ...provenanceKeys]);
  const accepted = provenanceKeys.length ? await store.alerts.standingKeys(plan.target.name, plan.profile, provenanceKeys, true) : new Set<string>();
  for (const key of repeatKeys) accepted.delete(key);
  const oldBodies = new Map<string, string>();
  for (const alert of plan.alerts) {
    if (!alert.oldValue || repeatKeys.has(alert.dedupeKey) || oldBodies.has(alert.oldValue)) continue;
    const body = await store.blobs.textBySha(alert.oldValue);
    if (body !== null) oldBodies.set(alert.oldValue, body);
  }
  const candidates = releaseCandidates(plan, baseline.established, (a) => !repeatKeys.has(a.dedupeKey));
  const verdicts = candidates.length ? await verifyReleases(candidates, { releases: store.releases, registry: intel.registry }) : new Map();
  return { baseline, repeatKeys, oldBodies, verdicts, knownBad: intel.knownBad, maxAlerts, provenance, acceptedProvenance: accepted };
}
