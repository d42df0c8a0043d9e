// Finds a Chromium to drive: config path, then PUPPETEER_EXECUTABLE_PATH, then Puppeteer's cache, then the system's.

import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ScriptwardenError } from '../src/errors.js';

export interface BrowserSearch {
  configured?: string;
  envExecutablePath?: string;
  puppeteerCacheDir?: string;
  home?: string;
  /** Overrides the system locations, for tests. */
  systemCandidates?: string[];
}

export const SYSTEM_BROWSERS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
  '/snap/bin/chromium',
];

export const INSTALL_HINT =
  'Install one with "sudo apt-get install -y chromium" (Debian/Ubuntu) or, on a machine with internet, ' +
  '"npx puppeteer browsers install chrome" (macOS, other systems), or point browser.executablePath in the config ' +
  'or PUPPETEER_EXECUTABLE_PATH at a Chrome or Chromium binary.';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const MAC_APP = join('Google Chrome for Testing.app', 'Contents', 'MacOS', 'Google Chrome for Testing');

function fromPuppeteerCache(cacheDir: string): string | null {
  for (const product of ['chrome', 'chrome-headless-shell']) {
    const root = join(cacheDir, product);
    if (!existsSync(root)) continue;
    const builds = readdirSync(root).sort().reverse();
    for (const build of builds) {
      for (const candidate of [
        join(root, build, 'chrome-linux64', 'chrome'),
        join(root, build, 'chrome-headless-shell-linux64', 'chrome-headless-shell'),
        // What `npx puppeteer browsers install chrome` leaves on a Mac.
        ...['chrome-mac-arm64', 'chrome-mac-x64'].map((dir) => join(root, build, dir, MAC_APP)),
        ...['chrome-headless-shell-mac-arm64', 'chrome-headless-shell-mac-x64'].map((dir) => join(root, build, dir, 'chrome-headless-shell')),
      ]) {
        if (executable(candidate)) return candidate;
      }
    }
  }
  return null;
}

export function findBrowser(search: BrowserSearch): string {
  if (search.configured) {
    if (executable(search.configured)) return search.configured;
    throw new ScriptwardenError(
      'BROWSER_NOT_FOUND',
      `browser.executablePath ${search.configured} does not exist or is not executable. ${INSTALL_HINT}`,
    );
  }
  if (search.envExecutablePath) {
    if (executable(search.envExecutablePath)) return search.envExecutablePath;
    throw new ScriptwardenError(
      'BROWSER_NOT_FOUND',
      `PUPPETEER_EXECUTABLE_PATH=${search.envExecutablePath} does not exist or is not executable. ${INSTALL_HINT}`,
    );
  }
  const cacheDir = search.puppeteerCacheDir || (search.home ? join(search.home, '.cache', 'puppeteer') : null);
  const cached = cacheDir ? fromPuppeteerCache(cacheDir) : null;
  if (cached) return cached;
  for (const candidate of search.systemCandidates ?? SYSTEM_BROWSERS) {
    if (executable(candidate)) return candidate;
  }
  throw new ScriptwardenError('BROWSER_NOT_FOUND', `no Chrome or Chromium browser found. ${INSTALL_HINT}`);
}
