// End to end: analysis runs in worker threads within limits.analysisBudget; a task over it is stopped and said so.

import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { CHECKOUT_HTML, CSP } from '../fixtures/shop.js';
import { baselinedShop, type Scenario } from './scenario.js';

describe('the analysis budget', () => {
  let s: Scenario;
  // A budget no real analysis fits in: every task in the pool is stopped, as a crafted body's would be.
  // The page also runs a 1.5 MB script (approved): even an unchanged rescan's plan takes more than 1 ms to hash and
  // hand over, whatever the machine (a small page's plan can finish within 1 ms).
  beforeAll(async () => {
    s = await baselinedShop({ canary: false, extraConfig: 'limits:\n  analysisBudget: 1ms' });
    s.site.set('shop.test', '/static/bundle.js', `window.bundle = [${'1234567890,'.repeat(140_000)}0];`);
    s.site.set('shop.test', '/checkout', { body: CHECKOUT_HTML.replace('</head>', '<script src="/static/bundle.js"></script></head>'), headers: { 'content-security-policy': CSP, 'x-frame-options': 'DENY' } });
    await s.scan();
    const approved = await s.cli('approve', '--all', '--note', 'bundle reviewed', '--by', 'alice');
    if (approved.code !== 0) throw new Error(approved.stderr);
  });
  afterAll(async () => { await s.close(); });

  it('still records the scan when planning runs out of its budget, compared without library identification, and says so', async () => {
    const { result, json } = await s.scan();
    assert.equal(result.code, 0, JSON.stringify(json.alerts));
    assert.ok(json.targets[0]!.warnings.some((w) => /analysis stopped after its 1 ms budget/.test(w)), JSON.stringify(json.targets[0]!.warnings));
  });

  it('raises the alert of a script whose analysis ran out of its budget, with a finding that says so', async () => {
    s.site.set('shop.test', '/static/stall.js', `/* ${'['.repeat(300_000)} */ window.x = 1;`);
    s.site.set('shop.test', '/checkout', { body: CHECKOUT_HTML.replace('</head>', '<script src="/static/bundle.js"></script><script src="/static/stall.js"></script></head>'), headers: { 'content-security-policy': CSP, 'x-frame-options': 'DENY' } });
    const { result, json } = await s.scan();
    assert.equal(result.code, 1);
    const alert = json.alerts.find((a) => a.subject.endsWith('/static/stall.js'));
    assert.ok(alert, JSON.stringify(json.alerts.map((a) => a.subject)));
    const findings = alert.details.findings as { title: string }[];
    assert.ok(findings.some((f) => /analysis stopped after its 1 ms budget/.test(f.title)), JSON.stringify(findings));
  });
});
