// Checks of the raw config document that its schema cannot express, reported with the schema's own problems.

/** Resource targets are fetched directly: through an http(s) proxy, but not through a SOCKS one. */
export function socksForResources(raw: unknown): string[] {
  const doc = raw as { browser?: { proxy?: unknown }; vantages?: unknown; targets?: unknown } | null;
  const socks = (proxy: unknown) => typeof proxy === 'string' && /^socks/i.test(proxy);
  const where = [
    ...(socks(doc?.browser?.proxy) ? ['browser.proxy'] : []),
    ...(Array.isArray(doc?.vantages) ? doc.vantages.flatMap((v, i) => (socks((v as { proxy?: unknown } | null)?.proxy) ? [`vantages[${i}].proxy`] : [])) : []),
  ];
  if (where.length === 0 || !Array.isArray(doc?.targets)) return [];
  return doc.targets.flatMap((t, i) => ((t as { type?: unknown } | null)?.type === 'resource'
    ? [`targets[${i}].type: resource targets are fetched directly and cannot use a SOCKS proxy (${where.join(', ')}); use an http proxy`] : []));
}

/** Duplicate target names, checked on the raw document so they are reported alongside other problems. */
export function duplicateNames(raw: unknown): string[] {
  const targets = (raw as { targets?: unknown } | null)?.targets;
  if (!Array.isArray(targets)) return [];
  const seen = new Set<string>();
  const lines: string[] = [];
  targets.forEach((target, index) => {
    const name = (target as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') return;
    if (seen.has(name)) lines.push(`targets[${index}].name: duplicate target name "${name}"`);
    seen.add(name);
  });
  return lines;
}

/** The registry npm itself is set to use (`npm_config_registry`), else the public one. */
export function registryFromEnv(env: Record<string, string | undefined>): string {
  const configured = env.npm_config_registry ?? env.NPM_CONFIG_REGISTRY;
  return configured && /^https?:\/\//.test(configured) ? configured : 'https://registry.npmjs.org/';
}
