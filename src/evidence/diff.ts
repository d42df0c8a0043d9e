// Unified diffs of two script versions, for reading what an alert changed.

import { createTwoFilesPatch, structuredPatch } from 'diff';

function hasLongLine(text: string, limit: number): boolean {
  let start = 0;
  for (;;) {
    const end = text.indexOf('\n', start);
    if ((end === -1 ? text.length : end) - start > limit) return true;
    if (end === -1) return false;
    start = end + 1;
  }
}

/** Splits long minified lines on statement ends so that a diff points at the statements that changed. */
export function prepareForDiff(text: string): string {
  if (!hasLongLine(text, 400)) return text;
  return text
    .split('\n')
    .flatMap((line) => (line.length > 400 ? line.replace(/([;{}])(?=\S)/g, '$1\n').split('\n') : [line]))
    .join('\n');
}

/** A unified diff with a few lines of context. */
export function unifiedDiff(oldText: string, newText: string, labels: { old: string; new: string }): string {
  return createTwoFilesPatch(labels.old, labels.new, prepareForDiff(oldText), prepareForDiff(newText), undefined, undefined, { context: 3 });
}

/**
 * The differing middle of two texts, with `context` equal lines kept on each side: a small change in a large
 * file is then diffed over a few lines, not the whole file. `offset` is the number of leading lines dropped.
 */
function changedMiddle(oldText: string, newText: string, context: number): { oldPart: string; newPart: string; offset: number } {
  const a = oldText.split('\n');
  const b = newText.split('\n');
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  const from = Math.max(0, prefix - context);
  const keepSuffix = Math.max(0, suffix - context);
  return { oldPart: a.slice(from, a.length - keepSuffix).join('\n'), newPart: b.slice(from, b.length - keepSuffix).join('\n'), offset: from };
}

export interface DiffLine {
  kind: 'add' | 'del' | 'ctx';
  oldLine: number | null;
  newLine: number | null;
  text: string;
}

export interface DiffHunk {
  /** Unchanged lines skipped before this hunk. */
  skipped: number;
  lines: DiffLine[];
}

/** Beyond this many differing lines a diff is not shown inline (it would take seconds and say little). */
export const MAX_DIFF_EDITS = 2000;

export type BoundedDiff = { hunks: DiffHunk[] } | { tooLarge: string };

/** Hunks of changed lines with context, or why they are too large to show inline (download both versions instead). */
export function boundedDiff(oldText: string, newText: string, maxEdits = MAX_DIFF_EDITS): BoundedDiff {
  const hunks = limitedHunks(oldText, newText, 3, maxEdits);
  return hunks ? { hunks } : { tooLarge: `more than ${maxEdits} lines differ` };
}

/** Hunks of changed lines with context; unchanged regions are reported only as counts. */
export function diffHunks(oldText: string, newText: string, context = 3): DiffHunk[] {
  return limitedHunks(oldText, newText, context, undefined)!;
}

/** The hunks, or null past `maxEdits` differing lines. */
function limitedHunks(oldText: string, newText: string, context: number, maxEdits: number | undefined): DiffHunk[] | null {
  const { oldPart, newPart, offset } = changedMiddle(prepareForDiff(oldText), prepareForDiff(newText), context);
  const patch = structuredPatch('old', 'new', oldPart, newPart, undefined, undefined, { context, ...(maxEdits === undefined ? {} : { maxEditLength: maxEdits }) });
  if (!patch) return null;
  let previousEnd = 1;
  return patch.hunks.map((hunk) => {
    hunk.oldStart += offset;
    hunk.newStart += offset;
    let oldLine = hunk.oldStart;
    let newLine = hunk.newStart;
    const lines: DiffLine[] = [];
    for (const raw of hunk.lines) {
      const mark = raw[0];
      const text = raw.slice(1);
      if (mark === '+') lines.push({ kind: 'add', oldLine: null, newLine: newLine++, text });
      else if (mark === '-') lines.push({ kind: 'del', oldLine: oldLine++, newLine: null, text });
      else if (mark === ' ') lines.push({ kind: 'ctx', oldLine: oldLine++, newLine: newLine++, text });
    }
    const skipped = Math.max(0, hunk.oldStart - previousEnd);
    previousEnd = hunk.oldStart + hunk.oldLines;
    return { skipped, lines };
  });
}
