// Unit: configuration parsing, defaults, path resolution and error paths.

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { parseDuration } from '../../src/config/duration.js';
import { ScriptwardenError } from '../../src/errors.js';

function errorOf(raw: unknown): string {
  try {
    parseConfig(raw, '/etc/sw/scriptwarden.yml');
  } catch (error) {
    assert.ok(error instanceof ScriptwardenError);
    assert.equal(error.code, 'CONFIG_INVALID');
    return error.message;
  }
  assert.fail('expected a configuration error');
}

describe('parseConfig', () => {
  it('fills every default except targets and resolves paths against the config folder', () => {
    const config = parseConfig({ targets: [{ name: 'checkout', url: 'https://shop.example/checkout' }], browser: { executablePath: 'bin/chrome' } }, '/etc/sw/scriptwarden.yml');
    assert.equal(config.database, '/etc/sw/scriptwarden.db');
    assert.equal(config.browser.executablePath, '/etc/sw/bin/chrome');
    assert.equal(config.browser.pageTimeout, 30_000);
    assert.equal(config.browser.concurrency, 2);
    assert.deepEqual(config.browser.args, []);
    assert.deepEqual(config.profiles, ['desktop']);
    assert.deepEqual(config.resolve, {});
    assert.equal(config.removalThreshold, 2);
    assert.equal(config.targets[0]!.type, 'page');
  });

  it('requires targets', () => {
    assert.match(errorOf({}), /targets: is required/);
    assert.match(errorOf({ targets: [] }), /targets: must list at least one target/);
  });

  it('names the path of every bad value and unknown key', () => {
    const message = errorOf({
      databse: 'x.db',
      profiles: ['desktop', 'tablet'],
      resolve: { '*.staging.example': 'not-an-ip' },
      browser: { concurrency: 0, pageTimeout: '30 parsecs' },
      targets: [
        { name: 'a', url: 'https://a.example/' },
        { name: 'b', url: 'https://b.example/', extra: true },
        { name: 'c', url: 'javascript:alert(1)' },
        { name: 'a', url: 'https://d.example/' },
      ],
    });
    assert.match(message, /databse: unknown key/);
    assert.match(message, /profiles\[1\]: must be one of: desktop, mobile/);
    assert.match(message, /resolve\.\*\.staging\.example: must be an IP address/);
    assert.match(message, /browser\.concurrency: /);
    assert.match(message, /browser\.pageTimeout: must be a duration/);
    assert.match(message, /targets\[1\]\.extra: unknown key/);
    assert.match(message, /targets\[2\]\.url: must be an http\(s\) URL/);
    assert.match(message, /targets\[3\]\.name: duplicate target name "a"/);
  });

  it('reads the dashboard sign-in settings, with defaults, and names a bad one', () => {
    const targets = [{ name: 'a', url: 'https://a.example/' }];
    const defaults = parseConfig({ targets }, '/etc/sw/scriptwarden.yml').dashboard;
    assert.deepEqual(defaults, { trustProxy: false, sessionIdle: 1_800_000, sessionMax: 43_200_000, lockoutAfter: 5, lockoutFor: 900_000, loginAttemptsPerIp: 30 });
    assert.equal(parseConfig({ targets, dashboard: { trustProxy: 'loopback, 10.0.0.0/8' } }, '/x.yml').dashboard.trustProxy, 'loopback, 10.0.0.0/8');
    assert.equal(parseConfig({ targets, trustProxy: true }, '/x.yml').dashboard.trustProxy, true, 'the top-level shorthand');
    assert.match(errorOf({ targets, trustProxy: 1, dashboard: { trustProxy: 2 } }), /trustProxy: give either trustProxy or dashboard\.trustProxy, not both/);
    const message = errorOf({ targets, dashboard: { lockoutAfter: 1, sessionIdle: 'forever', trustProxy: [] } });
    assert.match(message, /dashboard\.lockoutAfter: must be at least 2/);
    assert.match(message, /dashboard\.sessionIdle: must be a duration/);
    assert.match(message, /dashboard\.trustProxy: /);
  });

  it('accepts resource targets and durations as numbers or text', () => {
    const config = parseConfig({ browser: { pageTimeout: '2m', settle: 250 }, targets: [{ name: 'bash', url: 'https://dl.example/bash', type: 'resource' }] }, '/x/c.yml');
    assert.equal(config.browser.pageTimeout, 120_000);
    assert.equal(config.browser.settle, 250);
    assert.equal(config.targets[0]!.type, 'resource');
  });
});

describe('parseDuration', () => {
  it('reads ms, s, m, h and d', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('1.5m'), 90_000);
    assert.equal(parseDuration('2h'), 7_200_000);
    assert.equal(parseDuration('1d'), 86_400_000);
    assert.equal(parseDuration('soon'), null);
    assert.equal(parseDuration('10'), null);
  });
});
