// The demo shop on loopback: one HTTP server that plays every *.test host by its Host header.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { APP_JS, DEMO_SKIMMER, SHOP_ROUTES, type ShopRoute } from './shop-pages.js';

export interface DemoShop {
  port: number;
  /** `http://<host>:<port><path>` */
  url(host: string, path: string): string;
  /** An attacker appends the skimmer to the shop's own /static/app.js. */
  plantSkimmer(): void;
  close(): Promise<void>;
}

/** Starts the healthy shop on 127.0.0.1 at a free port. */
export async function startDemoShop(): Promise<DemoShop> {
  const routes = new Map<string, ShopRoute>(Object.entries(SHOP_ROUTES));
  let port = 0;
  const server = http.createServer((req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const route = routes.get(`${host} ${new URL(req.url ?? '/', 'http://x').pathname}`);
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const path = req.url ?? '';
    const type = /\.js$/.test(path) ? 'application/javascript' : /\.svg$/.test(path) ? 'image/svg+xml' : path === '/bash' ? 'text/plain' : 'text/html';
    const expand = (text: string) => text.replaceAll('{{PORT}}', String(port));
    const headers = Object.fromEntries(Object.entries(route.headers ?? {}).map(([name, value]) => [name, expand(value)]));
    res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store', ...headers }).end(expand(route.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (host, path) => `http://${host}:${port}${path}`,
    plantSkimmer: () => { routes.set('shop.test /static/app.js', { body: APP_JS + DEMO_SKIMMER }); },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
