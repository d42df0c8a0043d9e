// The documented severity rules for each alert type (docs/architecture.md lists them).

import type { Severity } from '../capture/types.js';
import { classify } from '../detect/vendors.js';

/** Paths that name a fixed version or content hash: their content must never change. */
export function isVersionedUrl(url: string | null): boolean {
  if (!url) return false;
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return false;
  }
  return (
    /(^|[\/@_.-])v?\d+\.\d+(\.\d+)?([\/._-]|$)/i.test(path) ||
    /[\/._-][0-9a-f]{8,}[\/._-]/i.test(path)
  );
}

export interface ScriptSeverityInput {
  paymentPage: boolean;
  url: string | null;
  /** The page the script runs on, to tell first from third party. */
  pageUrl?: string;
}

/**
 * A new script: `high` on a payment or login page; elsewhere `medium` from an unknown third party, and `low` from
 * the page's own site or a vendor the third-party-web dataset knows. Analyzer findings raise it.
 */
export function scriptAddedSeverity({ paymentPage, url, pageUrl }: ScriptSeverityInput): Severity {
  if (paymentPage) return 'high';
  if (!url || !pageUrl || !/^https?:/i.test(url)) return 'low';
  const info = classify(url, pageUrl);
  return info.party === 'first' || info.vendor !== null ? 'low' : 'medium';
}

/**
 * A changed script: `critical` at a versioned or content-hashed URL, whose content must never change; otherwise
 * `low`, and the analyzers raise it by what the new code does (a skimmer appended to a library is `critical`).
 */
export function scriptChangedSeverity({ url }: ScriptSeverityInput): Severity {
  return isVersionedUrl(url) ? 'critical' : 'low';
}

export function scriptRemovedSeverity(): Severity {
  return 'low';
}

export function resourceChangedSeverity(url: string): Severity {
  return isVersionedUrl(url) ? 'critical' : 'high';
}

export function connectionAddedSeverity(input: { paymentPage: boolean; sendsData: boolean }): Severity {
  return input.paymentPage || input.sendsData ? 'high' : 'medium';
}

const STRONG_HEADERS = new Set(['content-security-policy', 'strict-transport-security', 'x-frame-options']);

/** CSP tokens that make a policy weaker when they appear. */
const WEAK_CSP_TOKENS = ["'unsafe-inline'", "'unsafe-eval'", '*', 'data:', 'http:', 'https:'];

function cspDirectives(policy: string): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  for (const part of policy.split(';')) {
    const tokens = part.trim().split(/\s+/).filter(Boolean);
    if (tokens.length === 0) continue;
    const name = tokens[0]!.toLowerCase();
    if (!map.has(name)) map.set(name, new Set(tokens.slice(1).map((t) => t.toLowerCase())));
  }
  return map;
}

/** Reasons a new CSP is weaker than an old one: a directive dropped, or a permissive token added. */
export function cspWeakenings(oldPolicy: string, newPolicy: string): string[] {
  const before = cspDirectives(oldPolicy);
  const after = cspDirectives(newPolicy);
  const reasons: string[] = [];
  for (const [name, oldTokens] of before) {
    const newTokens = after.get(name);
    if (!newTokens) {
      reasons.push(`directive ${name} dropped`);
      continue;
    }
    for (const token of WEAK_CSP_TOKENS) {
      if (newTokens.has(token) && !oldTokens.has(token)) reasons.push(`${name} now allows ${token}`);
    }
  }
  return reasons;
}

export interface HeaderChange {
  name: string;
  oldValue: string | null;
  newValue: string | null;
}

export function headerChangeSeverity(change: HeaderChange): { severity: Severity; reasons: string[] } {
  if (change.newValue === null) {
    return { severity: STRONG_HEADERS.has(change.name) ? 'high' : 'medium', reasons: ['header removed'] };
  }
  if (change.oldValue === null) return { severity: 'low', reasons: ['header added'] };
  if (change.name === 'content-security-policy') {
    const reasons = cspWeakenings(change.oldValue, change.newValue);
    if (reasons.length > 0) return { severity: 'high', reasons };
  }
  if (change.name === 'strict-transport-security' && /max-age\s*=\s*0\b/i.test(change.newValue)) {
    return { severity: 'high', reasons: ['max-age=0 disables HSTS'] };
  }
  return { severity: 'medium', reasons: ['value changed'] };
}
