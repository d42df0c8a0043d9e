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
}

const MAX_SEEN = 500;

/**
 * A popup's first request (a target=_blank form's POST, say) leaves before anything can attach to the popup, so the
 * guard intercepts at the browser: while some capture guards a context, every request in the browser is paused, and
 * those of a window (a top-level frame, whose id is its target's) in a guarded context, other than the page itself,
 * are decided by that context's guard. All others continue at once.
 *
 * Once on, the interception stays on for the browser's life: switching it off (Fetch.disable, or detaching its
 * session) while another page's request was being paused was seen to strand that request for good, so that page never
 * finished loading. With no guard taken, each request costs one round trip to be continued.
 */
export function watchNewTargets(browser: Browser): NewTargetWatcher {
  const guards = new Map<string, { pageTargetId: string; guard: TargetGuard }>();
  const contextOfFrame = new Map<string, Promise<string | null>>();
  let session: Promise<CDPSession> | null = null;

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
    await client.send('Fetch.enable', { patterns: [{ urlPattern: '*', requestStage: 'Request' }] });
    return client;
  };

  return {
    async guard(contextId, pageTargetId, guard) {
      guards.set(contextId, { pageTargetId, guard });
      // A browser that went away takes its session along: the next guard opens a new one.
      session ??= open();
      await session.catch(() => { session = null; });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        guards.delete(contextId);
      };
    },
  };
}
