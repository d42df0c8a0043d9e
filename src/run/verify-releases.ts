// Checks scripts against the npm releases they claim to be: the cached file hashes first, else one fetch per release.

import { releaseClaims, type ReleaseVerification } from '../detect/intel/release-claims.js';
import type { LibraryMatch } from '../detect/intel/libraries.js';
import type { RegistryClient } from '../detect/intel/registry.js';
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
    const identical = () => {
      const files = options.releases.bySha(candidate.sha256);
      const claimed = files.find((f) => claims.some((c) => c.name === f.package && c.version === f.version));
      const file = claimed ?? files[0];
      return file ? { status: 'identical' as const, name: file.package, version: file.version, path: file.path } : null;
    };
    let verdict: ReleaseVerification | null = identical();
    let differs: ReleaseVerification | null = null;
    let unverified: ReleaseVerification | null = null;
    for (const claim of claims) {
      if (verdict) break;
      let record = options.releases.get(claim.name, claim.version);
      if (!record && !offline && options.registry && fetches > 0) {
        fetches--;
        const fetched = await options.registry.fetchRelease(claim.name, claim.version);
        if (fetched.status === 'failed') {
          // One unreachable registry is not asked again in this scan: a scan never waits on it twice.
          offline = `the registry ${options.registry.url} could not be reached (${fetched.reason})`;
        } else {
          options.releases.put({ name: claim.name, version: claim.version, status: fetched.status, registry: options.registry.url, files: fetched.status === 'ok' ? fetched.files : [] }, now());
          record = options.releases.get(claim.name, claim.version);
          verdict = identical();
        }
      }
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

/**
 * The library a script is, with what its published release says of it (kept in the inventory): bytes identical to
 * a published release name it (keeping what a signature knew, such as vulnerabilities); a claim that differs or could
 * not be checked is recorded as such.
 */
function publishedLibrary(library: LibraryMatch | null | undefined, verdict: ReleaseVerification): LibraryMatch {
  if (verdict.status === 'identical') return { name: library?.name ?? verdict.name, version: verdict.version, via: 'published', vulnerabilities: library?.vulnerabilities ?? [], release: verdict };
  const via = verdict.status === 'differs' && (verdict.via === 'banner' || verdict.via === 'signature') ? 'content' : 'url';
  return { ...(library ?? { name: verdict.name, version: verdict.version, via, vulnerabilities: [] }), release: verdict };
}

/** Records the verdicts in the plan: on each script's library (kept in the inventory) and in each alert's details. */
export function applyVerification(plan: ScanPlan, verdicts: Map<string, ReleaseVerification>): void {
  for (const script of plan.scripts) {
    const verdict = script.sha256 ? verdicts.get(script.sha256) : undefined;
    if (verdict && script.library !== undefined) script.library = publishedLibrary(script.library, verdict);
  }
  plan.alerts = plan.alerts.map((alert) => {
    const verdict = alert.newValue ? verdicts.get(alert.newValue) : undefined;
    if (!verdict) return alert;
    return { ...alert, details: { ...alert.details, release: verdict, library: publishedLibrary(alert.details.library as LibraryMatch | null | undefined, verdict) } };
  });
}

/**
 * On a first scan, a script whose URL names a published release its bytes are not (`/npm/lodash@4.17.21/…` serving
 * other code) is reported rather than quietly accepted: a library tampered with before monitoring began.
 */
export function firstScanMismatches(plan: ScanPlan, verdicts: Map<string, ReleaseVerification>): void {
  for (const script of plan.scripts) {
    const verdict = script.sha256 ? verdicts.get(script.sha256) : undefined;
    if (verdict?.status !== 'differs' || (verdict.via !== 'path' && verdict.via !== 'file')) continue;
    plan.alerts.push({
      type: 'script.added',
      severity: 'high',
      page: plan.target.url,
      subject: script.key,
      subjectType: 'script',
      subjectKey: script.key,
      summary: `Script ${script.key} claims to be ${verdict.name}@${verdict.version} by its URL, but its bytes match no file of that published release`,
      dedupeKey: `script.added|${script.key}|${script.sha256}`,
      oldValue: null,
      newValue: script.sha256,
      details: { ...script.meta, paymentPage: plan.scan.paymentForm, library: script.library ?? null, release: verdict, firstScan: true },
    });
  }
}
