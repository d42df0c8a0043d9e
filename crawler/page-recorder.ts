// Listens to one CDP session and keeps what the engine parsed and what the page requested, as plain records.

import type { CDPSession, Protocol } from 'puppeteer';

export interface RecordedRequest {
  requestId: string;
  /** The document that asked for it (empty for a worker's requests): a navigation's own id is its loader id. */
  loaderId: string;
  url: string;
  type: string;
  method: string;
  frameId: string | null;
  initiator: Protocol.Network.Initiator | null;
  status: number | null;
  headers: Record<string, string>;
  remoteIp: string | null;
  remotePort: number | null;
  failed: string | null;
  /** Pending or settled read of the response body (scripts only). */
  body: Promise<string | null> | null;
  /** What the page sent: request headers and body (bounded), for the canary search. */
  requestHeaders: Record<string, string>;
  postData: Promise<string | null> | null;
  /** For the HAR: when it was sent (wall clock and monotonic seconds), how it went. */
  wallTime: number;
  sentAt: number;
  finishedAt: number | null;
  statusText: string;
  protocol: string;
  mimeType: string;
  encodedBytes: number;
  security: Protocol.Network.SecurityDetails | null;
  /** The response body of a document (main frame and iframes), bounded. */
  documentBody: Promise<string | null> | null;
}


/** Outbound data is kept up to this size per request or frame: enough to find a canary, bounded on hostile pages. */
const MAX_SENT_BYTES = 256 * 1024;
const MAX_FRAMES = 500;
const MAX_EARLIER = 1000;

export interface RecordedScript {
  event: Protocol.Debugger.ScriptParsedEvent;
  session: CDPSession;
  worker: boolean;
}

const BODY_TYPES = new Set(['Script']);

function newRequest(requestId: string, url: string, type: string, initiator: Protocol.Network.Initiator | null): RecordedRequest {
  return {
    requestId, loaderId: '', url, type, method: 'GET', frameId: null, initiator, status: null, headers: {}, remoteIp: null, remotePort: null,
    failed: null, body: null, requestHeaders: {}, postData: null, wallTime: Date.now() / 1000, sentAt: 0, finishedAt: null,
    statusText: '', protocol: '', mimeType: '', encodedBytes: 0, security: null, documentBody: null,
  };
}

export class PageRecorder {
  readonly requests = new Map<string, RecordedRequest>();
  readonly scripts: RecordedScript[] = [];
  readonly frames = new Map<string, { url: string; parentId: string | null }>();
  /** WebSocket frames the page sent: the socket's request id and the payload (bounded). */
  readonly socketFrames: { requestId: string; payload: string }[] = [];
  droppedScripts = 0;
  /** The request id of the main frame's current document (a navigation request's id is its loader id). */
  mainDocumentId: string | null = null;
  /**
   * Set once the page is loaded and until a step of ours moves it on (a journey, the next-page visit): a new top
   * document committed meanwhile is the page navigating itself away, and its URL is kept here.
   */
  guardNavigation = false;
  navigatedAway: string | null = null;
  /** Requests Chromium refused because a public page aimed them at a loopback, link-local or private address. */
  readonly blockedOwnNetwork: string[] = [];
  /** The source name of our own instrumentation: never a page script, never an initiator. */
  instrumentationUrl: string | null = null;

  constructor(private readonly maxScripts: number) {}

