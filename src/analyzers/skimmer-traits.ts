// Analyzer: what the new code does that the old did not — payment-field listeners, card reads, sends to new hosts, eval, obfuscation, mining.

import { severityRank, type Severity } from '../types.js';
import { codeTraits, type CodeTraits } from './code-traits.js';
import { lookalikeFindings } from './lookalike-host.js';
import type { Analyzer, Finding, ScriptChange } from './types.js';

const URL_IN_TEXT = /(?:https?|wss?):\/\/([a-z0-9.-]+\.[a-z]{2,}|\d{1,3}(?:\.\d{1,3}){3})/gi;

function hostname(host: string): string {
  return host.replace(/:\d+$/, '').toLowerCase();
}

function added<T>(after: Set<T>, before: Set<T> | undefined): T[] {
  return [...after].filter((item) => !before?.has(item));
}

/** Hosts named in text that is not JavaScript (a shell installer, say), found by pattern. */
function textHosts(text: string): Set<string> {
  return new Set([...text.matchAll(URL_IN_TEXT)].map((m) => m[1]!.toLowerCase()));
}

export const skimmerTraits: Analyzer = {
  meta: { id: 'skimmer-traits', title: 'Skimmer and miner traits in added code', needs: ['new body', 'old body (optional)'] },
  run(change: ScriptChange): Finding[] {
    const after = codeTraits(change.newCode);
    const before: CodeTraits | undefined = change.oldCode === null ? undefined : codeTraits(change.oldCode);
    const findings: Finding[] = [];
    const add = (severity: Severity, title: string, detail: string) => findings.push({ analyzer: 'skimmer-traits', severity, title, detail });
    const known = new Set([change.pageHost, ...change.knownHosts].filter((h): h is string => Boolean(h)).map(hostname));

    const hostsAfter = after.parsed ? after.hosts : textHosts(change.newCode);
    const hostsBefore = before ? (before.parsed ? before.hosts : textHosts(change.oldCode!)) : undefined;
    const newHosts = added(hostsAfter, hostsBefore).filter((h) => !known.has(hostname(h)));
    const listeners = added(after.listeners, before?.listeners);
    const cardReads = added(after.cardReads, before?.cardReads);
    const sends = added(after.sends, before?.sends);
    const dynamic = added(after.dynamicCode, before?.dynamicCode);
    const obfuscation = added(after.obfuscation, before?.obfuscation);
    const miner = added(after.miner, before?.miner);

    for (const host of newHosts.slice(0, 5)) {
      add('medium', `references new host ${host}`, host);
      findings.push(...lookalikeFindings(host, [...known], 'skimmer-traits'));
    }
    if (listeners.length) add('medium', `listens to ${listeners.join(', ')} events`, listeners.join(', '));
    if (cardReads.length) add('medium', 'reads payment or form fields', cardReads.slice(0, 5).join(', '));
    if (sends.length) add('medium', `sends data with ${sends.join(', ')}`, sends.join(', '));
    if (dynamic.length) add('high', `runs dynamic code (${dynamic.join(', ')})`, dynamic.join(', '));
    if (obfuscation.length) add('high', 'obfuscated code', obfuscation.slice(0, 3).join(', '));
    if (miner.length) {
      const mining = miner.some((m) => /WebAssembly|blob/i.test(m)) && (after.sends.has('WebSocket') || miner.some((m) => !/WebAssembly|blob/i.test(m)));
      add(mining ? 'critical' : 'high', mining ? 'crypto-miner traits' : 'miner-like traits', miner.slice(0, 3).join(', '));
    }
    const sendsAnything = sends.length > 0 || after.sends.size > 0 || !after.parsed;
    if (newHosts.length && sendsAnything) add('high', `may send data to new host ${newHosts[0]}`, newHosts.join(', '));
    if ((listeners.length || cardReads.length) && (sends.length || newHosts.length)) {
      add('critical', 'skimmer pattern: reads form input and sends it out', [...listeners, ...cardReads.slice(0, 2), ...sends, ...newHosts.slice(0, 2)].join(', '));
    }
    return findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  },
};
