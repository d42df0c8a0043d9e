// Unit: schedule arithmetic (every, cron, jitter, restarts), Prometheus rendering, HAR 1.2 and initiator chains, config keys.

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { cronError, firstRun, followingRun, jitterMs, nextRun, scheduleFor } from '../../src/run/schedule.js';
import { renderMetrics } from '../../src/run/metrics.js';
import { buildHar, initiatorChain } from '../../src/evidence/evidence.js';
import { parseConfig } from '../../src/config/config.js';
import { emailMessage } from '../../src/run/notify-messages.js';
import type { ScriptCapture } from '../../src/capture/types.js';
import type { AlertWithDetails } from '../../src/store/alerts.js';

const at = (iso: string) => new Date(iso);

describe('schedule', () => {
  it('takes the target override, then the top level, then 15 minutes', () => {
    assert.deepEqual(scheduleFor({ every: '1h' }, { every: '30s' }), { every: 30_000 });
    assert.deepEqual(scheduleFor({ every: '1h' }, { cron: '*/10 * * * *' }), { cron: '*/10 * * * *' });
    assert.deepEqual(scheduleFor({ cron: '0 * * * *' }, {}), { cron: '0 * * * *' });
    assert.deepEqual(scheduleFor({}, {}), { every: 900_000 });
  });

  it('computes cron times and rejects bad expressions', () => {
    assert.equal(nextRun({ cron: '*/10 * * * *' }, at('2026-11-29T10:03:00Z')).toISOString(), '2026-11-29T10:10:00.000Z');
    assert.equal(cronError('*/10 * * * *'), null);
    assert.match(cronError('*/10 * *') ?? '', /5 fields/);
    assert.ok(cronError('99 * * * *'));
  });

  it('adds at most the jitter, defaulting to a tenth of the interval capped at a minute', () => {
    assert.equal(jitterMs(undefined, { every: 20_000 }, new Date()), 2000);
    assert.equal(jitterMs(undefined, { every: 3_600_000 }, new Date()), 60_000);
    assert.equal(jitterMs('0s', { every: 3_600_000 }, new Date()), 0);
    const now = at('2026-11-29T10:00:00Z');
    assert.equal(followingRun({ every: 60_000 }, now, now, 5000, () => 0.5).toISOString(), '2026-11-29T10:01:02.500Z');
  });

  it('keeps a stored future time after a restart and replaces missed ones by one run soon', () => {
    const now = at('2026-11-29T10:00:00Z');
    assert.equal(firstRun('2026-11-29T10:30:00.000Z', now, 1000, () => 0.5).toISOString(), '2026-11-29T10:30:00.000Z');
    assert.equal(firstRun('2026-11-29T05:00:00.000Z', now, 1000, () => 0.5).toISOString(), '2026-11-29T10:00:00.500Z');
    assert.equal(firstRun(null, now, 0, () => 0.9).toISOString(), now.toISOString());
    // A run that overran its interval is followed at once, not by a burst.
    assert.equal(followingRun({ every: 1000 }, at('2026-11-29T09:59:00Z'), now, 0, () => 0).toISOString(), now.toISOString());
  });
});

