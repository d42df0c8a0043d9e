// E2E: a retro-hunt. A host an old, approved version of a script once sent to is found in that version and in the
// page's destinations, with first and last seen and the decisions made; a hash, a string and an RE2 expression find
// their versions and evidence; malformed hunts are refused with exit 2.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { parseJson, runCli, tempProject, writeConfig } from '../fixtures/cli.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import type { HuntResult } from '../../src/run/hunt.js';
import type { ScanJson } from './scenario.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('hunt: since when were we serving it?', () => {
  let site: FixtureSite;
  let dir: string;
  let v1: string;
  const V2 = 'window.app = { version: 2 };';
  const hunt = async (...args: string[]) => runCli(['hunt', ...args], { cwd: dir });

  beforeAll(async () => {
    site = await startFixtureSite();
    v1 = `window.app = { version: 1 };\nnew Image().src = 'http://stats-collector.test:${site.port}/p.gif?u=' + encodeURIComponent(location.href);`;
    site.set('hunt-shop.test', '/', '<!doctype html><html><head><title>Hunt shop</title><script src="/app.js"></script></head><body>shop</body></html>');
    site.set('hunt-shop.test', '/app.js', v1);
    site.set('stats-collector.test', '/p.gif', '');
    dir = tempProject('sw-hunt-');
    writeConfig(dir, [{ name: 'shop', url: site.url('hunt-shop.test', '/') }], 'canary:\n  enabled: false');
    assert.equal((await runCli(['scan'], { cwd: dir })).code, 0);
    assert.equal((await runCli(['approve', '--all', '--by', 'alice', '--note', 'initial inventory'], { cwd: dir })).code, 0);
    // The next release no longer sends anything there; it is approved too, and scanned again.
    site.set('hunt-shop.test', '/app.js', V2);
    assert.equal((await runCli(['scan'], { cwd: dir })).code, 1);
    const open = parseJson<{ alerts: { id: number }[] }>(await runCli(['alerts', '--json'], { cwd: dir })).alerts;
    assert.equal((await runCli(['approve', ...open.map((a) => String(a.id)), '--by', 'bob', '--note', 'release 2'], { cwd: dir })).code, 0);
    assert.equal((await runCli(['scan'], { cwd: dir })).code, 0);
  });
  afterAll(async () => { await site?.close(); });

  it('finds a host in an old approved version and in a destination, with first and last seen', async () => {
    const result = await hunt('--host', 'stats-collector.test', '--json');
    assert.equal(result.code, 1, result.stderr);
    const found = parseJson<HuntResult>(result);
    assert.deepEqual(found.versions.map((v) => [v.target, v.sha256, v.state, v.matched]), [['shop', sha(v1), 'approved', ['body']]]);
    const [old] = found.versions;
    assert.ok(old!.firstSeen && old!.lastSeen && old!.firstSeen <= old!.lastSeen);
    assert.deepEqual(found.destinations.map((d) => [d.target, d.host]), [['shop', `stats-collector.test:${site.port}`]]);
    assert.ok(found.destinations[0]!.firstSeen <= found.destinations[0]!.lastSeen);
    // The current version is later than anything that named the host: "we stopped serving it then".
    const current = parseJson<HuntResult>(await hunt('--sha256', sha(V2), '--json')).versions;
    assert.equal(current.length, 1);
    assert.ok(current[0]!.firstSeen! > old!.lastSeen!, `${current[0]!.firstSeen} after ${old!.lastSeen}`);
    // The decision that let the current version in: bob's approval of its change.
    const change = current[0]!.alerts.find((a) => a.type === 'script.changed')!;
    assert.deepEqual(change.decisions.map((d) => [d.status, d.by, d.note]), [['approved', 'bob', 'release 2']]);
    const text = await hunt('--host', 'stats-collector.test');
    assert.match(text.stdout, /^hunt host stats-collector\.test: 1 script version, 1 destination, /);
    assert.match(text.stdout, /shop desktop http:\/\/hunt-shop\.test:\d+\/app\.js {2}sha256 [0-9a-f]{16}… {2}approved {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d → /);
  });

  it('finds a string and an RE2 expression in bodies and evidence, and says when nothing matched', async () => {
    const regex = parseJson<HuntResult>(await hunt('--regex', 'stats-coll[a-z]+\\.test', '--json'));
    assert.deepEqual(regex.versions.map((v) => v.sha256), [sha(v1)]);
    // The scan that raised the change kept the page's HTML as evidence.
    const evidence = parseJson<HuntResult>(await hunt('--string', '<title>Hunt shop</title>', '--json')).evidence;
    assert.ok(evidence.some((e) => e.target === 'shop' && /html/i.test(e.name)), JSON.stringify(evidence));
    const none = await hunt('--string', 'nothing like this was ever served');
    assert.equal(none.code, 0);
    assert.match(none.stdout, /: 0 script versions, 0 destinations, 0 evidence files/);
  });

  it('raises an alert, at the next scan, for an approved version and destination of a host new on the known-bad list', async () => {
    writeFileSync(join(dir, 'bad-hosts.txt'), '# threat feed, December\nstats-collector.test\n');
    const config = join(dir, 'scriptwarden.yml');
    writeFileSync(config, `${readFileSync(config, 'utf8')}intel:\n  knownBadHosts: [./bad-hosts.txt]\n`);
    const scan = parseJson<ScanJson>(await runCli(['scan', '--json'], { cwd: dir }));
    assert.equal(scan.exitCode, 1);
    const raised = scan.alerts.filter((a) => a.type === 'intel.match');
    assert.deepEqual(raised.map((a) => [a.severity, a.subject.replace(/:\d+/, '')]).sort(), [['critical', 'http://hunt-shop.test/app.js'], ['critical', 'stats-collector.test']]);
    const version = raised.find((a) => a.subject.endsWith('/app.js'))!;
    assert.equal(version.newValue, sha(v1), 'the old approved version, not the one served now');
    assert.match(version.summary, /names stats-collector\.test, now on the known-bad host list/);
    // Raised once: hunt --intel (the same re-check on its own) finds nothing new.
    const again = await hunt('--intel');
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /^intel re-check: 0 hosts new on the known-bad list, library data unchanged; 0 alerts raised/);
  });

  it('refuses a malformed hunt with exit 2 and says why', async () => {
    const cases: [string[], RegExp][] = [
      [['--regex', '(a'], /--regex is not an expression RE2 accepts/],
      [['--regex', '(a)\\1'], /--regex is not an expression RE2 accepts/],
      [['--host', 'a', '--string', 'b'], /give exactly one of --host, --sha256, --string or --regex \(not --host and --string\)/],
      [[], /give exactly one of --host, --sha256, --string or --regex/],
      [['--sha256', 'abc'], /--sha256 must be a SHA-256 in hex/],
      [['--host', 'http://x/'], /--host must be a host name/],
      [['--intel', '--host', 'x.test'], /--intel checks what was approved against the intelligence; give it alone/],
    ];
    for (const [args, message] of cases) {
      const result = await hunt(...args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stdout}${result.stderr}`);
      assert.match(result.stderr, message);
    }
  });
});
