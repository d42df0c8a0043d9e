// Unit: canary values and the search for them in outbound data, under the encodings skimmers use.

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { attributeImages, exfiltrationFindings, findCanary, hostAllowed, luhnValid, makeCanary, type OutboundItem } from '../../src/detect/canary.js';
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

describe('canary search by decoding', () => {
  const card = values.cardNumber;
  const b64 = (t: string) => Buffer.from(t, 'latin1').toString('base64');
  const rev = (t: string) => [...t].reverse().join('');
  const rot13 = (t: string) => t.replace(/[a-z]/gi, (c) => String.fromCharCode(((c.charCodeAt(0) & 31) + 12) % 26 + (c.charCodeAt(0) & 96) + 1));
  const xor = (t: string, key: string) => [...t].map((c, i) => String.fromCharCode(c.charCodeAt(0) ^ key.charCodeAt(i % key.length))).join('');
  const cases: [string, string][] = [
    ['base64 then reversed', rev(b64(JSON.stringify({ n: card })))],
    ['ROT13 over base64', rot13(b64(`cc=${card}&x=1`))],
    ['XOR with a one-byte key, then base64', b64(xor(`number=${card};`, 'K'))],
    ['XOR with a three-byte key, then hex', Buffer.from(xor(`{"pan":"${card}"}`, 'k3y'), 'latin1').toString('hex')],
    ['a char-code list', JSON.stringify([...`n=${card}`].map((c) => c.charCodeAt(0)))],
    ['a custom digit alphabet', card.replace(/\d/g, (d) => 'qwertyuiop'[Number(d)]!)],
    ['each character shifted by 7', [...card].map((c) => String.fromCharCode(c.charCodeAt(0) + 7)).join('')],
    ['HTML escapes', [...card].map((c) => `&#${c.charCodeAt(0)};`).join('')],
    ['JSON escapes in a URL query', encodeURIComponent([...card].map((c) => `\\u00${c.charCodeAt(0).toString(16)}`).join(''))],
    ['base64 in a custom alphabet', b64(`x${card}`).replace(/[A-Za-z]/g, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()))],
    ['part of the number', `bin=${card.slice(0, 12)}`],
  ];
  for (const [how, sent] of cases) {
    it(`finds the card number sent as ${how}`, () => {
      assert.ok(findCanary(sent, values).some((m) => m.field === 'cardNumber'), `${how}: ${sent}`);
    });
  }
  it('finds expiry and CVC beside the number, never alone', () => {
    const found = findCanary(b64(`${card}|${values.expiry}|${values.cvc}`), values).map((m) => m.field).sort();
    assert.deepEqual(found, ['cardNumber', 'cvc', 'expiry']);
    assert.deepEqual(findCanary(`id=${values.cvc}&month=${values.expiry}`, values), []);
  });
  it('stays quiet on ordinary traffic full of numbers and base64', () => {
    const noise = JSON.stringify({ ts: Date.now(), ids: [123456789012, 987654321098], token: b64('session-2f9a8b7c6d5e4f3a'), list: [...'checkout'].map((c) => c.charCodeAt(0)) });
    assert.deepEqual(findCanary(noise, values), []);
  });
});

describe('exfiltrationFindings', () => {
  const ownSite = (url: string) => new URL(url).hostname.endsWith('shop.example');
  const item = (url: string, extra: Partial<OutboundItem> = {}): OutboundItem => ({ url, method: 'POST', type: 'XHR', headers: {}, body: null, script: 'https://shop.example/app.js', ...extra });
  it('reports every destination but the form action and approved processors, grouped by destination, channel and script', () => {
    const findings = exfiltrationFindings([
      item('https://evil.example/c', { body: JSON.stringify({ n: values.cardNumber }) }),
      item('https://evil.example/c', { body: `e=${values.email}` }),
      item('https://shop.example/order?step=2', { body: values.cardNumber, type: 'Document' }),
      item('https://api.processor.example/tokens', { body: values.cardNumber }),
      item('wss://pool.example/ws', { type: 'WebSocket', method: 'WebSocket', frame: `CC:${values.cardNumber}` }),
      item('https://cdn.example/lib.js', { method: 'GET', type: 'Script' }),
      // A compromised store collecting into its own server: the own site is searched too.
      item('https://www.shop.example/media/catalog/x.php', { body: `d=${Buffer.from(values.cardNumber).toString('base64')}` }),
    ], values, ownSite, ['*.processor.example'], 'https://shop.example/order');
    assert.deepEqual(findings.map((f) => [f.host, f.channel, f.fields.sort().join('+'), f.locations.join('+'), f.path ?? '']), [
      ['evil.example', 'xhr', 'cardNumber+email', 'body', ''],
      ['pool.example', 'websocket', 'cardNumber', 'frame', ''],
      ['www.shop.example', 'xhr', 'cardNumber', 'body', '/media/catalog/x.php'],
    ]);
    assert.equal(findings[2]!.sameSite, true);
  });
  it('matches approved host patterns and attributes image beacons from the instrumentation', () => {
    assert.ok(hostAllowed('js.stripe.com', ['*.stripe.com']) && hostAllowed('stripe.com', ['*.stripe.com']));
    assert.ok(!hostAllowed('stripe.com.evil.example', ['*.stripe.com']) && !hostAllowed('notstripe.com', ['*.stripe.com']));
    // Two scripts beacon to the same host: the request is blamed on the script that set its own URL.
    const items = attributeImages([item(`https://img.example/p.gif?d=${values.cardNumber}`, { type: 'Image', method: 'GET', script: null })], [
      { kind: 'beacon', detail: 'https://img.example/p.gif?page=home', script: 'https://shop.example/analytics.js' },
      { kind: 'beacon', detail: `https://img.example/p.gif?d=${values.cardNumber}`, script: 'https://shop.example/icons.js' },
    ]);
    assert.equal(items[0]!.script, 'https://shop.example/icons.js');
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
