// Stable script identities: URL-keyed for loaded scripts, content-matched for inline and runtime code.

import type { KnownScript } from './baseline.js';
import type { ScriptCapture } from '../capture/types.js';

/**
 * Inline and runtime-compiled code have no URL, and blob: or data: URLs change on every load;
 * these scripts keep their identity by content matching.
 */
export function isAnonymous(script: Pick<ScriptCapture, 'kind' | 'url'>): boolean {
  return script.kind === 'inline' || script.kind === 'eval' || /^(blob|data):/i.test(script.url ?? '');
}

export function stripFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}

/** Frames other than the top document prefix their scripts' keys, so the same URL in two frames stays two scripts. */
export function frameScope(script: Pick<ScriptCapture, 'isMainFrame' | 'frameUrl'>): string {
  if (script.isMainFrame) return '';
  const url = stripFragment(script.frameUrl);
  const query = url.indexOf('?');
  return `[frame ${query === -1 ? url : url.slice(0, query)}] `;
}

/** The frame prefix a script key starts with (`[frame …] `), or '' for the top document's scripts. */
export function frameScopeOfKey(key: string): string {
  return /^\[frame [^\]]*\] /.exec(key)?.[0] ?? '';
}

const CACHE_BUSTER_NAMES = new Set(['v', 'ver', 'version', 'cb', 'cachebust', 'cache_bust', 'cachebuster', 'bust', '_', 't', 'ts', 'timestamp', 'time', 'rnd', 'rand', 'random', 'nocache', 'r']);

function isCacheBuster(name: string, value: string): boolean {
  return CACHE_BUSTER_NAMES.has(name.toLowerCase()) || /^\d{8,}$/.test(value) || /^[0-9a-f]{16,}$/i.test(value);
}

/**
 * The identity of a script URL: without fragment and without cache-busting parameters (`?v=123`, `?cb=<random>`,
 * timestamps), so a script keeps one identity across them. Other parameters (an account id, say) stay.
 */
export function scriptUrlIdentity(url: string): string {
  const bare = stripFragment(url);
  const query = bare.indexOf('?');
  if (query === -1) return bare;
  const kept = bare
    .slice(query + 1)
    .split('&')
    .filter((pair) => {
      if (!pair) return false;
      const [rawName, rawValue = ''] = pair.split('=');
      let name = rawName!;
      let value = rawValue;
      try {
        name = decodeURIComponent(name);
        value = decodeURIComponent(value);
      } catch {
        // keep the raw text
      }
      return !isCacheBuster(name, value);
    });
  return kept.length ? `${bare.slice(0, query)}?${kept.join('&')}` : bare.slice(0, query);
}

export function urlKey(script: ScriptCapture): string {
  return `${frameScope(script)}${scriptUrlIdentity(script.url ?? '')}`;
}

export function anonymousGroup(script: Pick<ScriptCapture, 'isMainFrame' | 'frameUrl' | 'kind'>): string {
  return `${frameScope(script)}${script.kind}`;
}

export function anonymousKey(script: ScriptCapture, sha256: string, taken: Set<string>): string {
  const base = `${frameScope(script)}${script.kind}:${sha256.slice(0, 12)}`;
  let key = base;
  for (let n = 2; taken.has(key); n++) key = `${base}-${n}`;
  return key;
}

function lineSet(text: string): Set<string> {
  const lines = new Set<string>();
  for (const raw of text.split(/\r?\n|;/)) {
    const line = raw.trim();
    if (line) lines.add(line);
  }
  return lines;
}

/** Dice coefficient over trimmed lines and statements: 1 for identical code, 0 for nothing in common. */
export function similarity(a: string, b: string): number {
  const left = lineSet(a);
  const right = lineSet(b);
  if (left.size === 0 && right.size === 0) return 1;
  let shared = 0;
  for (const line of left) if (right.has(line)) shared++;
  return (2 * shared) / (left.size + right.size);
}

