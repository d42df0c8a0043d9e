// Normalised views of script text: beautified code for reading, and a masked token stream for comparing loads.

import beautifier from 'js-beautify';
import { formatCode } from '../evidence/format-code.js';
import { scanTokens } from './js-lexer.js';
import { sha256Hex } from './fingerprint.js';

/** Above this size js-beautify takes seconds; larger bodies get the linear line breaker (format-code.ts). */
const MAX_BEAUTIFY_BYTES = 200 * 1024;

export function beautify(code: string): string {
  if (code.length > MAX_BEAUTIFY_BYTES) return formatCode(code);
  try {
    return beautifier.js(code, { indent_size: 2, max_preserve_newlines: 2, wrap_line_length: 0, end_with_newline: true });
  } catch {
    return code;
  }
}

/** The suppression rules; each can be turned off per script (`scriptwarden rules`). All but `cache-buster` mask text. */
import { MASK_RULES, type MaskRule } from '../config/mask-rules.js';

export { MASK_RULES, type MaskRule };

export const MASK_RULE_HELP: Record<MaskRule, string> = {
  timestamps: 'ISO dates and times inside strings and comments',
  uuids: 'UUIDs',
  'long-numbers': 'numbers of 10 or more digits (epoch times, ids)',
  'hex-ids': 'hex strings of 16 or more characters (build ids, hashes)',
  'quoted-tokens': 'quoted 20-96 character tokens mixing letters and digits (nonces, CSRF and session tokens)',
  'learned-tokens': 'literals learned as volatile by comparing loads of this script',
  whitespace: 'white space between tokens (formatting, as beautify would fold it)',
  'cache-buster': 'cache-busting query parameters (?v=, ?cb=, timestamps) keep the script\'s identity; off: a change of them is reported',
};

export interface MaskSettings {
  disabled: MaskRule[];
  /** Learned volatile positions: the three significant tokens before a literal that differs between loads. */
  learned: string[];
}

export const DEFAULT_MASK_SETTINGS: MaskSettings = { disabled: [], learned: [] };

export interface MaskHit {
  rule: MaskRule;
  count: number;
  example: string;
}

const PATTERNS: { rule: MaskRule; pattern: RegExp; replacement: string }[] = [
  { rule: 'timestamps', pattern: /\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?\b/g, replacement: '<time>' },
  { rule: 'uuids', pattern: /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, replacement: '<uuid>' },
  { rule: 'long-numbers', pattern: /\b\d{10,}\b/g, replacement: '<number>' },
  { rule: 'hex-ids', pattern: /\b[0-9a-f]{16,}\b/gi, replacement: '<hex>' },
];
const QUOTED_TOKEN = /^(["'`])(?=[^"'`]*\d)(?=[^"'`]*[A-Za-z])[A-Za-z0-9+/_=-]{20,96}\1$/;

/** Separator of the tokens in a learned anchor. */
export const ANCHOR_SEPARATOR = '\u001f';
const ANCHOR_LENGTH = 3;

export function anchorOf(previous: string[]): string {
  return previous.slice(-ANCHOR_LENGTH).join(ANCHOR_SEPARATOR);
}

export interface Normalized {
  text: string;
  hits: MaskHit[];
}

/** The hash a baseline keeps of a body under a script's settings: SHA-256 of its normalised text. */
export function normalizedHash(settings: MaskSettings): (text: string) => string {
  return (text) => sha256Hex(normalizeCode(text, settings).text);
}

/**
 * The comparable form of a script: literals that carry per-response values masked (generic patterns and the
 * positions learned for this script), and white space between tokens folded. Code, hosts and structure stay.
 */
export function normalizeCode(code: string, settings: MaskSettings = DEFAULT_MASK_SETTINGS): Normalized {
  const off = new Set(settings.disabled);
  const learned = off.has('learned-tokens') ? new Set<string>() : new Set(settings.learned);
  const hits = new Map<MaskRule, MaskHit>();
  const hit = (rule: MaskRule, example: string) => {
    const entry = hits.get(rule);
    if (entry) entry.count++;
    else hits.set(rule, { rule, count: 1, example: example.slice(0, 80) });
  };
  const generic = (text: string): string => {
    // Every pattern needs at least 10 characters: shorter literals (most of them) skip the regexes.
    if (text.length < 10) return text;
    let out = text;
    for (const { rule, pattern, replacement } of PATTERNS) {
      if (off.has(rule)) continue;
      out = out.replace(pattern, (match) => {
        hit(rule, match);
        return replacement;
      });
    }
    if (out === text && !off.has('quoted-tokens') && QUOTED_TOKEN.test(out)) {
      hit('quoted-tokens', out);
      return `${out[0]}<token>${out[0]}`;
    }
    return out;
  };
  const fold = !off.has('whitespace');
  const out: string[] = [];
  // The last three significant tokens, for learned anchors.
  let p1 = '';
  let p2 = '';
  let p3 = '';
  let seen = 0;
  scanTokens(code, (type, start, end) => {
    if (type === 'space') {
      if (!fold) out.push(code.slice(start, end));
      return;
    }
    const raw = code.slice(start, end);
    let text = raw;
    const literal = type === 'string' || type === 'number' || type === 'template';
    if (literal && learned.size > 0 && learned.has(anchorOf(seen >= 3 ? [p1, p2, p3] : [p1, p2, p3].slice(3 - seen)))) {
      hit('learned-tokens', text);
      text = '<learned>';
    } else if (literal || type === 'comment') {
      text = generic(text);
    }
    out.push(text);
    if (type !== 'comment') {
      p1 = p2;
      p2 = p3;
      p3 = raw;
      seen++;
    }
  });
  return { text: fold ? out.join(' ') : out.join(''), hits: [...hits.values()] };
}

/** The normalised text with the default rules. */
export function maskVolatile(code: string): string {
  return normalizeCode(code).text;
}

/** One line for the inventory and the alert: which rule masked what. */
export function describeMasking(hits: MaskHit[]): string {
  const parts = hits.filter((h) => h.rule !== 'whitespace').map((h) => `${h.rule}: ${h.count} value${h.count === 1 ? '' : 's'} (e.g. ${h.example})`);
  return parts.length ? `volatile tokens masked: ${parts.join('; ')}` : 'differs only in white space';
}
