// Learns which literals of a script change on every load, by aligning two loads token by token (pure).

import { diffArrays } from 'diff';
import { anchorOf, type MaskSettings } from './normalize.js';
import { isLiteral, isSignificant, tokenize, type Token } from './js-lexer.js';

export interface LearnResult {
  /** Anchors of literals that differ between the two loads (see normalize.ts). */
  anchors: string[];
  /** Examples of the values that differed, for the report. */
  examples: string[];
  /** True when the loads differ in more than single literals: code was added, removed or changed. */
  structural: boolean;
}

/** Longer loads are not aligned token by token; above this they only count as structural changes. */
const MAX_TOKENS = 400_000;
/** Values that look like code or addresses are never learned as volatile. */
const NOT_VOLATILE = /:\/\/|\s|[<>(){};]/;

function significant(code: string): Token[] {
  return tokenize(code).filter(isSignificant);
}

function learnable(a: Token, b: Token): boolean {
  if (!isLiteral(a) || !isLiteral(b) || a.type !== b.type) return false;
  const inner = (t: Token) => (t.type === 'number' ? t.text : t.text.slice(1, -1));
  const x = inner(a);
  const y = inner(b);
  return x.length <= 200 && y.length <= 200 && !NOT_VOLATILE.test(x) && !NOT_VOLATILE.test(y);
}

/**
 * Aligns two loads of one script. A literal replaced by another literal at the same place is volatile: its anchor
 * (the three tokens before it) is learned. Anything else that differs makes the difference structural.
 */
export function learnVolatile(first: string, second: string): LearnResult {
  const a = significant(first);
  const b = significant(second);
  if (a.length > MAX_TOKENS || b.length > MAX_TOKENS) return { anchors: [], examples: [], structural: first !== second };
  const parts = diffArrays(a.map((t) => t.text), b.map((t) => t.text));
  const anchors = new Set<string>();
  const examples: string[] = [];
  let structural = false;
  let indexA = 0;
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p]!;
    const next = parts[p + 1];
    if (!part.added && !part.removed) {
      indexA += part.count ?? part.value.length;
      continue;
    }
    if (part.removed && next?.added && part.value.length === next.value.length) {
      for (let k = 0; k < part.value.length; k++) {
        const oldToken = a[indexA + k]!;
        const newToken: Token = { type: oldToken.type, text: next.value[k]! };
        const retyped = significant(next.value[k]!)[0] ?? newToken;
        if (!learnable(oldToken, retyped)) {
          structural = true;
          continue;
        }
        anchors.add(anchorOf(a.slice(Math.max(0, indexA + k - 3), indexA + k).map((t) => t.text)));
        if (examples.length < 5) examples.push(`${oldToken.text.slice(0, 40)} → ${retyped.text.slice(0, 40)}`);
      }
      indexA += part.value.length;
      p++;
      continue;
    }
    structural = true;
    if (part.removed) indexA += part.value.length;
  }
  return { anchors: [...anchors], examples, structural };
}

/** Adds learned anchors to a script's settings, keeping the list bounded. */
export function withLearned(settings: MaskSettings, anchors: string[]): MaskSettings {
  const learned = [...new Set([...settings.learned, ...anchors])].slice(-500);
  return { ...settings, learned };
}
