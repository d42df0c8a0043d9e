// The `resolve:` option (like curl --resolve): host patterns mapped to IP addresses.

export type ResolveMap = Record<string, string>;

function matches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (p.startsWith('*.')) return h.endsWith(p.slice(1));
  return p === h;
}

/** The mapped IP for a host name, exact patterns before wildcards; null when unmapped. */
export function resolveHost(map: ResolveMap, host: string): string | null {
  const entries = Object.entries(map);
  const exact = entries.find(([pattern]) => !pattern.startsWith('*.') && matches(pattern, host));
  if (exact) return exact[1];
  const wildcard = entries.find(([pattern]) => matches(pattern, host));
  return wildcard ? wildcard[1] : null;
}

/** Chromium's --host-resolver-rules value for the map, merged with any rules the user passed. */
export function hostResolverRules(map: ResolveMap, existing: string | null): string | null {
  // Chromium takes the first rule that matches: exact names go before wildcards, as resolveHost decides.
  const ordered = Object.entries(map).sort(([a], [b]) => Number(a.startsWith('*.')) - Number(b.startsWith('*.')));
  const rules = ordered.map(([pattern, ip]) => `MAP ${pattern} ${ip.includes(':') ? `[${ip}]` : ip}`);
  if (existing) rules.push(existing);
  return rules.length ? rules.join(', ') : null;
}

/**
 * The map direct fetches use: `resolve:` plus any `MAP host ip` rules passed to Chromium in browser.args,
 * so a resource target resolves the same way its pages do. `resolve:` wins on conflicts.
 */
export function effectiveResolveMap(map: ResolveMap, browserArgs: string[]): ResolveMap {
  const merged: ResolveMap = {};
  for (const arg of browserArgs) {
    if (!arg.startsWith('--host-resolver-rules=')) continue;
    for (const rule of arg.slice('--host-resolver-rules='.length).split(',')) {
      const match = /^\s*MAP\s+(\S+)\s+\[?([0-9a-fA-F.:]+?)\]?\s*$/.exec(rule);
      if (match && /^[\d.]+$|:/.test(match[2]!)) merged[match[1]!] = match[2]!;
    }
  }
  return { ...merged, ...map };
}
