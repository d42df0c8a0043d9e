// Walks a target's journey in the page, step by step, the way a shopper would; each navigation carries its Referer.

import type { HTTPRequest, HTTPResponse, Page } from 'puppeteer';
import { describeError } from '../src/errors.js';
import { describeStep, resolveGoto, type JourneyStep } from '../src/config/journey.js';

const STEP_WAIT_MS = 5000;

/** Clicks, and if the click starts a navigation, waits for the new page to load; returns its response. */
async function clickAndFollow(page: Page, selector: string, timeoutMs: number): Promise<HTTPResponse | null | undefined> {
  const element = await page.waitForSelector(selector, { timeout: Math.min(STEP_WAIT_MS, timeoutMs) });
  if (!element) throw new Error(`no element matches ${selector}`);
  // A navigating click issues its main-frame document request at once; a click that does not leaves the page as it is.
  let navigating = false;
  const onRequest = (request: HTTPRequest) => { if (request.isNavigationRequest() && request.frame() === page.mainFrame()) navigating = true; };
  page.on('request', onRequest);
  const navigation = page.waitForNavigation({ waitUntil: 'load', timeout: timeoutMs }).then((r) => ({ r }), (error: unknown) => ({ error }));
  try {
    await element.click();
    await new Promise((resolve) => setTimeout(resolve, 300));
    if (!navigating) return undefined;
    const done = await navigation;
    if ('error' in done) throw done.error;
    return done.r;
  } finally {
    page.off('request', onRequest);
  }
}

/**
 * Runs the steps after the first page has loaded. A step that cannot be completed fails the whole capture with the
 * step named; the response returned is the last document's.
 */
export async function walkJourney(page: Page, steps: JourneyStep[], timeoutMs: number, first: HTTPResponse | null): Promise<{ response: HTTPResponse | null } | { failure: string }> {
  let response = first;
  for (const [index, step] of steps.entries()) {
    try {
      if ('scan' in step) break;
      if ('goto' in step) {
        const url = resolveGoto(step.goto, page.url());
        if (!url) throw new Error('not an http(s) URL');
        response = await page.goto(url, { waitUntil: 'load', timeout: timeoutMs, referer: page.url() });
        if (response && response.status() >= 400) throw new Error(`HTTP ${response.status()}`);
      } else if ('click' in step) {
        const next = await clickAndFollow(page, step.click, timeoutMs);
        if (next !== undefined) response = next;
      } else if ('type' in step) {
        await page.waitForSelector(step.type.selector, { timeout: Math.min(STEP_WAIT_MS, timeoutMs) });
        await page.type(step.type.selector, step.type.text);
      } else if ('select' in step) {
        await page.waitForSelector(step.select.selector, { timeout: Math.min(STEP_WAIT_MS, timeoutMs) });
        const chosen = await page.select(step.select.selector, step.select.value);
        if (chosen.length === 0) throw new Error(`no option ${JSON.stringify(step.select.value)}`);
      } else if ('waitFor' in step) {
        await page.waitForSelector(step.waitFor, { timeout: timeoutMs });
      }
    } catch (error) {
      return { failure: `journey step ${index + 1} (${describeStep(step)}) failed: ${describeError(error)}` };
    }
  }
  return { response };
}
