// What a retro-hunt looks for (pure): a host, a SHA-256, a string or a regular expression, as a matcher of bodies,
// hosts, URLs and hashes. Regular expressions run in RE2 (time linear in the text), so a hostile body cannot stall it.

import { RE2JS } from 're2js';
import { ScriptwardenError } from '../errors.js';

export type HuntKind = 'host' | 'sha256' | 'string' | 'regex';
export interface HuntQuery { kind: HuntKind; value: string }

export interface HuntMatcher {
  query: HuntQuery;
  /** A script body or evidence text contains it. */
  body(text: string): boolean;
  /** A destination host is it (or a subdomain of it). */
  host(host: string): boolean;
  /** A script is loaded from it. */
  url(url: string): boolean;
  sha256(sha: string): boolean;
}

const HOST = /^[a-z0-9-]+(\.[a-z0-9-]+)*$/;

/** The host of a URL, lower-cased; null when it is none. */
function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** True when `text` names `host` as a host: not as part of a longer name (`notevil.example` is not `evil.example`). */
export function namesHost(text: string, host: string): boolean {
  const lower = text.toLowerCase();
  const part = /[a-z0-9-]/;
  for (let at = lower.indexOf(host); at !== -1; at = lower.indexOf(host, at + 1)) {
    const before = lower[at - 1];
    const after = lower[at + host.length];
    if ((before === undefined || !part.test(before)) && (after === undefined || !part.test(after))) return true;
  }
  return false;
}

/** Builds the matcher of a query; a malformed one is a usage error that says what is wrong. */
export function huntMatcher(query: HuntQuery): HuntMatcher {
  const none = { body: () => false, host: () => false, url: () => false, sha256: () => false };
  if (query.kind === 'sha256') {
    const sha = query.value.toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(sha)) throw new ScriptwardenError('USAGE', `--sha256 must be a SHA-256 in hex (64 characters), not "${query.value.slice(0, 80)}"`);
    return { ...none, query: { kind: 'sha256', value: sha }, sha256: (s) => s === sha };
  }
  if (query.kind === 'host') {
    const host = query.value.toLowerCase().replace(/^\*\./, '').replace(/\.$/, '');
    if (!HOST.test(host)) throw new ScriptwardenError('USAGE', `--host must be a host name such as cdn-stats.example, not "${query.value.slice(0, 80)}"`);
    const isHost = (h: string) => h === host || h.endsWith(`.${host}`);
    // Destinations are kept as host[:port].
    const bare = (h: string) => h.toLowerCase().replace(/^\[|\]$/g, '').replace(/:\d+$/, '');
    return { query: { kind: 'host', value: host }, body: (text) => namesHost(text, host), host: (h) => isHost(bare(h)), url: (u) => { const h = hostOf(u); return h !== null && isHost(h); }, sha256: () => false };
  }
  if (query.value.length === 0) throw new ScriptwardenError('USAGE', `--${query.kind} must not be empty`);
  if (query.kind === 'string') return { ...none, query, body: (text) => text.includes(query.value) };
  let re: RE2JS;
  try {
    re = RE2JS.compile(query.value);
  } catch (error) {
    throw new ScriptwardenError('USAGE', `--regex is not an expression RE2 accepts (no back-references or lookarounds): ${(error as Error).message}`);
  }
  return { ...none, query, body: (text) => re.matcher(text).find() };
}
