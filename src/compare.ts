// The pure planning step: a capture and the baseline in, a ScanPlan (observations, baseline, alerts) out.

import type { BaselineSnapshot, KnownScript } from './baseline.js';
import { fingerprint, sha256Hex } from './fingerprint.js';
import { maskVolatile } from './normalize.js';
import { stableHeaders } from './headers.js';
import { anonymousGroup, anonymousKey, isAnonymous, matchAnonymous, urlKey } from './identity.js';
import type { PlannedAlert, PlannedScript, ScanPlan } from './plan.js';
import { compareDestinations, compareHeaders } from './compare-page.js';
import {
  resourceChangedSeverity,
  scriptAddedSeverity,
  scriptChangedSeverity,
  scriptRemovedSeverity,
} from './severity.js';
import type { PageCapture, ScriptCapture } from './types.js';

export interface PlanOptions {
  removalThreshold: number;
}

function knownGroup(known: KnownScript): string {
  const scope = /^\[frame [^\]]*\] /.exec(known.key)?.[0] ?? '';
  return `${scope}${known.kind}`;
}

function basePlan(capture: PageCapture): ScanPlan {
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
      warnings: [...capture.truncated],
    },
    bodies: new Map(),
    scripts: [],
    missing: [],
    destinations: [],
    baselineAdds: [],
    alerts: [],
  };
}

/** Gives every captured script its identity: a known script id, or a new key. */
function resolveScripts(capture: PageCapture, baseline: BaselineSnapshot, plan: ScanPlan): void {
  const byKey = new Map(baseline.scripts.map((k) => [k.key, k]));
  const byId = new Map(baseline.scripts.map((k) => [k.id, k]));
  const taken = new Set(baseline.scripts.map((k) => k.key));
  const fingerprints = capture.scripts.map((s) => (s.body === null ? null : { ...fingerprint(s.body), normalized: sha256Hex(maskVolatile(s.body)) }));
  const knownIdFor = new Map<number, number>();

  // Identical runtime code run many times (timers, re-arming loops) is one script, observed once.
  const groups = new Map<string, number[]>();
  const repeated = new Set<number>();
  const seenContent = new Set<string>();
  capture.scripts.forEach((script, index) => {
    if (!isAnonymous(script) || fingerprints[index] === null) return;
    const group = anonymousGroup(script);
    const content = `${group}|${fingerprints[index]!.sha256}`;
    if (seenContent.has(content)) {
      repeated.add(index);
      return;
    }
    seenContent.add(content);
    groups.set(group, [...(groups.get(group) ?? []), index]);
  });
  for (const [group, indexes] of groups) {
    const known = baseline.scripts.filter((k) => isAnonymous(k) && knownGroup(k) === group);
    const candidates = indexes.map((index) => ({
      index,
      sha256: fingerprints[index]!.sha256,
      normalized: fingerprints[index]!.normalized,
      body: capture.scripts[index]!.body!,
    }));
    for (const [index, id] of matchAnonymous(candidates, known)) knownIdFor.set(index, id);
  }

  const seenKeys = new Set<string>();
  capture.scripts.forEach((script: ScriptCapture, index) => {
    const print = fingerprints[index];
    let key: string;
    let knownId: number | null = null;
    if (isAnonymous(script)) {
      if (!print || repeated.has(index)) return;
      const id = knownIdFor.get(index);
      const known = id === undefined ? undefined : byId.get(id);
      if (known) {
        key = known.key;
        knownId = known.id;
      } else {
        key = anonymousKey(script, print.sha256, taken);
        taken.add(key);
      }
    } else {
      key = urlKey(script);
      knownId = byKey.get(key)?.id ?? null;
    }
    if (seenKeys.has(key)) return;
    seenKeys.add(key);
    if (print && script.body !== null && !script.bodyTooLarge) plan.bodies.set(print.sha256, script.body);
    plan.scripts.push({
      knownId,
      key,
      kind: script.kind,
      url: script.url,
      frameUrl: script.frameUrl,
      sha256: print?.sha256 ?? null,
      meta: {
        kind: script.kind,
        url: script.url,
        frameUrl: script.frameUrl,
        status: script.status,
        headers: stableHeaders(script.headers),
        remoteIp: script.remoteIp,
        remotePort: script.remotePort,
        // The capture-local scriptRef differs on every load; the stored initiator keeps only what identifies it.
        initiator: script.initiator ? { type: script.initiator.type, url: script.initiator.url, line: script.initiator.line, scriptRef: null } : null,
        sri: print?.sri ?? null,
        size: print?.size ?? null,
        loadError: script.loadError,
        normalized: print?.normalized ?? null,
        masked: null,
      },
    });
  });
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
  for (const script of plan.scripts) {
    const known = script.knownId === null ? undefined : byId.get(script.knownId);
    if (known) observed.add(known.id);
    if (!baseline.established) {
      if (script.sha256) plan.baselineAdds.push({ subjectType: 'script', subjectKey: script.key, value: script.sha256, normalized: script.meta.normalized });
      continue;
    }
    if (script.sha256 === null) {
      if (!known) {
        plan.alerts.push(scriptAlert('script.added', script, null, paymentPage, page,
          `New ${script.kind} script ${script.key} could not be read (${script.meta.loadError ?? 'no body'})`));
      }
      continue;
    }
    if (known && !known.retired && known.accepted.includes(script.sha256)) continue;
    if (known && !known.retired && script.meta.normalized && known.acceptedNormalized.includes(script.meta.normalized)) {
      // Same code once timestamps, ids and tokens are masked: recorded with its raw hash, not alerted.
      script.meta.masked = 'volatile tokens masked (timestamps, ids, tokens)';
      continue;
    }
    if (!known || known.retired || known.accepted.length === 0) {
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
  // A capture cut short by limits.maxScriptsPerPage is partial: what it did not record is not missing.
  if (plan.scan.warnings.length > 0) return;
  for (const known of baseline.scripts) {
    if (observed.has(known.id) || known.retired) continue;
    const streak = known.missingStreak + 1;
    plan.missing.push({ id: known.id, missingStreak: streak });
    if (streak >= options.removalThreshold && known.accepted.length > 0) {
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
  const input = { paymentPage, url: script.url };
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
    details: { ...script.meta, paymentPage },
  };
}

export function planScan(capture: PageCapture, baseline: BaselineSnapshot, options: PlanOptions): ScanPlan {
  const plan = basePlan(capture);
  if (!capture.outcome.ok) return plan;
  resolveScripts(capture, baseline, plan);
  compareScripts(baseline, plan, options);
  compareHeaders(capture, baseline, plan);
  compareDestinations(capture, baseline, plan);
  return plan;
}
