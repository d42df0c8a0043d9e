// The pure planning step: a capture and the baseline in, a ScanPlan (observations, baseline, alerts) out.

import { emptyBaseline, type BaselineSnapshot, type KnownScript } from './baseline.js';
import { sha256Hex } from './fingerprint.js';
import { DEFAULT_MASK_SETTINGS, describeMasking, normalizeCode, normalizedHash, type MaskSettings } from './normalize.js';
import { resolveScripts } from './resolve-scripts.js';
import { frameScopeOfKey, sameScriptOtherVersion, stripFragment } from './identity.js';
import { identifyLibrary, type LibraryIndex } from '../detect/intel/libraries.js';
import { urlClaims } from '../detect/intel/release-claims.js';
import { knownBadMatch, type KnownBadHosts } from '../detect/intel/known-bad-hosts.js';
import { judgeCanary } from '../detect/canary.js';
import { learnFromSamples } from './baseline-samples.js';
import type { PlannedAlert, PlannedScript, ScanPlan } from './plan.js';
import { compareCanary, compareDestinations, compareHeaders, compareRuntime, compareStored } from './compare-page.js';
import {
  resourceChangedSeverity,
  scriptAddedSeverity,
  scriptChangedSeverity,
  scriptRemovedSeverity,
} from './severity.js';
import { SOURCE_UNAVAILABLE, type PageCapture } from '../capture/types.js';

export interface PlanOptions {
  removalThreshold: number;
  /** Library signatures, to say what new versions are. */
  libraries?: LibraryIndex;
  /** Hosts known to serve malicious code: never accepted into a first baseline. */
  knownBad?: KnownBadHosts;
  /** Further loads taken while the baseline is established: volatile literals are learned from them. */
  samples?: PageCapture[];
  /** Hosts canary data may go to (the payment processors): canary.approvedHosts. */
  approvedHosts?: string[];
}


export function basePlan(capture: PageCapture): ScanPlan {
  const ok = capture.outcome.ok;
  return {
    target: { name: capture.target, url: capture.requestedUrl, type: capture.targetType },
    profile: capture.profile,
    scan: {
      url: capture.requestedUrl,
      finalUrl: capture.finalUrl,
      startedAt: capture.startedAt,
      finishedAt: capture.finishedAt,
      status: ok ? 'ok' : 'failed',
      errorCode: capture.outcome.ok ? null : capture.outcome.code,
      errorMessage: capture.outcome.ok ? null : capture.outcome.reason,
      httpStatus: capture.documentStatus,
      paymentForm: capture.forms.payment || capture.forms.login,
      headers: { ...capture.securityHeaders },
      forms: capture.forms,
      warnings: [...capture.truncated, ...failedLoadsOf(capture).map((f) => `script ${f.url} failed to load (${f.error})`), ...(capture.notices ?? [])],
      partial: capture.truncated.length > 0,
      failedLoads: failedLoadsOf(capture),
      canary: null,
      runtime: capture.runtime ?? [],
    },
    bodies: new Map(),
    scripts: [],
    missing: [],
    destinations: [],
    baselineAdds: [],
    learned: [],
    variants: [],
    alerts: [],
  };
}

/** Scripts of the capture that did not load, at most 50 (a page may ask for thousands). */
function failedLoadsOf(capture: PageCapture): { url: string; error: string }[] {
  return capture.scripts
    .filter((s) => s.body === null && s.loadError !== null && s.loadError !== SOURCE_UNAVAILABLE && s.url !== null)
    .slice(0, 50)
    .map((s) => ({ url: s.url!.slice(0, 500), error: s.loadError!.slice(0, 200) }));
}

function describeInitiator(script: PlannedScript): string {
  const initiator = script.meta.initiator;
  if (!initiator?.url || initiator.type === 'parser') return '';
  return initiator.type === 'eval' ? `, run by ${initiator.url}` : `, inserted by ${initiator.url}`;
}

