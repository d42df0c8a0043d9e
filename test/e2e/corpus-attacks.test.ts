// E2E: the corpus's skimmers on real pages through real scans, each rated high or critical naming destination and sender.

import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ATTACKS } from '../fixtures/corpus/attacks.js';
import { assertCaseRating, assertScannedTwice, scanCorpus, type CorpusRun } from './corpus-scan.js';

describe('labelled corpus: skimmers', () => {
  let run: CorpusRun;
  beforeAll(async () => { run = await scanCorpus(ATTACKS); }, 600_000);
  afterAll(async () => { await run?.close(); });

  it('scans every case successfully twice, the first raising nothing', () => assertScannedTwice(run));

  for (const c of ATTACKS) it(`${c.label}: ${c.id} (${c.models})`, () => assertCaseRating(run, c));

  it('sees data sent while the page unloads (pagehide), as the next page replaces it', () => {
    assert.ok(run.of('keylogger-local-storage', 'exfiltration.detected').some((a) => a.subject === 'cdn-static-metrics.test'),
      JSON.stringify(run.of('keylogger-local-storage').map((a) => [a.type, a.summary])));
  });

  it('explains a skimmer in plain language: listener, fields, send, new host', () => {
    const skimmer = run.of('appended-first-party-skimmer', 'script.changed')[0]!;
    const summary = String(skimmer.details.changeSummary);
    assert.match(summary, /adds mouseup on button, touchend on button listeners|adds .*mouseup.*listener/);
    assert.match(summary, /skyline-airways\.test/);
    assert.match(summary, /XMLHttpRequest/);
  });
});
