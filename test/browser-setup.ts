// One Chromium for a whole test project, launched once with scriptwarden's flags and handed to the test files
// (provide/inject) and to the scans they run (browser.wsEndpoint). Each capture still gets its own incognito context.

import type { TestProject } from 'vitest/node';
import puppeteer from 'puppeteer';
import { chromiumArgs } from '../crawler/launch-browser.js';
import { RUNNING_AS_ROOT, testBrowserPath } from './fixtures/browser.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared browser's DevTools WebSocket URL. */
    browserWsEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const executablePath = testBrowserPath();
  const browser = await puppeteer.launch({
    executablePath, headless: true, pipe: false, ignoreDefaultArgs: ['--enable-automation'],
    // Names under .invalid (RFC 2606) fail at once, as they would in a browser with a working DNS server: the tests
    // of unknown hosts never wait on this machine's resolver, which can take seconds to answer under load.
    args: chromiumArgs({ executablePath, args: ['--host-resolver-rules=MAP *.invalid ~NOTFOUND'], resolve: { '*.test': '127.0.0.1' }, runningAsRoot: RUNNING_AS_ROOT }),
  });
  project.provide('browserWsEndpoint', browser.wsEndpoint());
  return async () => { await browser.close(); };
}
