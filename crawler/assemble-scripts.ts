// Turns what the recorder saw into ScriptCapture records: kind, frame, initiator, response and body.

import type { Protocol } from 'puppeteer';
import { fingerprint, type Fingerprint } from '../src/plan/fingerprint.js';
import { SOURCE_UNAVAILABLE, type Initiator, type ScriptCapture, type ScriptKind } from '../src/capture/types.js';
import { initiatorScriptUrl, type PageRecorder, type RecordedRequest, type RecordedScript } from './page-recorder.js';

export interface AssembleOptions {
  mainFrameId: string;
  maxBodyBytes: number;
  /** Bytes of bodies kept for the whole page; past it, and past maxBodyBytes, a body is fingerprinted and dropped. */
  maxPageBytes: number;
  bodyTimeoutMs: number;
  workerUrls: Map<object, string>;
}

function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    promise.then(
      (value) => { clearTimeout(timer); resolve(value); },
      () => { clearTimeout(timer); resolve(fallback); },
    );
  });
}

/** Puppeteer's own helpers arrive without a page stack or embedder; page code cannot look like that. */
function isInstrumentation(event: Protocol.Debugger.ScriptParsedEvent, worker: boolean, ours: string | null): boolean {
  if (ours !== null && event.url === ours) return true;
  const aux = event.executionContextAuxData as { type?: string } | undefined;
  if (!worker && aux?.type && aux.type !== 'default') return true;
  return event.url.startsWith('pptr:') && !event.stackTrace && !event.embedderName;
}

function evalInitiator(event: Protocol.Debugger.ScriptParsedEvent): Initiator | null {
  const frames = event.stackTrace?.callFrames ?? [];
  if (frames.length === 0) return null;
  const top = frames[0]!;
  const named = frames.find((f) => f.url);
  return { type: 'eval', url: named?.url ?? null, line: top.lineNumber, scriptRef: top.scriptId };
}

function requestInitiator(request: RecordedRequest | undefined, frameUrl: string, ours: string | null): Initiator | null {
  if (!request?.initiator) return null;
  const type = request.initiator.type;
  const url = type === 'parser' ? request.initiator.url ?? frameUrl : initiatorScriptUrl(request.initiator, ours);
  const top = request.initiator.stack?.callFrames[0];
  return { type, url, line: request.initiator.lineNumber ?? top?.lineNumber ?? null, scriptRef: top?.scriptId ?? null };
}

export async function assembleScripts(recorder: PageRecorder, options: AssembleOptions): Promise<ScriptCapture[]> {
  const scriptRequests = new Map<string, RecordedRequest[]>();
  for (const request of recorder.requests.values()) {
    if (request.type !== 'Script' && request.type !== 'Other') continue;
    scriptRequests.set(request.url, [...(scriptRequests.get(request.url) ?? []), request]);
  }
  const pick = (url: string, frameId: string | null): RecordedRequest | undefined => {
    const list = scriptRequests.get(url);
    if (!list) return undefined;
    return list.find((r) => r.frameId === frameId && r.type === 'Script') ?? list.find((r) => r.type === 'Script') ?? list[0];
  };

  let kept = 0;
  const documentUrls = new Set<string>([...recorder.frames.values()].map((f) => f.url));
  for (const request of recorder.requests.values()) if (request.type === 'Document') documentUrls.add(request.url);

  const jobs = recorder.scripts
    .filter((s) => !isInstrumentation(s.event, s.worker, recorder.instrumentationUrl))
    .map(async (recorded: RecordedScript): Promise<ScriptCapture> => {
      const { event, session, worker } = recorded;
      const aux = event.executionContextAuxData as { frameId?: string } | undefined;
      const frameId = aux?.frameId ?? null;
      const frameUrl = worker
        ? options.workerUrls.get(session) ?? ''
        : (frameId ? recorder.frames.get(frameId)?.url : undefined) ?? '';
      const isMainFrame = worker || frameId === options.mainFrameId;
      const embedder = event.embedderName ?? '';
      let kind: ScriptKind;
      let url: string | null = null;
      let request: RecordedRequest | undefined;
      let initiator: Initiator | null = null;
      if (!embedder) {
        kind = 'eval';
        initiator = evalInitiator(event);
      } else if (!worker && (embedder === frameUrl || documentUrls.has(embedder)) && !pick(embedder, frameId)) {
        kind = 'inline';
        initiator = { type: 'parser', url: frameUrl, line: event.startLine, scriptRef: null };
      } else {
        url = embedder;
        request = pick(embedder, worker ? null : frameId);
        initiator = requestInitiator(request, frameUrl, recorder.instrumentationUrl);
        kind = worker ? 'worker' : event.isModule ? 'module' : initiator?.type === 'script' ? 'dynamic' : 'external';
      }
      let body: string | null = null;
      let loadError: string | null = request?.failed ?? null;
      if (request?.body) body = await withTimeout(request.body, options.bodyTimeoutMs, null);
      if (body === null) {
        body = await withTimeout(
          session.send('Debugger.getScriptSource', { scriptId: event.scriptId }).then((r) => r.scriptSource),
          options.bodyTimeoutMs,
          null,
        );
      }
      if (body === null && !loadError) {
        loadError = SOURCE_UNAVAILABLE;
      }
      // Memory is bounded per page: a body over its own limit, or past the page's budget, keeps only its fingerprint.
      let print: Fingerprint | undefined;
      const size = body === null ? 0 : Buffer.byteLength(body, 'utf8');
      const bodyTooLarge = size > options.maxBodyBytes;
      if (body !== null && (bodyTooLarge || kept + size > options.maxPageBytes)) {
        print = fingerprint(body);
        body = null;
      } else {
        kept += size;
      }
      return {
        ref: `${worker ? 'w' : 'p'}:${event.scriptId}`,
        kind,
        url,
        frameUrl,
        isMainFrame,
        initiator,
        status: request?.status ?? null,
        headers: request?.headers ?? {},
        remoteIp: request?.remoteIp ?? null,
        remotePort: request?.remotePort ?? null,
        body,
        loadError: print ? null : loadError,
        bodyTooLarge: bodyTooLarge || print !== undefined,
        ...(print ? { fingerprint: print } : {}),
      };
    });
  return Promise.all(jobs);
}

/** Script requests that failed before the engine could parse them: present, but unverified. */
export function failedScriptLoads(recorder: PageRecorder, frameUrlOf: (frameId: string | null) => string, mainFrameId: string): ScriptCapture[] {
  const parsed = new Set(recorder.scripts.map((s) => s.event.embedderName).filter(Boolean));
  const out: ScriptCapture[] = [];
  for (const request of recorder.requests.values()) {
    if (request.type !== 'Script' || parsed.has(request.url)) continue;
    // An error status is the reason (Chromium then aborts the body it will not run, net::ERR_ABORTED).
    const failed = request.status !== null && request.status >= 400 ? `HTTP ${request.status}` : request.failed;
    if (!failed) continue;
    const frameUrl = frameUrlOf(request.frameId);
    out.push({
      ref: `r:${request.requestId}`,
      kind: request.initiator?.type === 'script' ? 'dynamic' : 'external',
      url: request.url,
      frameUrl,
      isMainFrame: request.frameId === mainFrameId,
      initiator: requestInitiator(request, frameUrl, recorder.instrumentationUrl),
      status: request.status,
      headers: request.headers,
      remoteIp: request.remoteIp,
      remotePort: request.remotePort,
      body: null,
      loadError: failed,
      bodyTooLarge: false,
    });
  }
  return out;
}
