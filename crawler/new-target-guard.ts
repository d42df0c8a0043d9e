// Guards the windows a page opens (popups, target=_blank forms, window.open) from their very first request.

import type { Browser, CDPSession, Protocol } from 'puppeteer';
import type { OutboundItem } from '../src/detect/canary.js';

/** What a guarded context's new windows did: the requests they tried, refused or let through. */
export interface TargetGuard {
  /** Decides one paused request of a new window in the guarded context: refuse it (answered 204) or let it go. */
  refuse(request: Protocol.Fetch.RequestPausedEvent): boolean;
  /** Every request a new window sent or tried to send, for the canary search. */
  seen: OutboundItem[];
  blocked: string[];
}

export interface NewTargetWatcher {
  /** Guards new windows of one browser context (the page itself excepted) until the returned release is called. */
  guard(contextId: string, pageTargetId: string, guard: TargetGuard): Promise<() => void>;
  /** Lets go of the browser's requests without stranding any, then detaches. */
  close(): Promise<void>;
}

const MAX_SEEN = 500;
/** How long a narrowed interception waits before it is switched off: pauses under way have been reported by then. */
const GRACE_MS = 1000;

/**
 * A popup's first request (a target=_blank form's POST, say) leaves before anything can attach to the popup, so the
 * guard intercepts at the browser: while some capture guards a context, every request in the browser is paused, and
 * those of a window (a top-level frame, whose id is its target's) in a guarded context, other than the page itself,
 * are decided by that context's guard. All others continue at once.
 *
 * Switching the interception off (Fetch.disable, or detaching its session) while another page's request was being
 * paused was seen to strand that request for good, so that page never finished loading. So it is let go in two steps:
 * when the last guard is released its pattern is narrowed to match nothing (the interceptor stays, and a pause already
 * under way is still reported and answered), and only once no pause is unanswered and a grace period has passed
 * is it switched off.
 */
export function watchNewTargets(browser: Browser, options: { graceMs?: number } = {}): NewTargetWatcher {
  const graceMs = options.graceMs ?? GRACE_MS;
  const guards = new Map<string, { pageTargetId: string; guard: TargetGuard }>();
  const contextOfFrame = new Map<string, Promise<string | null>>();
  let session: Promise<CDPSession> | null = null;
  let mode: 'off' | 'all' | 'none' = 'off';
  let unanswered = 0;
  let switching: Promise<void> = Promise.resolve();
  let idle: NodeJS.Timeout | undefined;

  const contextOf = (client: CDPSession, frameId: string): Promise<string | null> => {
    let known = contextOfFrame.get(frameId);
    if (!known) {
      if (contextOfFrame.size > 2000) contextOfFrame.clear();
      // A frame that is not a target (a sub-frame) throws here: the page's own guard covers those.
      known = client.send('Target.getTargetInfo', { targetId: frameId }).then((r) => r.targetInfo.browserContextId ?? null, () => null);
      contextOfFrame.set(frameId, known);
    }
    return known;
  };

  const onPaused = (client: CDPSession) => async (event: Protocol.Fetch.RequestPausedEvent) => {
    unanswered++;
    try {
      await decide(client, event);
    } finally {
      unanswered--;
    }
  };

  const decide = async (client: CDPSession, event: Protocol.Fetch.RequestPausedEvent): Promise<unknown> => {
    const go = () => client.send('Fetch.continueRequest', { requestId: event.requestId }).catch(() => undefined);
    if (guards.size === 0) return go();
    const contextId = event.frameId ? await contextOf(client, event.frameId) : null;
    const entry = contextId ? guards.get(contextId) : undefined;
    if (!entry || event.frameId === entry.pageTargetId) return go();
    const { guard } = entry;
    const { request } = event;
    if (guard.seen.length < MAX_SEEN) {
      guard.seen.push({
        url: request.url, method: request.method, type: event.resourceType, headers: { ...request.headers },
        body: request.postData?.slice(0, 256 * 1024) ?? null, script: null,
      });
    }
    if (!guard.refuse(event)) return go();
    if (guard.blocked.length < 50) guard.blocked.push(`${request.method} ${request.url.slice(0, 200)} (in a window the page opened)`);
    return client.send('Fetch.fulfillRequest', { requestId: event.requestId, responseCode: 204, responseHeaders: [], body: '' }).catch(() => undefined);
  };

  const open = async (): Promise<CDPSession> => {
    const client = await browser.target().createCDPSession();
    client.on('Fetch.requestPaused', onPaused(client));
    return client;
  };
  /** Runs one switch of the interception after the ones before it; a browser that went away resets it. */
  const serially = (step: (client: CDPSession) => Promise<void>): Promise<void> => {
    switching = switching.then(async () => {
      session ??= open();
      await step(await session);
    }).catch(() => {
      session = null;
      mode = 'off';
    });
    return switching;
  };
  const intercept = (wanted: 'all' | 'none') => serially(async (client) => {
    if (mode === wanted || (wanted === 'none' && mode === 'off')) return;
    const urlPattern = wanted === 'all' ? '*' : 'scriptwarden-intercepts-nothing:*';
    await client.send('Fetch.enable', { patterns: [{ urlPattern, requestStage: 'Request' }] });
    mode = wanted;
  });
  const switchOff = () => serially(async (client) => {
    if (guards.size > 0 || mode !== 'none') return;
    if (unanswered > 0) {
      scheduleOff();
      return;
    }
    await client.send('Fetch.disable');
    mode = 'off';
  });
  const scheduleOff = () => {
    clearTimeout(idle);
    idle = setTimeout(() => { void switchOff(); }, graceMs);
    idle.unref();
  };

  return {
    async guard(contextId, pageTargetId, guard) {
      guards.set(contextId, { pageTargetId, guard });
      clearTimeout(idle);
      await intercept('all');
      let released = false;
      return () => {
        if (released) return;
        released = true;
        guards.delete(contextId);
        if (guards.size > 0) return;
        void intercept('none');
        scheduleOff();
      };
    },
    async close() {
      clearTimeout(idle);
      guards.clear();
      if (!session) return;
      const was = mode;
      await intercept('none');
      if (was !== 'off') await new Promise((resolve) => setTimeout(resolve, graceMs));
      await serially(async (client) => { await client.detach(); });
      session = null;
      mode = 'off';
    },
  };
}
