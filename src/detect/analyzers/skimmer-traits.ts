// Analyzer: what the new code does that the old did not — payment-field listeners, card reads, sends to new hosts, eval, obfuscation, mining.

import { classify } from '../vendors.js';
import { severityRank, type Severity } from '../../capture/types.js';
import { codeTraits, type CodeTraits, type Region } from './code-traits.js';
import { brandLabel, lookalikeFindings } from './lookalike-host.js';
import { isReferenceUrl } from './field-words.js';
import { scanTokens } from '../../plan/js-lexer.js';
import { packageBrand, urlClaims } from '../intel/release-claims.js';
import type { Analyzer, Finding, FindingKind, ScriptChange } from './types.js';

const URL_IN_TEXT = /(?:https?|wss?):\/\/([a-z0-9.-]+\.[a-z]{2,}|\d{1,3}(?:\.\d{1,3}){3})/gi;
const PAYMENT_EVENTS = new Set(['submit', 'input', 'change', 'keyup', 'keydown', 'blur', 'mouseup', 'touchend']);

function hostname(host: string): string {
  return host.replace(/:\d+$/, '').toLowerCase();
}

function added<T>(after: Set<T>, before: Set<T> | undefined): T[] {
  return [...after].filter((item) => !before?.has(item));
}

/** Hosts named in text that is not JavaScript (a shell installer, say), found by pattern. */
export function textHosts(text: string): Set<string> {
  return new Set([...text.matchAll(URL_IN_TEXT)].map((m) => m[1]!.toLowerCase()));
}

/**
 * Hosts named in a script's strings: not in its comments (licence headers, documentation links) and not in
 * namespace or documentation URLs.
 */
export function stringHosts(code: string): Set<string> {
  const hosts = new Set<string>();
  scanTokens(code, (type, start, end) => {
    if (type !== 'string' && type !== 'template') return;
    const text = code.slice(start + 1, end - 1);
    for (const match of text.matchAll(URL_IN_TEXT)) if (!isReferenceUrl(text.slice(match.index))) hosts.add(match[1]!.toLowerCase());
  });
  return hosts;
}

/** A host is familiar when the page already knows it, or it belongs to the page's or the script's own site or vendor. */
function familiarity(change: ScriptChange, withScript = true): (host: string) => boolean {
  const known = new Set([change.pageHost, ...change.knownHosts].filter((h): h is string => Boolean(h)).map(hostname));
  const owners = [change.pageHost, withScript ? change.url : null].filter((h): h is string => Boolean(h)).map((h) => classify(h, 'https://invalid.invalid/'));
  // A library's own service: the package it is (by its URL, banner or verified release) names the host's brand.
  const brands = new Set([change.newLibrary?.name, change.release?.name, ...(withScript && change.url ? urlClaims(change.url).map((c) => c.name) : [])]
    .filter((n): n is string => Boolean(n)).map(packageBrand).filter((b) => b.length >= 4));
  return (host) => {
    if (known.has(hostname(host))) return true;
    const info = classify(hostname(host), 'https://invalid.invalid/');
    if (brands.has(brandLabel(hostname(host)).replace(/[^a-z0-9]/g, '')) || (info.vendor && brands.has(info.vendor.toLowerCase().replace(/[^a-z0-9]/g, '')))) return true;
    return owners.some((o) => o.site === info.site || (o.vendor !== null && o.vendor === info.vendor));
  };
}

/** Where two versions differ, as one span of the new text (common prefix and suffix removed). */
export function changedSpan(oldCode: string, newCode: string): Region {
  const limit = Math.min(oldCode.length, newCode.length);
  let prefix = 0;
  while (prefix < limit && oldCode.charCodeAt(prefix) === newCode.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < limit - prefix && oldCode.charCodeAt(oldCode.length - 1 - suffix) === newCode.charCodeAt(newCode.length - 1 - suffix)) suffix++;
  return { start: prefix, end: newCode.length - suffix };
}

/** A change touching less than this share of a large script is analysed by region, without parsing the old version. */
const REGION_SHARE = 0.3;
const REGION_MIN_BYTES = 64 * 1024;

