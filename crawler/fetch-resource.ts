// Fetches a hosted artifact (installer script, SDK file) directly, honouring `resolve:`, and returns a PageCapture.

import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import { describeError } from '../src/errors.js';
import { resolveHost, type ResolveMap } from '../src/resolve-map.js';
import type { PageCapture } from '../src/types.js';

export interface FetchOptions {
  resolve: ResolveMap;
  timeoutMs: number;
  maxBodyBytes: number;
  userAgent: string;
  maxRedirects?: number;
}

interface Fetched {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  remoteIp: string | null;
  remotePort: number | null;
  url: string;
}

function lookupFor(map: ResolveMap): LookupFunction {
  return (hostname, options, callback) => {
    const mapped = resolveHost(map, hostname);
    if (!mapped) return dnsLookup(hostname, options, callback as never);
    if ((options as { all?: boolean }).all) {
      (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: mapped, family: isIP(mapped) }]);
    } else {
      callback(null, mapped, isIP(mapped));
    }
  };
}

function get(url: URL, options: FetchOptions, deadline: number): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.get(
      url,
      { lookup: lookupFor(options.resolve), headers: { 'user-agent': options.userAgent, accept: '*/*' }, timeout: Math.max(1, deadline - Date.now()) },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBodyBytes) {
            request.destroy(new Error(`body larger than limits.maxBodyBytes (${options.maxBodyBytes} bytes)`));
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({
            status: response.statusCode ?? 0,
            headers,
            body: Buffer.concat(chunks),
            remoteIp: response.socket?.remoteAddress ?? null,
            remotePort: response.socket?.remotePort ?? null,
            url: url.toString(),
          });
        });
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no response within ${options.timeoutMs} ms`)));
    request.on('error', reject);
  });
}

export async function fetchResource(target: { name: string; url: string }, options: FetchOptions): Promise<PageCapture> {
  const startedAt = new Date().toISOString();
  const capture: PageCapture = {
    target: target.name,
    targetType: 'resource',
    profile: 'desktop',
    requestedUrl: target.url,
    finalUrl: null,
    startedAt,
    finishedAt: startedAt,
    outcome: { ok: true },
    documentStatus: null,
    securityHeaders: {},
    scripts: [],
    requests: [],
    forms: { payment: false, login: false, evidence: [] },
    truncated: [],
  };
  const deadline = Date.now() + options.timeoutMs;
  try {
    let url = new URL(target.url);
    let fetched = await get(url, options, deadline);
    for (let hops = 0; fetched.status >= 300 && fetched.status < 400 && fetched.headers.location; hops++) {
      if (hops >= (options.maxRedirects ?? 5)) throw new Error('too many redirects');
      url = new URL(fetched.headers.location, url);
      fetched = await get(url, options, deadline);
    }
    capture.finalUrl = fetched.url;
    capture.documentStatus = fetched.status;
    if (fetched.status >= 400) {
      capture.outcome = { ok: false, code: 'PAGE_HTTP_ERROR', reason: `HTTP ${fetched.status} for ${target.url}` };
    } else {
      capture.scripts = [{
        ref: 'resource',
        kind: 'resource',
        url: target.url,
        frameUrl: target.url,
        isMainFrame: true,
        initiator: null,
        status: fetched.status,
        headers: fetched.headers,
        remoteIp: fetched.remoteIp,
        remotePort: fetched.remotePort,
        body: fetched.body.toString('utf8'),
        loadError: null,
        bodyTooLarge: false,
      }];
    }
  } catch (error) {
    const message = describeError(error);
    const code = /no response within/.test(message) ? 'PAGE_TIMEOUT' : 'PAGE_NETWORK_ERROR';
    capture.outcome = { ok: false, code, reason: `cannot fetch ${target.url}: ${message}` };
  }
  capture.finishedAt = new Date().toISOString();
  return capture;
}
