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

/** Hunks of changed lines with context; unchanged regions are reported only as counts. */
export function diffHunks(oldText: string, newText: string, context = 3): DiffHunk[] {
  const { oldPart, newPart, offset } = changedMiddle(prepareForDiff(oldText), prepareForDiff(newText), context);
  const patch = structuredPatch('old', 'new', oldPart, newPart, undefined, undefined, { context });
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
