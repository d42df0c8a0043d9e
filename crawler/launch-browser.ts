// Launches Chromium with quiet, bounded settings and hands out page captures; relaunches after a crash.

import { replayPolicy, type ReplayRequest } from './replay-policy.js';
import puppeteer, { type Browser } from 'puppeteer';
import { describeError, ScriptwardenError } from '../src/errors.js';
import { hostResolverRules, type ResolveMap } from '../src/config/resolve-map.js';
import type { PageCapture } from '../src/capture/types.js';
import { renderPdf } from './render-pdf.js';
import type { BrowserState, PolicyReplay } from '../src/capture/types.js';
import { capturePage, openFreshPage, type CaptureLimits, type CaptureRequest } from './capture-page.js';
import { watchNewTargets } from './new-target-guard.js';
import { sparePages } from './spare-page.js';
import { profileSettings, windowSize } from './profiles.js';

export interface LaunchOptions {
  executablePath: string;
  /**
   * Connect to a running browser (a pool's, or one shared by a test run) at this DevTools WebSocket URL instead of
   * launching one. Its flags are its own: `resolve:` and `browser.args` then apply to resource fetches only.
   */
  wsEndpoint?: string;
  args: string[];
  resolve: ResolveMap;
  /** Chromium refuses to start as root without --no-sandbox; it is added only then. */
  runningAsRoot: boolean;
  launchTimeoutMs?: number;
  /** Route the browser through this proxy (`http://`, `https://`, `socks4://`, `socks5://`; credentials for http(s)). */
  proxy?: string;
  /** A browser that does not answer for this long is killed and relaunched (default 10 s). */
  hungAfterMs?: number;
  /** Let public pages reach loopback, link-local and private addresses (Chromium's Local Network Access checks off). */
  allowPrivateNetwork?: boolean;
}

export interface BrowserHandle {
  capture(request: CaptureRequest, limits: CaptureLimits): Promise<PageCapture>;
  /** Loads a page with a Content-Security-Policy enforced, in a fresh context, and reports its violations. */
  replay(request: ReplayRequest, policy: string, limits: { pageTimeoutMs: number; settleMs: number }): Promise<PolicyReplay>;
  version(): Promise<string>;
  /** scriptwarden's own HTML (a report) as a PDF, rendered with JavaScript and the network off. */
  pdf(html: string): Promise<Buffer>;
  /** The browser's process id, or null when it is not running. */
  pid(): number | null;
  /** Whether it runs, and how often it was relaunched after a crash or hang. */
  state(): BrowserState;
  close(): Promise<void>;
}

const QUIET_FLAGS = [
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-sync',
  '--disable-gpu',
  '--mute-audio',
  '--disable-dev-shm-usage',
  // One renderer per page, so a single CDP session sees scripts in cross-origin iframes too.
  '--disable-site-isolation-trials',
  // Skimmers check navigator.webdriver; a monitor must see what shoppers see.
  '--disable-blink-features=AutomationControlled',
];

export function chromiumArgs(options: LaunchOptions): string[] {
  const userRules = options.args.find((a) => a.startsWith('--host-resolver-rules='));
  const rules = hostResolverRules(options.resolve, userRules ? userRules.slice('--host-resolver-rules='.length) : null);
  // Chromium keeps only the last --enable-features / --disable-features: ours and the user's are merged into one each.
  const listed = (flag: string) => options.args.filter((a) => a.startsWith(`${flag}=`)).flatMap((a) => a.slice(flag.length + 1).split(',')).filter(Boolean);
  // A public page may not reach the monitor's own network (loopback, private, link-local): Chromium's Local and
  // Private Network Access checks refuse it, in frames and workers too, unless the config allows it.
  const networkChecks = ['LocalNetworkAccessChecks', 'BlockInsecurePrivateNetworkRequests', 'PrivateNetworkAccessForWorkers', 'PrivateNetworkAccessForNavigations'];
  const disabled = [...new Set(['IsolateOrigins', 'site-per-process', 'Translate', 'MediaRouter', ...(options.allowPrivateNetwork ? networkChecks : []), ...listed('--disable-features')])];
  const enabled = [...new Set([...(options.allowPrivateNetwork ? [] : networkChecks), ...listed('--enable-features')])].filter((f) => !disabled.includes(f));
  const args = [
    ...QUIET_FLAGS,
    `--disable-features=${disabled.join(',')}`,
    ...(enabled.length ? [`--enable-features=${enabled.join(',')}`] : []),
    ...options.args.filter((a) => !a.startsWith('--host-resolver-rules=') && !a.startsWith('--disable-features=') && !a.startsWith('--enable-features=')),
  ];
  if (rules) args.push(`--host-resolver-rules=${rules}`);
  // New windows open at the desktop profile's size (viewport and frame), so its captures need no resize.
  if (!args.some((a) => a.startsWith('--window-size='))) {
    const { width, height } = windowSize(profileSettings('desktop', ''));
    args.push(`--window-size=${width},${height}`);
  }
  if (options.runningAsRoot && !args.includes('--no-sandbox')) args.push('--no-sandbox');
  if (options.proxy) {
    const proxy = new URL(options.proxy);
    args.push(`--proxy-server=${proxy.protocol}//${proxy.host}`);
  }
  return args;
}