/**
 * The new version's traits, and what the old version already had. A small change to a large script is judged by
 * the traits of the changed span alone (only the new version is parsed); otherwise both versions are parsed and
 * compared. Either way `before` holds what does not count as added.
 */
function compareTraits(oldCode: string | null, newCode: string): { after: CodeTraits; before: CodeTraits | undefined } {
  if (oldCode === null) return { after: codeTraits(newCode), before: undefined };
  const span = changedSpan(oldCode, newCode);
  if (newCode.length >= REGION_MIN_BYTES && span.end - span.start < newCode.length * REGION_SHARE) {
    const whole = codeTraits(newCode, span);
    if (whole.parsed && whole.added) {
      // Everything outside the span was already there; a host named in the span that the old text had is not new.
      const before: CodeTraits = { ...whole, hosts: new Set([...whole.hosts].filter((h) => !whole.added!.hosts.has(h) || oldCode.includes(h))) };
      for (const key of ['listeners', 'listenerTargets', 'cardReads', 'sends', 'dynamicCode', 'obfuscation', 'runtimeStrings', 'miner'] as const) {
        before[key] = new Set([...whole[key]].filter((v) => !whole.added![key].has(v)));
      }
      return { after: whole, before };
    }
  }
  return { after: codeTraits(newCode), before: codeTraits(oldCode) };
}

