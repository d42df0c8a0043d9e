// E2E: `scriptwarden demo` shows the product on its own demo shop, and `demo --serve` runs the real serve: the
// skimmer is planted while the dashboard is open, and the alert appears by itself in the terminal and on the page.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI, runCli, tempProject } from '../fixtures/cli.js';

describe('scriptwarden demo', () => {
  it('scans, approves, plants a skimmer and shows the alert, with no config, and exits 0', async () => {
    const result = await runCli(['demo'], { cwd: tempProject('sw-demo-'), process: true });
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /exfiltration\.detected/);
    assert.match(result.stdout, /\+.*sendBeacon/, 'the diff of the planted skimmer');
  });

  it('with --serve, the alert raised by a scheduled scan appears in the terminal and on the dashboard, and Ctrl-C stops it', async () => {
    const child = spawn(process.execPath, [CLI, 'demo', '--serve', '--port', '0', '--plant-after', '0s'], { cwd: tempProject('sw-demo-'), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d; });
    child.stderr.on('data', (d: Buffer) => { out += d; });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await expect.poll(() => /see it on the dashboard: (http:\/\/127\.0\.0\.1:\d+\/)alerts\/(\d+)/.exec(out), { timeout: 90_000 }).toBeTruthy();
      const [, url, id] = /see it on the dashboard: (http:\/\/127\.0\.0\.1:\d+\/)alerts\/(\d+)/.exec(out)!;
      const alert = await (await fetch(`${url}api/alerts/${id}`)).json() as { alert: { type: string; target: string } };
      assert.equal(alert.alert.target, 'checkout', JSON.stringify(alert));
      assert.match(await (await fetch(`${url}alerts`)).text(), new RegExp(`/alerts/${id}"`));
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0, out);
    assert.match(out, /Demo stopped; its data stays in /);
  });
});
