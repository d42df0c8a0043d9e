// Fetches a hosted artifact (installer script, SDK file) directly, honouring `resolve:`, and returns a PageCapture.

import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { LookupFunction } from 'node:net';
import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import { describeError } from '../src/errors.js';
import { resolveHost, type ResolveMap } from '../src/config/resolve-map.js';
import type { PageCapture } from '../src/capture/types.js';
import { emptyCapture } from '../src/capture/empty-capture.js';
import { isPrivateAddress } from '../src/capture/private-address.js';

export interface FetchOptions {
  resolve: ResolveMap;
  timeoutMs: number;
  maxBodyBytes: number;
  userAgent: string;
  maxRedirects?: number;
  /** An http(s) proxy (`http://[user:pass@]host:port`): plain-HTTP targets go through it, HTTPS ones through CONNECT. */
  proxy?: string;
  /** Follow redirects to loopback, link-local and private addresses even when the target is public. */
  allowPrivateNetwork?: boolean;
}

/** Where a host name leads: the resolve map first, else DNS; an IP literal is itself. */
function addressOf(host: string, map: ResolveMap): Promise<string | null> {
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare)) return Promise.resolve(bare);
  const mapped = resolveHost(map, bare);
  if (mapped) return Promise.resolve(mapped);
  return new Promise((resolve) => dnsLookup(bare, (error, address) => resolve(error ? null : address)));
}

/**
 * Refuses a hop to the monitor's own network (loopback, link-local, private) when the target itself is not on one:
 * a public artifact redirected to another local port would otherwise store that service's answer as the resource.
 */
function checkHop(url: URL, address: string | null, guard: boolean): void {
  if (guard && address !== null && isPrivateAddress(address)) {
    throw new Error(`refused the redirect to ${url.host}: it resolves to ${address}, a loopback, link-local or private address, and the target is public (set allowPrivateNetwork: true to allow it)`);
  }
}

interface Fetched {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  remoteIp: string | null;
  remotePort: number | null;
  url: string;
}

function lookupFor(map: ResolveMap, guard: boolean): LookupFunction {
  return (hostname, options, callback) => {
    const mapped = resolveHost(map, hostname);
    if (!mapped) {
      // The address connected to is checked, not an earlier answer: a name that re-resolves to a local address is refused too.
      return dnsLookup(hostname, { ...options, all: false }, (error, address, family) => {
        if (!error && guard && isPrivateAddress(address)) {
          callback(new Error(`refused ${hostname}: it resolves to ${address}, a loopback, link-local or private address, and the target is public (set allowPrivateNetwork: true to allow it)`), '', 0);
          return;
        }
        if ((options as { all?: boolean }).all && !error) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
        else callback(error, address, family);
      });
    }
    if ((options as { all?: boolean }).all) {
      (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: mapped, family: isIP(mapped) }]);
    } else {
      callback(null, mapped, isIP(mapped));
    }
  };
}

/** The proxy's address and its Proxy-Authorization header, if any. */
function proxyParts(proxy: string): { host: string; port: number; auth: Record<string, string> } {
  const parsed = new URL(proxy);
  const auth: Record<string, string> = parsed.username
    ? { 'proxy-authorization': `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}` }
    : {};
  return { host: parsed.hostname, port: Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)), auth };
}

/** Opens a tunnel through the proxy for an HTTPS target. */
function tunnel(url: URL, proxy: string, deadline: number): Promise<import('node:net').Socket> {
  const { host, port, auth } = proxyParts(proxy);
  const target = `${url.hostname}:${url.port || 443}`;
  return new Promise((resolve, reject) => {
    const request = http.request({ host, port, method: 'CONNECT', path: target, headers: { host: target, ...auth }, timeout: Math.max(1, deadline - Date.now()) });
    request.on('connect', (response, socket) => {
      if (response.statusCode === 200) resolve(socket);
      else {
        socket.destroy();
        reject(new Error(`proxy refused CONNECT ${target}: HTTP ${response.statusCode}`));
      }
    });
    request.on('timeout', () => request.destroy(new Error('proxy did not answer CONNECT in time')));
    request.on('error', reject);
    request.end();
  });
}

async function get(url: URL, options: FetchOptions, deadline: number, guard: boolean): Promise<Fetched> {
  const headers = { 'user-agent': options.userAgent, accept: '*/*' };
  const timeout = Math.max(1, deadline - Date.now());
  let requestOptions: http.RequestOptions | https.RequestOptions = { lookup: lookupFor(options.resolve, guard), headers, timeout };
  if (options.proxy && url.protocol === 'https:') {
    const socket = await tunnel(url, options.proxy, deadline);
    requestOptions = { headers, timeout, servername: url.hostname, createConnection: () => tls.connect({ socket, servername: url.hostname }) } as https.RequestOptions;
  } else if (options.proxy) {
    const { host, port, auth } = proxyParts(options.proxy);
    requestOptions = { host, port, path: url.toString(), headers: { ...headers, ...auth, host: url.host }, timeout };
  }
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = (options.proxy && url.protocol === 'http:' ? http.get(requestOptions) : client.get(url, requestOptions)).on('response', (response) => {
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
      });
    request.on('timeout', () => request.destroy(new Error(`no response within ${options.timeoutMs} ms`)));
    request.on('error', reject);
  });
}

export async function fetchResource(target: { name: string; url: string }, options: FetchOptions): Promise<PageCapture> {
  const startedAt = new Date().toISOString();
  const capture = emptyCapture({ target: target.name, targetType: 'resource', profile: 'desktop', requestedUrl: target.url, startedAt });
  const deadline = Date.now() + options.timeoutMs;
  try {
    let url = new URL(target.url);
    // A target on the monitor's own network (a staging host through resolve:) may redirect within it.
    const own = await addressOf(url.hostname, options.resolve);
    const guard = !options.allowPrivateNetwork && !(own !== null && isPrivateAddress(own));
    let fetched = await get(url, options, deadline, guard);
    for (let hops = 0; fetched.status >= 300 && fetched.status < 400 && fetched.headers.location; hops++) {
      if (hops >= (options.maxRedirects ?? 5)) throw new Error('too many redirects');
      url = new URL(fetched.headers.location, url);
      if (!['http:', 'https:'].includes(url.protocol)) throw new Error(`refused the redirect to ${url.protocol} URL`);
      const bare = url.hostname.replace(/^\[|\]$/g, '');
      checkHop(url, isIP(bare) ? bare : resolveHost(options.resolve, bare), guard);
      fetched = await get(url, options, deadline, guard);
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
