// Gathers a load's evidence: the document as served, the DOM, a full-page screenshot, the network log and TLS details.

import type { CDPSession, Page, Protocol } from 'puppeteer';
import type { NetworkEntry, PageEvidence, TlsDetails } from '../src/capture/types.js';
import type { PageRecorder, RecordedRequest } from './page-recorder.js';

const MAX_ENTRIES = 2000;
const MAX_SCREENSHOT_HEIGHT = 12_000;
const STEP_TIMEOUT_MS = 8000;

function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.catch(() => null),
    new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), ms); }),
  ]).finally(() => clearTimeout(timer));
}

export function tlsDetails(security: Protocol.Network.SecurityDetails | null): TlsDetails | null {
  if (!security) return null;
  return {
    protocol: security.protocol,
    cipher: security.cipher,
    subjectName: security.subjectName,
    issuer: security.issuer,
    validFrom: new Date(security.validFrom * 1000).toISOString(),
    validTo: new Date(security.validTo * 1000).toISOString(),
    sanList: security.sanList.slice(0, 50),
  };
}

function entryOf(request: RecordedRequest): NetworkEntry {
  const durationMs = request.finishedAt !== null && request.sentAt > 0 ? Math.max(0, Math.round((request.finishedAt - request.sentAt) * 1000)) : null;
  return {
    url: request.url,
    method: request.method,
    type: request.type,
    startedAt: new Date(request.wallTime * 1000).toISOString(),
    durationMs,
    status: request.status,
    statusText: request.statusText,
    httpVersion: request.protocol,
    requestHeaders: request.requestHeaders,
    responseHeaders: request.headers,
    mimeType: request.mimeType,
    remoteIp: request.remoteIp,
    remotePort: request.remotePort,
    encodedBytes: request.encodedBytes,
    failed: request.failed,
    initiator: request.initiator ? { type: request.initiator.type, url: request.initiator.url ?? request.initiator.stack?.callFrames[0]?.url ?? null } : null,
    tls: tlsDetails(request.security),
  };
}

/** The network log of the load so far, for the HAR. */
export function networkEntries(recorder: PageRecorder): NetworkEntry[] {
  return [...recorder.requests.values()].slice(0, MAX_ENTRIES).map(entryOf);
}

/**
 * Never throws: a step that fails or stalls leaves its part empty rather than holding up the scan. `view: false`
 * leaves out the DOM copy and the screenshot, the costly parts (a load that showed nothing new).
 */
export async function gatherEvidence(page: Page, session: CDPSession, recorder: PageRecorder, mainFrameId: string, maxBodyBytes: number, options: { view: boolean } = { view: true }): Promise<PageEvidence> {
  const requests = [...recorder.requests.values()];
  const documentRequest = requests.filter((r) => r.type === 'Document' && r.frameId === mainFrameId).at(-1) ?? null;
  const documentHtml = documentRequest?.documentBody ? await within(documentRequest.documentBody, STEP_TIMEOUT_MS) : null;
  const domHtml = options.view ? await within(page.content(), STEP_TIMEOUT_MS) : null;
  // One compositor capture of the whole content (height capped), encoded for speed: cheaper than resizing the page.
  const screenshot = options.view && await within((async () => {
    const metrics = await session.send('Page.getLayoutMetrics');
    const { width, height } = metrics.cssContentSize;
    return (await session.send('Page.captureScreenshot', {
      format: 'png', optimizeForSpeed: true, captureBeyondViewport: true,
      clip: { x: 0, y: 0, width: Math.max(1, Math.min(width, 4096)), height: Math.max(1, Math.min(height, MAX_SCREENSHOT_HEIGHT)), scale: 1 },
    })).data;
  })(), STEP_TIMEOUT_MS);
  const bounded = (text: string | null) => (text !== null && text.length <= maxBodyBytes ? text : text?.slice(0, maxBodyBytes) ?? null);
  return {
    documentHtml: bounded(documentHtml),
    domHtml: bounded(domHtml),
    screenshotPng: typeof screenshot === 'string' ? screenshot : null,
    network: requests.slice(0, MAX_ENTRIES).map(entryOf),
    tls: tlsDetails(documentRequest?.security ?? null),
  };
}
