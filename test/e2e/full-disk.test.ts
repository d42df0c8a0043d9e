// End to end: a scan on a full disk fails with a clear message and exit 4, writes nothing half, and the next works.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { CHECKOUT_HTML, CSP, installShop } from '../fixtures/shop.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { parseJson, runCli, tempProject, writeConfig } from '../fixtures/cli.js';
import type { ScanJson } from './scenario.js';

/** A small tmpfs of its own, so filling it fills nothing else; null where this machine does not allow mounting. */
function mountSmallDisk(): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'sw-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

/** Writes a file until the disk refuses more. */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch {
    // ENOSPC: the disk is full.
  } finally {
    closeSync(fd);
  }
}

const disk = mountSmallDisk();

// Skipped where mounting a small tmpfs is not allowed (it needs root).
describe.skipIf(!disk)('a full disk', () => {
  let site: FixtureSite;
  let dir: string;
  const scan = async () => {
    const result = await runCli(['scan', '--json'], { cwd: dir });
    return { result, json: result.code === 4 ? null : parseJson<ScanJson>(result) };
  };
  beforeAll(async () => {
    site = await startFixtureSite();
    installShop(site);
    dir = tempProject();
    writeConfig(dir, [{ name: 'checkout', url: site.url('shop.test', '/checkout') }], 'canary:\n  enabled: false');
    // The database lives on the small disk; the config stays where it is.
    const config = join(dir, 'scriptwarden.yml');
    const { readFileSync, writeFileSync } = await import('node:fs');
    writeFileSync(config, readFileSync(config, 'utf8').replace('database: ./scriptwarden.db', `database: ${join(disk!, 'scriptwarden.db')}`));
  });
  afterAll(async () => {
    await site?.close();
    if (disk) {
      try {
        execFileSync('umount', [disk], { stdio: 'ignore' });
      } finally {
        rmSync(disk, { recursive: true, force: true });
      }
    }
  });

  it('names the database file and the lack of space, exits 2, keeps nothing half-written; after space is freed the next scan and verify pass', async () => {
    assert.equal((await scan()).result.code, 0);
    assert.equal((await runCli(['approve', '--all', '--by', 'alice'], { cwd: dir })).code, 0);
    // A new 1 MB script: its body does not fit once the disk is full.
    const big = `/* new */ window.big = "${Array.from({ length: 40_000 }, (_, i) => `k${i * 7919 % 100_003}`).join('')}";`;
    site.set('shop.test', '/static/big.js', big);
    site.set('shop.test', '/checkout', { body: CHECKOUT_HTML.replace('</head>', '<script src="/static/big.js"></script></head>'), headers: { 'content-security-policy': CSP, 'x-frame-options': 'DENY' } });
    const filler = join(disk!, 'filler');
    fill(filler);
    const full = await scan();
    assert.equal(full.result.code, 4, `${full.result.stdout}\n${full.result.stderr}`);
    assert.match(full.result.stderr, new RegExp(`${join(disk!, 'scriptwarden.db').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.*ran out of space|ran out of space.*scriptwarden\\.db`));
    assert.match(full.result.stderr, /Free space/);
    assert.doesNotMatch(full.result.stderr, /internal error|at .*\.js:\d+/);
    rmSync(filler);
    const verified = await runCli(['verify'], { cwd: dir });
    assert.equal(verified.code, 0, `verify after the failed write: ${verified.stdout}${verified.stderr}`);
    const next = await scan();
    assert.equal(next.result.code, 1, next.result.stderr);
    assert.ok(next.json!.alerts.some((a) => a.type === 'script.added' && a.subject.endsWith('/static/big.js')), 'the scan after space was freed records the change');
    assert.equal((await runCli(['verify'], { cwd: dir })).code, 0);
  });
});
