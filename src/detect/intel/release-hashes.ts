// Builds retire.js-format hash entries from npm release tarballs, so a body can be matched to a published file.

import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { RetireRepository } from './libraries.js';

export interface TarFile {
  path: string;
  data: Buffer;
}

/** Reads the regular files of a .tgz (ustar; long names through the `prefix` field and pax `path` records). */
export function readTarball(tgz: Buffer): TarFile[] {
  // A tarball is bounded after decompression too: a small gzip can expand without end.
  const tar = gunzipSync(tgz, { maxOutputLength: 512 * 1024 * 1024 });
  const files: TarFile[] = [];
  let paxPath: string | null = null;
  for (let offset = 0; offset + 512 <= tar.length;) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const text = (from: number, length: number) => header.subarray(from, from + length).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(text(124, 12).trim() || '0', 8);
    const type = text(156, 1) || '0';
    const prefix = text(345, 155);
    const body = tar.subarray(offset + 512, offset + 512 + size);
    if (type === 'x') {
      paxPath = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1] ?? null;
    } else {
      if (type === '0') files.push({ path: paxPath ?? (prefix ? `${prefix}/${text(0, 100)}` : text(0, 100)), data: Buffer.from(body) });
      paxPath = null;
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** npm package names whose retire.js library name differs. */
const LIBRARY_NAMES: Record<string, string> = {
  moment: 'moment.js', underscore: 'underscore.js', dompurify: 'DOMPurify', 'core-js-bundle': 'core-js', backbone: 'backbone.js',
  'mustache': 'mustache.js', 'datatables.net': 'jquery.datatables', 'chart.js': 'chart.js', 'jquery-ui': 'jquery-ui',
};

export function libraryNameFor(packageName: string): string {
  return LIBRARY_NAMES[packageName] ?? packageName;
}

/**
 * The files a browser would load: JavaScript under `dist/` when the package has one, else its top-level builds
 * (8 KB or more, which leaves out the one-function modules packages like lodash also ship).
 */
export function publishedScripts(files: TarFile[]): TarFile[] {
  const js = files.filter((f) => /\.js$/.test(f.path));
  const dist = js.filter((f) => /^[^/]+\/dist\//.test(f.path));
  return dist.length ? dist : js.filter((f) => /^[^/]+\/[^/]+\.js$/.test(f.path) && f.data.length >= 8 * 1024);
}

/** Adds one release's file hashes (SHA-1, as retire.js keys them) to a repository. */
export function addReleaseHashes(repository: RetireRepository, library: string, version: string, files: TarFile[]): number {
  const entry = repository[library] ?? { extractors: { hashes: {} } };
  const hashes = { ...(entry.extractors?.hashes ?? {}) };
  const scripts = publishedScripts(files);
  for (const file of scripts) hashes[createHash('sha1').update(file.data).digest('hex')] = version;
  repository[library] = { ...entry, extractors: { ...entry.extractors, hashes } };
  return scripts.length;
}
