// E2E: published npm releases verify library files byte for byte: fetched once per release and kept in the database,
// a tampered copy reported from the first scan, an upgrade at a new CDN URL one verified change, "not verified" offline.

import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { parseJson, runCli, tempProject, writeConfig } from '../fixtures/cli.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { fetchReleases, releaseFile, startLocalRegistry, type LocalRegistry } from '../fixtures/npm-releases.js';
import type { ScanJson } from './scenario.js';

const FORM = '<form action="/order" method="post"><input name="number" autocomplete="cc-number"><button>Pay</button></form>';
const page = (scripts: string[]) => `<!doctype html><html><head>${scripts.map((s) => `<script src="${s}"></script>`).join('')}</head><body>${FORM}</body></html>`;

describe('published releases', () => {
  let site: FixtureSite;
  let registry: LocalRegistry;
  let dir: string;
  const scan = async () => parseJson<ScanJson>(await runCli(['scan', '--json'], { cwd: dir }));
  const inventory = async () => (JSON.parse((await runCli(['inventory', '--json'], { cwd: dir })).stdout) as { inventory: { url: string | null; library: string | null; release: string | null }[] }).inventory;

  beforeAll(async () => {
    await fetchReleases([{ name: 'jquery', from: '3.6.4', to: '3.7.1', file: 'dist/jquery.min.js' }, { name: 'lodash', from: '4.17.20', to: '4.17.21', file: 'lodash.min.js' }]);
    registry = await startLocalRegistry();
    site = await startFixtureSite();
    site.set('cdnjs.test', '/ajax/libs/jquery/3.6.4/jquery.min.js', releaseFile('jquery', '3.6.4', 'dist/jquery.min.js'));
    site.set('cdnjs.test', '/ajax/libs/jquery/3.7.1/jquery.min.js', releaseFile('jquery', '3.7.1', 'dist/jquery.min.js'));
    // A copy of lodash 4.17.21 with one line appended, at the URL of the real release.
    site.set('jsdelivr.test', '/npm/lodash@4.17.21/lodash.min.js', `${releaseFile('lodash', '4.17.21', 'lodash.min.js')}\nwindow._t = 1;`);
    site.set('shop.test', '/checkout', page([site.url('cdnjs.test', '/ajax/libs/jquery/3.6.4/jquery.min.js'), site.url('jsdelivr.test', '/npm/lodash@4.17.21/lodash.min.js')]));
    dir = tempProject('sw-releases-');
    writeConfig(dir, [{ name: 'checkout', url: site.url('shop.test', '/checkout') }], `intel:\n  registry: ${registry.url}\ncanary:\n  enabled: false`);
  });
  afterAll(async () => { await site?.close(); await registry?.close(); });

  it('verify a first scan: a genuine release is confirmed, a tampered copy at its URL is reported', async () => {
    const first = await scan();
    assert.equal(first.exitCode, 1);
    assert.deepEqual(first.alerts.map((a) => [a.type, a.subject.replace(/:\d+/, '')]), [['script.added', 'http://jsdelivr.test/npm/lodash@4.17.21/lodash.min.js']]);
    assert.match(first.alerts[0]!.summary, /claims to be lodash@4\.17\.21 by its URL, but its bytes match no file of that published release/);
    assert.ok(['high', 'critical'].includes(first.alerts[0]!.severity));
    const rows = await inventory();
    const jquery = rows.find((r) => r.url?.includes('jquery'))!;
    assert.equal(jquery.release, 'byte-identical to jquery@3.6.4 as published (dist/jquery.min.js)');
    assert.match(rows.find((r) => r.url?.includes('lodash'))!.release ?? '', /claims lodash@4\.17\.21, but its bytes match no published file/);
    assert.deepEqual(registry.asked.sort(), ['jquery@3.6.4', 'lodash@4.17.21']);
  });

  it('fetch each release once: the file hashes are kept in the database', async () => {
    await runCli(['approve', '--all', '--by', 'alice'], { cwd: dir });
    const again = await scan();
    assert.deepEqual(again.alerts, []);
    assert.deepEqual(registry.asked.sort(), ['jquery@3.6.4', 'lodash@4.17.21'], 'no release was fetched twice');
  });

  it('rate an upgrade to a new CDN URL as one low change, byte-identical to the published release', async () => {
    site.set('shop.test', '/checkout', page([site.url('cdnjs.test', '/ajax/libs/jquery/3.7.1/jquery.min.js'), site.url('jsdelivr.test', '/npm/lodash@4.17.21/lodash.min.js')]));
    const moved = await scan();
    assert.deepEqual(moved.alerts.map((a) => a.type), ['script.changed'], JSON.stringify(moved.alerts.map((a) => a.summary)));
    const [alert] = moved.alerts;
    assert.equal(alert!.severity, 'low');
    assert.match(alert!.summary, /upgrades jquery 3\.6\.4 → 3\.7\.1, byte-identical to the published release jquery@3\.7\.1/);
    assert.match(String(alert!.details.replaces), /jquery\/3\.6\.4\/jquery\.min\.js$/);
    // The diff is against the old release's body, and approving it retires the old URL (no removal alert follows).
    const shown = await runCli(['show', String(alert!.id)], { cwd: dir });
    assert.match(shown.stdout, /^--- .*3\.6\.4\/jquery\.min\.js/m);
    await runCli(['approve', String(alert!.id), '--by', 'alice'], { cwd: dir });
    for (let i = 0; i < 2; i++) assert.deepEqual((await scan()).alerts, [], 'the old URL is retired with the approval');
  });

  it('say "not verified" when the registry cannot be reached, and still recognise the library', async () => {
    const offline = tempProject('sw-releases-offline-');
    writeConfig(offline, [{ name: 'checkout', url: site.url('shop.test', '/checkout') }], 'intel:\n  registry: http://127.0.0.1:9/\ncanary:\n  enabled: false');
    const first = parseJson<ScanJson>(await runCli(['scan', '--json'], { cwd: offline }));
    assert.equal(first.targets[0]!.status, 'ok');
    const rows = (JSON.parse((await runCli(['inventory', '--json'], { cwd: offline })).stdout) as { inventory: { url: string | null; library: string | null; release: string | null }[] }).inventory;
    const jquery = rows.find((r) => r.url?.includes('jquery'))!;
    assert.equal(jquery.library, 'jquery 3.7.1');
    assert.match(jquery.release ?? '', /^jquery@3\.7\.1: not verified \(the registry http:\/\/127\.0\.0\.1:9 could not be reached/);
  });
});
