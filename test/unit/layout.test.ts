// Unit: the layout's import rules hold (docs/architecture.md): who may import whom, and which stages do no IO.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, it } from 'vitest';
import { ROOT } from '../fixtures/paths.js';

/** Every TypeScript source file under a folder of the repository, as a path relative to the root. */
function sources(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** What one file imports for its behaviour (static and dynamic; types aside), as repository paths where relative. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(import|export)(\s+type\b)?[^'"`;]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)/g)]
    .filter((m) => !m[2])
    .map((m) => m[3] ?? m[4]!);
  return specs.map((spec) => (spec.startsWith('.') ? relative(ROOT, resolve(dirname(join(ROOT, file)), spec)) : spec));
}

const IO_MODULES = /^(node:)?(fs|fs\/promises|net|http|https|child_process|dgram|worker_threads)$|^better-sqlite3$|^puppeteer/;

function offending(files: string[], bad: (target: string) => boolean): string[] {
  return files.flatMap((file) => importsOf(file).filter(bad).map((target) => `${file} imports ${target}`));
}

describe('layout', () => {
  it('src/ imports neither crawler/ nor dashboard/, but for the composition root src/cli/', () => {
    const files = sources('src').filter((f) => !f.startsWith('src/cli/'));
    assert.ok(files.length > 50);
    assert.deepEqual(offending(files, (t) => t.startsWith('crawler/') || t.startsWith('dashboard/')), []);
  });

  it('crawler/ and dashboard/ never import each other', () => {
    assert.deepEqual(offending(sources('crawler'), (t) => t.startsWith('dashboard/')), []);
    assert.deepEqual(offending(sources('dashboard'), (t) => t.startsWith('crawler/')), []);
  });

  it('planning and detection are pure: no file, network, database or browser, no store, no run step', () => {
    const files = [...sources('src/plan'), ...sources('src/detect')];
    assert.deepEqual(offending(files, (t) => IO_MODULES.test(t) || t.startsWith('src/store/') || t.startsWith('src/run/') || t.startsWith('src/cli/')), []);
    const fetching = files.filter((f) => /\bfetch\(/.test(readFileSync(join(ROOT, f), 'utf8')));
    assert.deepEqual(fetching, []);
  });

  it('the store is storage only: it neither captures, plans nor runs', () => {
    const bad = (t: string) => /^puppeteer/.test(t) || t.startsWith('src/run/') || t.startsWith('src/detect/') || t.startsWith('src/cli/');
    assert.deepEqual(offending(sources('src/store'), bad), []);
    // What to store comes decided: no normalising, beautifying, party classification or settings merging in it.
    const deciding = sources('src/store').filter((f) => /\b(normalizeCode|beautify|classify|partyFields|withLearned)\(/.test(readFileSync(join(ROOT, f), 'utf8')));
    assert.deepEqual(deciding, []);
  });
});
