// End to end: bad input, unreachable targets and a missing browser give specific messages and exit codes.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { installShop } from '../fixtures/shop.js';
import { parseJson, runCli, tempProject, writeConfig } from '../fixtures/cli.js';

function noStack(text: string) {
  assert.doesNotMatch(text, /\n\s+at .+\(.*:\d+:\d+\)/, 'no stack trace');
}

describe('command-line errors', () => {
  let site: FixtureSite;
  beforeAll(async () => { site = await startFixtureSite(); installShop(site); });
  afterAll(async () => { await site.close(); });

  it('rejects a bad configuration with the path of each problem and exit 2', async () => {
    const dir = tempProject();
    writeFileSync(join(dir, 'scriptwarden.yml'), [
      'browser:', '  colour: blue', '  pageTimeout: soon',
      'targets:', '  - name: ok', '    url: https://shop.example/', '  - name: bad', '    url: ftp://shop.example/', '  - name: worse',
    ].join('\n'));
    // The installed command itself, in its own process: its exit status and what it prints, not only main's answer.
    const result = await runCli(['scan'], { cwd: dir, process: true });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /browser\.colour: unknown key/);
    assert.match(result.stderr, /browser\.pageTimeout: must be a duration/);
    assert.match(result.stderr, /targets\[1\]\.url: must be an http\(s\) URL/);
    assert.match(result.stderr, /targets\[2\]\.url: is required/);
    noStack(result.stderr);
  });

  it('names a database file that is not a database, with exit 2, for every command and verify', async () => {
    const dir = tempProject();
    writeConfig(dir, [{ name: 'shop', url: 'http://shop.test/' }]);
    writeFileSync(join(dir, 'scriptwarden.db'), 'this is a text file, not SQLite\n'.repeat(200));
    for (const args of [['alerts'], ['verify'], ['inventory', '--json']]) {
      const result = await runCli(args, { cwd: dir });
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /scriptwarden\.db is not a scriptwarden database or is damaged/);
      assert.match(result.stderr, /Restore it from a backup/);
      assert.doesNotMatch(result.stderr, /internal error|\n\s+at /);
    }
  });

  it('names a PostgreSQL database it cannot reach without its password, and a database: that is neither a file nor a postgres:// URL', async () => {
    const dir = tempProject();
    const config = writeConfig(dir, [{ name: 'shop', url: 'http://shop.test/' }]);
    const withDatabase = (line: string) => writeFileSync(config, readFileSync(config, 'utf8').replace(/^database: .*$/m, line));
    // Port 9 (discard) on loopback: nothing listens there.
    withDatabase('database: env:SW_TEST_DB');
    for (const args of [['alerts'], ['verify'], ['db', 'status']]) {
      const result = await runCli(args, { cwd: dir, env: { ...process.env, SW_TEST_DB: 'postgres://sw:hunter2-secret@127.0.0.1:9/scriptwarden' } });
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /cannot use database postgres:\/\/sw:\*\*\*@127\.0\.0\.1:9\/scriptwarden: connect ECONNREFUSED/);
      assert.doesNotMatch(result.stderr, /hunter2/);
      noStack(result.stderr);
    }
    const unset = await runCli(['alerts'], { cwd: dir, env: { ...process.env, SW_TEST_DB: undefined } });
    assert.equal(unset.code, 2);
    assert.match(unset.stderr, /database: environment variable SW_TEST_DB is not set/);
    withDatabase('database: mysql://root@db.internal/scriptwarden');
    const other = await runCli(['alerts'], { cwd: dir });
    assert.equal(other.code, 2);
    assert.match(other.stderr, /database: must be a SQLite file path or a postgres:\/\/ URL/);
  });

  it('rejects unparseable YAML and a missing config file with exit 2', async () => {
    const dir = tempProject();
    const missing = await runCli(['alerts'], { cwd: dir });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no scriptwarden\.yml or scriptwarden\.json .*scriptwarden init/);
    writeFileSync(join(dir, 'scriptwarden.yml'), 'targets: [\n  - {');
    const broken = await runCli(['alerts'], { cwd: dir });
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /cannot parse .*scriptwarden\.yml/);
    noStack(broken.stderr);
  });

  it('rejects unknown flags, missing ids and unknown alerts with exit 2', async () => {
    const dir = tempProject();
    writeConfig(dir, [{ name: 'checkout', url: site.url('shop.test', '/checkout') }]);
    assert.equal((await runCli(['scan', '--bogus'], { cwd: dir })).code, 2);
    const noIds = await runCli(['approve'], { cwd: dir });
    assert.equal(noIds.code, 2);
    assert.match(noIds.stderr, /give alert ids to approve, or --all/);
    const unknown = await runCli(['approve', '999'], { cwd: dir });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no alert with id 999/);
    const badTarget = await runCli(['scan', '--target', 'nope'], { cwd: dir });
    assert.equal(badTarget.code, 2);
    assert.match(badTarget.stderr, /unknown target "nope"/);
  });

  it('says a registry it could not reach is a fetch failure (exit 3), not a usage error', async () => {
    const dir = tempProject();
    const result = await runCli(['intel', 'release-hashes', 'jquery@3.7.1', '--registry', 'http://127.0.0.1:9', '--out', 'hashes.json'], { cwd: dir });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /cannot fetch http:\/\/127\.0\.0\.1:9\/jquery\/3\.7\.1/);
  });

  it('reports an unreachable target as a failed scan with exit 3', async () => {
    const dir = tempProject();
    const closed = await startFixtureSite();
    await closed.close();
    writeConfig(dir, [{ name: 'down', url: closed.url('down.test', '/checkout') }, { name: 'gone', url: closed.url('down.test', '/bash'), type: 'resource' }]);
    const result = await runCli(['scan', '--json'], { cwd: dir });
    assert.equal(result.code, 3, result.stderr);
    const json = parseJson<{ targets: { target: string; status: string; error: { code: string; message: string } }[] }>(result);
    const down = json.targets.find((t) => t.target === 'down')!;
    assert.equal(down.status, 'failed');
    assert.equal(down.error.code, 'PAGE_NETWORK_ERROR');
    assert.match(down.error.message, /ERR_CONNECTION_REFUSED/);
    const gone = json.targets.find((t) => t.target === 'gone')!;
    assert.match(gone.error.message, /ECONNREFUSED/);
    const human = await runCli(['scan'], { cwd: dir, process: true });
    assert.equal(human.code, 3);
    assert.match(human.stdout, /down \(desktop\): FAILED PAGE_NETWORK_ERROR: network error net::ERR_CONNECTION_REFUSED/);
  });

  it('explains how to install a browser when none is found, with exit 2', async () => {
    const dir = tempProject();
    writeConfig(dir, [{ name: 'checkout', url: site.url('shop.test', '/checkout') }], '', '8s', { ownBrowser: true });
    const viaEnv = await runCli(['scan'], { cwd: dir, env: { PUPPETEER_EXECUTABLE_PATH: '/nonexistent/chrome' } });
    assert.equal(viaEnv.code, 2);
    assert.match(viaEnv.stderr, /PUPPETEER_EXECUTABLE_PATH=\/nonexistent\/chrome does not exist/);
    assert.match(viaEnv.stderr, /apt-get install -y chromium/);
    noStack(viaEnv.stderr);

    writeConfig(dir, [{ name: 'checkout', url: site.url('shop.test', '/checkout') }], 'removalThreshold: 2\n');
    writeFileSync(join(dir, 'scriptwarden.yml'), `${'browser:\n  executablePath: ./no-such-browser\n'}database: ./x.db\ntargets:\n  - name: checkout\n    url: ${site.url('shop.test', '/checkout')}\n`);
    const viaConfig = await runCli(['scan'], { cwd: dir });
    assert.equal(viaConfig.code, 2);
    assert.match(viaConfig.stderr, /browser\.executablePath .*no-such-browser does not exist/);
  });

  it('scans resource targets without needing a browser', async () => {
    const dir = tempProject();
    writeConfig(dir, [{ name: 'uploader', url: site.url('downloads.test', '/bash'), type: 'resource' }]);
    const result = await runCli(['scan'], { cwd: dir, env: { PUPPETEER_EXECUTABLE_PATH: '/nonexistent/chrome' } });
    assert.equal(result.code, 0, result.stderr);
  });

  it('init writes a commented config that loads', async () => {
    const dir = tempProject();
    const init = await runCli(['init'], { cwd: dir });
    assert.equal(init.code, 0);
    const again = await runCli(['init'], { cwd: dir });
    assert.equal(again.code, 2, 'init does not overwrite');
    const alerts = await runCli(['alerts'], { cwd: dir });
    assert.equal(alerts.code, 0, alerts.stderr);
    assert.match(alerts.stdout, /No alerts/);
    const help = await runCli(['scan', '--help'], { cwd: dir });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Examples:/);
  });
});
