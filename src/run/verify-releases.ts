// Checks scripts against the npm releases they claim to be: the cached file hashes first, else one fetch per release.

import { releaseClaims, type ReleaseVerification } from '../detect/intel/release-claims.js';
import type { LibraryMatch } from '../detect/intel/libraries.js';
import type { RegistryClient } from '../detect/intel/intel.js';
import type { Releases } from '../store/releases.js';
import type { PlannedAlert, ScanPlan } from '../plan/plan.js';

export interface ReleaseCandidate {
  sha256: string;
  url: string | null;
  body: string | null;
  library: LibraryMatch | null;
}

export interface VerifyOptions {
  releases: Releases;
  /** null: verification is off (config intel.registry: off); every claim is "not verified". */
  registry: RegistryClient | null;
  /** At most this many registry fetches for one scan; later claims wait for the next scan. */
  maxFetches?: number;
  now?: () => string;
}

/**
 * For each script that claims a release (URL, file name, banner or signature): `identical` when its bytes are a
 * file of that published release (or of any release fetched before), `differs` when the release exists and has no
 * such file, `unverified` when the registry could not be asked. Claims no release backs are dropped.
 */
export async function verifyReleases(candidates: ReleaseCandidate[], options: VerifyOptions): Promise<Map<string, ReleaseVerification>> {
  const out = new Map<string, ReleaseVerification>();
  let fetches = options.maxFetches ?? 12;
  let offline: string | null = options.registry ? null : 'release verification is off (intel.registry)';
  const now = options.now ?? (() => new Date().toISOString());
  for (const candidate of candidates) {
    if (out.has(candidate.sha256)) continue;
    const claims = releaseClaims(candidate.url, candidate.body, candidate.library);
    const identical = async () => {
      const files = await options.releases.bySha(candidate.sha256);
      const claimed = files.find((f) => claims.some((c) => c.name === f.package && c.version === f.version));
      const file = claimed ?? files[0];
      return file ? { status: 'identical' as const, name: file.package, version: file.version, path: file.path } : null;
    };
    let verdict: ReleaseVerification | null = await identical();
    let differs: ReleaseVerification | null = null;
    let unverified: ReleaseVerification | null = null;
    for (const claim of claims) {
      if (verdict) break;
      let record = await options.releases.get(claim.name, claim.version);
      if (!record && !offline && options.registry && fetches > 0) {
        fetches--;
        const fetched = await options.registry.fetchRelease(claim.name, claim.version);
        if (fetched.status === 'failed') {
          // One unreachable registry is not asked again in this scan: a scan never waits on it twice.
          offline = `the registry ${options.registry.url} could not be reached (${fetched.reason})`;
        } else {
          await options.releases.put({ name: claim.name, version: claim.version, status: fetched.status, registry: options.registry.url, files: fetched.status === 'ok' ? fetched.files : [] }, now());
          record = await options.releases.get(claim.name, claim.version);
        }
      }
      // The record is this fetch's, or another target's scan recorded it since the first look (targets are judged side
      // by side): the files are read again before the bytes are said to differ.
      if (record) verdict = await identical();
      if (verdict) break;
      if (record?.status === 'ok') differs ??= { status: 'differs', name: claim.name, version: claim.version, via: claim.via };
      else if (!record) unverified ??= { status: 'unverified', name: claim.name, version: claim.version, reason: offline ?? 'not fetched yet: too many releases to fetch in one scan' };
    }
    const result = verdict ?? differs ?? unverified;
    if (result) out.set(candidate.sha256, result);
  }
  return out;
}

/** The scripts of a plan worth verifying: every script of a first scan, else the new versions that raise an alert. */
export function releaseCandidates(plan: ScanPlan, established: boolean, isNewAlert: (alert: PlannedAlert) => boolean): ReleaseCandidate[] {
  const alerted = new Set(plan.alerts.filter((a) => a.newValue && isNewAlert(a)).map((a) => a.newValue!));
  return plan.scripts
    .filter((s) => s.sha256 && (!established || alerted.has(s.sha256)))
    .map((s) => ({ sha256: s.sha256!, url: s.url, body: plan.bodies.get(s.sha256!) ?? null, library: s.library ?? null }));
}
