// scriptwarden's version, read once from its package.json (from the sources or the build alike).

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function readVersion(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; dirname(dir) !== dir; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const { name, version } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
    if (name === 'scriptwarden' && version) return version;
  }
  return 'unknown';
}
