// Unit: vantages in the config (names, per-target lists, profiles, proxies, politeness) and the profile keys scans are stored under.

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { parseConfig, profilesFor } from '../../src/config/config.js';
import { configuredVantages, profileKey, proxyOf, splitProfileKey, vantagesFor } from '../../src/config/vantages.js';
import { ScriptwardenError } from '../../src/errors.js';

const parse = (raw: unknown) => parseConfig(raw, '/etc/sw/scriptwarden.yml');
function errorOf(raw: unknown): string {
  try {
    parse(raw);
  } catch (error) {
    assert.ok(error instanceof ScriptwardenError && error.code === 'CONFIG_INVALID');
    return error.message;
  }
  assert.fail('expected a configuration error');
}

describe('vantages', () => {
  const regions = [{ name: 'eu-west', profiles: ['desktop', 'mobile'], proxy: 'http://exit-eu:3128' }, { name: 'us-east' }];

  it('keeps one unnamed vantage without vantages: plain profile keys, as before', () => {
    const config = parse({ profiles: ['desktop', 'mobile'], targets: [{ name: 'shop', url: 'https://shop.example/' }] });
    assert.deepEqual(configuredVantages(config), ['default']);
    assert.deepEqual(profilesFor(config, config.targets[0]!), ['desktop', 'mobile']);
    assert.deepEqual(splitProfileKey('mobile'), { profile: 'mobile', vantage: 'default' });
  });

  it('scans every target from every vantage, each with its profiles, under keys profile@vantage', () => {
    const config = parse({ vantages: regions, targets: [{ name: 'shop', url: 'https://shop.example/' }, { name: 'sdk', url: 'https://cdn.example/sdk.js', type: 'resource' }] });
    assert.deepEqual(profilesFor(config, config.targets[0]!), ['desktop@eu-west', 'mobile@eu-west', 'desktop@us-east']);
    assert.deepEqual(profilesFor(config, config.targets[0]!, 'us-east'), ['desktop@us-east']);
    // A hosted file is fetched once per vantage.
    assert.deepEqual(profilesFor(config, config.targets[1]!), ['desktop@eu-west', 'desktop@us-east']);
    assert.equal(proxyOf(config, 'eu-west'), 'http://exit-eu:3128');
    assert.equal(proxyOf(config, 'us-east'), undefined);
    assert.deepEqual(splitProfileKey(profileKey('mobile', 'eu-west')), { profile: 'mobile', vantage: 'eu-west' });
  });

  it('lets a target choose its vantages and, per vantage, its profiles', () => {
    const config = parse({ vantages: regions, targets: [
      { name: 'eu-only', url: 'https://shop.example/', vantages: ['eu-west'] },
      { name: 'mobile-us', url: 'https://shop.example/m', profiles: ['mobile'], vantages: ['eu-west', { name: 'us-east', profiles: ['desktop'] }] },
    ] });
    assert.deepEqual(profilesFor(config, config.targets[0]!), ['desktop@eu-west', 'mobile@eu-west']);
    assert.deepEqual(vantagesFor(config, config.targets[1]!).map((v) => [v.name, v.profiles]), [['eu-west', ['mobile']], ['us-east', ['desktop']]]);
  });

  it('names the path of every mistake', () => {
    const message = errorOf({
      vantages: [{ name: 'EU West' }, { name: 'us-east', proxy: 'http://no-port' }, { name: 'us-east' }, { name: 'default' }],
      targets: [{ name: 'shop', url: 'https://shop.example/', vantages: ['ap-south', { name: 'us-east', profiles: ['tablet'] }] }],
    });
    assert.match(message, /vantages\[0\]\.name: must be 1-32 lowercase letters/);
    assert.match(message, /vantages\[1\]\.proxy: must be a proxy URL with a port/);
    assert.match(message, /vantages\[3\]\.name: "default" is the vantage of a config without vantages/);
    assert.match(errorOf({ browser: { wsEndpoint: 'ws://127.0.0.1:9222/devtools/browser/x' }, vantages: [{ name: 'eu', proxy: 'http://exit:3128' }], targets: [{ name: 's', url: 'https://s.example/' }] }),
      /vantages\[0\]\.proxy: cannot be used with browser.wsEndpoint/);
    assert.match(errorOf({ vantages: regions, targets: [{ name: 's', url: 'https://s.example/', vantages: ['ap-south', 'eu-west', 'eu-west'] }] }),
      /targets\[0\]\.vantages\[0\]: unknown vantage "ap-south"; vantages are: eu-west, us-east\n\s+targets\[0\]\.vantages\[2\]: vantage "eu-west" is listed twice/);
    assert.match(errorOf({ vantages: [{ name: 'a' }, { name: 'a' }], targets: [{ name: 's', url: 'https://s.example/' }] }), /vantages\[1\]\.name: duplicate vantage name "a"/);
    assert.match(errorOf({ targets: [{ name: 's', url: 'https://s.example/', vantages: ['eu-west'] }] }), /targets\[0\]\.vantages\[0\]: unknown vantage "eu-west"; define it under vantages first/);
    assert.match(errorOf({ vantages: [{ name: 'eu', proxy: 'socks5://127.0.0.1:1080' }], targets: [{ name: 'f', url: 'https://s.example/f.sh', type: 'resource' }] }),
      /targets\[0\]\.type: resource targets are fetched directly and cannot use a SOCKS proxy \(vantages\[0\]\.proxy\)/);
  });

  it('says what a value of the wrong type should be, rather than that it is missing', () => {
    const message = errorOf({ vantages: [{ name: 'eu' }, 3], targets: [{ name: 'a', url: 'https://a.example/', vantages: 'eu', profiles: 'desktop' }] });
    assert.match(message, /vantages\[1\]: must be \{name, profiles, proxy\}/);
    assert.match(message, /targets\[0\]\.vantages: must be a list of vantage names/);
    assert.match(message, /targets\[0\]\.profiles: must be a list of profiles, such as \[desktop, mobile\]/);
    assert.match(errorOf({ targets: 'shop' }), /targets: must be a list of targets/);
    assert.match(errorOf({}), /targets: is required/);
  });

  it('needs queue.perDomain to allow a slot of every vantage at once', () => {
    assert.equal(parse({ targets: [{ name: 's', url: 'https://s.example/' }] }).queue.perDomain, 4);
    assert.match(errorOf({ vantages: regions, queue: { perDomain: 1 }, targets: [{ name: 's', url: 'https://s.example/' }] }),
      /queue\.perDomain: must be at least 2: targets\[0\] is scanned from 2 vantages at once/);
  });
});
