// Bounded matching of attacker-controlled text: library patterns in RE2 (linear time), behind a literal prefilter.

import { RE2JS } from 're2js';

/** The pattern in RE2, which matches in time linear in the text; null for the few it cannot express (back-references, repeats over 1000). */
export function linearOf(pattern: RegExp): () => RE2JS | null {
  let compiled: RE2JS | null | undefined;
  return () => {
    if (compiled !== undefined) return compiled;
    try {
      compiled = RE2JS.compile(pattern.source);
    } catch {
      compiled = null;
    }
    return compiled;
  };
}

/**
 * The longest run of plain characters the pattern must contain, for a pattern without alternation or optional
 * groups (else null): a cheap test that rules most bodies out before a backtracking engine sees them.
 */
export function requiredLiteral(source: string): string | null {
  if (/\|/.test(source.replace(/\\./g, '')) || /\)[?*]|\)\{0/.test(source)) return null;
  let best = '';
  let run = '';
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\' && i + 1 < source.length) {
      const next = source[i + 1]!;
      i++;
      if (depth === 0 && /[^A-Za-z0-9]/.test(next)) { run += next; continue; }
      // An escape's own payload (\x41, \u0041, \u{41}, \cJ, \p{L}, \k<name>) is no text of the body.
      const payload = next === 'x' ? 2 : next === 'u' ? (source[i + 1] === '{' ? source.indexOf('}', i) - i : 4) : next === 'c' ? 1
        : 'pPk'.includes(next) ? Math.max(0, source.indexOf(next === 'k' ? '>' : '}', i) - i) : 0;
      i += Math.max(0, payload);
    } else if (c === '{' && depth === 0) {
      // A repeat count is no text of the body.
      const end = source.indexOf('}', i);
      if (end !== -1) i = end;
    } else if (c === '[') depth++;
    else if (c === ']' && depth > 0) depth--;
    else if (depth === 0 && !'()^$.|?*+{}'.includes(c)) {
      // A character made optional or repeated by what follows is not required as is.
      const after = source[i + 1];
      if (after !== undefined && '?*{'.includes(after)) { run = ''; continue; }
      run += c;
      continue;
    }
    if (run.length > best.length) best = run;
    run = '';
  }
  if (run.length > best.length) best = run;
  return best.length >= 4 ? best : null;
}
