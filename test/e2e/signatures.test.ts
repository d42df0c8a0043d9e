// E2E: the bundled library signatures against real files: each real release is named as itself (or not at all), and
// code that is no library (scriptwarden's own build) is named as nothing.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, it } from 'vitest';
import { loadIntel } from '../../src/run/load-intel.js';
import { identifyLibrary } from '../../src/detect/intel/libraries.js';
import { npmNames } from '../../src/detect/intel/release-claims.js';
import { fetchReleases, RELEASES, releaseFile } from '../fixtures/npm-releases.js';
import { DIST } from '../fixtures/paths.js';

const intel = loadIntel({ libraries: [], knownBadHosts: [] });

function jsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? jsFiles(path) : name.endsWith('.js') ? [path] : [];
  });
}

describe('bundled library signatures on real files', () => {
  beforeAll(async () => { await fetchReleases(); });

  it('name each real release as itself or not at all, never as another library', () => {
    const wrong: string[] = [];
    for (const release of RELEASES) {
      for (const version of [release.from, release.to]) {
        const match = identifyLibrary(intel.libraries, { url: null, body: releaseFile(release.name, version, release.file) });
        if (match && (npmNames(match.name)[0] !== release.name || !match.version.startsWith(version))) wrong.push(`${release.name}@${version} taken for ${match.name} ${match.version} (by ${match.via})`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it("match none of scriptwarden's own compiled code, which is no library", () => {
    const root = DIST;
    const files = ['src', 'crawler', 'dashboard'].flatMap((dir) => jsFiles(join(root, dir)));
    assert.ok(files.length > 50);
    const matched = files.flatMap((file) => {
      const match = identifyLibrary(intel.libraries, { url: null, body: readFileSync(file, 'utf8') });
      return match ? [`${file}: ${match.name} ${match.version}`] : [];
    });
    assert.deepEqual(matched, []);
  });
});
