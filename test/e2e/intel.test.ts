// E2E: intelligence that updates without a release: user known-bad lists and release hashes from an npm registry.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { parseJson, runCli, tempProject } from '../fixtures/cli.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import type { ScanJson } from './scenario.js';

const WIDGET = '/*! widget 1.0.0 */ window.widget = { ready: true };';

function tarball(files: Record<string, string>): Buffer {
  const parts = Object.entries(files).flatMap(([path, data]) => {
    const header = Buffer.alloc(512);
    header.write(path, 0);
    header.write(Buffer.byteLength(data).toString(8).padStart(11, '0'), 124);
    header.write('0', 156);
    return [header, Buffer.from(data), Buffer.alloc((512 - (Buffer.byteLength(data) % 512)) % 512)];
  });
  return gzipSync(Buffer.concat([...parts, Buffer.alloc(1024)]));
}

describe('intelligence files', () => {
  let registry: http.Server;
  let registryUrl: string;
  let site: FixtureSite;
  let dir: string;
  const cli = (...args: string[]) => runCli(args, { cwd: dir });

  beforeAll(async () => {
    registry = http.createServer((req, res) => {
      if (req.url === '/widget/1.0.0') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ dist: { tarball: `${registryUrl}/widget/-/widget-1.0.0.tgz` } }));
      } else if (req.url === '/widget/-/widget-1.0.0.tgz') {
        res.writeHead(200).end(tarball({ 'package/dist/widget.min.js': WIDGET, 'package/package.json': '{}' }));
      } else {
        res.writeHead(404).end('{}');
      }
    });
    await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
    registryUrl = `http://127.0.0.1:${(registry.address() as AddressInfo).port}`;
    site = await startFixtureSite();
    site.set('corner-shop.test', '/', '<html><head><script src="/js/widget.min.js"></script><script src="http://cdn-one.test:{{PORT}}/a.js"></script></head><body>shop</body></html>');
    site.set('corner-shop.test', '/js/widget.min.js', WIDGET);
    site.set('cdn-one.test', '/a.js', 'window.a = 1;');
    dir = tempProject('sw-intel-');
    mkdirSync(join(dir, 'intel'));
    writeFileSync(join(dir, 'intel', 'bad-hosts.txt'), '# our own list\nevil-cdn.test\n');
    writeFileSync(join(dir, 'scriptwarden.yml'), `database: ./sw.db\nresolve:\n  "*.test": 127.0.0.1\nintel:\n  libraries: [intel/releases.json]\n  knownBadHosts: [intel/bad-hosts.txt]\nbrowser:\n  settle: 200ms\ntargets:\n  - name: shop\n    url: ${site.url('corner-shop.test', '/')}\n`);
  });
  afterAll(async () => {
    registry.close();
    await site?.close();
  });

  it('writes release hashes from a registry, and says what it could not fetch', async () => {
    const made = await cli('intel', 'release-hashes', 'widget@1.0.0', '--registry', registryUrl, '--out', 'intel/releases.json');
    assert.equal(made.code, 0, made.stderr);
    const written = JSON.parse(readFileSync(join(dir, 'intel', 'releases.json'), 'utf8')) as Record<string, { extractors: { hashes: Record<string, string> } }>;
    assert.deepEqual(written.widget!.extractors.hashes, { [createHash('sha1').update(WIDGET).digest('hex')]: '1.0.0' });
    const missing = await cli('intel', 'release-hashes', 'widget@9.9.9', '--registry', registryUrl, '--out', 'intel/other.json');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /widget\/9\.9\.9 answered HTTP 404/);
    const bad = await cli('intel', 'release-hashes', 'widget', '--out', 'x.json');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /must be PACKAGE@VERSION/);
  });

  it('lists the bundled and the configured sources', async () => {
    const shown = parseJson<{ knownBadHosts: number; sources: { kind: string; path: string }[] }>(await cli('intel', '--json'));
    assert.ok(shown.sources.some((s) => s.path.endsWith('intel/releases.json')));
    assert.ok(shown.sources.some((s) => s.path.endsWith('intel/bad-hosts.txt')));
  });

  it('applies an edited known-bad list at the next scan, without a release', async () => {
    const first = parseJson<ScanJson>(await cli('scan', '--json'));
    assert.deepEqual(first.alerts, []);
    const inventory = parseJson<{ inventory: { subject: string; library: string | null }[] }>(await cli('inventory', '--json')).inventory;
    assert.equal(inventory.find((r) => r.subject.endsWith('/js/widget.min.js'))!.library, 'widget 1.0.0');
    assert.equal((await cli('approve', '--all', '--by', 'alice')).code, 0);
    appendFileSync(join(dir, 'intel', 'bad-hosts.txt'), 'cdn-one.test\n');
    site.set('cdn-one.test', '/a.js', 'window.a = 2;');
    const next = parseJson<ScanJson>(await cli('scan', '--json'));
    const changed = next.alerts.find((a) => a.type === 'script.changed')!;
    assert.equal(changed.severity, 'critical');
    assert.match(changed.summary, /known-bad host list \(cdn-one\.test\)/);
  });
});
