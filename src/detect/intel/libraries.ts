// Recognises JavaScript libraries and their versions from retire.js-format repository data (pure; no IO).

import { createHash } from 'node:crypto';
import type { RE2JS } from 're2js';
import { linearOf, requiredLiteral } from './bounded-patterns.js';
import type { ReleaseVerification } from './release-types.js';

/** One library entry of a retire.js repository file: version extractors and known vulnerabilities. */
export interface RetireEntry {
  extractors?: {
    uri?: string[];
    filename?: string[];
    filecontent?: string[];
    filecontentreplace?: string[];
    hashes?: Record<string, string>;
  };
  vulnerabilities?: { below?: string; atOrAbove?: string; severity?: string; identifiers?: Record<string, unknown> }[];
}
export type RetireRepository = Record<string, RetireEntry>;

export interface LibraryMatch {
  name: string;
  version: string;
  /**
   * How it was recognised: `hash` and `published` mean the body is byte-identical to a published release file (a
   * bundled hash, or the npm tarball fetched to verify it).
   */
  via: 'hash' | 'published' | 'content' | 'url' | 'filename';
  /** Known vulnerabilities of that version listed by the data source (CVE ids or summaries). */
  vulnerabilities: string[];
  /** What the published npm release says of the bytes (identical, differs, not verified), once checked. */
  release?: ReleaseVerification;
}

interface CompiledExtractor {
  kind: 'uri' | 'filename' | 'content' | 'replace';
  pattern: RegExp;
  /**
   * The same pattern for a linear-time engine (RE2): attacker-controlled bodies are matched with it. Compiled on
   * first use (a scan meets few of the thousands of patterns), null where RE2 cannot express it.
   */
  linear: (() => RE2JS | null) | null;
  /** A text the pattern cannot match without (checked before a backtracking match is tried on a body). */
  literal: string | null;
  replacement?: string;
}

interface CompiledLibrary {
  name: string;
  extractors: CompiledExtractor[];
  hashes: Map<string, string>;
  vulnerabilities: NonNullable<RetireEntry['vulnerabilities']>;
}

export interface LibraryIndex {
  libraries: CompiledLibrary[];
  /** SHA-1 of a published release file → library and version. */
  hashes: Map<string, { name: string; version: string }>;
}

const VERSION = '[0-9][0-9.a-z_\\-]+';
const SKIP = new Set(['retire-example', 'dont check']);
/** Bodies are searched in a bounded window: library banners and version fields sit near the start or the end. */
const HEAD_CHARS = 512 * 1024;
const TAIL_CHARS = 64 * 1024;

function compile(source: string): RegExp | null {
  try {
    return new RegExp(source.replaceAll('§§version§§', VERSION));
  } catch {
    return null;
  }
}

