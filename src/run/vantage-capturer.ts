// One capturer for the vantages a process scans from: a browser per way out (a vantage's proxy, or the browser's own),
// each capture sent to the browser of its vantage.

import type { Config } from '../config/config.js';
import { DEFAULT_VANTAGE, proxyOf } from '../config/vantages.js';
import type { BrowserState } from '../capture/types.js';
import type { Capturer } from '../capture/capturer.js';

export type ClosableCapturer = Capturer & { close(): Promise<void>; browserState(): BrowserState };

/**
 * Opens one capturer per distinct proxy among `vantages` with `open` (the command context's), and routes each
 * request by its vantage. A vantage it was not opened for is refused rather than scanned from the wrong place.
 */
export async function openVantageCapturer(
  open: (config: Config, needsBrowser: boolean) => Promise<ClosableCapturer>, config: Config, needsBrowser: boolean, vantages: string[],
): Promise<ClosableCapturer> {
  const byProxy = new Map<string, ClosableCapturer>();
  const route = new Map<string, ClosableCapturer>();
  try {
    for (const vantage of vantages) {
      const proxy = proxyOf(config, vantage);
      const key = proxy ?? '';
      let capturer = byProxy.get(key);
      if (!capturer) {
        capturer = await open({ ...config, browser: { ...config.browser, proxy } }, needsBrowser);
        byProxy.set(key, capturer);
      }
      route.set(vantage, capturer);
    }
  } catch (error) {
    for (const capturer of byProxy.values()) await capturer.close().catch(() => undefined);
    throw error;
  }
  const pick = (vantage: string | undefined) => {
    const capturer = route.get(vantage ?? DEFAULT_VANTAGE);
    if (!capturer) throw new Error(`no browser was opened for the vantage "${vantage ?? DEFAULT_VANTAGE}"`);
    return capturer;
  };
  const all = [...byProxy.values()];
  return {
    page: (request) => pick(request.vantage).page(request),
    resource: (target) => pick(target.vantage).resource(target),
    replay: (request, policy) => {
      const capturer = pick(request.vantage);
      if (!capturer.replay) throw new Error('no browser was started to replay pages in');
      return capturer.replay(request, policy);
    },
    async close() {
      for (const capturer of all) await capturer.close().catch(() => undefined);
    },
    // The worst state of its browsers, with their restarts added up.
    browserState() {
      const states = all.map((c) => c.browserState());
      const worst = states.find((s) => s.state !== 'running') ?? states[0]!;
      return { ...worst, restarts: states.reduce((sum, s) => sum + s.restarts, 0) };
    },
  };
}
