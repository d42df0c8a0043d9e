// Matches hosts against lists of domains known to serve malicious code (pure; the lists are read by load-intel).

export interface KnownBadHosts {
  /** Lower-case host names; each also covers its sub-domains. */
  hosts: Set<string>;
  /** Where the entries came from, for `scriptwarden intel` and the docs. */
  sources: string[];
}

/** Parses a list: one host per line, `#` comments, blank lines ignored; URLs are reduced to their host. */
export function parseHostList(text: string): string[] {
  const hosts: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const entry = line.replace(/#.*/, '').trim().toLowerCase();
    if (!entry) continue;
    const host = entry.replace(/^[a-z][a-z0-9+.-]*:\/\//, '').replace(/[/:?].*$/, '').replace(/^\*\./, '').replace(/\.$/, '');
    if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host)) hosts.push(host);
  }
  return hosts;
}

/** The list entry a host falls under (`cdn.polyfill.io` → `polyfill.io`), or null. */
export function knownBadMatch(list: KnownBadHosts, host: string): string | null {
  let name = host.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  while (name.includes('.')) {
    if (list.hosts.has(name)) return name;
    name = name.slice(name.indexOf('.') + 1);
  }
  return null;
}