export const skimmerTraits: Analyzer = {
  meta: { id: 'skimmer-traits', title: 'Skimmer and miner traits in added code', needs: ['newCode'] },
  run(change: ScriptChange): Finding[] {
    const { after, before } = compareTraits(change.oldCode, change.newCode);
    const findings: Finding[] = [];
    const add = (severity: Severity, kind: FindingKind, title: string, detail: string) =>
      findings.push({ analyzer: 'skimmer-traits', severity, kind, title, detail });
    const familiar = familiarity(change);

    const hostsAfter = after.parsed ? after.hosts : textHosts(change.newCode);
    const hostsBefore = before ? (before.parsed ? before.hosts : textHosts(change.oldCode!)) : undefined;
    const newHosts = added(hostsAfter, hostsBefore).filter((h) => !familiar(h));
    const listeners = added(after.listeners, before?.listeners);
    const listenerTargets = added(after.listenerTargets, before?.listenerTargets);
    const cardReads = added(after.cardReads, before?.cardReads);
    const sends = added(after.sends, before?.sends);
    const dynamic = added(after.dynamicCode, before?.dynamicCode);
    const obfuscation = added(after.obfuscation, before?.obfuscation);
    const miner = added(after.miner, before?.miner);

    // A new script served from an unfamiliar host that imitates a known one.
    const ownHost = change.oldCode === null && change.url && /^https?:/i.test(change.url) ? new URL(change.url).host : null;
    if (ownHost && !familiarity(change, false)(ownHost)) {
      findings.push(...lookalikeFindings(ownHost, [change.pageHost ?? '', ...change.knownHosts], 'skimmer-traits').map((f) => ({ ...f, kind: 'lookalike' as const })));
    }
    for (const host of newHosts.slice(0, 5)) {
      add('medium', 'new-host', `references ${host}, a host not seen before on this page`, host);
      findings.push(...lookalikeFindings(host, [change.pageHost ?? '', ...change.knownHosts], 'skimmer-traits').map((f) => ({ ...f, kind: 'lookalike' as const })));
    }
    const watchesInput = listeners.some((l) => PAYMENT_EVENTS.has(l)) && (change.paymentPage || after.cardReads.size > 0);
    if (listeners.length) {
      const what = listenerTargets.length ? listenerTargets : listeners;
      add(watchesInput ? 'medium' : 'low', 'listener', `adds ${what.slice(0, 3).join(', ')} listener${what.length === 1 ? '' : 's'}`, listeners.join(', '));
    }
    if (cardReads.length) add('medium', 'card-read', `reads payment or form fields (${cardReads.slice(0, 3).join(', ')})`, cardReads.slice(0, 5).join(', '));
    if (sends.length) add('low', 'send', `sends data with ${sends.join(', ')}`, sends.join(', '));
    // Code built or hidden at run time is high together with a way out or into the fields (a new host, a send, form
    // input, fields touched at run time), or when decoded text is run (eval of atob); alone, releases do it too.
    const builtAtRunTime = added(after.runtimeStrings, before?.runtimeStrings);
    const reachesOut = newHosts.length > 0 || sends.length > 0 || cardReads.length > 0 || watchesInput || ((change.fieldAccess ?? []).length > 0 && change.paymentPage);
    const runsDecoded = dynamic.includes('atob') && dynamic.some((d) => d !== 'atob');
    const hiding = dynamic.length > 0 && (obfuscation.length > 0 || builtAtRunTime.length > 0 || runsDecoded);
    if (dynamic.length) add(reachesOut || hiding ? 'high' : 'medium', 'dynamic-code', `runs code built at run time (${dynamic.join(', ')})`, dynamic.join(', '));
    if (builtAtRunTime.length) add('medium', 'runtime-strings', `builds its strings and property names at run time (${builtAtRunTime.slice(0, 3).join(', ')})`, builtAtRunTime.slice(0, 3).join(', '));
    if (obfuscation.length) add(reachesOut || hiding ? 'high' : 'medium', 'obfuscation', `contains obfuscated code (${obfuscation.slice(0, 3).join(', ')})`, obfuscation.slice(0, 3).join(', '));
    if (miner.length) {
      const mining = miner.some((m) => /WebAssembly|blob/i.test(m)) && (after.sends.has('WebSocket') || miner.some((m) => !/WebAssembly|blob/i.test(m)));
      add(mining ? 'critical' : 'high', 'miner', mining ? 'shows crypto-miner traits' : 'shows miner-like traits', miner.slice(0, 3).join(', '));
    }
    // Reading form input: by the code itself, or (at run time) as the page instrumentation saw this script do.
    const readsInput = cardReads.length > 0 || watchesInput;
    const touchedFields = (change.fieldAccess ?? []).length > 0 && change.paymentPage;
    const sendsAnything = sends.length > 0 || after.sends.size > 0 || !after.parsed;
    if (newHosts.length && sendsAnything) {
      // Sending to a new host is high when form input is in reach (or the code cannot be read to tell); a release that
      // adds a host of its own is not a skimmer.
      add(readsInput || touchedFields || !after.parsed ? 'high' : 'medium', 'new-host', `may send data to ${newHosts[0]}, a new host${sends.length ? ` (via ${sends.join(', ')})` : ''}`, newHosts.join(', '));
    }
    // Reading form input is a skimmer when the data can leave: to a new host, or card fields sent anywhere.
    if (readsInput && (newHosts.length > 0 || (cardReads.length > 0 && sends.length > 0))) {
      add('critical', 'exfiltration', 'reads form input and sends it out (skimmer pattern)',
        [...listenerTargets.slice(0, 2), ...cardReads.slice(0, 2), ...sends, ...newHosts.slice(0, 2)].join(', '));
    } else if ((watchesInput || (touchedFields && (cardReads.length > 0 || listeners.length > 0))) && sends.length > 0) {
      // A known host is no excuse: skimmers post to the shop's own analytics or tag manager.
      add('high', 'exfiltration', 'watches payment fields and sends data (to a host the page already uses)', [...listenerTargets.slice(0, 2), ...cardReads.slice(0, 2), ...sends].join(', '));
    } else if (readsInput && after.sends.size > 0) {
      add('medium', 'send', 'reads form input in code that also sends data', [...listenerTargets.slice(0, 2), ...cardReads.slice(0, 2)].join(', '));
    }
    if (touchedFields && obfuscation.length + dynamic.length + builtAtRunTime.length > 0) {
      // Code that hides what it does and, at run time, reaches into the payment fields.
      add('high', 'exfiltration', `is obfuscated and touches payment fields at run time (${change.fieldAccess!.slice(0, 2).join('; ')})`, change.fieldAccess!.slice(0, 3).join('; '));
    }
    return findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  },
};
