// Resolves each captured script to its identity: a known script id, or a new key (URL-keyed, or content-matched).

import type { BaselineSnapshot, KnownScript } from './baseline.js';
import { fingerprint, sha256Hex } from './fingerprint.js';
import { stableHeaders } from './headers.js';
import { anonymousGroup, anonymousKey, frameScopeOfKey, isAnonymous, matchAnonymous, urlKey } from './identity.js';
import { maskVolatile } from './normalize.js';
import type { ScanPlan } from './plan.js';
import type { PageCapture, ScriptCapture } from '../capture/types.js';

function knownGroup(known: KnownScript): string {
  const scope = frameScopeOfKey(known.key);
  return `${scope}${known.kind}`;
}

/** Gives every captured script its identity: a known script id, or a new key. */
export function resolveScripts(capture: PageCapture, baseline: BaselineSnapshot, plan: ScanPlan): void {
  const byKey = new Map(baseline.scripts.map((k) => [k.key, k]));
  const byId = new Map(baseline.scripts.map((k) => [k.id, k]));
  const taken = new Set(baseline.scripts.map((k) => k.key));
  // Normalised hashes are needed up front only for inline and runtime code, which is matched by content.
  const fingerprints = capture.scripts.map((s) =>
    s.body === null
      // A body the crawler only fingerprinted (over a limit) is compared by its hash alone.
      ? (s.fingerprint ? { ...s.fingerprint, normalized: isAnonymous(s) ? s.fingerprint.sha256 : null } : null)
      : { ...fingerprint(s.body), normalized: isAnonymous(s) ? sha256Hex(maskVolatile(s.body)) : null });
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
      normalized: fingerprints[index]!.normalized!,
      body: capture.scripts[index]!.body ?? '',
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
        normalized: null,
        masked: null,
      },
    });
  });
}