/** Splits retire's `/pattern/replacement/` form. */
function splitReplace(spec: string): { pattern: RegExp; replacement: string } | null {
  const match = /^\/(.*[^\\])\/([^/]+)\/$/.exec(spec);
  if (!match) return null;
  const pattern = compile(match[1]!);
  return pattern ? { pattern, replacement: match[2]! } : null;
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Two entries for one library: extractors, hashes and vulnerabilities of both. */
function mergeEntries(a: RetireEntry, b: RetireEntry): RetireEntry {
  const x = a.extractors ?? {};
  const y = b.extractors ?? {};
  return {
    extractors: {
      uri: [...list(x.uri), ...list(y.uri)],
      filename: [...list(x.filename), ...list(y.filename)],
      filecontent: [...list(x.filecontent), ...list(y.filecontent)],
      filecontentreplace: [...list(x.filecontentreplace), ...list(y.filecontentreplace)],
      hashes: { ...(x.hashes ?? {}), ...(y.hashes ?? {}) },
    },
    vulnerabilities: [...(Array.isArray(a.vulnerabilities) ? a.vulnerabilities : []), ...(Array.isArray(b.vulnerabilities) ? b.vulnerabilities : [])],
  };
}

/** Compiles one or more repositories; entries for the same library are merged (signatures, hashes, vulnerabilities). */
export function buildLibraryIndex(...repositories: RetireRepository[]): LibraryIndex {
  const merged = new Map<string, RetireEntry>();
  for (const repository of repositories) {
    for (const [name, entry] of Object.entries(repository)) {
      if (!entry || typeof entry !== 'object') continue;
      const known = merged.get(name);
      merged.set(name, known ? mergeEntries(known, entry) : entry);
    }
  }
  const libraries: CompiledLibrary[] = [];
  const hashes = new Map<string, { name: string; version: string }>();
  for (const [name, entry] of merged) {
    if (SKIP.has(name) || !entry || typeof entry !== 'object') continue;
    const ex = entry.extractors ?? {};
    const extractors: CompiledExtractor[] = [];
    const add = (kind: CompiledExtractor['kind'], list: unknown) => {
      for (const source of Array.isArray(list) ? list : []) {
        if (typeof source !== 'string') continue;
        if (kind === 'replace') {
          const spec = splitReplace(source);
          if (spec) extractors.push({ kind, ...spec, linear: linearOf(spec.pattern), literal: requiredLiteral(spec.pattern.source) });
        } else {
          const pattern = compile(source);
          if (pattern) extractors.push({ kind, pattern, linear: kind === 'content' ? linearOf(pattern) : null, literal: requiredLiteral(pattern.source) });
        }
      }
    };
    add('content', ex.filecontent);
    add('replace', ex.filecontentreplace);
    add('uri', ex.uri);
    add('filename', ex.filename);
    const own = new Map(Object.entries(ex.hashes ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
    for (const [sha1, version] of own) hashes.set(sha1, { name, version });
    libraries.push({ name, extractors, hashes: own, vulnerabilities: Array.isArray(entry.vulnerabilities) ? entry.vulnerabilities : [] });
  }
  return { libraries, hashes };
}

function parts(version: string): (number | string)[] {
  return version.split(/[.\-_]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/** Orders dotted versions numerically part by part (`3.10.0` after `3.9.1`); returns <0, 0 or >0. */
export function compareVersions(a: string, b: string): number {
  const x = parts(a);
  const y = parts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i] ?? 0;
    const q = y[i] ?? 0;
    if (p === q) continue;
    if (typeof p === 'number' && typeof q === 'number') return p - q;
    // A pre-release tag sorts before the release it precedes.
    if (typeof p === 'number') return 1;
    if (typeof q === 'number') return -1;
    return p < q ? -1 : 1;
  }
  return 0;
}

function vulnerabilitiesOf(library: CompiledLibrary, version: string): string[] {
  const ids = new Set<string>();
  for (const vuln of library.vulnerabilities) {
    if (vuln.below && compareVersions(version, vuln.below) >= 0) continue;
    if (vuln.atOrAbove && compareVersions(version, vuln.atOrAbove) < 0) continue;
    const identifiers = vuln.identifiers ?? {};
    const cve = Array.isArray(identifiers.CVE) ? identifiers.CVE.filter((c): c is string => typeof c === 'string') : [];
    const summary = typeof identifiers.summary === 'string' ? identifiers.summary : null;
    if (cve.length) cve.forEach((c) => ids.add(c));
    else if (summary) ids.add(summary.slice(0, 80));
  }
  return [...ids];
}

function window(body: string): string {
  return body.length <= HEAD_CHARS + TAIL_CHARS ? body : `${body.slice(0, HEAD_CHARS)}\n${body.slice(-TAIL_CHARS)}`;
}

/** What a backtracking pattern may see of a body: 64 KB from the start, long runs of white space cut to 16 characters. */
const BACKTRACK_CHARS = 64 * 1024;
function backtrackWindow(text: string): string {
  return text.slice(0, BACKTRACK_CHARS * 2).replace(/(\s)\s{16,}/g, (run) => run.slice(0, 16)).slice(0, BACKTRACK_CHARS);
}

/** The whole match and its first group: in linear time where RE2 can express the pattern, else on a bounded window. */
function matchBody(extractor: CompiledExtractor, text: string, bounded: () => string): [string, string | undefined] | null {
  // Whatever the engine, a body without the pattern's required text cannot match.
  if (extractor.literal !== null && !text.includes(extractor.literal)) return null;
  const linear = extractor.linear?.() ?? null;
  if (linear) {
    const matcher = linear.matcher(text);
    if (!matcher.find()) return null;
    return [matcher.group(0) ?? '', matcher.group(1) ?? undefined];
  }
  const match = extractor.pattern.exec(bounded());
  return match ? [match[0], match[1]] : null;
}

function extract(extractor: CompiledExtractor, text: string, bounded: (() => string) | null = null): string | null {
  // URLs and file names are short and ours to bound; bodies are the attacker's.
  const match = bounded ? matchBody(extractor, text, bounded) : (() => {
    const m = extractor.pattern.exec(text);
    return m ? [m[0], m[1]] as [string, string | undefined] : null;
  })();
  if (!match) return null;
  const raw = extractor.kind === 'replace' ? match[0].replace(extractor.pattern, extractor.replacement!) : match[1];
  if (!raw || !/^[0-9][0-9.a-z_-]*$/i.test(raw)) return null;
  // The version pattern is greedy: `jquery-3.5.1.min.js` yields `3.5.1.min` before the suffix is trimmed.
  return raw.replace(/([.-](min|slim|js|pack|prod|production|umd|esm|bundle))+$/i, '');
}

/**
 * Names the library a script is and its version: an exact release hash first, then the body's banner or version
 * field, then the URL. Returns null for code the data does not describe.
 */
export function identifyLibrary(index: LibraryIndex, input: { url: string | null; body: string | null }): LibraryMatch | null {
  if (input.body !== null) {
    const sha1 = createHash('sha1').update(input.body).digest('hex');
    const exact = index.hashes.get(sha1);
    const library = exact && index.libraries.find((l) => l.name === exact.name);
    if (exact && library) return { name: exact.name, version: exact.version, via: 'hash', vulnerabilities: vulnerabilitiesOf(library, exact.version) };
    const text = window(input.body);
    let small: string | null = null;
    const bounded = () => (small ??= backtrackWindow(text));
    for (const library of index.libraries) {
      for (const extractor of library.extractors) {
        if (extractor.kind !== 'content' && extractor.kind !== 'replace') continue;
        const version = extract(extractor, text, bounded);
        if (version) return { name: library.name, version, via: 'content', vulnerabilities: vulnerabilitiesOf(library, version) };
      }
    }
  }
  if (input.url) {
    let path: string;
    try {
      path = new URL(input.url).pathname;
    } catch {
      return null;
    }
    const file = path.slice(path.lastIndexOf('/') + 1);
    for (const library of index.libraries) {
      for (const extractor of library.extractors) {
        const subject = extractor.kind === 'uri' ? input.url : extractor.kind === 'filename' ? file : null;
        const version = subject === null ? null : extract(extractor, subject);
        if (version) return { name: library.name, version, via: extractor.kind === 'uri' ? 'url' : 'filename', vulnerabilities: vulnerabilitiesOf(library, version) };
      }
    }
  }
  return null;
}
