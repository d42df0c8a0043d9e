// Unit: canary values and the search for them in outbound data, under the encodings skimmers use.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attributeBeacons, exfiltrationFindings, findCanary, hostAllowed, luhnValid, makeCanary, type OutboundItem } from '../../src/canary.js';
import { fieldFor } from '../../crawler/canary-pass.js';

const values = { cardNumber: '4539578763621486', name: 'Karo Tendorval', expiry: '07/31', cvc: '482', email: 'canary.k3x9mq2p@example.com', password: 'Cn!k3x9mq2p42' };

describe('canary values', () => {
  it('are unique, Luhn-valid test cards with made-up names and mailboxes', () => {
    const a = makeCanary();
    const b = makeCanary();
    assert.ok(luhnValid(a.cardNumber) && luhnValid(b.cardNumber));
    assert.notEqual(a.cardNumber, b.cardNumber);
    assert.match(a.email, /^canary\.[a-z0-9]{8}@example\.com$/);
    assert.ok(luhnValid('4111111111111111'));
    assert.ok(!luhnValid('4111111111111112'));
  });
});

describe('findCanary', () => {
  const json = JSON.stringify({ n: values.cardNumber, h: values.name });
  const cases: [string, string, string][] = [
    ['raw JSON', json, 'raw'],
    ['URL-encoded form', `n=${encodeURIComponent(values.cardNumber)}&e=${encodeURIComponent(values.email)}`, 'raw'],
    ['base64 of JSON', Buffer.from(json).toString('base64'), 'base64'],
    ['URL-safe base64 in a query', `/p.gif?d=${Buffer.from(json).toString('base64url')}`, 'base64'],
    ['hex', Buffer.from(values.cardNumber).toString('hex'), 'hex'],
    ['reversed', [...values.cardNumber].reverse().join(''), 'reversed'],
    ['grouped digits', '4539 5787 6362 1486', 'digits'],
    ['base64 of URL-encoded text', Buffer.from(`cc=${encodeURIComponent(`${values.cardNumber}|${values.name}`)}`).toString('base64'), 'base64'],
  ];
  for (const [label, text, encoding] of cases) {
    it(`finds the card number as ${label}`, () => {
      const card = findCanary(text, values).find((m) => m.field === 'cardNumber');
      assert.ok(card, `not found in ${text}`);
      assert.equal(card.encoding, encoding);
    });
  }
  it('finds the name and mailbox too, and nothing in unrelated traffic', () => {
    assert.deepEqual(findCanary(`u=${encodeURIComponent(values.email)}`, values).map((m) => m.field), ['email']);
    assert.deepEqual(findCanary('{"page":"checkout","total":59.9,"id":"4539"}', values), []);
  });
});

describe('exfiltrationFindings', () => {
  const ownSite = (url: string) => new URL(url).hostname.endsWith('shop.example');
  const item = (url: string, extra: Partial<OutboundItem> = {}): OutboundItem => ({ url, method: 'POST', type: 'XHR', headers: {}, body: null, script: 'https://shop.example/app.js', ...extra });
  it('reports other hosts, grouped by host, channel and script, and leaves the own site and approved processors alone', () => {
    const findings = exfiltrationFindings([
      item('https://evil.example/c', { body: JSON.stringify({ n: values.cardNumber }) }),
      item('https://evil.example/c', { body: `e=${values.email}` }),
      item('https://shop.example/order', { body: values.cardNumber }),
      item('https://api.processor.example/tokens', { body: values.cardNumber }),
      item('wss://pool.example/ws', { type: 'WebSocket', method: 'WebSocket', frame: `CC:${values.cardNumber}` }),
      item('https://cdn.example/lib.js', { method: 'GET', type: 'Script' }),
    ], values, ownSite, ['*.processor.example']);
    assert.deepEqual(findings.map((f) => [f.host, f.channel, f.fields.sort().join('+'), f.locations.join('+')]), [
      ['evil.example', 'xhr', 'cardNumber+email', 'body'],
      ['pool.example', 'websocket', 'cardNumber', 'frame'],
    ]);
  });
  it('matches approved host patterns and attributes image beacons from the instrumentation', () => {
    assert.ok(hostAllowed('js.stripe.com', ['*.stripe.com']) && hostAllowed('stripe.com', ['*.stripe.com']));
    assert.ok(!hostAllowed('stripe.com.evil.example', ['*.stripe.com']) && !hostAllowed('notstripe.com', ['*.stripe.com']));
    const [finding] = attributeBeacons([{ host: 'img.example', url: 'https://img.example/p.gif?d=1', method: 'GET', channel: 'image', fields: ['cardNumber'], encodings: ['raw'], locations: ['url'], script: null }],
      [{ kind: 'beacon', detail: 'https://img.example/p.gif?d=1', script: 'https://shop.example/icons.js' }]);
    assert.equal(finding!.script, 'https://shop.example/icons.js');
  });
});

describe('form fields the pass fills', () => {
  it('reads autocomplete tokens first, then names', () => {
    const f = (autocomplete: string, label = '', type = '') => fieldFor({ tag: 'input', type, autocomplete, label });
    assert.equal(f('cc-number'), 'cardNumber');
    assert.equal(f('cc-exp-month'), 'exp-month');
    assert.equal(f('', 'billing_name'), 'name');
    assert.equal(f('', 'card_cvv'), 'cvc');
    assert.equal(f('', 'pwd', 'password'), 'password');
    assert.equal(f('', 'search'), null);
    assert.equal(f('cc-number', '', 'hidden'), null);
  });
});

describe('worker CPU from a sampling profile', () => {
  it('adds each sample\'s time to the URL of the function it hit', async () => {
    const { cpuByUrl } = await import('../../crawler/cpu-profile.js');
    const node = (id: number, url: string) => ({ id, callFrame: { functionName: '', scriptId: '1', url, lineNumber: 0, columnNumber: 0 } });
    const totals = cpuByUrl({ nodes: [node(1, ''), node(2, 'blob:https://shop.example/1'), node(3, 'https://shop.example/app.js')], startTime: 0, endTime: 10_000,
      samples: [2, 2, 3, 1], timeDeltas: [0, 2000, 2000, 3000] });
    assert.deepEqual([...totals], [['blob:https://shop.example/1', 4], ['https://shop.example/app.js', 3]]);
  });
  it('counts every sample but (idle) as busy time', async () => {
    const { busyMs } = await import('../../crawler/cpu-profile.js');
    const node = (id: number, functionName: string) => ({ id, callFrame: { functionName, scriptId: '0', url: '', lineNumber: 0, columnNumber: 0 } });
    const profile = (samples: number[]) => ({ nodes: [node(1, '(idle)'), node(2, '(program)'), node(3, 'work')], startTime: 0, endTime: 1, samples, timeDeltas: samples.map(() => 1000) });
    assert.equal(busyMs(profile([2, 3, 3, 1])), 3);
    assert.equal(busyMs(profile([1, 1, 1, 1])), 0);
  });
});
