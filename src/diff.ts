// Unified diffs of two script versions, for reading what an alert changed.

import { createTwoFilesPatch } from 'diff';

/** A unified diff with a few lines of context; long minified lines are split on statements first. */
export function unifiedDiff(oldText: string, newText: string, labels: { old: string; new: string }): string {
  const split = (text: string) =>
    text
      .split('\n')
      .flatMap((line) => (line.length > 400 ? line.replace(/;(?=\S)/g, ';\n').split('\n') : [line]))
      .join('\n');
  return createTwoFilesPatch(labels.old, labels.new, split(oldText), split(newText), undefined, undefined, { context: 3 });
}
