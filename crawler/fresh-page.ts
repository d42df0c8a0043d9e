// A fresh incognito context and page for each capture, presented as the profile's visitor would see it.

import type { Browser, BrowserContext, CDPSession, Page } from 'puppeteer';
import type { NewTargetWatcher, TargetGuard } from './new-target-guard.js';
import { windowSize, type profileSettings } from './profiles.js';

/**
 * The page's own CDP session, the one puppeteer drives it through. Domains enabled on a second session would send
 * every network event and keep every response body twice; the capture listens on this one instead.
 */
export function pageSession(page: Page): Promise<CDPSession> {
  const own = (page as unknown as { _client?: () => CDPSession })._client;
  return typeof own === 'function' ? Promise.resolve(own.call(page)) : page.createCDPSession();
}

/**
 * What the page sees of its visitor: user agent, client hints, platform and languages all agree; the window is a bit
 * larger than the viewport, like a browser's frame (skimmers treat outer < inner, or a gap over 160 px, as automation
 * or open DevTools).
 */
export async function presentAsVisitor(page: Page, settings: ReturnType<typeof profileSettings>): Promise<void> {
  // The page's own session, attached for its life: emulation overrides end with the session that set them.
  const session = await pageSession(page);
  {
    await session.send('Emulation.setUserAgentOverride', {
      userAgent: settings.userAgent, platform: settings.platform, acceptLanguage: 'en-US,en', userAgentMetadata: settings.userAgentMetadata,
    });
    const { windowId, bounds } = await session.send('Browser.getWindowForTarget');
    const { width, height } = windowSize(settings);
    // Resizing a window costs the browser and its compositor about a tenth of a bare load: a window already of the
    // right size (the browser starts its windows at the desktop profile's, see chromiumArgs) is left as it is.
    if (bounds.width !== width || bounds.height !== height || (bounds.windowState && bounds.windowState !== 'normal')) {
      await session.send('Browser.setWindowBounds', { windowId, bounds: { width, height, windowState: 'normal' } }).catch(() => undefined);
    }
  }
  // The browser applies the window's size a moment later (seen to take over 2 s on a saturated machine), and a new
  // renderer after navigation may start without it: the instrumentation keeps the outer size the page reads sane
  // meanwhile (crawler/instrument.ts), so nothing waits for it here.
  await page.setViewport(settings.viewport);
}

/** A fresh incognito context with one blank page: every scan starts as a first-time visitor. */
export interface FreshPage {
  context: BrowserContext;
  page: Page;
  /** Guards the targets this page opens (popups, workers) from their first request; absent, they are not guarded. */
  guardNewTargets?: (pageTargetId: string, guard: TargetGuard) => Promise<() => void>;
}

export async function openFreshPage(browser: Browser, watcher?: NewTargetWatcher): Promise<FreshPage> {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    return { context, page, ...(watcher && context.id ? { guardNewTargets: (pageTargetId: string, guard: TargetGuard) => watcher.guard(context.id!, pageTargetId, guard) } : {}) };
  } catch (error) {
    await context.close().catch(() => undefined);
    throw error;
  }
}

