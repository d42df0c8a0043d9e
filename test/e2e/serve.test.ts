// End to end: `scriptwarden serve` binds loopback, serves the dashboard on the project database, and stops on SIGTERM.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'vitest';
import { CLI, runCli, tempProject, writeConfig } from '../fixtures/cli.js';

describe('scriptwarden serve', () => {
  it('serves the dashboard and exits 0 on SIGTERM', async () => {
    const dir = tempProject();
    writeConfig(dir, [{ name: 'checkout', url: 'http://shop.test:1/checkout' }]);
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--no-schedule'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk;
        const match = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (match) resolve(match[1]!);
      });
      child.on('close', (code) => reject(new Error(`serve exited early with ${code}`)));
    });
    const overview = await fetch(url);
    assert.equal(overview.status, 200);
    assert.match(overview.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.match(await overview.text(), /No scans yet/);
    const api = await fetch(`${url}api/targets`);
    assert.deepEqual(await api.json(), { targets: [] });
    const health = await (await fetch(`${url}healthz`)).json() as { status: string; scheduler: { enabled: boolean }; browser: { state: string } };
    assert.deepEqual([health.status, health.scheduler.enabled, health.browser.state], ['ok', false, 'not-started']);
    assert.match(await (await fetch(`${url}metrics`)).text(), /^scriptwarden_open_alerts\{severity="high"\} 0$/m);
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  it('rejects a bad port with exit 2', async () => {
    const dir = tempProject();
    writeConfig(dir, [{ name: 'checkout', url: 'http://shop.test:1/checkout' }]);
    const result = await runCli(['serve', '--port', 'eighty'], { cwd: dir });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--port must be a number/);
  });
});
