// Analysis of a plan's new alerts: reads the previous bodies and lets the analyzers explain and rate each change.

import { brandLabel, lookalikeFindings } from '../detect/analyzers/lookalike-host.js';
import { classify } from '../detect/vendors.js';
import { packageBrand, urlClaims } from '../detect/intel/release-claims.js';
import { runAnalyzers, withFindings } from '../detect/analyzers/run-analyzers.js';
import type { AnalysisPool } from './analysis-pool.js';
import type { Finding } from '../detect/analyzers/types.js';
import type { Store } from '../store/open-store.js';
import type { PlannedAlert, ScanPlan } from '../plan/plan.js';
import type { BaselineSnapshot } from '../plan/baseline.js';
import type { Intel } from '../detect/intel/intel.js';
import type { LibraryMatch } from '../detect/intel/libraries.js';
import { knownBadFindings } from '../detect/analyzers/known-bad-host.js';
import { isLibraryVersionChange, isVerifiedRelease } from '../detect/analyzers/library-change.js';
import type { ReleaseVerification } from '../detect/intel/release-claims.js';
import { isVersionedUrl } from '../plan/severity.js';

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

/** Lets the analyzers explain and rate each new alert of a plan. A change already alerted only moves its lastSeen, so it is not analysed again. */
export async function analyzePlan(plan: ScanPlan, baseline: BaselineSnapshot, store: Store, intel: Intel, pool?: AnalysisPool): Promise<void> {
  plan.alerts = await Promise.all(plan.alerts.map((alert) =>
    store.isRepeat(plan.target.name, plan.profile, alert.dedupeKey) ? alert : analyzeAlert(alert, plan, baseline, store, intel, pool)));
}

