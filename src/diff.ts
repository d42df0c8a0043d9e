// Unified diffs of two script versions, for reading what an alert changed.

import { createTwoFilesPatch, structuredPatch } from 'diff';

/** Splits long minified lines on statement ends so that a diff points at the statements that changed. */
export function prepareForDiff(text: string): string {
  return text
    .split('\n')
    .flatMap((line) => (line.length > 400 ? line.replace(/([;{}])(?=\S)/g, '$1\n').split('\n') : [line]))
    .join('\n');
}

/** A unified diff with a few lines of context. */
export function unifiedDiff(oldText: string, newText: string, labels: { old: string; new: string }): string {
  return createTwoFilesPatch(labels.old, labels.new, prepareForDiff(oldText), prepareForDiff(newText), undefined, undefined, { context: 3 });
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
  const patch = structuredPatch('old', 'new', prepareForDiff(oldText), prepareForDiff(newText), undefined, undefined, { context });
  let previousEnd = 1;
  return patch.hunks.map((hunk) => {
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
