// Defects found by reading, each pinned: capture failures are named for what failed, analyzers get what they need,
// the version comes from package.json.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { runAnalyzers } from '../../src/detect/analyzers/run-analyzers.js';
import type { Analyzer } from '../../src/detect/analyzers/types.js';
import { emptyIntel } from '../../src/detect/intel/intel.js';
import { ScriptwardenError } from '../../src/errors.js';
import { captureOnce } from '../../src/run/run-scan.js';
import type { Capturer } from '../../src/capture/capturer.js';
import { readVersion } from '../../src/cli/version.js';
import { ROOT } from '../fixtures/paths.js';
import { captureTimeLimits } from '../../src/capture/time-limits.js';

const target = { name: 'shop', url: 'https://shop.example/', type: 'page' as const, profiles: undefined, journey: undefined };
const throwing = (error: unknown): Capturer => ({ page: async () => { throw error; }, resource: async () => { throw error; } });

describe('defects found by reading', () => {
  it('names a fault of our own CAPTURE_FAILED, not BROWSER_CRASHED; a browser that went away stays BROWSER_CRASHED', async () => {
    const bug = await captureOnce(throwing(new TypeError("Cannot read properties of undefined (reading 'frames')")), target as never, 'desktop');
    assert.equal(bug.outcome.ok ? '' : bug.outcome.code, 'CAPTURE_FAILED');
    const gone = await captureOnce(throwing(new Error('Protocol error (Target.createBrowserContext): Target closed')), target as never, 'desktop');
    assert.equal(gone.outcome.ok ? '' : gone.outcome.code, 'BROWSER_CRASHED');
    const hung = await captureOnce(throwing(new ScriptwardenError('BROWSER_CRASHED', 'the browser did not open a page within 10000 ms')), target as never, 'desktop');
    assert.equal(hung.outcome.ok ? '' : hung.outcome.code, 'BROWSER_CRASHED');
  });

  it('gives an analyzer whose declared input is missing an error finding instead of running it', () => {
    let ran = false;
    const needsOld: Analyzer = { meta: { id: 'needs-old', title: 'compares with the old body', needs: ['oldCode'] }, run: () => { ran = true; return []; } };
    const findings = runAnalyzers({ oldCode: null, newCode: 'x()', url: null, pageHost: null, knownHosts: [], paymentPage: false, oldLibrary: null, newLibrary: null, knownBad: emptyIntel().knownBad }, [needsOld]);
    assert.equal(ran, false);
    assert.deepEqual(findings, [{ analyzer: 'needs-old', severity: 'info', kind: 'error', title: 'analyzer skipped: input missing', detail: 'needs oldCode' }]);
  });

  it('never stops a capture before its journey had the time it may take (a page timeout per step)', () => {
    for (const pageTimeoutMs of [2000, 30_000, 120_000]) {
      for (let steps = 0; steps <= 6; steps++) {
        const { loadMs, hardMs } = captureTimeLimits(pageTimeoutMs, steps);
        assert.equal(loadMs, pageTimeoutMs * (1 + steps));
        // The old hard limit was 2 page timeouts + 10 s whatever the journey: 70 s for 30 s and three steps, whose load may take 120 s.
        assert.ok(hardMs > loadMs, `${steps} steps of ${pageTimeoutMs} ms: the hard limit ${hardMs} ms comes after the load's ${loadMs} ms`);
      }
    }
  });

  it('reads the version from package.json', () => {
    assert.equal(readVersion(), (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });
});
