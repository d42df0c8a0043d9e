// Unit: alerts one profile saw and another did not are flagged as possible cloaking.

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { cloakingFlags, noteCloaking, slotNotes } from '../../src/detect/cloaking.js';
import { planScan } from '../../src/plan/plan-scan.js';
import { emptyBaseline } from '../../src/plan/baseline.js';
import { pageCapture } from '../fixtures/captures.js';
import type { PlannedAlert } from '../../src/plan/plan.js';

describe('cloakingFlags', () => {
  const alert = (id: number, profile: string, type = 'script.changed', subject = 'app.js') => ({ id, target: 'shop', profile, type, subject });
  it('flags a change only one of the scanned profiles saw', () => {
    const scanned = new Map([['shop', ['desktop', 'mobile']]]);
    assert.deepEqual(cloakingFlags([alert(1, 'mobile')], scanned), [{ id: 1, profile: 'mobile', others: ['desktop'] }]);
    assert.deepEqual(cloakingFlags([alert(1, 'mobile'), alert(2, 'desktop')], scanned), []);
    assert.deepEqual(cloakingFlags([alert(1, 'mobile', 'header.changed', 'csp')], scanned), []);
  });
  it('says nothing when the other profile was not scanned successfully', () => {
    assert.deepEqual(cloakingFlags([alert(1, 'mobile')], new Map([['shop', ['mobile']]])), []);
  });
});

describe('noteCloaking', () => {
  const planned = (profile: string, ...alerts: PlannedAlert[]) => ({ ...planScan(pageCapture([], { profile }), emptyBaseline(), { removalThreshold: 2 }), alerts });
  const changed = (subject: string): PlannedAlert => ({
    type: 'script.changed', severity: 'high', page: 'https://shop.example/checkout', subject, subjectType: 'script', subjectKey: subject,
    summary: `Script ${subject} changed`, dedupeKey: `script.changed|${subject}|x`, oldValue: null, newValue: 'x', details: {},
  });
  it('notes, in the alert as it is written, a change only one profile of the run saw', () => {
    const [desktop, mobile] = noteCloaking([{ plan: planned('desktop'), repeatKeys: new Set() }, { plan: planned('mobile', changed('app.js')), repeatKeys: new Set() }]);
    assert.deepEqual(desktop!.alerts, []);
    assert.match(mobile!.alerts[0]!.summary, /possible cloaking: only the mobile profile sees this; the desktop profile did not/);
    assert.equal(mobile!.alerts[0]!.details.cloaking, 'possible cloaking: only the mobile profile sees this; the desktop profile did not in the same run');
  });
  it('counts an alert another profile still has standing from an earlier run as seen there', () => {
    const standing = changed('app.js');
    const [, mobile] = noteCloaking([
      { plan: planned('desktop', standing), repeatKeys: new Set([standing.dedupeKey]) },
      { plan: planned('mobile', changed('app.js')), repeatKeys: new Set() },
    ]);
    assert.equal(mobile!.alerts[0]!.details.cloaking, undefined);
  });
});

describe('cloaking between vantages', () => {
  const planned = (profile: string, ...alerts: PlannedAlert[]) => ({ ...planScan(pageCapture([], { profile }), emptyBaseline(), { removalThreshold: 2 }), alerts });
  const added = (subject: string): PlannedAlert => ({
    type: 'script.added', severity: 'high', page: 'https://shop.example/checkout', subject, subjectType: 'script', subjectKey: subject,
    summary: `New script ${subject}`, dedupeKey: `script.added|${subject}`, oldValue: null, newValue: 'x', details: {},
  });
  it('compares the vantages of a device profile in one run, and the profiles of a vantage, each once', () => {
    const out = noteCloaking([
      { plan: planned('desktop@eu-west', added('skim.js')), repeatKeys: new Set() },
      { plan: planned('mobile@eu-west', added('skim.js')), repeatKeys: new Set() },
      { plan: planned('desktop@us-east'), repeatKeys: new Set() },
    ]);
    // Both eu-west profiles see it (no device note); only eu-west among the desktop vantages does.
    assert.equal(out[0]!.alerts[0]!.details.cloaking, 'possible cloaking: only the eu-west vantage is served this (desktop); us-east did not see it in the same run');
    assert.equal(out[1]!.alerts[0]!.details.cloaking, undefined, 'no other vantage scanned mobile');
  });
  it('notes a change only one profile of a vantage saw with the vantage named', () => {
    const [, mobile] = noteCloaking([{ plan: planned('desktop@eu-west'), repeatKeys: new Set() }, { plan: planned('mobile@eu-west', added('m.js')), repeatKeys: new Set() }]);
    assert.equal(mobile!.alerts[0]!.details.cloaking, 'possible cloaking: only the mobile profile sees this at eu-west; the desktop profile did not in the same run');
  });

  it('compares a slot the workers of each vantage recorded, counting what another vantage saw again or holds approved', () => {
    const scans = [{ id: 10, profile: 'desktop@eu-west', ok: true }, { id: 11, profile: 'desktop@us-east', ok: true }, { id: 12, profile: 'desktop@ap-south', ok: true }];
    const alert = (id: number, profile: string, subject: string, firstScanId: number, lastScanId = firstScanId, status = 'open') =>
      ({ id, profile, type: 'script.added', subject, summary: `New script ${subject}`, details: {}, status, firstScanId, lastScanId });
    const notes = slotNotes(scans, [
      alert(1, 'desktop@eu-west', 'skim.js', 10),
      alert(2, 'desktop@eu-west', 'both.js', 10), alert(3, 'desktop@us-east', 'both.js', 4, 11),
      alert(4, 'desktop@eu-west', 'approved-elsewhere.js', 10), alert(5, 'desktop@us-east', 'approved-elsewhere.js', 2, 2, 'approved'),
    ]);
    assert.deepEqual(notes.map((n) => n.id), [1]);
    assert.equal(notes[0]!.details.cloaking, 'possible cloaking: only the eu-west vantage is served this (desktop); us-east and ap-south did not see it in the same scheduled slot');
    assert.match(notes[0]!.summary, /^New script skim\.js; possible cloaking: only the eu-west vantage/);
    // A vantage whose scan failed is no witness.
    assert.deepEqual(slotNotes([scans[0]!, { ...scans[1]!, ok: false }], [alert(1, 'desktop@eu-west', 'skim.js', 10)]), []);
  });
});