export interface AnonymousCandidate {
  index: number;
  sha256: string;
  /** Hash with volatile tokens masked; equal for two loads of an inline script that carries a fresh token. */
  normalized: string;
  body: string;
}

/**
 * Pairs this scan's inline/runtime scripts of one group with known ones: first by identical content,
 * then by similarity, and a last single leftover on each side is taken as a modification.
 * Returns capture index → known script id.
 */
export function matchAnonymous(
  candidates: AnonymousCandidate[],
  known: KnownScript[],
  threshold = 0.5,
): Map<number, number> {
  const matches = new Map<number, number>();
  const freeKnown = new Map(known.filter((k) => !k.retired).map((k) => [k.id, k]));
  const pending: AnonymousCandidate[] = [];
  for (const candidate of candidates) {
    let found: KnownScript | undefined;
    for (const k of freeKnown.values()) {
      if (k.lastSha === candidate.sha256 || k.accepted.includes(candidate.sha256) || k.acceptedNormalized.includes(candidate.normalized)) {
        found = k;
        break;
      }
    }
    if (found) {
      matches.set(candidate.index, found.id);
      freeKnown.delete(found.id);
    } else {
      pending.push(candidate);
    }
  }
  const pairs: { score: number; candidate: AnonymousCandidate; known: KnownScript }[] = [];
  for (const candidate of pending) {
    for (const k of freeKnown.values()) {
      if (k.lastBody === null) continue;
      const score = similarity(candidate.body, k.lastBody);
      if (score >= threshold) pairs.push({ score, candidate, known: k });
    }
  }
  pairs.sort((a, b) => b.score - a.score);
  const usedCandidates = new Set<number>();
  for (const pair of pairs) {
    if (usedCandidates.has(pair.candidate.index) || !freeKnown.has(pair.known.id)) continue;
    matches.set(pair.candidate.index, pair.known.id);
    usedCandidates.add(pair.candidate.index);
    freeKnown.delete(pair.known.id);
  }
  const leftCandidates = pending.filter((c) => !usedCandidates.has(c.index));
  if (leftCandidates.length === 1 && freeKnown.size === 1) {
    matches.set(leftCandidates[0]!.index, [...freeKnown.keys()][0]!);
  }
  return matches;
}

/** A path segment that is a version or a release directory: `3.7.1`, `v1.20`, `2.0.0-rc.1`. */
const VERSION_SEGMENT = /^v?\d+(?:\.\d+)+(?:[-+][0-9a-z.-]+)?$|^v\d+$/i;
/** A version or content hash inside a file or package segment: `jquery-3.7.1.min.js`, `pkg@1.2.3`, `app.3f9a1c2be4.js`. */
const EMBEDDED_VERSION = /(@|[-_.])v?\d+(?:\.\d+)+(?:-(?:alpha|beta|rc|next|canary|pre)[.\d]*)?(?=[-_.]|$)|@\d[^/]*$|([-_.])[0-9a-f]{8,}(?=[-_.]|$)/gi;

/**
 * The URL with its version and content-hash parts replaced by a placeholder. Two URLs with the same version-less
 * form are one script moved to a new release (`/3.7.0/` → `/3.7.1/`, `@1.2.3`, `-1.2.3.min.js`, `.3f9a1c2b.js`).
 */
export function versionlessUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(scriptUrlIdentity(url));
  } catch {
    return url;
  }
  const path = parsed.pathname
    .split('/')
    .map((segment) => (VERSION_SEGMENT.test(segment) ? '{v}' : segment.replace(EMBEDDED_VERSION, (match: string) => `${match[0]}{v}`)))
    .join('/');
  return `${parsed.protocol}//${parsed.host}${path}${parsed.search}`;
}

/** True when two different script URLs differ only in version or content-hash parts. */
export function sameScriptOtherVersion(a: string, b: string): boolean {
  return scriptUrlIdentity(a) !== scriptUrlIdentity(b) && versionlessUrl(a) === versionlessUrl(b);
}
