// Explains and rates one new alert of a plan from what was read for it (pure): script changes and new destinations.

import { brandLabel } from './analyzers/lookalike-host.js';
import { classify } from './vendors.js';
import { packageBrand, urlClaims } from './intel/release-claims.js';
import { CONNECTION_ANALYZERS, runAnalyzers, withFindings } from './analyzers/run-analyzers.js';
import type { Finding, ScriptChange } from './analyzers/types.js';
import type { PlannedAlert, ScanPlan } from '../plan/plan.js';
import type { BaselineSnapshot } from '../plan/baseline.js';
import type { KnownBadHosts } from './intel/known-bad-hosts.js';
import type { LibraryMatch } from './intel/libraries.js';
import { isLibraryVersionChange, isVerifiedRelease } from './analyzers/library-change.js';
import type { ReleaseVerification } from './intel/release-claims.js';
import { isVersionedUrl } from '../plan/severity.js';

const CODE_ALERTS = new Set(['script.added', 'script.changed', 'resource.changed']);

/** Runs the script analyzers on a change: here by default, or elsewhere (a worker pool with a time budget). */
export type AnalyzeChange = (change: ScriptChange) => Finding[] | Promise<Finding[]>;

/** What judging an alert may read: the baseline, the approved bodies by SHA-256, the known-bad list. */
export interface AlertContext {
  baseline: BaselineSnapshot;
  oldBodies: ReadonlyMap<string, string>;
  knownBad: KnownBadHosts;
  analyze: AnalyzeChange;
}

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
export function budgetFinding(budgetMs: number): Finding {
  return {
    analyzer: 'analysis-budget', severity: 'medium', kind: 'obfuscation',
    title: `analysis stopped after its ${budgetMs} ms budget (code that stalls analysis may be crafted to: read it by hand)`,
    detail: `limit ${budgetMs} ms`,
  };
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}

/** A new destination: a vendor's script calling its own service is low; the host analyzers judge the host itself. */
function analyzeConnection(alert: PlannedAlert, plan: ScanPlan, context: AlertContext): PlannedAlert {
  const initiators = Array.isArray(alert.details.initiators) ? (alert.details.initiators as string[]) : [];
  if (initiators.length > 0 && initiators.every((script) => ownService(script, alert.subject))) {
    alert = { ...alert, severity: 'low', summary: `${alert.summary}; the vendor's own service, called by its script` };
  }
  const knownHosts = [...context.baseline.hosts, ...[hostOf(plan.target.url)].filter((h): h is string => h !== null)];
  return withFindings(alert, runAnalyzers({ host: alert.subject, knownHosts, knownBad: context.knownBad }, CONNECTION_ANALYZERS));
}

/** Lets the analyzers explain (and rate) a new alert: a changed or new script against its approved body, or a new destination. */
export async function analyzeAlert(alert: PlannedAlert, plan: ScanPlan, context: AlertContext): Promise<PlannedAlert> {
  if (alert.type === 'connection.added') return analyzeConnection(alert, plan, context);
  if (!CODE_ALERTS.has(alert.type) || !alert.newValue) return alert;
  const newCode = plan.bodies.get(alert.newValue);
  if (newCode === undefined) return alert;
  const release = (alert.details.release as ReleaseVerification | undefined) ?? null;
  const url = typeof alert.details.url === 'string' ? alert.details.url : null;
  const newLibrary = (alert.details.library as LibraryMatch | null | undefined) ?? null;
  // A new release at a new URL is compared with the script it replaces.
  const replaces = typeof alert.details.replaces === 'string' ? alert.details.replaces : null;
  const known = context.baseline.scripts.find((k) => k.key === (replaces ?? alert.subjectKey));
  // What the instrumentation saw this script do to payment and login fields in this load.
  // Code run through eval is reported under the script that ran it.
  const runner = url ?? (alert.details.initiator as { url?: string | null } | null | undefined)?.url ?? null;
  const change: ScriptChange = {
    oldCode: alert.oldValue ? context.oldBodies.get(alert.oldValue) ?? null : null,
    newCode, url, pageHost: hostOf(plan.target.url), knownHosts: [...context.baseline.hosts], paymentPage: plan.scan.paymentForm,
    oldLibrary: alert.type === 'script.added' ? null : known?.library ?? null, newLibrary, knownBad: context.knownBad, release,
    fieldAccess: runner ? plan.scan.runtime.filter((s) => (s.kind === 'listen' || s.kind === 'read') && s.script === runner).map((s) => `${s.kind} ${s.detail}`) : [],
    resource: plan.target.type === 'resource',
  };
  return withFindings(alert, await context.analyze(change), {
    libraryUpgrade: isLibraryVersionChange(change),
    verifiedRelease: isVerifiedRelease(change),
    immutable: alert.type !== 'script.added' && replaces === null && isVersionedUrl(url ?? plan.target.url),
  });
}
