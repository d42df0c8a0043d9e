// Store and run step: a script's claim to be a published release is checked against the files the store recorded, also
// when another target's scan records that release while this one is being judged (targets are judged side by side).

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'vitest';
import type { RegistryClient } from '../../src/detect/intel/intel.js';
import { verifyReleases } from '../../src/run/verify-releases.js';
import { openStore } from '../../src/store/open-store.js';
import type { Releases } from '../../src/store/releases.js';
import { tempProject } from '../fixtures/cli.js';
import { testDatabase } from '../fixtures/test-database.js';

const BODY = '/*! somelib v1.2.3 */window.somelib={v:"1.2.3"};';
const SHA = createHash('sha256').update(BODY).digest('hex');
const URL_ = 'https://cdn.example/npm/somelib@1.2.3/dist/somelib.min.js';
const FILES = [{ path: 'dist/somelib.min.js', sha256: SHA, size: BODY.length }];
const release = (files = FILES) => ({ name: 'somelib', version: '1.2.3', status: 'ok' as const, registry: 'https://registry.example', files });
/** A registry that must not be asked: the release is already recorded when the claim is looked at. */
const unused: RegistryClient = { url: 'https://registry.example', fetchRelease: async () => { throw new Error('the registry was asked for a release already recorded'); } };

describe('release verification', () => {
  it('finds the bytes a release another scan recorded meanwhile ships, instead of calling them different', async () => {
    const store = await openStore(await testDatabase(tempProject('sw-verify-releases-')));
    try {
      // The first look by hash finds nothing; right after it another target's scan records the release (committed).
      let looks = 0;
      const releases: Releases = {
        ...store.releases,
        bySha: async (sha) => {
          const found = await store.releases.bySha(sha);
          if (looks++ === 0) await store.releases.put(release(), '2026-12-04T10:00:00.000Z');
          return found;
        },
      };
      const verdicts = await verifyReleases([{ sha256: SHA, url: URL_, body: BODY, library: null }], { releases, registry: unused });
      assert.deepEqual(verdicts.get(SHA), { status: 'identical', name: 'somelib', version: '1.2.3', path: 'dist/somelib.min.js' });
    } finally {
      await store.close();
    }
  });

  it('says a script differs when the recorded release ships no file with its bytes', async () => {
    const store = await openStore(await testDatabase(tempProject('sw-verify-releases-')));
    try {
      await store.releases.put(release([{ path: 'dist/somelib.min.js', sha256: 'f'.repeat(64), size: 10 }]), '2026-12-04T10:00:00.000Z');
      const verdicts = await verifyReleases([{ sha256: SHA, url: URL_, body: BODY, library: null }], { releases: store.releases, registry: unused });
      assert.deepEqual(verdicts.get(SHA), { status: 'differs', name: 'somelib', version: '1.2.3', via: 'path' });
    } finally {
      await store.close();
    }
  });
});
