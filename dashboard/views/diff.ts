// Renders diff hunks as a table with line numbers; unchanged regions appear only as a count.

import type { DiffHunk } from '../../src/evidence/diff.js';
import { highlightLine } from '../highlight.js';
import { html, type Html } from '../html.js';

const MAX_LINES = 5000;

export function diffTable(hunks: DiffHunk[]): Html {
  let shown = 0;
  const rows: Html[] = [];
  for (const hunk of hunks) {
    if (hunk.skipped > 0) rows.push(html`<tr class="skip"><td colspan="3">⋯ ${hunk.skipped} unchanged lines</td></tr>`);
    for (const line of hunk.lines) {
      if (shown++ >= MAX_LINES) break;
      const mark = line.kind === 'add' ? '+' : line.kind === 'del' ? '-' : ' ';
      rows.push(html`<tr class="${line.kind}"><td class="ln">${line.oldLine ?? ''}</td><td class="ln">${line.newLine ?? ''}</td><td class="code"><span class="mark">${mark}</span>${highlightLine(line.text)}</td></tr>`);
    }
    if (shown >= MAX_LINES) {
      rows.push(html`<tr class="skip"><td colspan="3">Diff cut at ${MAX_LINES} lines; download the raw bodies to read the rest.</td></tr>`);
      break;
    }
  }
  if (rows.length === 0) return html`<p class="muted">No textual difference.</p>`;
  return html`<table class="diff"><tbody>${rows}</tbody></table>`;
}

/** A new script: all of it is added. */
export function addedCode(text: string): Html {
  const lines = text.split('\n');
  return diffTable([{ skipped: 0, lines: lines.map((t, i) => ({ kind: 'add' as const, oldLine: null, newLine: i + 1, text: t })) }]);
}
