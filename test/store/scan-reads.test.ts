// Store: a scan run on a real SQLite file reads what judging needs once, and writes each scan whole, notes included.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { emptyIntel } from '../../src/detect/intel/intel.js';
import { runScan } from '../../src/run/run-scan.js';
import type { Capturer } from '../../src/capture/capturer.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import type { PageCapture } from '../../src/capture/types.js';
import { tempProject } from '../fixtures/cli.js';
import { testDatabase } from '../fixtures/test-database.js';
import { ROOT } from '../fixtures/paths.js';

const recorded = (name: string): PageCapture => JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'recorded', `${name}.json`), 'utf8')) as PageCapture;

/** A capturer that hands out the recorded capture named for each request, as the target and profile asked. */
function replay(nameFor: (profile: string) => string): Capturer {
  return {
    page: async (request) => ({ ...recorded(nameFor(request.profile)), target: request.target, profile: request.profile }),
    resource: async () => { throw new Error('no resources here'); },
  };
}

function counting(store: Store): { store: Store; standing: () => number } {
  let calls = 0;
  const alerts: Store['alerts'] = {
    ...store.alerts,
    standingKeys: (...args) => { calls++; return store.alerts.standingKeys(...args); },
  };
  const counted: Store = { ...store, alerts };
  return { store: counted, standing: () => calls };
}

describe('a scan run on the store', () => {
  const url = recorded('checkout').requestedUrl;
  const config = parseConfig({ database: './sw.db', targets: [{ name: 'checkout', url }], profiles: ['desktop', 'mobile'] }, join(tempProject('sw-reads-'), 'sw.yml'));

  it('looks the standing alerts of each scan up once, however many alerts it raises', async () => {
    const raw = await openStore(await testDatabase(tempProject('sw-reads-')));
    const { store, standing } = counting(raw);
    let next = 'checkout';
    const capturer = replay(() => next);
    await runScan({ config, store, capturer, intel: emptyIntel(), targets: config.targets });
    await raw.alerts.approveAll({ by: 'alice', note: 'baseline', at: new Date().toISOString() });
    const before = standing();
    next = 'checkout-british-airways';
    const run = await runScan({ config, store, capturer, intel: emptyIntel(), targets: config.targets });
    assert.ok(run.alerts.length >= 4, JSON.stringify(run.alerts.map((a) => a.type)));
    assert.equal(standing() - before, 2, 'one lookup per scan: two profiles');
    await raw.close();
  });

  it('writes a change every profile saw without a cloaking note, and one only the mobile profile saw with it, in its scan', async () => {
    const store = await openStore(await testDatabase(tempProject('sw-reads-')));
    let attack = false;
    const capturer = replay((profile) => (attack && profile === 'mobile' ? 'checkout-british-airways' : 'checkout-again'));
    await runScan({ config, store, capturer, intel: emptyIntel(), targets: config.targets });
    await store.alerts.approveAll({ by: 'alice', note: 'baseline', at: new Date().toISOString() });
    attack = true;
    const run = await runScan({ config, store, capturer, intel: emptyIntel(), targets: config.targets });
    const changed = run.alerts.find((a) => a.type === 'script.changed')!;
    assert.equal(changed.profile, 'mobile');
    assert.match(changed.summary, /possible cloaking: only the mobile profile sees this/);
    // As stored, not only as returned: the note was written with the alert.
    assert.match((await store.alerts.get(changed.id))!.summary, /possible cloaking/);
    assert.equal((await store.alerts.get(changed.id))!.details.cloaking, 'possible cloaking: only the mobile profile sees this; the desktop profile did not in the same run');
    await store.close();
  });
});