function compareScripts(baseline: BaselineSnapshot, plan: ScanPlan, options: PlanOptions): void {
  const page = plan.target.url;
  const paymentPage = plan.scan.paymentForm;
  const isResource = plan.target.type === 'resource';
  const byId = new Map(baseline.scripts.map((k) => [k.id, k]));
  const observed = new Set<number>();
  // Known scripts this scan did not see: a new script may be one of them moved to a new release (see replacedScript).
  const seen = new Set(plan.scripts.map((s) => s.knownId));
  const absent = baseline.established ? baseline.scripts.filter((k) => !seen.has(k.id) && !k.retired && k.accepted.length > 0) : [];
  const replaced = new Map<number, string>();
  for (const script of plan.scripts) {
    const known = script.knownId === null ? undefined : byId.get(script.knownId);
    if (known) observed.add(known.id);
    const badEntry = !baseline.established && options.knownBad && script.url ? knownBadEntry(options.knownBad, script.url) : null;
    if (badEntry) {
      // A first scan accepts what it sees, except code from a known-bad host: a compromise on day one is still reported.
      plan.alerts.push({
        ...scriptAlert('script.added', script, null, paymentPage, page, `Script ${script.key} on ${page} is served from ${badEntry}, on the known-bad host list`),
        severity: 'critical',
      });
      continue;
    }
    if (!baseline.established) {
      const body = script.sha256 ? plan.bodies.get(script.sha256) : undefined;
      let normalized: string | null = null;
      if (body !== undefined) {
        normalized = normalizedHash(settingsFor(plan, script.key))(body);
        script.library = options.libraries ? identifyLibrary(options.libraries, { url: script.url, body }) : null;
      }
      if (script.sha256) plan.baselineAdds.push({ subjectType: 'script', subjectKey: script.key, value: script.sha256, normalized });
      continue;
    }
    if (script.sha256 === null) {
      if (!known) {
        plan.alerts.push(scriptAlert('script.added', script, null, paymentPage, page,
          `New ${script.kind} script ${script.key} could not be read (${script.meta.loadError ?? 'no body'})`));
      }
      continue;
    }
    if (known && !known.retired && known.mask.disabled.includes('cache-buster') && script.url && known.url && stripFragment(script.url) !== stripFragment(known.url)) {
      // With the cache-buster rule off for this script, a change of its query string is itself reported.
      plan.alerts.push({
        ...scriptAlert('script.changed', script, script.sha256, paymentPage, page, `Script ${script.key} is now loaded as ${script.url} (was ${known.url}); the cache-buster rule is off for it`),
        dedupeKey: `script.changed|${script.key}|url:${script.url}`,
      });
    }
    if (known && !known.retired && known.accepted.includes(script.sha256)) continue;
    const body = plan.bodies.get(script.sha256);
    if (body !== undefined) {
      const normalized = normalizeCode(body, known?.mask ?? DEFAULT_MASK_SETTINGS);
      script.meta.normalized = sha256Hex(normalized.text);
      if (known && !known.retired && known.acceptedNormalized.includes(script.meta.normalized)) {
        // Same code once volatile values are masked: recorded with its raw hash and the rules that applied, not alerted.
        script.meta.masked = describeMasking(normalized.hits);
        continue;
      }
      script.library = options.libraries ? identifyLibrary(options.libraries, { url: script.url, body }) : null;
    }
    if (!known || known.retired || known.accepted.length === 0) {
      const previous = replacedScript(script, absent, replaced);
      if (previous) {
        // One change from the old release to the new one: compared with the old body, and the old script's removal goes with it.
        replaced.set(previous.id, script.key);
        const oldSha = previous.lastSha && previous.accepted.includes(previous.lastSha) ? previous.lastSha : previous.accepted[0]!;
        const alert = scriptAlert('script.changed', script, oldSha, paymentPage, page,
          `${capitalize(script.kind)} script ${script.key} replaces ${previous.key} (a new release at a new URL): sha256 ${oldSha.slice(0, 12)} → ${script.sha256.slice(0, 12)}`);
        plan.alerts.push({
          ...alert,
          severity: scriptChangedSeverity({ paymentPage, url: null }),
          details: { ...alert.details, replaces: previous.key, previousUrl: previous.url },
        });
        continue;
      }
      plan.alerts.push(scriptAlert(isResource && known ? 'resource.changed' : 'script.added', script, null, paymentPage, page,
        `New ${script.kind} script ${script.key} on ${page}${describeInitiator(script)}`));
      continue;
    }
    const oldSha = known.lastSha && known.accepted.includes(known.lastSha) ? known.lastSha : known.accepted[0]!;
    const type = isResource ? 'resource.changed' : 'script.changed';
    const sizeNote = script.meta.size === null ? '' : ` (now ${script.meta.size} bytes)`;
    plan.alerts.push(scriptAlert(type, script, oldSha, paymentPage, page,
      `${isResource ? 'Hosted resource' : `${capitalize(script.kind)} script`} ${script.key}${describeInitiator(script)} changed${sizeNote}: sha256 ${oldSha.slice(0, 12)} → ${script.sha256.slice(0, 12)}`));
  }
  for (const variant of baseline.established ? [] : plan.variants) {
    const body = plan.bodies.get(variant.sha256) ?? '';
    const normalized = normalizedHash(settingsFor(plan, variant.key))(body);
    plan.baselineAdds.push({ subjectType: 'script', subjectKey: variant.key, value: variant.sha256, normalized });
  }
  // A capture cut short by limits.maxScriptsPerPage is partial: what it did not record is not missing.
  if (plan.scan.partial) return;
  for (const known of baseline.scripts) {
    if (observed.has(known.id) || known.retired) continue;
    const streak = known.missingStreak + 1;
    plan.missing.push({ id: known.id, missingStreak: streak });
    if (streak >= options.removalThreshold && known.accepted.length > 0 && !replaced.has(known.id)) {
      plan.alerts.push({
        type: 'script.removed',
        severity: scriptRemovedSeverity(),
        page,
        subject: known.key,
        subjectType: 'script',
        subjectKey: known.key,
        summary: `${capitalize(known.kind)} script ${known.key} absent from the last ${streak} successful scans`,
        dedupeKey: `script.removed|${known.key}`,
        oldValue: known.lastSha,
        newValue: null,
        details: { kind: known.kind, url: known.url, frameUrl: known.frameUrl, missingScans: streak },
      });
    }
  }
}

