// Canary payment data: unique per-scan values, and a search for them in outbound traffic under common encodings (pure).

import { randomInt } from 'node:crypto';
import type { CanaryPass, CanaryReport, CanaryValues, ExfiltrationFinding, OutboundItem, RuntimeSignal, StoredFinding } from '../capture/types.js';
import { isOwnSite } from './vendors.js';
import { searchCanary, type CanaryMatch } from './canary-search.js';

export type { CanaryValues, OutboundItem };

export type { CanaryField, CanaryMatch } from './canary-search.js';

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
  for (let attempt = 0; ; attempt++) {
    const values = drawCanary(random);
    if (attempt >= 50 || distinctRuns(values)) return values;
  }
}

/**
 * Values whose digit runs tell them apart: no four digits repeat within the card number, and neither the CVC nor
 * the expiry digits occur in it, so a part of any of them found in traffic is that value and no other.
 */
function distinctRuns(values: CanaryValues): boolean {
  const runs = new Set<string>();
  for (let i = 0; i + 4 <= values.cardNumber.length; i++) {
    const run = values.cardNumber.slice(i, i + 4);
    if (runs.has(run)) return false;
    runs.add(run);
  }
  return !values.cardNumber.includes(values.cvc) && !values.cardNumber.includes(values.expiry.replace('/', '')) && !values.expiry.replace('/', '').includes(values.cvc);
}

function drawCanary(random: (max: number) => number): CanaryValues {
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

/**
 * Finds canary values in one piece of outbound data (a URL, a header value, a body, a WebSocket frame) by decoding
 * it: URL, HTML and JSON escapes, base64, hex, char-code lists, reversal, ROT13/ROT47 and two of these in a row, then
 * searching each layer for the values also under XOR, shifted and substituted alphabets (canary-search.ts).
 */
export function findCanary(text: string, values: CanaryValues): CanaryMatch[] {
  return searchCanary(text, values);
}


const CHANNELS: Record<string, string> = {
  XHR: 'xhr', Fetch: 'fetch', Ping: 'beacon', Image: 'image', WebSocket: 'websocket', Document: 'navigation', Script: 'script',
  EventSource: 'eventsource', Stylesheet: 'css', Font: 'font', WebRTC: 'webrtc', postMessage: 'postmessage', 'window.open': 'window.open',
};

/**
 * What the instrumentation saw leave through channels with no searchable request (WebRTC data channels, messages
 * into other origins' frames, window.open, DNS prefetch and preconnect hints), as outbound items. `frameOpener`
 * names the script that created a receiving frame, the likeliest sender of what it was handed.
 */
export function instrumentedItems(signals: RuntimeSignal[], pageUrl: string, frameOpener: (frameUrl: string) => string | null): OutboundItem[] {
  const items: OutboundItem[] = [];
  const resolve = (url: string) => {
    try {
      return new URL(/^\/\//.test(url) ? `https:${url}` : url, pageUrl).href;
    } catch {
      return null;
    }
  };
  for (const signal of signals) {
    if (signal.kind !== 'sent') continue;
    const [channel, ...rest] = signal.detail.split(' ');
    const base = { headers: {}, body: signal.data ?? null, script: signal.script };
    if (channel === 'webrtc') items.push({ ...base, url: rest[0] ?? 'webrtc://peer/', method: 'send', type: 'WebRTC' });
    else if (channel === 'beacon') {
      const url = resolve(rest.join(' '));
      if (url) items.push({ ...base, url, method: 'POST', type: 'Ping' });
    }
    else if (channel === 'window.open') {
      const url = resolve(rest.join(' '));
      if (url) items.push({ ...base, url, method: 'GET', type: 'window.open' });
    } else if (channel === 'postMessage') {
      const url = resolve(rest[0] ?? '');
      if (url) items.push({ ...base, url, method: 'postMessage', type: 'postMessage', script: frameOpener(url) });
    } else if (channel === 'hint') {
      const url = resolve(rest.slice(1).join(' '));
      if (url) items.push({ ...base, url, method: 'GET', type: (rest[0] ?? 'hint').toLowerCase() });
    }
  }
  return items;
}

/** Canary values a script wrote to localStorage, sessionStorage, cookies or IndexedDB: staged for sending later. */
export function storedFindings(signals: RuntimeSignal[], values: CanaryValues): StoredFinding[] {
  const groups = new Map<string, StoredFinding>();
  for (const signal of signals) {
    if (signal.kind !== 'stored' || !signal.data) continue;
    const matches = findCanary(signal.data, values);
    if (matches.length === 0) continue;
    const area = signal.detail.split(' ')[0]!;
    const name = signal.detail.slice(area.length + 1, area.length + 101);
    // One finding per storage key: writes whose stack could not be told join the named script's.
    const key = `${area}|${name}`;
    const finding = groups.get(key) ?? { area, key: name, script: signal.script, fields: [], encodings: [] };
    finding.script ??= signal.script;
    for (const m of matches) {
      if (!finding.fields.includes(m.field)) finding.fields.push(m.field);
      if (!finding.encodings.includes(m.encoding)) finding.encodings.push(m.encoding);
    }
    groups.set(key, finding);
  }
  return [...groups.values()];
}

/** True for a host listed exactly or under a `*.` pattern (`*.stripe.com` covers `js.stripe.com` and `stripe.com`). */
export function hostAllowed(host: string, patterns: string[]): boolean {
  const name = host.toLowerCase();
  return patterns.some((raw) => {
    const pattern = raw.toLowerCase();
    if (pattern.startsWith('*.')) return name === pattern.slice(2) || name.endsWith(pattern.slice(1));
    return name === pattern;
  });
}

/** Characters of outbound data searched per page at the most (about a second of decoding in the worst case). */
export const SEARCH_BUDGET_CHARS = 8 * 1024 * 1024;

function searchedSize(item: OutboundItem): number {
  return item.url.length + (item.body?.length ?? 0) + (item.frame?.length ?? 0);
}

/** The items a search would read, in order, and how many it would skip: what a capture keeps of a hostile page's traffic. */
export function withinSearchBudget(items: OutboundItem[]): { kept: OutboundItem[]; unsearched: number } {
  let chars = SEARCH_BUDGET_CHARS;
  const kept: OutboundItem[] = [];
  let unsearched = 0;
  for (const item of items) {
    const size = searchedSize(item);
    if (size > chars) unsearched++;
    else {
      chars -= size;
      kept.push(item);
    }
  }
  return { kept, unsearched };
}

/** The URL without query and fragment, for comparing a request with a form's action. */
function bareUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url;
  }
}

