// E2E: the canary pass catches skimmers present since the first scan, on every channel, and never places an order.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { installCanaryShops, OPENER_SHOPS, SHOPS } from '../fixtures/canary-shops.js';
import { parseJson, runCli, tempProject } from '../fixtures/cli.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import type { ScanJson } from './scenario.js';

describe('canary exfiltration test', () => {
  let site: FixtureSite;
  let first: ScanJson;
  let dir: string;

  beforeAll(async () => {
    site = await startFixtureSite();
    installCanaryShops(site);
    dir = tempProject('sw-canary-');
    const targets = [...SHOPS.map((s) => s.host), 'processor-shop.test', ...OPENER_SHOPS].map((host) => `  - name: ${host.split('.')[0]}\n    url: ${site.url(host, '/checkout')}`);
    targets.push(`  - name: recipe-blog\n    url: ${site.url('recipe-blog.test', '/')}`, `  - name: hash-blog\n    url: ${site.url('hash-blog.test', '/')}`);
    writeFileSync(join(dir, 'scriptwarden.yml'), ['database: ./sw.db', 'resolve:', '  "*.test": 127.0.0.1', 'canary:', '  approvedHosts: ["*.pay-processor.test"]',
      'browser:', '  settle: 300ms', '  concurrency: 3', 'targets:', ...targets, ''].join('\n'));
    first = parseJson<ScanJson>(await runCli(['scan', '--json'], { cwd: dir }));
  });
  afterAll(async () => { await site?.close(); });

  it('scans every shop successfully and reports on the very first scan', () => {
    assert.deepEqual(first.targets.filter((t) => t.status !== 'ok'), []);
    assert.equal(first.exitCode, 1);
  });

  for (const shop of SHOPS) {
    it(`catches a skimmer sending card data by ${shop.channel}`, () => {
      const alerts = first.alerts.filter((a) => a.type === 'exfiltration.detected' && a.target === shop.host.split('.')[0]);
      const explain = JSON.stringify(first.alerts.filter((a) => a.target === shop.host.split('.')[0]).map((a) => a.summary), null, 1);
      assert.equal(alerts.length, 1, explain);
      const alert = alerts[0]!;
      assert.equal(alert.severity, 'critical');
      assert.equal(alert.subject, shop.collector);
      assert.equal(alert.details.channel, shop.channel, explain);
      assert.ok((alert.details.fields as string[]).includes('cardNumber'), explain);
      assert.ok(String(alert.details.script ?? '').includes(shop.script), `attributed to ${String(alert.details.script)}`);
      assert.match(alert.summary, new RegExp(`sent to ${shop.collector.replace('.', '\\.')} via ${shop.channel}`));
    });
  }

  it('names the encoding it found', () => {
    const by = (host: string) => first.alerts.find((a) => a.type === 'exfiltration.detected' && a.subject === host)!.details.encodings as string[];
    assert.ok(by('fetch-collect.test').includes('base64'));
    assert.ok(by('beacon-collect.test').includes('url-encoded') || by('beacon-collect.test').includes('raw'));
    assert.ok(by('img-collect.test').includes('reversed'));
  });

  it('really let the skimmers\' requests go out, and never sent a shop\'s own order POST', () => {
    assert.ok(site.bodies.some((b) => b.startsWith('xhr-collect.test /gateway/api POST')), 'background requests are not blocked');
    assert.ok(site.socketMessages.some((m) => m.startsWith('ws-collect.test CC_NUMBER:4')));
    const orders = site.hits.filter((h) => / \/order /.test(h) || /\/order POST$/.test(h));
    assert.deepEqual(orders, []);
  });

  it('flags a miner from what runs: WebAssembly in a blob worker and a WebSocket to a pool', () => {
    const miner = first.alerts.filter((a) => a.target === 'recipe-blog' && a.type === 'miner.detected');
    assert.equal(miner.length, 1, JSON.stringify(first.alerts.filter((a) => a.target === 'recipe-blog').map((a) => a.summary)));
    assert.equal(miner[0]!.severity, 'critical');
    assert.match(miner[0]!.summary, /WebAssembly.*blob.*pool\.hashfarm\.test/);
    assert.match(miner[0]!.subject, /\/js\/stats\.js$/);
  });

  it('flags a plain-JavaScript miner by the CPU time its blob worker burns', () => {
    const miner = first.alerts.filter((a) => a.target === 'hash-blog' && a.type === 'miner.detected');
    assert.equal(miner.length, 1, JSON.stringify(first.alerts.filter((a) => a.target === 'hash-blog').map((a) => a.summary)));
    assert.match(miner[0]!.summary, /a worker built from a blob.*used \d+ ms of CPU/);
    assert.match(miner[0]!.subject, /\/js\/widget\.js$/);
  });

  it('lists which scripts listened to or read the card fields (PCI DSS 6.4.3 question)', async () => {
    const access = parseJson<{ fieldAccess: { target: string; script: string | null; actions: string[] }[] }>(await runCli(['inventory', '--json'], { cwd: dir })).fieldAccess;
    const cart = access.find((a) => a.target === 'fetch-shop' && a.script?.endsWith('/js/cart.js'));
    assert.ok(cart?.actions.includes('listen blur on input[autocomplete=cc-number]#card-number'), JSON.stringify(access, null, 1));
    const app = access.find((a) => a.target === 'xhr-shop' && a.script?.endsWith('/js/app.js'));
    assert.ok(app?.actions.some((x) => x.startsWith('read input[autocomplete=cc-number]')), JSON.stringify(app));
    assert.ok(!access.some((a) => a.target === 'recipe-blog'));
  });

  it('never lets the order out through a popup or a frame the form targets', () => {
    assert.ok(first.targets.filter((t) => OPENER_SHOPS.includes(`${t.target}.test`)).every((t) => t.status === 'ok'), JSON.stringify(first.targets));
    const orders = site.hits.filter((h) => /^(popup-form|frame-form|worker)-shop\.test \/order /.test(h));
    assert.deepEqual(orders, [], 'a form with target=_blank or a frame target, or a worker, places no order');
  });

  it('finds card data sent through a frame\'s URL or a popup the skimmer opened, and holds both requests', () => {
    for (const [target, collector] of [['frame-url-shop', 'frame-collect.test'], ['popup-skim-shop', 'popup-collect.test']]) {
      const found = first.alerts.filter((a) => a.type === 'exfiltration.detected' && a.target === target);
      assert.ok(found.some((a) => a.subject === collector && (a.details.fields as string[]).includes('cardNumber')), `${target}: ${JSON.stringify(first.alerts.filter((a) => a.target === target).map((a) => a.summary))}`);
      assert.deepEqual(site.hits.filter((h) => h.startsWith(`${collector} `)), [], `${collector} was never reached`);
    }
  });

  it('raises nothing for a payment SDK posting to its approved processor', () => {
    assert.ok(site.hits.includes('api.pay-processor.test /v1/tokens POST'), 'the SDK did run and tokenise');
    assert.deepEqual(first.alerts.filter((a) => a.target === 'processor-shop'), []);
  });
});
