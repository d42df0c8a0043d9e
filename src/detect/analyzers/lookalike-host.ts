// Spots host names made to look like hosts a page already trusts: small edit distances and reused brand names.

import type { Analyzer, ConnectionChange, Finding } from './types.js';

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The label a brand is registered under: `shop` for `cdn.shop.example` or `shop.co.uk`. */
export function brandLabel(host: string): string {
  const labels = host.replace(/:\d+$/, '').toLowerCase().split('.').filter(Boolean);
  if (labels.length < 2) return labels[0] ?? '';
  const secondLevel = labels.length >= 3 && /^(co|com|net|org|gov|ac|edu)$/.test(labels[labels.length - 2]!) && labels[labels.length - 1]!.length === 2;
  return labels[labels.length - (secondLevel ? 3 : 2)]!;
}

const GENERIC = new Set(['cdn', 'static', 'assets', 'api', 'www', 'js', 'img', 'test', 'example', 'cloud', 'stats', 'analytics']);

export function lookalikeFindings(host: string, knownHosts: string[], analyzer = 'lookalike-host'): Finding[] {
  const label = brandLabel(host);
  if (!label) return [];
  const findings: Finding[] = [];
  for (const known of new Set(knownHosts.map(brandLabel))) {
    if (!known || known === label || known.length < 4 || GENERIC.has(known)) continue;
    const distance = editDistance(label, known);
    if (distance <= (known.length >= 8 ? 2 : 1)) {
      findings.push({ analyzer, severity: 'high', title: `${host} looks like known host ${known} (edit distance ${distance})`, detail: host });
    } else if (label.includes(known)) {
      findings.push({ analyzer, severity: 'high', title: `${host} reuses the name of known host ${known}`, detail: host });
    }
  }
  return findings.slice(0, 2);
}

/** A new destination named like a host the page already uses. */
export const lookalikeDestination: Analyzer<ConnectionChange> = {
  meta: { id: 'lookalike-host', title: 'Destinations named like hosts the page trusts', needs: ['host', 'knownHosts'] },
  run: (change) => lookalikeFindings(change.host, change.knownHosts).map((f) => ({ ...f, kind: 'lookalike' as const })),
};
