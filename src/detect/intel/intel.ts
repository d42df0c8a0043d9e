// The threat and library knowledge the analyzers consult: library signatures and known-bad hosts.

import { buildLibraryIndex, type LibraryIndex } from './libraries.js';
import type { KnownBadHosts } from './known-bad-hosts.js';

/** What an npm registry answered for one release (src/run/registry.ts asks it). */
export type FetchedRelease =
  /** `body`: the text of the file asked to be kept (`keep`), for a diff against what a page served. */
  | { status: 'ok'; files: { path: string; sha256: string; size: number; body?: string }[] }
  | { status: 'missing' }
  | { status: 'failed'; reason: string };

export interface RegistryClient {
  readonly url: string;
  fetchRelease(name: string, version: string, keep?: string): Promise<FetchedRelease>;
}

export interface Intel {
  libraries: LibraryIndex;
  knownBad: KnownBadHosts;
  /** Where published releases are fetched to verify library files; null when verification is off. */
  registry: RegistryClient | null;
  /** Where each part came from: bundled data files and the user's own (config `intel`). */
  sources: { kind: 'libraries' | 'knownBadHosts'; path: string; entries: number }[];
  /** SHA-256 of the library data as loaded: when it changes, what was approved before is identified again. */
  librariesDigest?: string;
}

/** No knowledge at all: for tests of the rules that do not depend on it. */
export function emptyIntel(): Intel {
  return { libraries: buildLibraryIndex(), knownBad: { hosts: new Set(), sources: [] }, registry: null, sources: [] };
}
