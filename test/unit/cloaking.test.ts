// Unit: alerts one profile saw and another did not are flagged as possible cloaking.

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { cloakingFlags, noteCloaking } from '../../src/detect/cloaking.js';
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
