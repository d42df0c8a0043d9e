// Canary payment data: unique per-scan values, and a search for them in outbound traffic under common encodings (pure).

import { randomInt } from 'node:crypto';
import type { ExfiltrationFinding, RuntimeSignal } from './types.js';

export interface CanaryValues {
  /** 16 digits, Luhn-valid, unique per scan. */
  cardNumber: string;
  name: string;
  /** MM/YY */
  expiry: string;
  cvc: string;
  email: string;
  /** For login forms. */
  password: string;
}

export type CanaryField = keyof CanaryValues;

function luhnCheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function luhnValid(number: string): boolean {
  return /^\d{12,19}$/.test(number) && luhnCheckDigit(number.slice(0, -1)) === Number(number.at(-1));
}

const NAME_SYLLABLES = ['ka', 'ro', 'mi', 'ten', 'su', 'val', 'dor', 'lin', 'ga', 'bre', 'zu', 'pho'];

/** New canary values: a Visa-shaped test number and a made-up name and mailbox no real person has. */
export function makeCanary(random: (max: number) => number = (max) => randomInt(max)): CanaryValues {
  let body = '4';
  while (body.length < 15) body += String(random(10));
  const word = (n: number) => Array.from({ length: n }, () => NAME_SYLLABLES[random(NAME_SYLLABLES.length)]).join('');
  const first = word(2);
  const last = word(3);
  const tag = Array.from({ length: 8 }, () => 'abcdefghijkmnpqrstuvwxyz23456789'[random(32)]).join('');
  return {
    cardNumber: body + luhnCheckDigit(body),
    name: `${first[0]!.toUpperCase()}${first.slice(1)} ${last[0]!.toUpperCase()}${last.slice(1)}`,
    expiry: `${String(1 + random(12)).padStart(2, '0')}/${30 + random(8)}`,
    cvc: String(100 + random(900)),
    email: `canary.${tag}@example.com`,
    password: `Cn!${tag}${random(10)}${random(10)}`,
  };
}

export interface CanaryMatch {
  field: CanaryField;
  /** How the value appeared: raw, url-encoded, base64, hex, reversed, digits (card number without separators). */
  encoding: string;
}

/** Values long and unique enough to search for; expiry and CVC alone would match by chance. */
const SEARCHED: CanaryField[] = ['cardNumber', 'email', 'name', 'password'];

function hex(text: string): string {
  return Buffer.from(text, 'utf8').toString('hex');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** Decodes runs that look like base64 (including URL-safe base64) and returns the decoded texts. */
function base64Runs(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(/[A-Za-z0-9+/_-]{16,}={0,2}/g)) {
    const run = match[0].replace(/-/g, '+').replace(/_/g, '/');
    const decoded = Buffer.from(run, 'base64').toString('utf8');
    // Keep decodings that are mostly printable: base64 of text, JSON or form data.
    if (decoded && /^[\x20-\x7e\s\u00a0-\uffff]*$/.test(decoded.slice(0, 200))) out.push(decoded);
  }
  return out;
}

function searchIn(text: string, values: CanaryValues, encoding: string, found: Map<CanaryField, CanaryMatch>): void {
  const lower = text.toLowerCase();
  for (const field of SEARCHED) {
    if (found.has(field)) continue;
    const value = values[field];
    if (lower.includes(value.toLowerCase())) found.set(field, { field, encoding });
    else if (lower.includes(hex(value))) found.set(field, { field, encoding: encoding === 'raw' ? 'hex' : `${encoding}+hex` });
    else if (lower.includes([...value.toLowerCase()].reverse().join(''))) found.set(field, { field, encoding: encoding === 'raw' ? 'reversed' : `${encoding}+reversed` });
  }
  if (!found.has('cardNumber')) {
    // A card number split by spaces or dashes, or mixed into other digits by a separator.
    const digits = text.replace(/[\s-]/g, '');
    if (digits.includes(values.cardNumber)) found.set('cardNumber', { field: 'cardNumber', encoding: encoding === 'raw' ? 'digits' : encoding });
  }
}

/**
 * Finds canary values in one piece of outbound data (a URL, a header value, a body, a WebSocket frame): raw,
 * URL-encoded, base64 (also base64 of JSON or of URL-encoded text), hex, or reversed.
 */
