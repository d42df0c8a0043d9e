// Turns a load's capture into evidence files: HAR 1.2, page HTML, DOM, screenshot, TLS and initiator chains. Pure.

import type { NetworkEntry, PageCapture, ScriptCapture } from '../capture/types.js';

export interface EvidenceFile {
  name: string;
  bytes: Buffer;
}

const headerList = (headers: Record<string, string>) => Object.entries(headers).map(([name, value]) => ({ name, value }));

function queryOf(url: string): { name: string; value: string }[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

/** HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/) of the load's requests; bodies are not included. */
export function buildHar(capture: Pick<PageCapture, 'requestedUrl' | 'finalUrl' | 'startedAt'>, network: NetworkEntry[], creatorVersion: string): object {
  const pageId = 'page_1';
  return {
    log: {
      version: '1.2',
      creator: { name: 'scriptwarden', version: creatorVersion },
      pages: [{ startedDateTime: capture.startedAt, id: pageId, title: capture.finalUrl ?? capture.requestedUrl, pageTimings: {} }],
      entries: network.map((entry) => {
        const time = entry.durationMs ?? 0;
        const mime = entry.mimeType || entry.responseHeaders['content-type'] || '';
        return {
          pageref: pageId,
          startedDateTime: entry.startedAt,
          time,
          request: {
            method: entry.method,
            url: entry.url,
            httpVersion: entry.httpVersion || 'unknown',
            cookies: [],
            headers: headerList(entry.requestHeaders),
            queryString: queryOf(entry.url),
            headersSize: -1,
            bodySize: -1,
          },
          response: {
            status: entry.status ?? 0,
            statusText: entry.failed ? entry.failed : entry.statusText,
            httpVersion: entry.httpVersion || 'unknown',
            cookies: [],
            headers: headerList(entry.responseHeaders),
            content: { size: entry.encodedBytes, mimeType: mime },
            redirectURL: entry.responseHeaders.location ?? '',
            headersSize: -1,
            bodySize: entry.encodedBytes,
          },
          cache: {},
          timings: { send: 0, wait: time, receive: 0 },
          ...(entry.remoteIp ? { serverIPAddress: entry.remoteIp } : {}),
          _resourceType: entry.type,
          _remotePort: entry.remotePort,
          _initiator: entry.initiator,
          ...(entry.tls ? { _securityDetails: entry.tls } : {}),
        };
      }),
    },
  };
}

export interface InitiatorLink {
  kind: string;
  url: string | null;
  initiatorType: string | null;
  line: number | null;
}

/** Who loaded a script, who loaded that one, and so on up to the page (at most 20 links; cycles stop). */
export function initiatorChain(script: ScriptCapture, scripts: ScriptCapture[]): InitiatorLink[] {
  const byRef = new Map(scripts.map((s) => [s.ref, s]));
  const chain: InitiatorLink[] = [];
  const seen = new Set<string>();
  let current: ScriptCapture | undefined = script;
  while (current && chain.length < 20 && !seen.has(current.ref)) {
    seen.add(current.ref);
    chain.push({ kind: current.kind, url: current.url ?? current.frameUrl, initiatorType: current.initiator?.type ?? null, line: current.initiator?.line ?? null });
    const parentRef: string | null = current.initiator?.scriptRef ?? null;
    const parentUrl: string | null = current.initiator?.url ?? null;
    // Chrome's script id may be recorded with a session prefix (`p:5`); the URL is the fallback.
    const parent: ScriptCapture | undefined = (parentRef ? byRef.get(parentRef) ?? scripts.find((s) => s.ref.endsWith(`:${parentRef}`)) : undefined)
      ?? scripts.find((s) => s !== current && s.url !== null && s.url === parentUrl);
    if (!parent && parentUrl) chain.push({ kind: 'document', url: parentUrl, initiatorType: null, line: null });
    current = parent;
  }
  return chain;
}

/** A JSON evidence file: indented, newline-terminated UTF-8. */
export const jsonFile = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');

/** The files kept for a scan that raised alerts. Parts the load could not give are left out. */
export function evidenceFiles(capture: PageCapture, creatorVersion: string): EvidenceFile[] {
  const evidence = capture.evidence;
  if (!evidence) return [];
  const files: EvidenceFile[] = [];
  if (evidence.documentHtml !== null) files.push({ name: 'page.html', bytes: Buffer.from(evidence.documentHtml, 'utf8') });
  if (evidence.domHtml !== null) files.push({ name: 'dom.html', bytes: Buffer.from(evidence.domHtml, 'utf8') });
  if (evidence.screenshotPng !== null) files.push({ name: 'screenshot.png', bytes: Buffer.from(evidence.screenshotPng, 'base64') });
  files.push({ name: 'page.har', bytes: jsonFile(buildHar(capture, evidence.network, creatorVersion)) });
  files.push({ name: 'tls.json', bytes: jsonFile(evidence.tls ?? { note: 'the page was not loaded over HTTPS' }) });
  files.push({
    name: 'initiators.json',
    bytes: jsonFile(capture.scripts.map((s) => ({ ref: s.ref, kind: s.kind, url: s.url, frameUrl: s.frameUrl, chain: initiatorChain(s, capture.scripts) }))),
  });
  return files;
}
