// Grouped authorization picks scripts by target, host (with *.domain), vendor and kind, and never removed ones.

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { describeSelector, selectScripts } from '../../src/evidence/script-selection.js';
import type { InventoryRow } from '../../src/evidence/inventory-report.js';

const row = (scriptId: number, fields: Partial<InventoryRow>): InventoryRow => ({
  scriptId, target: 'checkout', kind: 'external', host: null, vendor: null, state: 'approved', ...fields,
} as InventoryRow);

const rows = [
  row(1, { host: 'js.stripe.com', vendor: 'Stripe' }),
  row(2, { host: 'm.stripe.network:443', vendor: 'Stripe' }),
  row(3, { host: 'cdn.example.com', target: 'home' }),
  row(4, { host: 'shop.example', kind: 'inline' }),
  row(5, { host: 'js.stripe.com', vendor: 'Stripe', state: 'removed' }),
  row(6, { host: 'evilstripe.com' }),
];
const ids = (selector: Parameters<typeof selectScripts>[1]) => selectScripts(rows, selector).map((r) => r.scriptId);

describe('script selection', () => {
  it('matches hosts exactly (with or without a port) or by *.domain, not by a suffix of another name', () => {
    assert.deepEqual(ids({ host: 'js.stripe.com' }), [1]);
    assert.deepEqual(ids({ host: 'm.stripe.network' }), [2]);
    assert.deepEqual(ids({ host: '*.stripe.com' }), [1]);
    assert.deepEqual(ids({ host: '*.com' }), [1, 3, 6]);
  });
  it('matches vendors in any case, kinds and targets, all parts together, never a removed script', () => {
    assert.deepEqual(ids({ vendor: 'stripe' }), [1, 2]);
    assert.deepEqual(ids({ kind: 'inline' }), [4]);
    assert.deepEqual(ids({ target: 'home' }), [3]);
    assert.deepEqual(ids({ vendor: 'Stripe', host: 'js.stripe.com' }), [1]);
    assert.equal(describeSelector({ vendor: 'Stripe', kind: 'external' }), 'vendor Stripe, kind external');
  });
});
