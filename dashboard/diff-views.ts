// The readable versions and diffs the dashboard shows: bounded, computed once per version (pair), off the request thread.

import type { AnalysisPool } from '../src/run/analysis-pool.js';
import { boundedDiff, type BoundedDiff } from '../src/evidence/diff.js';
import { beautify } from '../src/plan/normalize.js';
import type { Store } from '../src/store/open-store.js';

export interface DiffViews {
  /** The beautified body (cached in the database); the raw body when beautifying ran out of its budget. */
  beautified(sha256: string): Promise<string | null>;
  /** The diff of two versions, or why it is too large to show inline; cached per pair. */
  diff(oldSha: string, newSha: string): Promise<BoundedDiff>;
}

/** Inputs up to this size are diffed on the request thread; larger ones go to the analysis pool. */
const INLINE_CHARS = 64 * 1024;
const CACHED_DIFFS = 200;

export function createDiffViews(store: Store, pool?: AnalysisPool): DiffViews {
  const diffs = new Map<string, Promise<BoundedDiff>>();
  const beautified = async (sha256: string): Promise<string | null> => {
    const cached = await store.inventory.cachedBeautified(sha256);
    if (cached !== undefined) return cached;
    const raw = await store.blobs.textBySha(sha256);
    if (raw === null) return null;
    const text = raw.length <= INLINE_CHARS || !pool ? beautify(raw) : await pool.beautify(raw) ?? raw;
    await store.inventory.saveBeautified(sha256, text);
    return text;
  };
  const compute = async (oldSha: string, newSha: string): Promise<BoundedDiff> => {
    const [a, b] = [await beautified(oldSha), await beautified(newSha)];
    if (a === null || b === null) return { tooLarge: 'a version is not stored' };
    if (a.length + b.length <= INLINE_CHARS || !pool) return boundedDiff(a, b);
    return await pool.diff(a, b) ?? { tooLarge: `the diff took longer than ${pool.budgetMs} ms` };
  };
  return {
    beautified,
    diff(oldSha, newSha) {
      const key = `${oldSha}|${newSha}`;
      let known = diffs.get(key);
      if (known) {
        diffs.delete(key);
      } else {
        known = compute(oldSha, newSha);
        known.catch(() => diffs.delete(key));
      }
      diffs.set(key, known);
      if (diffs.size > CACHED_DIFFS) diffs.delete(diffs.keys().next().value!);
      return known;
    },
  };
}
