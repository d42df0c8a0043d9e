// Crawler: the browser search order, and the message when no browser exists.

import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { findBrowser } from '../../crawler/find-browser.js';
import { ScriptwardenError } from '../../src/errors.js';
import { tempProject } from '../fixtures/cli.js';

function fakeBinary(path: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  return path;
}

describe('findBrowser', () => {
  const dir = tempProject('sw-browser-');
  const configured = fakeBinary(join(dir, 'configured', 'chrome'));
  const fromEnv = fakeBinary(join(dir, 'env', 'chrome'));
  const cached = fakeBinary(join(dir, 'cache', 'chrome', 'linux-131.0.6778.85', 'chrome-linux64', 'chrome'));
  const system = fakeBinary(join(dir, 'usr', 'bin', 'chromium'));

  it('prefers the config, then the environment, then the cache, then the system', () => {
    const all = { configured, envExecutablePath: fromEnv, puppeteerCacheDir: join(dir, 'cache'), systemCandidates: [system] };
    assert.equal(findBrowser(all), configured);
    assert.equal(findBrowser({ ...all, configured: undefined }), fromEnv);
    assert.equal(findBrowser({ ...all, configured: undefined, envExecutablePath: undefined }), cached);
    assert.equal(findBrowser({ systemCandidates: [join(dir, 'nope'), system], puppeteerCacheDir: join(dir, 'empty') }), system);
  });

  it("finds what `npx puppeteer browsers install chrome` leaves in the cache, on Linux and on a Mac", () => {
    const mac = fakeBinary(join(dir, 'mac-cache', 'chrome', 'mac_arm-131.0.6778.85', 'chrome-mac-arm64', 'Google Chrome for Testing.app', 'Contents', 'MacOS', 'Google Chrome for Testing'));
    assert.equal(findBrowser({ puppeteerCacheDir: join(dir, 'mac-cache'), systemCandidates: [] }), mac);
    assert.equal(findBrowser({ home: join(dir, 'home'), puppeteerCacheDir: '', systemCandidates: [system] }), system, 'an empty PUPPETEER_CACHE_DIR falls back to the home cache, then the system');
  });

  it('says how to install one when there is none', () => {
    assert.throws(
      () => findBrowser({ puppeteerCacheDir: join(dir, 'empty'), systemCandidates: [join(dir, 'nope')] }),
      (error: unknown) =>
        error instanceof ScriptwardenError && error.code === 'BROWSER_NOT_FOUND' && /no Chrome or Chromium browser found/.test(error.message) &&
        /apt-get install -y chromium/.test(error.message) && /npx puppeteer browsers install chrome/.test(error.message),
    );
    assert.throws(() => findBrowser({ configured: join(dir, 'missing') }), /browser\.executablePath .* does not exist/);
  });
});
