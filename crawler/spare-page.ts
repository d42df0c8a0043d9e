// One fresh page opened ahead: the next capture's incognito context is made while the current page loads.

import type { Browser } from 'puppeteer';
import type { FreshPage } from './fresh-page.js';

export interface SparePages {
  /** A fresh, never used page of `owner`: the one opened ahead when there is one, else a new one. */
  take(owner: Browser): Promise<FreshPage>;
  /** Opens the next one ahead, for the capture after this. */
  prepare(owner: Browser): void;
  /** Closes the one waiting, if any. */
  close(): Promise<void>;
}

/**
 * A spare is never handed out twice and is never a page that loaded anything, so every capture still starts as a
 * first-time visitor. One left unused for `idleMs` (the end of a run, a pause between scheduled scans) is closed
 * rather than kept.
 */
export function sparePages(open: (owner: Browser) => Promise<FreshPage>, idleMs = 30_000): SparePages {
  let spare: { owner: Browser; fresh: Promise<FreshPage>; timer: NodeJS.Timeout } | null = null;
  const dispose = (fresh: FreshPage | Promise<FreshPage>) => Promise.resolve(fresh).then((f) => f.context.close()).catch(() => undefined);
  const drop = () => {
    const current = spare;
    spare = null;
    if (!current) return Promise.resolve();
    clearTimeout(current.timer);
    return dispose(current.fresh);
  };
  return {
    async take(owner) {
      const current = spare;
      spare = null;
      if (current) {
        clearTimeout(current.timer);
        if (current.owner === owner && owner.connected) {
          const fresh = await current.fresh.catch(() => null);
          if (fresh && !fresh.page.isClosed()) return fresh;
          if (fresh) void dispose(fresh);
        } else {
          void dispose(current.fresh);
        }
      }
      return open(owner);
    },
    prepare(owner) {
      if (spare || !owner.connected) return;
      const fresh = open(owner);
      fresh.catch(() => undefined);
      const timer = setTimeout(() => { if (spare?.fresh === fresh) void drop(); }, idleMs);
      timer.unref();
      spare = { owner, fresh, timer };
    },
    close: drop,
  };
}
