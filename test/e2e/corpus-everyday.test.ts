// E2E: the corpus's everyday changes through real scans: none above its allowance, each library upgrade one change.

import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ATTACKS } from '../fixtures/corpus/attacks.js';
import { BENIGN } from '../fixtures/corpus/benign.js';
import { CHANNEL_ATTACKS } from '../fixtures/corpus/attacks-channels.js';
import { assertCaseRating, assertScannedTwice, scanCorpus, type CorpusRun } from './corpus-scan.js';

describe('labelled corpus: everyday changes', () => {
  let run: CorpusRun;
  // The library upgrades are real npm files, verified against the published releases as in a real scan.
  beforeAll(async () => { run = await scanCorpus(BENIGN, { registry: true }); }, 600_000);
  afterAll(async () => { await run?.close(); });

  it('holds at least 25 attack cases and 8 everyday changes, all scanned successfully twice', () => {
    assert.ok(ATTACKS.length + CHANNEL_ATTACKS.length >= 25 && BENIGN.length >= 8, `${ATTACKS.length + CHANNEL_ATTACKS.length} attacks`);
    assertScannedTwice(run);
  });

  for (const c of BENIGN) it(`${c.label}: ${c.id} (${c.models})`, () => assertCaseRating(run, c));
  it('says what a recognised library upgrade is, with both versions', () => {
    const upgrade = run.of('library-upgrade-same-url', 'script.changed')[0];
    assert.ok(upgrade, 'the upgrade is still reported for review');
    assert.match(upgrade.summary, /upgrades jquery 3\.6\.0 → 3\.7\.1/);
    // A release at a new versioned URL is one change from the old script, diffed against its body: no addition, no removal.
    const moved = run.of('library-upgrade-new-url', 'script.changed')[0];
    assert.ok(moved, JSON.stringify(run.of('library-upgrade-new-url').map((a) => [a.type, a.summary])));
    assert.match(String(moved.details.replaces), /lodash\/4\.17\.20\/lodash\.min\.js$/);
    assert.ok(moved.oldValue, 'compared with the old body');
    assert.deepEqual(run.of('library-upgrade-new-url').filter((a) => a.type !== 'script.changed').map((a) => a.type), []);
    assert.match(moved.summary, /upgrades lodash 4\.17\.20 → 4\.17\.21/);
  });
});