async function start(options: LaunchOptions): Promise<Browser> {
  if (options.wsEndpoint) {
    try {
      return await puppeteer.connect({ browserWSEndpoint: options.wsEndpoint, protocolTimeout: 60_000, defaultViewport: null });
    } catch (error) {
      throw new ScriptwardenError('BROWSER_LAUNCH_FAILED', `cannot connect to the browser at ${options.wsEndpoint} (browser.wsEndpoint): ${describeError(error)}`, { cause: error });
    }
  }
  try {
    return await puppeteer.launch({
      executablePath: options.executablePath,
      headless: true,
      pipe: true,
      ignoreDefaultArgs: ['--enable-automation'],
      // Each capture sets its profile's viewport (presentAsVisitor): no default one to set and then replace.
      defaultViewport: null,
      args: chromiumArgs(options),
      timeout: options.launchTimeoutMs ?? 30_000,
      protocolTimeout: 60_000,
    });
  } catch (error) {
    throw new ScriptwardenError(
      'BROWSER_LAUNCH_FAILED',
      `cannot start the browser at ${options.executablePath}: ${describeError(error)}`,
      { cause: error },
    );
  }
}

export async function launchBrowser(options: LaunchOptions): Promise<BrowserHandle> {
  let browser = await start(options);
  let watcher = watchNewTargets(browser);
  let version = await browser.version();
  let restarting: Promise<Browser> | null = null;
  let closed = false;
  const proxyUrl = options.proxy ? new URL(options.proxy) : null;
  const proxyAuth = proxyUrl?.username ? { username: decodeURIComponent(proxyUrl.username), password: decodeURIComponent(proxyUrl.password) } : null;

  const hungAfterMs = options.hungAfterMs ?? 10_000;
  let restarts = 0;
  let lastRestartAt: string | null = null;

  /** Set when a hung browser was killed: its connection may not have noticed yet. */
  let killed: Browser | null = null;
  // The next capture's context is opened while the current page loads (a third of a bare load's time otherwise).
  const spares = sparePages((owner) => openFreshPage(owner, owner === browser ? watcher : undefined));

  const live = async (): Promise<Browser> => {
    if (browser.connected && browser !== killed) return browser;
    if (closed) throw new ScriptwardenError('BROWSER_CRASHED', 'the browser was closed');
    restarting ??= start(options).then((started) => {
      restarts++;
      lastRestartAt = new Date().toISOString();
      return started;
    }).finally(() => { restarting = null; });
    browser = await restarting;
    watcher = watchNewTargets(browser);
    version = await browser.version();
    return browser;
  };

  /** A browser that does not answer within a few seconds is hung: it is killed, and the next capture relaunches it. */
  const killIfHung = async (owner: Browser): Promise<void> => {
    if (!owner.connected) return;
    const answered = await Promise.race([
      owner.version().then(() => true, () => false),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), hungAfterMs)),
    ]);
    if (answered) return;
    killed = owner;
    // A browser we connected to is not ours to kill: we let go of it, and the next capture connects again.
    if (options.wsEndpoint) await owner.disconnect().catch(() => undefined);
    else owner.process()?.kill('SIGKILL');
  };

  return {
    async capture(request, limits) {
      // A fresh incognito context per capture: cookies or storage set by one load never hide anything from the next.
      const owner = await live();
      let timer: NodeJS.Timeout | undefined;
      const taking = spares.take(owner);
      const fresh = await Promise.race([
        taking,
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new ScriptwardenError('BROWSER_CRASHED', `the browser did not open a page within ${hungAfterMs} ms`)), hungAfterMs); }),
      ]).catch(async (error) => {
        // A page that opens after all is nobody's: it is closed.
        taking.then((late) => late.context.close()).catch(() => undefined);
        await killIfHung(owner);
        throw error;
      }).finally(() => clearTimeout(timer));
      spares.prepare(owner);
      if (proxyAuth) await fresh.page.authenticate(proxyAuth).catch(() => undefined);
      const capture = await capturePage(fresh, version, request, limits);
      if (!capture.outcome.ok && ['PAGE_TIMEOUT', 'PAGE_CRASHED', 'BROWSER_CRASHED'].includes(capture.outcome.code)) await killIfHung(owner);
      return capture;
    },
    async replay(request, policy, limits) {
      const owner = await live();
      const fresh = await openFreshPage(owner, owner === browser ? watcher : undefined);
      if (proxyAuth) await fresh.page.authenticate(proxyAuth).catch(() => undefined);
      return replayPolicy(fresh, version, request, policy, limits);
    },
    state: () => ({
      state: closed ? 'closed' : browser.connected && browser !== killed ? 'running' : 'down',
      pid: browser.connected && browser !== killed ? browser.process()?.pid ?? null : null,
      restarts,
      lastRestartAt,
    }),
    async version() {
      await live();
      return version;
    },
    pdf: async (html) => renderPdf(await live(), html),
    pid() {
      return browser.connected && browser !== killed ? browser.process()?.pid ?? null : null;
    },
    async close() {
      closed = true;
      await spares.close();
      // A shared browser serves others after us: our interception is let go without stranding their requests.
      if (options.wsEndpoint) {
        await watcher.close().catch(() => undefined);
        await browser.disconnect().catch(() => undefined);
      } else {
        await browser.close().catch(() => browser.process()?.kill('SIGKILL'));
      }
    },
  };
}