  /** Subscribes to a session's events. Call before enabling the domains. */
  attach(session: CDPSession, options: { worker: boolean }): void {
    const record = (event: Protocol.Debugger.ScriptParsedEvent) => {
      if (this.scripts.length >= this.maxScripts) {
        this.droppedScripts++;
        return;
      }
      this.scripts.push({ event, session, worker: options.worker });
    };
    session.on('Debugger.scriptParsed', record);
    // Code with a syntax error still reached the page; it is recorded like any other script.
    session.on('Debugger.scriptFailedToParse', (event) => record(event as Protocol.Debugger.ScriptParsedEvent));
    session.on('Network.requestWillBeSent', (event) => {
      const existing = this.requests.get(event.requestId);
      if (existing && event.redirectResponse) {
        existing.url = event.request.url;
        return;
      }
      const inline = event.request.postData;
      this.requests.set(event.requestId, {
        ...newRequest(event.requestId, event.request.url, event.type ?? 'Other', event.initiator ?? null),
        loaderId: event.loaderId ?? '',
        method: event.request.method,
        frameId: event.frameId ?? null,
        wallTime: event.wallTime,
        sentAt: event.timestamp,
        requestHeaders: { ...event.request.headers },
        postData: inline !== undefined
          ? Promise.resolve(inline.slice(0, MAX_SENT_BYTES))
          : event.request.hasPostData
            ? session.send('Network.getRequestPostData', { requestId: event.requestId }).then((r) => r.postData.slice(0, MAX_SENT_BYTES)).catch(() => null)
            : null,
      });
    });
    session.on('Network.webSocketFrameSent', (event) => {
      if (this.socketFrames.length < MAX_FRAMES) this.socketFrames.push({ requestId: event.requestId, payload: event.response.payloadData.slice(0, MAX_SENT_BYTES) });
    });
    session.on('Network.responseReceived', (event) => {
      const request = this.requests.get(event.requestId);
      if (!request) return;
      request.status = event.response.status;
      request.headers = { ...event.response.headers };
      request.remoteIp = event.response.remoteIPAddress ?? null;
      request.remotePort = event.response.remotePort ?? null;
      request.statusText = event.response.statusText;
      request.protocol = event.response.protocol ?? '';
      request.mimeType = event.response.mimeType;
      request.security = event.response.securityDetails ?? null;
      if (event.type) request.type = event.type;
    });
    session.on('Network.loadingFinished', (event) => {
      const request = this.requests.get(event.requestId);
      if (request) {
        request.finishedAt = event.timestamp;
        request.encodedBytes = event.encodedDataLength;
      }
      if (request?.type === 'Document') {
        request.documentBody = session
          .send('Network.getResponseBody', { requestId: event.requestId })
          .then((r) => (r.base64Encoded ? Buffer.from(r.body, 'base64').toString('utf8') : r.body))
          .catch(() => null);
      }
      if (!request || !BODY_TYPES.has(request.type)) return;
      request.body = session
        .send('Network.getResponseBody', { requestId: event.requestId })
        .then((r) => (r.base64Encoded ? Buffer.from(r.body, 'base64').toString('utf8') : r.body))
        .catch(() => null);
    });
    session.on('Network.loadingFailed', (event) => {
      const request = this.requests.get(event.requestId);
      const cors = event.corsErrorStatus?.corsError ?? '';
      const ownNetwork = /LocalNetwork|PrivateNetwork/.test(cors) || /LOCAL_NETWORK|PRIVATE_NETWORK/.test(event.errorText);
      if (request) request.failed = ownNetwork ? `blocked: ${cors || event.errorText} (a public page reaching a loopback or private address)` : event.blockedReason ? `blocked: ${event.blockedReason}` : event.errorText;
      if (request && ownNetwork && this.blockedOwnNetwork.length < 50) this.blockedOwnNetwork.push(`${request.method} ${request.url.slice(0, 300)}`);
    });
    session.on('Network.webSocketCreated', (event) => {
      this.requests.set(`ws:${event.requestId}`, newRequest(event.requestId, event.url, 'WebSocket', event.initiator ?? null));
    });
    if (!options.worker) {
      session.on('Page.frameNavigated', (event) => {
        this.frames.set(event.frame.id, { url: event.frame.url, parentId: event.frame.parentId ?? null });
        // A new top document (a journey's next page): what the previous one ran and sent is no longer the page.
        if (!event.frame.parentId && event.type !== 'BackForwardCacheRestore') {
          this.mainDocumentId = event.frame.loaderId;
          if (this.guardNavigation) this.navigatedAway ??= event.frame.url;
          this.resetForDocument(event.frame.url, event.frame.loaderId);
        }
      });
    }
  }

  /**
   * Requests of earlier top documents, kept (bounded) for the canary search: a beacon sent while a page unloads is
   * recorded just before the next document replaces it.
   */
  readonly earlierRequests: RecordedRequest[] = [];

  /** Why the main document did not load completely (reset, truncated, failed), or null. */
  documentFailure(): string | null {
    const request = this.mainDocumentId === null ? undefined : this.requests.get(this.mainDocumentId);
    return request?.failed ?? null;
  }

  /**
   * Forgets scripts and requests of earlier top documents, keeping the new document's own request and what it already
   * asked for: the engine may report a subresource (one that fails at once, say, on a cached DNS failure) before the
   * navigation that made it.
   */
  resetForDocument(url: string, loaderId: string): void {
    this.scripts.length = 0;
    this.socketFrames.length = 0;
    this.droppedScripts = 0;
    for (const [id, request] of this.requests) {
      if (id === this.mainDocumentId || (loaderId && request.loaderId === loaderId) || (request.type === 'Document' && request.url === url)) continue;
      if (this.earlierRequests.length < MAX_EARLIER) this.earlierRequests.push(request);
      this.requests.delete(id);
    }
  }

  /** Enables the domains that feed the recorder. */
  static async enable(session: CDPSession, options: { worker: boolean }): Promise<void> {
    const steps: Promise<unknown>[] = [
      session.send('Network.enable', { maxTotalBufferSize: 64 * 1024 * 1024, maxResourceBufferSize: 16 * 1024 * 1024 }),
      session.send('Debugger.enable'),
    ];
    if (!options.worker) steps.push(session.send('Page.enable'));
    await Promise.all(steps);
  }
}

/** The URL of the script that started a request or compiled code, from Chrome's initiator stack. */
export function initiatorScriptUrl(initiator: Protocol.Network.Initiator | null, skip: string | null = null): string | null {
  if (!initiator) return null;
  let stack: Protocol.Runtime.StackTrace | undefined = initiator.stack;
  while (stack) {
    const frame = stack.callFrames.find((f) => f.url && f.url !== skip);
    if (frame) return frame.url;
    stack = stack.parent;
  }
  return initiator.url ?? null;
}
