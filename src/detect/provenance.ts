// Provenance (pure): the served bytes of a hosted file or a page's script against the bytes its publisher says are
// true (config `expect`). A mismatch is critical on any scan, the first one too: a baseline approved after the tamper
// would otherwise hide it.

import type { PlannedAlert, ScanPlan } from '../plan/plan.js';

/** One expectation of a scan, resolved: the expected SHA-256, or why it could not be had. */
export interface Expectation {
  /** The script's URL as the page loads it (a resource target: its own URL). */
  script: string;
  /** Where the true bytes come from, in words: `npm jquery@3.7.1/dist/jquery.min.js`. */
  source: string;
  sha256: string | null;
  /** Why the expected bytes could not be had (a fetch failed): the check did not happen, and the scan says so. */
  error: string | null;
}

export const provenanceKey = (scriptKey: string, servedSha: string) => `provenance.mismatch|${scriptKey}|${servedSha}`;

const sameUrl = (a: string, b: string) => {
  try {
    return new URL(a).href.replace(/#.*$/, '') === new URL(b).href.replace(/#.*$/, '');
  } catch {
    return a === b;
  }
};

/** The scripts of a plan an expectation applies to: those loaded from its URL. */
export function expectedScripts(plan: ScanPlan, expectation: Expectation): ScanPlan['scripts'] {
  return plan.scripts.filter((s) => s.url !== null && sameUrl(s.url, expectation.script));
}

/**
 * The alerts and warnings of a plan's expectations: `provenance.mismatch` (critical) for each script whose served
 * bytes are not the expected ones, and a warning for each check that could not be made (the expected bytes could not
 * be fetched, the script was not loaded, its body was not kept): never a silent pass.
 */
export function provenanceFindings(plan: ScanPlan, expectations: Expectation[]): { alerts: PlannedAlert[]; warnings: string[] } {
  const alerts: PlannedAlert[] = [];
  const warnings: string[] = [];
  if (plan.scan.status !== 'ok') return { alerts, warnings };
  for (const expectation of expectations) {
    if (expectation.error !== null || expectation.sha256 === null) {
      warnings.push(`provenance of ${expectation.script} not checked: the expected bytes (${expectation.source}) could not be had: ${expectation.error ?? 'unknown'}`);
      continue;
    }
    const scripts = expectedScripts(plan, expectation);
    if (scripts.length === 0) warnings.push(`provenance of ${expectation.script} not checked: the page did not load it`);
    for (const script of scripts) {
      if (script.sha256 === null) {
        warnings.push(`provenance of ${expectation.script} not checked: its body was not read (${script.meta.loadError ?? 'over a size limit'})`);
        continue;
      }
      if (script.sha256 === expectation.sha256) continue;
      alerts.push({
        type: 'provenance.mismatch',
        severity: 'critical',
        page: plan.target.url,
        subject: script.key,
        subjectType: 'script',
        subjectKey: script.key,
        summary: `${script.url} is not the file its publisher ships (${expectation.source}): served SHA-256 ${script.sha256.slice(0, 16)}…, expected ${expectation.sha256.slice(0, 16)}…`,
        dedupeKey: provenanceKey(script.key, script.sha256),
        oldValue: expectation.sha256,
        newValue: script.sha256,
        details: { ...script.meta, provenance: { source: expectation.source, expectedSha256: expectation.sha256, servedSha256: script.sha256 }, paymentPage: plan.scan.paymentForm },
      });
    }
  }
  return { alerts, warnings };
}