/**
 * The absent known script a new one replaces: the same URL but for its version or content hash (`/3.7.0/` →
 * `/3.7.1/`, `@1.2.3`, `-1.2.3.min.js`), else the same recognised library, or the same package named by another
 * CDN's URL, at another version. Each is taken once.
 */
function replacedScript(script: PlannedScript, absent: KnownScript[], taken: Map<number, string>): KnownScript | null {
  if (!script.url || script.kind === 'inline' || script.kind === 'eval') return null;
  const candidates = absent.filter((k) => !taken.has(k.id) && k.url && frameScopeOfKey(k.key) === frameScopeOfKey(script.key) && k.kind !== 'inline' && k.kind !== 'eval');
  const byUrl = candidates.find((k) => sameScriptOtherVersion(k.url!, script.url!));
  if (byUrl) return byUrl;
  const library = script.library;
  if (library) {
    const byLibrary = candidates.find((k) => k.library?.name === library.name && k.library.version !== library.version);
    if (byLibrary) return byLibrary;
  }
  // The same package at another version on another CDN (`cdnjs…/jquery/3.7.0/` → `jsdelivr…/npm/jquery@3.7.1/`).
  const claimed = new Map(urlClaims(script.url).map((c) => [c.name, c.version]));
  return candidates.find((k) => urlClaims(k.url!).some((c) => claimed.has(c.name) && claimed.get(c.name) !== c.version)) ?? null;
}

function knownBadEntry(list: KnownBadHosts, url: string): string | null {
  try {
    return knownBadMatch(list, new URL(url).hostname);
  } catch {
    return null;
  }
}

/** The mask settings a new script's baseline entries are hashed under: what was learned for it, else the defaults. */
function settingsFor(plan: ScanPlan, key: string): MaskSettings {
  return plan.learned.find((l) => l.key === key)?.settings ?? DEFAULT_MASK_SETTINGS;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function scriptAlert(
  type: 'script.added' | 'script.changed' | 'resource.changed',
  script: PlannedScript,
  oldSha: string | null,
  paymentPage: boolean,
  page: string,
  summary: string,
): PlannedAlert {
  const input = { paymentPage, url: script.url, pageUrl: page };
  const severity =
    type === 'script.added' ? scriptAddedSeverity(input)
    : type === 'resource.changed' ? resourceChangedSeverity(script.url ?? page)
    : scriptChangedSeverity(input);
  return {
    type,
    severity,
    page,
    subject: script.key,
    subjectType: 'script',
    subjectKey: script.key,
    summary,
    dedupeKey: `${type}|${script.key}|${script.sha256 ?? '-'}`,
    oldValue: oldSha,
    newValue: script.sha256,
    details: { ...script.meta, paymentPage, library: script.library ?? null },
  };
}

export function planScan(capture: PageCapture, baseline: BaselineSnapshot, options: PlanOptions): ScanPlan {
  const plan = basePlan(capture);
  if (!capture.outcome.ok) return plan;
  resolveScripts(capture, baseline, plan);
  if (!baseline.established && options.samples?.length) {
    learnFromSamples(plan, options.samples, (sample, known) => {
      const samplePlan = basePlan(sample);
      resolveScripts(sample, { ...emptyBaseline(), established: true, scripts: known }, samplePlan);
      return { scripts: samplePlan.scripts, bodies: samplePlan.bodies };
    });
  }
  compareScripts(baseline, plan, options);
  compareHeaders(capture, baseline, plan);
  compareDestinations(capture, baseline, plan);
  if (capture.canary) {
    const report = judgeCanary(capture.canary, capture.finalUrl ?? capture.requestedUrl, options.approvedHosts ?? []);
    plan.scan.canary = report;
    compareCanary(report, baseline, plan);
    compareStored(report, baseline, plan);
  }
  compareRuntime(capture, baseline, plan);
  return plan;
}