describe('metrics', () => {
  it('renders counters, summaries and gauges with escaped labels', () => {
    const text = renderMetrics({
      snapshot: { state: 'running', startedAt: null, lastTickAt: null, activeScans: 1, concurrency: 2, targets: [{ target: 'a"b', schedule: 'every 1s', nextRunAt: '', running: true, paused: true, lastStartedAt: null, lastFinishedAt: null, lastSuccessAt: '2026-11-29T10:00:00.000Z', consecutiveFailures: 0, lastError: null, healthy: true }] },
      counters: { scans: new Map([['a"b', { ok: 3, failed: 1, durationSeconds: 6.5 }]]), retries: 2 },
      store: { openAlerts: { high: 2 }, scans: { ok: 7 } },
      notificationsPending: 1,
      browser: { state: 'running', pid: 1, restarts: 1, lastRestartAt: null },
    });
    assert.match(text, /^scriptwarden_scans_total\{target="a\\"b",result="failed"\} 1$/m);
    assert.match(text, /^scriptwarden_scan_duration_seconds_sum\{target="a\\"b"\} 6\.500$/m);
    assert.match(text, /^scriptwarden_scan_duration_seconds_count\{target="a\\"b"\} 4$/m);
    assert.match(text, /^scriptwarden_open_alerts\{severity="high"\} 2$/m);
    assert.match(text, /^scriptwarden_open_alerts\{severity="info"\} 0$/m);
    assert.match(text, /^scriptwarden_target_last_success_timestamp_seconds\{target="a\\"b"\} 1795946400$/m);
    assert.match(text, /^scriptwarden_browser_restarts_total 1$/m);
    assert.match(text, /^scriptwarden_target_paused\{target="a\\"b"\} 1$/m);
    for (const line of text.trim().split('\n')) assert.match(line, /^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? [\d.]+)$/);
  });
});

describe('evidence', () => {
  const s = (ref: string, url: string | null, initiator: ScriptCapture['initiator']): ScriptCapture => ({
    ref, kind: url ? 'external' : 'dynamic', url, frameUrl: 'https://shop/', isMainFrame: true, initiator, status: 200, headers: {},
    remoteIp: null, remotePort: null, body: '', loadError: null, bodyTooLarge: false,
  });

  it('follows the initiator chain to the page, and stops on cycles', () => {
    const loader = s('1', 'https://shop/loader.js', { type: 'parser', url: 'https://shop/', line: 3, scriptRef: null });
    const tag = s('2', 'https://tags/t.js', { type: 'script', url: 'https://shop/loader.js', line: 1, scriptRef: '1' });
    const chain = initiatorChain(tag, [loader, tag]);
    assert.deepEqual(chain.map((c) => c.url), ['https://tags/t.js', 'https://shop/loader.js', 'https://shop/']);
    const a = s('a', 'https://x/a.js', { type: 'script', url: null, line: null, scriptRef: 'b' });
    const b = s('b', 'https://x/b.js', { type: 'script', url: null, line: null, scriptRef: 'a' });
    assert.equal(initiatorChain(a, [a, b]).length, 2);
  });

  it('writes HAR 1.2 entries with server addresses and TLS', () => {
    const har = buildHar({ requestedUrl: 'https://shop/', finalUrl: 'https://shop/', startedAt: '2026-11-29T10:00:00.000Z' }, [{
      url: 'https://shop/app.js?v=1', method: 'GET', type: 'Script', startedAt: '2026-11-29T10:00:00.100Z', durationMs: 12, status: 200, statusText: 'OK',
      httpVersion: 'http/1.1', requestHeaders: { accept: '*/*' }, responseHeaders: { 'content-type': 'text/javascript' }, mimeType: 'text/javascript',
      remoteIp: '203.0.113.7', remotePort: 443, encodedBytes: 120, failed: null, initiator: { type: 'parser', url: 'https://shop/' },
      tls: { protocol: 'TLS 1.3', cipher: 'AES_128_GCM', subjectName: 'shop', issuer: 'CA', validFrom: '2026-01-01T00:00:00.000Z', validTo: '2027-01-01T00:00:00.000Z', sanList: ['shop'] },
    }], '0.1.0') as { log: { version: string; creator: { name: string }; entries: Record<string, any>[] } };
    assert.equal(har.log.version, '1.2');
    assert.equal(har.log.creator.name, 'scriptwarden');
    const entry = har.log.entries[0]!;
    assert.equal(entry.serverIPAddress, '203.0.113.7');
    assert.deepEqual(entry.request.queryString, [{ name: 'v', value: '1' }]);
    assert.equal(entry.response.content.mimeType, 'text/javascript');
    assert.equal(entry._securityDetails.issuer, 'CA');
    for (const key of ['startedDateTime', 'time', 'request', 'response', 'cache', 'timings']) assert.ok(key in entry, key);
  });
});

describe('monitoring config', () => {
  const base = { targets: [{ name: 'a', url: 'https://shop.example/' }] };
  it('accepts schedules, retention and an email channel with env: credentials', () => {
    const config = parseConfig({ ...base, every: '15m', retention: '90d', notify: [{ type: 'email', smtp: 'env:SMTP', to: ['secops@example.com'] }] }, '/x/sw.yml', { SMTP: 'smtp://u:p@mail:587' });
    assert.equal(config.every, '15m');
    assert.equal((config.notify[0] as { smtp: string }).smtp, 'smtp://u:p@mail:587');
  });
  it('names the path of each bad value', () => {
    assert.throws(() => parseConfig({ targets: [{ name: 'a', url: 'https://s/', every: '10ms' }] }, '/x/sw.yml'), /targets\[0\]\.every: must be a duration of at least 1s/);
    assert.throws(() => parseConfig({ ...base, cron: '* *' }, '/x/sw.yml'), /cron: must be a cron expression/);
    assert.throws(() => parseConfig({ ...base, notify: [{ type: 'email', smtp: 'http://x', to: ['a@b'] }] }, '/x/sw.yml'), /notify\[0\]\.smtp: must be an smtp:\/\//);
    assert.throws(() => parseConfig({ ...base, notify: [{ type: 'email', smtp: 'env:NOPE', to: ['a@b'] }] }, '/x/sw.yml'), /notify\[0\]\.smtp: environment variable NOPE is not set/);
    assert.throws(() => parseConfig({ ...base, retention: '1h' }, '/x/sw.yml'), /retention: must be a duration of at least 1d/);
    assert.throws(() => parseConfig({ ...base, every: '1m', cron: '* * * * *' }, '/x/sw.yml'), /cron: give either every or cron, not both/);
    assert.throws(() => parseConfig({ targets: [{ name: 'a', url: 'https://s/', every: '1m', cron: '* * * * *' }] }, '/x/sw.yml'), /targets\[0\]\.cron: give either every or cron, not both/);
  });
});

describe('email', () => {
  it('escapes scanned text in HTML and keeps the subject on one line', () => {
    const alert = { id: 7, type: 'script.added', severity: 'high', status: 'open', target: 'shop\r\nBcc: x@evil', profile: 'desktop', page: 'https://s/', subject: '<img src=x onerror=alert(1)>', summary: '<script>x</script>', firstSeen: '', lastSeen: '', details: {} } as unknown as AlertWithDetails;
    const mail = emailMessage(alert, 'https://sw.example');
    assert.doesNotMatch(mail.subject, /[\r\n]/);
    assert.doesNotMatch(mail.html, /<script>|<img/);
    assert.match(mail.html, /&lt;img src=x onerror=alert\(1\)&gt;/);
    assert.match(mail.text, /https:\/\/sw\.example\/alerts\/7/);
  });
});
