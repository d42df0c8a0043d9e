// Records release verdicts in a plan (pure): on each script's library, in each alert, and a first scan's mismatches.

import type { ReleaseVerification } from './intel/release-claims.js';
import type { LibraryMatch } from './intel/libraries.js';
import type { ScanPlan } from '../plan/plan.js';

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

/** The dedupe key of a first scan's release mismatch for a script. */
export function mismatchDedupeKey(script: { key: string; sha256: string | null }): string {
  return `script.added|${script.key}|${script.sha256}`;
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
      dedupeKey: mismatchDedupeKey(script),
      oldValue: null,
      newValue: script.sha256,
      details: { ...script.meta, paymentPage: plan.scan.paymentForm, library: script.library ?? null, release: verdict, firstScan: true },
    });
  }
}
