// Unit: notification bodies, signatures, backoff and channel labels that never show a secret.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'vitest';
import { backoffSeconds, channelLabel, signature, slackBody, webhookBody } from '../../src/run/notify.js';
import type { AlertWithDetails } from '../../src/store/alerts.js';

const alert = {
  id: 7, type: 'script.changed', severity: 'critical', status: 'open', target: 'checkout', page: 'https://shop.example/checkout', profile: 'desktop',
  subject: 'https://shop.example/app.js', summary: 'changed; sends to <https://evil.example|click me> & more', firstSeen: 'x', lastSeen: 'x',
  oldValue: null, newValue: null, decidedBy: null, decidedAt: null, note: null, details: {},
} as unknown as AlertWithDetails;

describe('notification bodies', () => {
  it('signs the raw webhook body with HMAC-SHA256', () => {
    const body = webhookBody(alert);
    assert.deepEqual(JSON.parse(body).event, 'alert.opened');
    assert.equal(signature(body, 'k'), `sha256=${createHmac('sha256', 'k').update(body).digest('hex')}`);
  });
  it('links to the alert in Slack and escapes scanned text so it cannot forge a link', () => {
    const text = JSON.parse(slackBody(alert, 'https://sw.example/base')).text as string;
    assert.match(text, /<https:\/\/sw\.example\/base\/alerts\/7\|alert #7>$/);
    assert.match(text, /&lt;https:\/\/evil\.example\|click me&gt; &amp; more/);
  });
  it('backs off exponentially and names channels by origin only', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 9, 10, 29].map(backoffSeconds), [1, 2, 4, 8, 16, 256, 300, 300]);
    assert.equal(channelLabel({ type: 'slack', url: 'https://hooks.slack.com/services/T0/B0/secret-token', minSeverity: 'low', events: ['change'] }), 'slack https://hooks.slack.com');
  });
});
