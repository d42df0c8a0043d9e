// Names why a page load failed: timeouts, network errors, partial documents, pages that left, crashed browsers.

import type { Browser } from 'puppeteer';
import type { CaptureFailureCode } from '../src/errors.js';
import { describeError } from '../src/errors.js';
import type { PageRecorder } from './page-recorder.js';

export type Failure = { code: CaptureFailureCode; reason: string };

const GONE = /Target closed|Session closed|Connection closed|Navigating frame was detached|frame got detached|Protocol error.*(closed|detached)|browser has disconnected|crash/i;

/** True when the browser process no longer answers: a capture cut short so is the browser's failure, not the page's. */
export async function browserGone(browser: Browser): Promise<boolean> {
  if (!browser.connected) return true;
  let timer: NodeJS.Timeout | undefined;
  const answered = await Promise.race([
    browser.version().then(() => true, () => false),
    new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), 2000); }),
  ]).finally(() => clearTimeout(timer));
  return !answered || !browser.connected;
}

/**
 * A failure of the capture itself (a protocol call, the page or the browser went away). Chromium's own words for a
 * browser that died mid-navigation ("Navigating frame was detached", "Target closed") become BROWSER_CRASHED.
 */
export async function captureFailure(error: unknown, browser: Browser, pageCrash: string | null): Promise<Failure> {
  const message = describeError(error);
  if (await browserGone(browser)) return { code: 'BROWSER_CRASHED', reason: `the browser exited during the capture (${message})` };
  if (pageCrash) return { code: 'PAGE_CRASHED', reason: `page crashed: ${pageCrash}` };
  if (GONE.test(message)) return { code: 'PAGE_CRASHED', reason: `page crashed: ${message}` };
  return { code: 'PAGE_NETWORK_ERROR', reason: message };
}

/** Why `page.goto` failed. */
export async function navigationFailure(error: unknown, timeoutMs: number, browser: Browser, pageCrash: string | null): Promise<Failure> {
  const message = describeError(error);
  if (await browserGone(browser)) return { code: 'BROWSER_CRASHED', reason: `the browser exited during the capture (${message})` };
  if (pageCrash) return { code: 'PAGE_CRASHED', reason: `page crashed: ${pageCrash}` };
  if (/timeout/i.test(message) || (error as Error)?.name === 'TimeoutError') {
    return { code: 'PAGE_TIMEOUT', reason: `page did not finish loading within ${timeoutMs} ms` };
  }
  if (GONE.test(message)) return { code: 'PAGE_CRASHED', reason: `page crashed: ${message}` };
  const net = /net::ERR_[A-Z_0-9]+/.exec(message);
  return { code: 'PAGE_NETWORK_ERROR', reason: net ? `network error ${net[0]}` : message };
}

/**
 * A load that looked finished but is not the page: its document broke off part way (reset, truncated, failed), or
 * the page moved itself to another document after loading, so what it ran is gone. Neither is judged.
 */
export function partialLoad(recorder: PageRecorder, pageUrl: string): Failure | null {
  if (recorder.navigatedAway !== null) {
    return {
      code: 'PAGE_NAVIGATED_AWAY',
      reason: `after loading, ${pageUrl.slice(0, 300)} navigated itself to ${recorder.navigatedAway.slice(0, 300)}; the page was not judged (point the target at the page it lands on)`,
    };
  }
  const failed = recorder.documentFailure();
  if (failed !== null) return { code: 'PAGE_INCOMPLETE', reason: `the document of ${pageUrl.slice(0, 300)} did not load completely (${failed}); a partial page is not judged` };
  return null;
}
