// A fresh incognito context and page for each capture, presented as the profile's visitor would see it.

import type { Browser, BrowserContext, Page } from 'puppeteer';
import type { NewTargetWatcher, TargetGuard } from './new-target-guard.js';
import type { profileSettings } from './profiles.js';

/**
 * What the page sees of its visitor: user agent, client hints, platform and languages all agree; the window is a bit
 * larger than the viewport, like a browser's frame (skimmers treat outer < inner, or a gap over 160 px, as automation
 * or open DevTools).
 */
export async function presentAsVisitor(page: Page, settings: ReturnType<typeof profileSettings>): Promise<void> {
  // The session stays attached for the page's life: emulation overrides end with the session that set them.
  const session = await page.createCDPSession();
  {
    await session.send('Emulation.setUserAgentOverride', {
      userAgent: settings.userAgent, platform: settings.platform, acceptLanguage: 'en-US,en', userAgentMetadata: settings.userAgentMetadata,
    });
    const { windowId } = await session.send('Browser.getWindowForTarget');
    const frame = settings.viewport.isMobile ? { width: 0, height: 56 } : { width: 16, height: 88 };
    await session.send('Browser.setWindowBounds', {
      windowId, bounds: { width: settings.viewport.width + frame.width, height: settings.viewport.height + frame.height, windowState: 'normal' },
    }).catch(() => undefined);
  }
  await page.setViewport(settings.viewport);
  // A busy browser applies the window's size a moment later, and a page reading outerWidth before then sees 0 (an
  // automation tell): wait, bounded, until the blank page sees a window at least as large as its viewport (at once
  // on an idle machine; seen to take over 2 s on a saturated one).
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const [outer, inner] = await page.evaluate(() => [window.outerWidth, window.innerWidth]).catch(() => [1, 0]);
    if (outer! >= inner! && outer! > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
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

