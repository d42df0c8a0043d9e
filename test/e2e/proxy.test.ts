// E2E: scans route through an authenticating HTTP proxy, pages and hosted resources alike.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { parseJson, runCli, tempProject } from '../fixtures/cli.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { startExitProxy, type ExitProxy } from '../fixtures/exit-proxy.js';
import type { ScanJson } from './scenario.js';

describe('scanning through a proxy', () => {
  let site: FixtureSite;
  let proxy: ExitProxy;
  let dir: string;

  beforeAll(async () => {
    site = await startFixtureSite();
    site.set('proxied-shop.test', '/', '<html><head><script src="http://cdn-proxied.test:{{PORT}}/lib.js"></script></head><body>shop</body></html>');
    site.set('cdn-proxied.test', '/lib.js', 'window.lib = 1;');
    site.set('dl-proxied.test', '/install.sh', '#!/bin/sh\necho install\n');
    // A forward proxy that insists on credentials, like a corporate or residential exit.
    proxy = await startExitProxy(site.port, { credentials: 'scan:s3cret' });
    dir = tempProject('sw-proxy-');
    writeFileSync(join(dir, 'scriptwarden.yml'), `database: ./sw.db
browser:
  proxy: ${proxy.url}
  settle: 200ms
targets:
  - name: shop
    url: ${site.url('proxied-shop.test', '/')}
  - name: installer
    url: ${site.url('dl-proxied.test', '/install.sh')}
    type: resource
`);
  });
  afterAll(async () => {
    await proxy?.close();
    await site?.close();
  });

  it('sends the page, its scripts and the hosted resource through the proxy, with its credentials', async () => {
    const scan = parseJson<ScanJson>(await runCli(['scan', '--json'], { cwd: dir }));
    assert.deepEqual(scan.targets.map((t) => [t.target, t.status]), [['shop', 'ok'], ['installer', 'ok']], JSON.stringify(scan.targets));
    for (const url of [site.url('proxied-shop.test', '/'), site.url('cdn-proxied.test', '/lib.js'), site.url('dl-proxied.test', '/install.sh')]) {
      assert.ok(proxy.seen.includes(`GET ${url}`), `${url} went through the proxy: ${proxy.seen.join(', ')}`);
    }
  });

  it('rejects a SOCKS proxy for resource targets, and a proxy without a port', async () => {
    writeFileSync(join(dir, 'socks.yml'), `browser:\n  proxy: socks5://127.0.0.1:1080\ntargets:\n  - name: installer\n    url: https://dl.example/install.sh\n    type: resource\n`);
    const socks = await runCli(['scan', '--config', 'socks.yml'], { cwd: dir });
    assert.equal(socks.code, 2);
    assert.match(socks.stderr, /targets\[0\]\.type: resource targets are fetched directly and cannot use a SOCKS proxy/);
    writeFileSync(join(dir, 'noport.yml'), `browser:\n  proxy: http://proxy.example\ntargets:\n  - name: x\n    url: https://shop.example/\n`);
    const noPort = await runCli(['scan', '--config', 'noport.yml'], { cwd: dir });
    assert.equal(noPort.code, 2);
    assert.match(noPort.stderr, /browser\.proxy: must be a proxy URL with a port/);
  });
});
