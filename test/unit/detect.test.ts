// Unit: detection is one pure step. Checkout pages recorded in real Chromium are planned and judged with no database.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { judgeCanary } from '../../src/detect/canary.js';
import { detect, type DetectInputs } from '../../src/detect/detect.js';
import { emptyBaseline, type BaselineSnapshot } from '../../src/plan/baseline.js';
import { planScan } from '../../src/plan/plan-scan.js';
import type { ScanPlan } from '../../src/plan/plan.js';
import type { PageCapture } from '../../src/capture/types.js';
import { buildLibraryIndex } from '../../src/detect/intel/libraries.js';
import { approvedBaseline } from '../fixtures/captures.js';
import { ROOT } from '../fixtures/paths.js';

/** A capture saved by `npm run record-captures`. */
const recorded = (name: string): PageCapture => JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'recorded', `${name}.json`), 'utf8')) as PageCapture;

const libraries = buildLibraryIndex();
const options = { removalThreshold: 2, libraries };

/** What a store would have read for the plan: its previous bodies from the approved plan, nothing standing yet. */
function inputsFor(plan: ScanPlan, baseline: BaselineSnapshot, approved: ScanPlan | null, repeatKeys: string[] = []): DetectInputs {
  const oldBodies = new Map<string, string>();
  for (const alert of plan.alerts) {
    const body = alert.oldValue ? approved?.bodies.get(alert.oldValue) : undefined;
    if (alert.oldValue && body !== undefined) oldBodies.set(alert.oldValue, body);
  }
  return { baseline, repeatKeys: new Set(repeatKeys), oldBodies, verdicts: new Map(), knownBad: { hosts: new Set(), sources: [] }, maxAlerts: 50 };
}

describe('detect on recorded captures', () => {
  const first = planScan(recorded('checkout'), emptyBaseline(), { ...options, samples: [recorded('checkout-again')] });
  const baseline = approvedBaseline(first);

  it('a first scan raises nothing, and an unchanged rescan stays quiet', async () => {
    assert.deepEqual((await detect(first, inputsFor(first, emptyBaseline(), null))).alerts, []);
    const rescan = planScan(recorded('checkout-again'), baseline, options);
    assert.deepEqual((await detect(rescan, inputsFor(rescan, baseline, first))).alerts.map((a) => a.summary), []);
  });

  it('rates lines appended to a first-party script that send the card critical, naming the listener, the host and the sender', async () => {
    const attack = planScan(recorded('checkout-british-airways'), baseline, options);
    const before = structuredClone(attack.alerts);
    const judged = await detect(attack, inputsFor(attack, baseline, first));
    assert.deepEqual(attack.alerts, before, 'the plan given is not changed');
    const changed = judged.alerts.filter((a) => a.type === 'script.changed');
    assert.equal(changed.length, 1, JSON.stringify(judged.alerts.map((a) => [a.type, a.summary])));
    assert.match(changed[0]!.subject, /\/static\/app\.js$/);
    assert.equal(changed[0]!.severity, 'critical');
    assert.match(changed[0]!.summary, /skimmer pattern/);
    assert.match(String(changed[0]!.details.changeSummary), /mouseup on #pay/);
    assert.match(String(changed[0]!.details.changeSummary), /shop-analytics\.test/);
    const exfil = judged.alerts.filter((a) => a.type === 'exfiltration.detected');
    assert.deepEqual(exfil.map((a) => a.subject), ['shop-analytics.test']);
    assert.match(String(exfil[0]!.details.script), /\/static\/app\.js$/);
  });

  it('does not judge again an alert already standing: it keeps its planned rating and is not capped', async () => {
    const attack = planScan(recorded('checkout-british-airways'), baseline, options);
    const key = attack.alerts.find((a) => a.type === 'script.changed')!.dedupeKey;
    const judged = await detect(attack, { ...inputsFor(attack, baseline, first, [key]), maxAlerts: 1 });
    const standing = judged.alerts.find((a) => a.dedupeKey === key)!;
    assert.equal(standing.details.findings, undefined, 'no analyzer ran on it');
    assert.ok(judged.alerts.some((a) => a.type === 'exfiltration.detected'), 'the new alert fits in the cap of one');
  });

  it('judges a recorded canary pass again with other settings: an approved processor is no exfiltration', () => {
    const pass = recorded('checkout-british-airways').canary!;
    const page = 'http://shop.test:47913/checkout';
    assert.deepEqual(judgeCanary(pass, page, []).findings.map((f) => [f.host, f.channel, f.fields.join()]), [['shop-analytics.test', 'beacon', 'cardNumber']]);
    assert.deepEqual(judgeCanary(pass, page, ['*.shop-analytics.test', 'shop-analytics.test']).findings, []);
    assert.deepEqual(judgeCanary(recorded('checkout').canary!, page, []).findings, [], 'the shop itself sends the card nowhere');
    // The scan records the judgement, not what was typed and sent.
    const plan = planScan(recorded('checkout-british-airways'), baseline, { ...options, approvedHosts: ['shop-analytics.test'] });
    assert.deepEqual(plan.scan.canary?.findings, []);
    assert.equal(plan.alerts.filter((a) => a.type === 'exfiltration.detected').length, 0);
    assert.equal('outbound' in (plan.scan.canary ?? {}), false);
  });
});
