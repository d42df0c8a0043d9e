// Unit: what the crawler is told a baseline holds, and what a load shows beyond it (it decides the costly evidence).

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { emptyBaseline } from '../../src/plan/baseline.js';
import { knownContent, unknownIn } from '../../src/plan/known-content.js';
import { planScan } from '../../src/plan/plan-scan.js';
import { APP, approvedBaseline, healthyShop, INLINE_A, INLINE_B, LIB, pageCapture, script } from '../fixtures/captures.js';

const baseline = approvedBaseline(planScan(healthyShop(), emptyBaseline(), { removalThreshold: 2 }));
const known = knownContent({ ...baseline, hosts: new Set(['shop.example', 'cdn.example']) })!;

describe('known content', () => {
  it('is nothing before a baseline is established', () => {
    assert.equal(knownContent(emptyBaseline()), undefined);
  });

  it('finds nothing new in an unchanged load, and a CSP nonce is no change', () => {
    assert.deepEqual(unknownIn(known, healthyShop()), []);
    const nonced = (nonce: string) => healthyShop({ securityHeaders: { 'content-security-policy': `script-src 'nonce-${nonce}' https://cdn.example` } });
    const withNonce = knownContent(approvedBaseline(planScan(nonced('a1b2'), emptyBaseline(), { removalThreshold: 2 })))!;
    assert.deepEqual(unknownIn({ ...withNonce, hosts: known.hosts }, nonced('z9y8')), []);
  });

  it('names a changed body, a missing script, a changed header and a new host', () => {
    const changed = pageCapture([{ ...APP, body: `${APP.body}\nfetch('https://evil.example/c')` }, LIB, INLINE_A, INLINE_B]);
    assert.deepEqual(unknownIn(known, changed), ['new body of https://shop.example/static/app.js', '1 known script version(s) not seen']);
    assert.deepEqual(unknownIn(known, pageCapture([APP, LIB, INLINE_A])), ['1 known script version(s) not seen']);
    assert.deepEqual(unknownIn(known, healthyShop({ securityHeaders: {} })), ['header content-security-policy']);
    const beacon = healthyShop();
    beacon.requests.push({ url: 'https://evil.example/p.gif', type: 'Image', method: 'GET', frameUrl: null, initiatorUrl: APP.url });
    assert.deepEqual(unknownIn(known, beacon), ['host evil.example']);
  });

  it('counts a script without a body as new, and an oversized one by its fingerprint', () => {
    const failed = script({ kind: 'external', url: 'https://cdn.example/gone.js', body: null, loadError: 'net::ERR_CONNECTION_RESET' });
    assert.deepEqual(unknownIn(known, pageCapture([APP, LIB, INLINE_A, INLINE_B, failed])), ['no body for https://cdn.example/gone.js']);
    const large = { ...LIB, body: null, bodyTooLarge: true, fingerprint: { sha256: baseline.scripts.find((s) => s.url === LIB.url)!.lastSha!, sri: '', size: 1 } };
    assert.deepEqual(unknownIn(known, pageCapture([APP, large, INLINE_A, INLINE_B])), []);
  });
});
