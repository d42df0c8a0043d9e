// Finds canary values in outbound data by decoding what was sent (two layers of common encodings) and searching each layer
// for the values under invariants that survive XOR, character shifts and substitution alphabets. Pure; bounded per item.

import type { CanaryValues } from '../capture/canary-types.js';

export type CanaryField = keyof CanaryValues;

/** One canary value found, and how it appeared. */
export interface CanaryMatch {
  field: CanaryField;
  /** How the value appeared: raw, url-encoded, base64, hex, reversed, digits (card number without separators). */
  encoding: string;
}

interface Layer {
  text: string;
  encoding: string;
  depth: number;
}

/** Bounds per outbound item: the layers kept, the bytes decoded, and the text the costlier searches read. */
const MAX_LAYERS = 48;
const MAX_LAYER_BYTES = 256 * 1024;
const MAX_TOTAL_BYTES = 2 * 1024 * 1024;
const MAX_PATTERN_SEARCH_BYTES = 32 * 1024;

function printable(text: string): boolean {
  let bad = 0;
  const sample = Math.min(text.length, 400);
  for (let i = 0; i < sample; i++) {
    const c = text.charCodeAt(i);
    if (c < 9 || (c > 13 && c < 32) || c === 0xfffd) bad++;
  }
  return bad <= sample * 0.1;
}

