// E2E: the corpus's skimmers that hide their channel or their names, through real scans: each technique seen for what it is.

import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { severityRank } from '../../src/capture/types.js';
import { CHANNEL_ATTACKS } from '../fixtures/corpus/attacks-channels.js';
import { assertCaseRating, assertScannedTwice, scanCorpus, type CorpusRun } from './corpus-scan.js';

describe('labelled corpus: hidden channels', () => {
  let run: CorpusRun;
  beforeAll(async () => { run = await scanCorpus(CHANNEL_ATTACKS); }, 600_000);
  afterAll(async () => { await run?.close(); });

  it('scans every case successfully twice, the first raising nothing', () => assertScannedTwice(run));

  for (const c of CHANNEL_ATTACKS) it(`${c.label}: ${c.id} (${c.models})`, () => assertCaseRating(run, c));

  it('sees each technique for what it is: staged data, run-time built names, expiry and CVC, the right sender, own-site paths', () => {
    // Staged: written to localStorage on checkout (a finding), then sent when the next page loaded (an exfiltration).
    const stored = run.of('staged-in-local-storage', 'canary.stored');
    assert.equal(stored.length, 1, JSON.stringify(run.of('staged-in-local-storage').map((a) => [a.type, a.summary])));
    assert.match(stored[0]!.summary, /localStorage \(cart_state\).*\/js\/cart\.js/);
    assert.ok(run.of('staged-in-local-storage', 'exfiltration.detected').some((a) => a.subject === 'cart-sync-api.test'));
    // Obfuscated at run time and touching the card form (the instrumentation saw it): at least high on its own.
    const built = run.of('runtime-built-names', 'script.changed')[0]!;
    assert.ok(severityRank(built.severity) >= severityRank('high'), built.summary);
    assert.match(String(built.details.changeSummary), /builds its strings and property names at run time/);
    // Expiry and CVC are searched for, beside the card number.
    const ws = run.of('expiry-and-cvc-only-beside-pan', 'exfiltration.detected')[0]!;
    assert.deepEqual([...(ws.details.fields as string[])].sort(), ['cardNumber', 'cvc', 'expiry']);
    // A host the page already uses: blamed on the script whose stack sent the card, not on the analytics script.
    const trusted = run.of('skim-through-analytics-host', 'exfiltration.detected');
    assert.deepEqual(trusted.map((a) => String(a.details.script).replace(/:\d+/, '')), ['http://tag-hub.test/container.js']);
    // The shop's own site: the endpoint is the destination, and the form's own action is not.
    const own = run.of('own-domain-media-collector', 'exfiltration.detected');
    assert.deepEqual(own.map((a) => a.subject.replace(/:\d+/, '')), ['homewares.test/media/catalog/product/cache/a1b2/image.php']);
  });
});
