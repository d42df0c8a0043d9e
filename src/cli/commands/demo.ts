// `scriptwarden demo [--serve]`: the product on a local demo shop, with no internet, no config, and data in a temp folder.

import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemoShop, type DemoShop } from '../../../demo/demo-shop.js';
import { parseDuration } from '../../config/duration.js';
import { ScriptwardenError } from '../../errors.js';
import { EXIT, type CommandContext } from './context.js';

const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));

interface DemoOptions {
  serve?: boolean;
  port: string;
  plantAfter: string;
}

/** Runs one scriptwarden command in the demo folder, its output shown as it comes (a null title: not shown). */
function run(ctx: CommandContext, dir: string, title: string | null, args: string[]): Promise<{ code: number | null; stdout: string }> {
  if (title !== null) ctx.stdout.write(`\n$ scriptwarden ${args.join(' ')}    # ${title}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: ctx.env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d; if (title !== null) ctx.stdout.write(d.toString()); });
    child.stderr.on('data', (d: Buffer) => ctx.stderr.write(d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

function writeDemoConfig(dir: string, shop: DemoShop): void {
  writeFileSync(join(dir, 'scriptwarden.yml'), [
    '# The demo: a shop on this machine under fake host names, scanned every 5 seconds.',
    'database: ./scriptwarden.db',
    'resolve:',
    '  "*.test": 127.0.0.1',
    'every: 5s',
    'jitter: 0s',
    'browser:',
    '  settle: 300ms',
    'targets:',
    '  - name: checkout',
    `    url: ${shop.url('shop.test', '/checkout')}`,
    '  - name: uploader',
    `    url: ${shop.url('downloads.test', '/bash')}`,
    '    type: resource',
    '',
  ].join('\n'));
}

/** The port asked for when it is free, else any free one. */
async function freePort(wanted: number): Promise<number> {
  const tryPort = (port: number) => new Promise<number | null>((resolve) => {
    const probe = createServer().once('error', () => resolve(null)).listen(port, '127.0.0.1', () => {
      const got = (probe.address() as { port: number }).port;
      probe.close(() => resolve(got));
    });
  });
  return (await tryPort(wanted)) ?? (await tryPort(0))!;
}

export async function demoCommand(options: DemoOptions, ctx: CommandContext): Promise<number> {
  const plantAfterMs = parseDuration(options.plantAfter);
  if (plantAfterMs === null) throw new ScriptwardenError('USAGE', `--plant-after must be a duration such as 10s, not "${options.plantAfter}"`);
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ScriptwardenError('USAGE', `--port must be a TCP port, not "${options.port}"`);
  const shop = await startDemoShop();
  const dir = mkdtempSync(join(tmpdir(), 'scriptwarden-demo-'));
  try {
    writeDemoConfig(dir, shop);
    ctx.stdout.write(`Demo folder ${dir}; a shop with first- and third-party scripts runs on 127.0.0.1:${shop.port}.\n`);
    const first = await run(ctx, dir, 'the first scan records the inventory', ['scan']);
    if (first.code !== EXIT.ok) throw new ScriptwardenError('CAPTURE_FAILED', `the demo's first scan failed (exit ${first.code}); see above`);
    await run(ctx, dir, 'approve it as the baseline', ['approve', '--all', '--note', 'demo baseline reviewed', '--by', 'demo']);
    return options.serve ? await serveDemo(ctx, dir, shop, await freePort(port), plantAfterMs) : await terminalDemo(ctx, dir, shop);
  } finally {
    await shop.close();
  }
}

/** Plants the skimmer, scans again, and shows what scriptwarden says. */
async function terminalDemo(ctx: CommandContext, dir: string, shop: DemoShop): Promise<number> {
  shop.plantSkimmer();
  ctx.stdout.write('\n# An attacker appends a skimmer to the shop\'s own /static/app.js …\n');
  const again = await run(ctx, dir, 'scan again', ['scan']);
  await run(ctx, dir, 'what changed, most severe first', ['alerts']);
  const listed = await run(ctx, dir, null, ['alerts', '--json']);
  const alerts = (JSON.parse(listed.stdout) as { alerts: { id: number; type: string }[] }).alerts;
  const changed = alerts.find((a) => a.type === 'script.changed');
  if (changed) await run(ctx, dir, 'the change, as a diff', ['show', String(changed.id)]);
  await run(ctx, dir, 'the PCI DSS 6.4.3 inventory', ['inventory']);
  if (again.code !== EXIT.newAlerts) throw new ScriptwardenError('CAPTURE_FAILED', `the scan after the skimmer was planted should raise alerts (exit 1), it exited ${again.code}`);
  ctx.stdout.write('\nThe demo is done; `scriptwarden demo --serve` shows it on the dashboard.\n');
  return EXIT.ok;
}

/** Runs the real `serve` on the demo folder, plants the skimmer while the dashboard is open, and relays what it says. */
async function serveDemo(ctx: CommandContext, dir: string, shop: DemoShop, port: number, plantAfterMs: number): Promise<number> {
  ctx.stdout.write(`\n$ scriptwarden serve --port ${port}    # scans every 5 s and serves the dashboard\n`);
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--log-format', 'json'], { cwd: dir, env: ctx.env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'inherit'] });
  let url = '';
  let planted = false;
  let timer: NodeJS.Timeout | undefined;
  let buffer = '';
  child.stdout.on('data', (d: Buffer) => {
    buffer += d.toString();
    for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      let entry: { event?: string; message?: string; url?: string; alertId?: number };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        ctx.stdout.write(`${line}\n`);
        continue;
      }
      ctx.stdout.write(`  serve: ${entry.message ?? line}\n`);
      if (entry.event === 'serve.started' && entry.url) {
        url = entry.url;
        ctx.stdout.write(`\nOpen ${url} now. In ${Math.round(plantAfterMs / 1000)} s an attacker plants a skimmer in the shop's /static/app.js;\nthe next scheduled scan finds it, and the alert appears here and on the dashboard by itself. Ctrl-C stops the demo.\n\n`);
        timer = setTimeout(() => {
          shop.plantSkimmer();
          planted = true;
          ctx.stdout.write(`\n# An attacker appended a skimmer to ${shop.url('shop.test', '/static/app.js')} …\n\n`);
        }, plantAfterMs);
      }
      if (entry.event === 'alert.opened' && planted && entry.alertId) ctx.stdout.write(`\n→ see it on the dashboard: ${url}alerts/${entry.alertId}\n\n`);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const signal = await Promise.race([ctx.waitForShutdown(), exited.then(() => null)]);
  clearTimeout(timer);
  if (signal) child.kill('SIGTERM');
  const code = await exited;
  ctx.stdout.write(`\nDemo stopped; its data stays in ${dir}.\n`);
  return code === 0 ? EXIT.ok : EXIT.internal;
}