/**
 * Canary values found in what the page sent, grouped by destination, channel and sending script. Everything is
 * searched, the page's own site too: a value sent anywhere but the form's own submission to its action (and the
 * approved processors) is exfiltration. On the own site the destination is the path (`shop.example/media/x.php`),
 * so that approving one endpoint does not approve the whole site.
 */
export function exfiltrationFindings(
  outbound: OutboundItem[],
  values: CanaryValues,
  isOwnSite: (url: string) => boolean,
  approvedHosts: string[],
  formAction: string | null = null,
  budget: { chars: number; unsearched: number } = { chars: SEARCH_BUDGET_CHARS, unsearched: 0 },
): ExfiltrationFinding[] {
  const groups = new Map<string, ExfiltrationFinding>();
  const action = formAction ? bareUrl(formAction) : null;
  for (const item of outbound) {
    // A hostile page cannot make the search unbounded: past the budget, items are counted, not searched.
    const size = searchedSize(item);
    if (size > budget.chars) {
      budget.unsearched++;
      continue;
    }
    budget.chars -= size;
    let parsed: URL;
    try {
      parsed = new URL(item.url);
    } catch {
      continue;
    }
    const host = parsed.hostname;
    if (hostAllowed(host, approvedHosts)) continue;
    const sameSite = isOwnSite(item.url);
    if (sameSite && action !== null && bareUrl(item.url) === action) continue;
    const places: [string, string][] = item.frame !== undefined
      ? [['frame', item.frame]]
      : [['url', item.url], ...Object.entries(item.headers).filter(([name]) => name.toLowerCase() !== 'user-agent').map(([, v]): [string, string] => ['header', v]), ['body', item.body ?? '']];
    for (const [location, text] of places) {
      const matches = findCanary(text, values);
      if (matches.length === 0) continue;
      const channel = CHANNELS[item.type] ?? item.type.toLowerCase();
      const destination = sameSite ? `${host}${parsed.pathname}` : host;
      const key = `${destination}|${channel}|${item.script ?? ''}`;
      const finding = groups.get(key) ?? {
        host, url: item.url.length > 300 ? item.url.slice(0, item.url.indexOf('?') > 0 ? item.url.indexOf('?') : 300) : item.url,
        method: item.method, channel, fields: [], encodings: [], locations: [], script: item.script,
        ...(sameSite ? { sameSite: true, path: parsed.pathname } : {}),
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

/**
 * Image beacons and event streams carry no initiator stack in Chrome; the instrumentation saw which script set the
 * image's src or opened the stream. Each request is matched to the signal of its own URL, never to another script
 * that used the same host.
 */
export function attributeImages(items: OutboundItem[], signals: RuntimeSignal[]): OutboundItem[] {
  return items.map((item) => {
    if (item.script || (item.type !== 'Image' && item.type !== 'EventSource')) return item;
    const signal = signals.find((s) => s.kind === 'beacon' && s.script && s.detail === item.url.slice(0, 300));
    return signal ? { ...item, script: signal.script } : item;
  });
}

/**
 * The judgement of one pass: which canary values reached a host other than the page's own site and the approved
 * processors, and which a script staged in storage. Pure: a recorded capture is judged again with other settings.
 */
export function judgeCanary(pass: CanaryPass, pageUrl: string, approvedHosts: string[]): CanaryReport {
  const budget = { chars: SEARCH_BUDGET_CHARS, unsearched: pass.unsearched };
  const findings = exfiltrationFindings(pass.outbound, pass.values, (url) => isOwnSite(url, pageUrl), approvedHosts, pass.formAction, budget);
  const { cardLast4, filled, submitted, blocked } = pass;
  return {
    cardLast4, filled, submitted, blocked,
    findings, stored: storedFindings(pass.staged, pass.values),
    ...(budget.unsearched ? { unsearched: budget.unsearched } : {}),
  };
}
