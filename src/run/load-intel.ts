// Reads library signatures and known-bad host lists from the bundled data and the files config `intel` names.

import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ScriptwardenError } from '../errors.js';
import type { Intel } from '../detect/intel/intel.js';
import { parseHostList } from '../detect/intel/known-bad-hosts.js';
import { buildLibraryIndex, type RetireRepository } from '../detect/intel/libraries.js';
import { createRegistry } from './registry.js';

/** retire.js repository data, as the maintained npm copy ships it. */
const RETIRE_DATA = '@salesforce/code-analyzer-retirejs-engine/vulnerabilities/RetireJsVulns.json';

export interface IntelFiles {
  /** Extra retire.js-format repository files; their entries replace bundled ones of the same name. */
  libraries: string[];
  /** Extra known-bad host lists (one host per line). */
  knownBadHosts: string[];
  /** npm registry for release verification; null or absent: off. */
  registry?: string | null;
}

function read(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ScriptwardenError('CONFIG_INVALID', `${what}: cannot read ${path}: ${(error as Error).message}`);
  }
}

function readRepository(path: string, what: string): RetireRepository {
  let data: unknown;
  try {
    data = JSON.parse(read(path, what));
  } catch (error) {
    if (error instanceof ScriptwardenError) throw error;
    throw new ScriptwardenError('CONFIG_INVALID', `${what}: ${path} is not valid JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new ScriptwardenError('CONFIG_INVALID', `${what}: ${path} must be a retire.js repository (an object of libraries)`);
  }
  return data as RetireRepository;
}

/** Loads the bundled data, then the user's files on top. Called once per command, so edited files apply without a release. */
export function loadIntel(files: IntelFiles): Intel {
  const bundledRetire = createRequire(import.meta.url).resolve(RETIRE_DATA);
  const bundledHosts = fileURLToPath(new URL('../detect/intel/known-bad-hosts.txt', import.meta.url));
  const bundled = [
    bundledRetire,
    // Signatures for common libraries the retire.js data does not cover (core-js, GSAP, Modernizr), in its format.
    fileURLToPath(new URL('../detect/intel/libraries-extra.json', import.meta.url)),
    // SHA-1 of the published files of common releases (written by `scriptwarden intel release-hashes`).
    fileURLToPath(new URL('../detect/intel/release-hashes.json', import.meta.url)),
  ];
  const repositories: RetireRepository[] = bundled.map((path) => readRepository(path, 'bundled library data'));
  const sources: Intel['sources'] = bundled.map((path, i) => ({ kind: 'libraries', path, entries: Object.keys(repositories[i]!).length }));
  files.libraries.forEach((path, i) => {
    const repository = readRepository(path, `intel.libraries[${i}]`);
    repositories.push(repository);
    sources.push({ kind: 'libraries', path, entries: Object.keys(repository).length });
  });
  const hosts = new Set<string>();
  [bundledHosts, ...files.knownBadHosts].forEach((path, i) => {
    const list = parseHostList(read(path, i === 0 ? 'bundled known-bad hosts' : `intel.knownBadHosts[${i - 1}]`));
    list.forEach((h) => hosts.add(h));
    sources.push({ kind: 'knownBadHosts', path, entries: list.length });
  });
  return {
    libraries: buildLibraryIndex(...repositories),
    librariesDigest: createHash('sha256').update(JSON.stringify(repositories)).digest('hex'),
    knownBad: { hosts, sources: [bundledHosts, ...files.knownBadHosts] },
    registry: files.registry ? createRegistry(files.registry) : null,
    sources,
  };
}