export function findCanary(text: string, values: CanaryValues): CanaryMatch[] {
  const found = new Map<CanaryField, CanaryMatch>();
  if (!text) return [];
  searchIn(text, values, 'raw', found);
  const decoded = safeDecode(text);
  if (decoded !== text) searchIn(decoded, values, 'url-encoded', found);
  for (const source of [text, decoded]) {
    for (const inner of base64Runs(source)) {
      searchIn(inner, values, 'base64', found);
      const innerDecoded = safeDecode(inner);
      if (innerDecoded !== inner) searchIn(innerDecoded, values, 'base64+url-encoded', found);
      for (const nested of base64Runs(inner)) searchIn(nested, values, 'base64+base64', found);
    }
  }
  return [...found.values()];
}

/** One thing the page sent: a request (URL, headers, body) or a WebSocket frame. */
export interface OutboundItem {
  url: string;
  method: string;
  /** Chrome's resource type: XHR, Fetch, Ping, Image, WebSocket, Document, Script, … */
  type: string;
  headers: Record<string, string>;
  body: string | null;
  /** Set for WebSocket frames: the payload sent. */
  frame?: string;
  script: string | null;
}

const CHANNELS: Record<string, string> = { XHR: 'xhr', Fetch: 'fetch', Ping: 'beacon', Image: 'image', WebSocket: 'websocket', Document: 'navigation', Script: 'script' };

/** True for a host listed exactly or under a `*.` pattern (`*.stripe.com` covers `js.stripe.com` and `stripe.com`). */
export function hostAllowed(host: string, patterns: string[]): boolean {
  const name = host.toLowerCase();
  return patterns.some((raw) => {
    const pattern = raw.toLowerCase();
    if (pattern.startsWith('*.')) return name === pattern.slice(2) || name.endsWith(pattern.slice(1));
    return name === pattern;
  });
}

/**
 * Canary values found in what the page sent to hosts other than its own site and the approved processors, grouped
 * by destination host, channel and sending script.
 */
export function exfiltrationFindings(
  outbound: OutboundItem[],
  values: CanaryValues,
  isOwnSite: (url: string) => boolean,
  approvedHosts: string[],
): ExfiltrationFinding[] {
  const groups = new Map<string, ExfiltrationFinding>();
  for (const item of outbound) {
    let host: string;
    try {
      host = new URL(item.url).hostname;
    } catch {
      continue;
    }
    if (isOwnSite(item.url) || hostAllowed(host, approvedHosts)) continue;
    const places: [string, string][] = item.frame !== undefined
      ? [['frame', item.frame]]
      : [['url', item.url], ...Object.entries(item.headers).filter(([name]) => name.toLowerCase() !== 'user-agent').map(([, v]): [string, string] => ['header', v]), ['body', item.body ?? '']];
    for (const [location, text] of places) {
      const matches = findCanary(text, values);
      if (matches.length === 0) continue;
      const channel = CHANNELS[item.type] ?? item.type.toLowerCase();
      const key = `${host}|${channel}|${item.script ?? ''}`;
      const finding = groups.get(key) ?? {
        host, url: item.url.length > 300 ? item.url.slice(0, item.url.indexOf('?') > 0 ? item.url.indexOf('?') : 300) : item.url,
        method: item.method, channel, fields: [], encodings: [], locations: [], script: item.script,
      };
      for (const m of matches) {
        if (!finding.fields.includes(m.field)) finding.fields.push(m.field);
        if (!finding.encodings.includes(m.encoding)) finding.encodings.push(m.encoding);
      }
      if (!finding.locations.includes(location)) finding.locations.push(location);
      groups.set(key, finding);
    }
  }
  return [...groups.values()];
}

/** Image beacons carry no initiator stack in Chrome; the instrumentation saw which script set the image's src. */
export function attributeBeacons(findings: ExfiltrationFinding[], signals: RuntimeSignal[]): ExfiltrationFinding[] {
  return findings.map((finding) => {
    if (finding.script || finding.channel !== 'image') return finding;
    const base = finding.url.split('?')[0]!;
    const signal = signals.find((s) => s.kind === 'beacon' && s.script && s.detail.startsWith(base));
    return signal ? { ...finding, script: signal.script } : finding;
  });
}
