// What a target's baseline already holds, as the crawler is told it: a load showing nothing else skips costly evidence.

import type { BaselineSnapshot } from './baseline.js';
import { collectDestinations, comparableHeaderValue } from './compare-page.js';
import { sha256Hex } from './fingerprint.js';
import { SECURITY_HEADERS, type PageCapture } from '../capture/types.js';
import type { KnownContent } from '../capture/capturer.js';

export type { KnownContent } from '../capture/capturer.js';

/** Undefined before the baseline is established: a first scan knows nothing yet. */
export function knownContent(baseline: BaselineSnapshot): KnownContent | undefined {
  if (!baseline.established) return undefined;
  const live = baseline.scripts.filter((s) => !s.retired);
  return {
    bodies: [...new Set(live.flatMap((s) => s.accepted))],
    expected: [...new Set(live.map((s) => s.lastSha).filter((sha): sha is string => sha !== null))],
    headers: Object.fromEntries(baseline.headers),
    hosts: [...baseline.hosts],
  };
}

/**
 * What a load shows that the baseline does not hold, in words (empty: nothing). Deliberately coarser than the plan:
 * a body that differs only in volatile values, a script that failed to load, or an approved alternate version
 * counts as new here, so evidence is taken whenever the plan could raise a change.
 */
export function unknownIn(known: KnownContent, seen: Pick<PageCapture, 'scripts' | 'requests' | 'securityHeaders'>): string[] {
  const out: string[] = [];
  const bodies = new Set(known.bodies);
  const seenHashes = new Set<string>();
  for (const script of seen.scripts) {
    const sha = script.body !== null ? sha256Hex(script.body) : script.fingerprint?.sha256 ?? null;
    if (sha === null) out.push(`no body for ${script.url ?? script.kind}`);
    else if (!bodies.has(sha)) out.push(`new body of ${script.url ?? script.kind}`);
    if (sha !== null) seenHashes.add(sha);
  }
  const missing = known.expected.filter((sha) => !seenHashes.has(sha)).length;
  if (missing > 0) out.push(`${missing} known script version(s) not seen`);
  for (const name of SECURITY_HEADERS) {
    const encoded = JSON.stringify(comparableHeaderValue(name, seen.securityHeaders[name] ?? null));
    if (!(known.headers[name] ?? []).includes(encoded)) out.push(`header ${name}`);
  }
  const hosts = new Set(known.hosts);
  for (const { host } of collectDestinations(seen)) if (!hosts.has(host)) out.push(`host ${host}`);
  return out;
}