function urlDecode(text: string): string | null {
  if (!/%[0-9a-f]{2}|\+/i.test(text)) return null;
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text.replace(/%([0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
}

function htmlDecode(text: string): string | null {
  if (!/&#?[0-9a-z]+;/i.test(text)) return null;
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
  return text.replace(/&#x([0-9a-f]+);|&#(\d+);|&([a-z]+);/gi, (m, hex: string, dec: string, name: string) =>
    hex ? String.fromCodePoint(parseInt(hex, 16) % 0x110000) : dec ? String.fromCodePoint(Number(dec) % 0x110000) : named[name.toLowerCase()] ?? m);
}

function escapeDecode(text: string): string | null {
  if (!/\\u[0-9a-f]{4}|\\x[0-9a-f]{2}|\\u\{[0-9a-f]+\}/i.test(text)) return null;
  return text.replace(/\\u\{([0-9a-f]+)\}|\\u([0-9a-f]{4})|\\x([0-9a-f]{2})/gi, (_m, a: string, b: string, c: string) => String.fromCodePoint(parseInt(a ?? b ?? c, 16) % 0x110000));
}

function base64Runs(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(/[A-Za-z0-9+/_-]{12,}={0,2}/g)) {
    const decoded = Buffer.from(match[0].replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('latin1');
    if (decoded.length >= 8) out.push(decoded);
    if (out.length >= 16) break;
  }
  return out;
}

function hexRuns(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(/(?:[0-9a-f]{2}){8,}/gi)) {
    out.push(Buffer.from(match[0], 'hex').toString('latin1'));
    if (out.length >= 16) break;
  }
  return out;
}

/** `[52,49,49,49]`, `52 49 49`, `0x34,0x31`: lists of character codes. */
function charCodeRuns(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(/(?:(?:0x[0-9a-f]{1,4}|\d{1,5})[\s,;|.:_-]+){7,}(?:0x[0-9a-f]{1,4}|\d{1,5})/gi)) {
    const codes = match[0].split(/[\s,;|.:_-]+/).filter(Boolean).map((n) => (/^0x/i.test(n) ? parseInt(n, 16) : Number(n)));
    if (codes.every((c) => c >= 9 && c < 0x10000)) out.push(String.fromCharCode(...codes));
    if (out.length >= 16) break;
  }
  return out;
}

const reverse = (text: string) => [...text].reverse().join('');
const rot13 = (text: string) => text.replace(/[a-z]/gi, (c) => String.fromCharCode(((c.charCodeAt(0) & 31) + 12) % 26 + (c.charCodeAt(0) & 96) + 1));
const rot47 = (text: string) => text.replace(/[!-~]/g, (c) => String.fromCharCode(33 + ((c.charCodeAt(0) + 14) % 94)));

/** The decoders tried on every layer: each gives zero or more decoded texts. */
const DECODERS: { name: string; decode: (text: string) => string[] }[] = [
  { name: 'url-encoded', decode: (t) => [urlDecode(t)].filter((x): x is string => x !== null) },
  { name: 'html-escaped', decode: (t) => [htmlDecode(t)].filter((x): x is string => x !== null) },
  { name: 'json-escaped', decode: (t) => [escapeDecode(t)].filter((x): x is string => x !== null) },
  { name: 'base64', decode: base64Runs },
  { name: 'hex', decode: hexRuns },
  { name: 'char-codes', decode: charCodeRuns },
  { name: 'reversed', decode: (t) => [reverse(t)] },
  { name: 'rot13', decode: (t) => (/[a-z]/i.test(t) ? [rot13(t)] : []) },
  { name: 'rot47', decode: (t) => (/[!-~]/.test(t) ? [rot47(t)] : []) },
];

const TRANSPORT = new Set(['url-encoded', 'html-escaped', 'json-escaped']);

/** The item and what two layers of decoding make of it (escapes aside), within the bounds. */
function layersOf(text: string): Layer[] {
  const layers: Layer[] = [{ text: text.slice(0, MAX_LAYER_BYTES), encoding: 'raw', depth: 0 }];
  const seen = new Set<string>([layers[0]!.text]);
  let total = layers[0]!.text.length;
  for (let i = 0; i < layers.length && layers.length < MAX_LAYERS; i++) {
    const layer = layers[i]!;
    if (layer.depth >= 2) continue;
    for (const decoder of DECODERS) {
      // A reversal, ROT13 or ROT47 of a reversal, ROT13 or ROT47 gives nothing new worth a layer.
      if (layer.depth > 0 && ['reversed', 'rot13', 'rot47'].includes(decoder.name) && ['reversed', 'rot13', 'rot47'].some((n) => layer.encoding.endsWith(n))) continue;
      for (const decoded of decoder.decode(layer.text)) {
        const next = decoded.slice(0, MAX_LAYER_BYTES);
        if (next.length < 3 || seen.has(next) || total + next.length > MAX_TOTAL_BYTES || layers.length >= MAX_LAYERS) continue;
        if (decoder.name !== 'reversed' && decoder.name !== 'rot13' && decoder.name !== 'rot47' && !printable(next) && decoder.name !== 'base64' && decoder.name !== 'hex') continue;
        seen.add(next);
        total += next.length;
        // URL, HTML and JSON escapes are how data travels, not how a kit hides it: they do not count as a layer.
        const transport = TRANSPORT.has(decoder.name);
        layers.push({ text: next, encoding: layer.encoding === 'raw' ? decoder.name : `${layer.encoding}+${decoder.name}`, depth: layer.depth + (transport ? 0 : 1) });
      }
    }
  }
  return layers;
}

/** Byte differences at a distance: equal in a text and in the value whenever the text is the value XORed with a key of that length. */
function xorDelta(text: string, distance: number): string {
  let out = '';
  for (let i = 0; i + distance < text.length; i++) out += String.fromCharCode((text.charCodeAt(i) ^ text.charCodeAt(i + distance)) & 0xff);
  return out;
}

/** Successive differences of character codes: unchanged when every character is shifted by the same amount. */
function shiftDelta(text: string): string {
  let out = '';
  for (let i = 0; i + 1 < text.length; i++) out += String.fromCharCode((text.charCodeAt(i + 1) - text.charCodeAt(i) + 0x10000) % 0x10000);
  return out;
}

/**
 * True when some window of the text is the needle under a one-to-one substitution (a custom alphabet, ROT-n over
 * digits): the same positions repeat and the others differ.
 */
function substituted(text: string, needle: string): boolean {
  const m = needle.length;
  if (m < 12 || text.length < m) return false;
  const limit = Math.min(text.length, MAX_PATTERN_SEARCH_BYTES) - m;
  outer: for (let i = 0; i <= limit; i++) {
    const forward = new Map<string, string>();
    const backward = new Map<string, string>();
    for (let j = 0; j < m; j++) {
      const a = needle[j]!;
      const b = text[i + j]!;
      const f = forward.get(a);
      const g = backward.get(b);
      if ((f !== undefined && f !== b) || (g !== undefined && g !== a)) continue outer;
      forward.set(a, b);
      backward.set(b, a);
    }
    // The identity is a plain match, found elsewhere; a window of one repeated character matches nothing real.
    if ([...forward].every(([a, b]) => a === b) || backward.size < 4) continue;
    return true;
  }
  return false;
}

export interface Needle {
  field: CanaryField;
  value: string;
  /** Found only beside another canary value in the same item, as three or four digits alone turn up by chance. */
  weak?: boolean;
}

/** The values to look for, with the shapes expiry dates are sent in. */
export function needlesFor(values: CanaryValues): Needle[] {
  const [mm, yy] = values.expiry.split('/') as [string, string];
  return [
    { field: 'cardNumber', value: values.cardNumber },
    { field: 'email', value: values.email },
    { field: 'name', value: values.name },
    { field: 'password', value: values.password },
    ...[`${mm}/${yy}`, `${mm}/20${yy}`, `${mm}-${yy}`, `${mm}${yy}`, `${mm}20${yy}`].map((value) => ({ field: 'expiry' as const, value, weak: true })),
    { field: 'cvc', value: values.cvc, weak: true },
  ];
}

/** A layer with what the searches derive from it, each computed once, on first use. */
class Searchable {
  private lower?: string;
  private digitsOnly?: string;
  private readonly xor = new Map<number, string>();
  private shift?: string;
  constructor(readonly layer: Layer) {}
  get lowered(): string { return (this.lower ??= this.layer.text.toLowerCase()); }
  get digits(): string { return (this.digitsOnly ??= this.layer.text.replace(/[\s.\-_/]/g, '')); }
  xorDelta(distance: number): string {
    let delta = this.xor.get(distance);
    if (delta === undefined) this.xor.set(distance, (delta = xorDelta(this.layer.text.slice(0, MAX_PATTERN_SEARCH_BYTES * 2), distance)));
    return delta;
  }
  get shifted(): string { return (this.shift ??= shiftDelta(this.layer.text.slice(0, MAX_PATTERN_SEARCH_BYTES * 2))); }
}

/** One layer searched for one needle: which invariant found it, or null. */
function searchLayer(layer: Searchable, needle: Needle): string | null {
  const text = layer.layer.text;
  const caseless = needle.field === 'name' || needle.field === 'email';
  if (caseless ? layer.lowered.includes(needle.value.toLowerCase()) : text.includes(needle.value)) return '';
  if (needle.value.length >= 8 && text.includes(reverse(needle.value))) return 'reversed';
  if (needle.field === 'cardNumber') {
    const digits = layer.digits;
    if (digits.includes(needle.value)) return 'digits';
    // Part of the number: ten digits in a row of a number with no repeated run are this number's and no other's.
    for (let i = 0; i + 10 <= needle.value.length; i += 3) if (digits.includes(needle.value.slice(i, i + 10))) return 'partial';
  }
  if (needle.value.length >= 10) {
    for (let distance = 1; distance <= 4; distance++) if (layer.xorDelta(distance).includes(xorDelta(needle.value, distance))) return `xor(key length ${distance})`;
    if (layer.shifted.includes(shiftDelta(needle.value))) return 'shifted';
    if (needle.field === 'cardNumber' && substituted(text, needle.value)) return 'substituted';
  }
  if (needle.field === 'cardNumber' && text.length <= MAX_PATTERN_SEARCH_BYTES) {
    // base64 of the number in a custom alphabet keeps the pattern of base64 in the standard one.
    for (let offset = 0; offset < 3; offset++) {
      const encoded = Buffer.from(needle.value.slice(offset, offset + 15), 'latin1').toString('base64');
      if (substituted(text, encoded)) return 'base64(custom alphabet)';
    }
  }
  return null;
}

/**
 * The canary values in one piece of outbound data (a URL, a header, a body, a frame), with how they were encoded:
 * `base64+reversed`, `xor(key length 1)`, `url-encoded+char-codes`… Expiry and CVC count only beside another value.
 */
export function searchCanary(text: string, values: CanaryValues): CanaryMatch[] {
  if (!text) return [];
  const found = new Map<CanaryField, CanaryMatch>();
  const needles = needlesFor(values);
  for (const plain of layersOf(text)) {
    const layer = new Searchable(plain);
    for (const needle of needles) {
      if (found.has(needle.field)) continue;
      const how = searchLayer(layer, needle);
      if (how === null) continue;
      const encoding = [plain.encoding === 'raw' ? '' : plain.encoding, how].filter(Boolean).join('+') || 'raw';
      found.set(needle.field, { field: needle.field, encoding });
    }
  }
  const strong = [...found.values()].filter((m) => m.field !== 'expiry' && m.field !== 'cvc');
  return strong.length ? [...found.values()] : [];
}
