// The crawler as the commands get it: the configured browser, a capturer for scans, and PDF rendering.

import type { BrowserHandle } from '../../crawler/launch-browser.js';
import type { Config } from '../config/config.js';
import { ScriptwardenError } from '../errors.js';
import type { Capturer } from '../capture/capturer.js';
import type { BrowserState } from '../capture/types.js';
import { effectiveResolveMap } from '../config/resolve-map.js';
import type { ScriptFetcher } from '../run/visitor-judge.js';

/** The browser the config asks for: a running one at browser.wsEndpoint, or the system's Chromium launched. */
export async function openBrowser(config: Config, env: NodeJS.ProcessEnv, runningAsRoot: boolean): Promise<BrowserHandle> {
  const [{ findBrowser }, { launchBrowser }] = await Promise.all([import('../../crawler/find-browser.js'), import('../../crawler/launch-browser.js')]);
  if (config.browser.wsEndpoint) {
    return launchBrowser({ executablePath: '', wsEndpoint: config.browser.wsEndpoint, args: [], resolve: {}, runningAsRoot, allowPrivateNetwork: config.allowPrivateNetwork });
  }
  const executablePath = findBrowser({
    configured: config.browser.executablePath,
    envExecutablePath: env.PUPPETEER_EXECUTABLE_PATH || undefined,
    puppeteerCacheDir: env.PUPPETEER_CACHE_DIR || undefined,
    home: env.HOME,
  });
  return launchBrowser({ executablePath, args: config.browser.args, resolve: config.resolve, runningAsRoot, proxy: config.browser.proxy, allowPrivateNetwork: config.allowPrivateNetwork });
}

export function capturerFactory(env: NodeJS.ProcessEnv, runningAsRoot: boolean) {
  return async (config: Config, needsBrowser: boolean): Promise<Capturer & { close(): Promise<void>; browserState(): BrowserState }> => {
    // The crawler (and puppeteer) is loaded only by commands that load pages: the others start faster.
    const [{ fetchResource }, { profileSettings }] = await Promise.all([import('../../crawler/fetch-resource.js'), import('../../crawler/profiles.js')]);
    const browser: BrowserHandle | null = needsBrowser ? await openBrowser(config, env, runningAsRoot) : null;
    const limits = {
      pageTimeoutMs: config.browser.pageTimeout,
      settleMs: config.browser.settle,
      maxScriptsPerPage: config.limits.maxScriptsPerPage,
      maxBodyBytes: config.limits.maxBodyBytes,
      maxPageBytes: config.limits.maxPageBytes,
      canary: config.canary,
    };
    const userAgent = profileSettings('desktop', browser ? await browser.version() : 'Chrome/130.0').userAgent;
    return {
      page: (request) => {
        if (!browser) throw new ScriptwardenError('CAPTURE_FAILED', 'no browser was started for page targets');
        return browser.capture(request, limits);
      },
      replay: (request, policy) => {
        if (!browser) throw new ScriptwardenError('CAPTURE_FAILED', 'no browser was started to replay pages in');
        return browser.replay(request, policy, { pageTimeoutMs: config.browser.pageTimeout, settleMs: config.browser.settle });
      },
      resource: (target) =>
        fetchResource(target, { resolve: effectiveResolveMap(config.resolve, config.browser.args), timeoutMs: config.browser.pageTimeout, maxBodyBytes: config.limits.maxBodyBytes, userAgent, proxy: config.browser.proxy, allowPrivateNetwork: config.allowPrivateNetwork }),
      close: async () => { await browser?.close(); },
      browserState: () => browser?.state() ?? { state: 'not-started', pid: null, restarts: 0, lastRestartAt: null },
    };
  };
}

/** Renders scriptwarden's own HTML to PDF in a browser opened for it and closed after. */
export async function renderPdfWith(config: Config, env: NodeJS.ProcessEnv, runningAsRoot: boolean, html: string): Promise<Buffer> {
  const browser = await openBrowser(config, env, runningAsRoot);
  try {
    return await browser.pdf(html);
  } finally {
    await browser.close();
  }
}

/**
 * Fetches a script visitors reported, as their kind of device would ask for it (the profile's user agent), through the
 * bounded fetcher that refuses the monitor's own network (the collector gives a slow name up as well).
 */
export async function reportedScriptFetcher(config: Config): Promise<ScriptFetcher> {
  const [{ fetchResource }, { profileSettings }] = await Promise.all([import('../../crawler/fetch-resource.js'), import('../../crawler/profiles.js')]);
  return async (url, device) => {
    const userAgent = profileSettings(device === 'mobile' || device === 'tablet' ? 'mobile' : 'desktop', 'Chrome/130.0').userAgent;
    const capture = await fetchResource({ name: 'visitor-report', url }, {
      resolve: effectiveResolveMap(config.resolve, config.browser.args), timeoutMs: Math.min(config.browser.pageTimeout, 10_000), maxBodyBytes: config.limits.maxBodyBytes,
      userAgent, proxy: config.browser.proxy, allowPrivateNetwork: config.allowPrivateNetwork,
    });
    const body = capture.outcome.ok ? capture.scripts[0]?.body ?? null : null;
    return { body, status: capture.documentStatus, error: capture.outcome.ok ? null : capture.outcome.reason, userAgent };
  };
}
