// End to end: a public target cannot make the monitor reach its own network (loopback, private, link-local).

import assert from 'node:assert/strict';
import http from 'node:http';
import { networkInterfaces } from 'node:os';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { isPrivateAddress } from '../../src/capture/private-address.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { parseJson, runCli, tempProject } from '../fixtures/cli.js';
import { configDatabase } from '../fixtures/test-database.js';
import type { ScanJson } from './scenario.js';

/** An address of this machine outside the private ranges: where a "public" site can be served in a test. */
const PUBLIC_IP = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !isPrivateAddress(i.address))?.address;

// Skipped where this machine has no non-private IPv4 address to serve a public site on.
describe.skipIf(!PUBLIC_IP)('the monitor\'s own network', () => {
  let site: FixtureSite;
  let secret: http.Server;
  let secretPort: number;
  const secretHits: string[] = [];
  beforeAll(async () => {
    site = await startFixtureSite({ listen: '0.0.0.0' });
    // A private service on loopback, as the dashboard's /api and /metrics are.
    secret = http.createServer((req, res) => {
      secretHits.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/plain', 'access-control-allow-origin': '*' });
      res.end('scriptwarden_private_metric 1');
    });
    await new Promise<void>((resolve) => secret.listen(0, '127.0.0.1', resolve));
    secretPort = (secret.address() as AddressInfo).port;
    site.set('pub.test', '/install.sh', { body: '', status: 302, headers: { location: `http://127.0.0.1:${secretPort}/metrics` } });
    site.set('staging.test', '/install.sh', { body: '', status: 302, headers: { location: `http://127.0.0.1:${secretPort}/staging` } });
    site.set('pub.test', '/', `<!doctype html><title>shop</title>
      <img src="http://127.0.0.1:${secretPort}/img">
      <iframe src="http://localhost:${secretPort}/frame"></iframe>
      <script>fetch('http://127.0.0.1:${secretPort}/api/alerts').catch(function () {});
        new Worker(URL.createObjectURL(new Blob(["fetch('http://127.0.0.1:${secretPort}/worker').catch(function(){})"])));</script>`);
  });
  afterAll(async () => {
    await site.close();
    await new Promise((resolve) => secret.close(resolve));
  });

  function project(extra = ''): string {
    const dir = tempProject();
    writeFileSync(join(dir, 'scriptwarden.yml'), [
      `database: ${configDatabase(dir)}`,
      'resolve:',
      `  pub.test: ${PUBLIC_IP}`,
      '  "*.test": 127.0.0.1',
      'browser:',
      '  pageTimeout: 8s',
      '  settle: 300ms',
      'canary:',
      '  enabled: false',
      extra,
      'targets:',
      `  - name: public-installer`,
      `    url: http://pub.test:${site.port}/install.sh`,
      '    type: resource',
      `  - name: staging-installer`,
      `    url: http://staging.test:${site.port}/install.sh`,
      '    type: resource',
      `  - name: public-page`,
      `    url: http://pub.test:${site.port}/`,
    ].join('\n'));
    return dir;
  }

  it('refuses a public resource redirected to loopback, follows a staging one, and blocks a public page\'s requests to loopback', async () => {
    secretHits.length = 0;
    const dir = project();
    const result = await runCli(['scan', '--json'], { cwd: dir });
    const json = parseJson<ScanJson>(result);
    const byName = new Map(json.targets.map((t) => [t.target, t]));
    const refused = byName.get('public-installer')!;
    assert.equal(refused.status, 'failed', JSON.stringify(refused));
    assert.match(refused.error!.message, /refused the redirect to 127\.0\.0\.1:\d+: .*loopback, link-local or private address.*allowPrivateNetwork/);
    assert.equal(byName.get('staging-installer')!.status, 'ok', 'a target on the private network may redirect within it');
    const page = byName.get('public-page')!;
    assert.equal(page.status, 'ok', JSON.stringify(page));
    assert.ok(page.warnings.some((w) => /blocked a request to the monitor's own network: GET http:\/\/127\.0\.0\.1:\d+\/api\/alerts/.test(w)), JSON.stringify(page.warnings));
    assert.deepEqual([...new Set(secretHits)], ['/staging'], 'only the staging target reached the private service');
  });

  it('lets a public target reach private addresses when allowPrivateNetwork is set', async () => {
    secretHits.length = 0;
    const dir = project('allowPrivateNetwork: true');
    const json = parseJson<ScanJson>(await runCli(['scan', '--json'], { cwd: dir }));
    assert.equal(json.targets.find((t) => t.target === 'public-installer')!.status, 'ok');
    assert.ok(secretHits.includes('/metrics') && secretHits.includes('/api/alerts'), JSON.stringify(secretHits));
  });
});
