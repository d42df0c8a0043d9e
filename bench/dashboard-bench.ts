// Dashboard benchmark: seeds 10,000 scripts and 100,000 observations, then times the main pages over HTTP.

import { join } from 'node:path';
import { createApp } from '../dashboard/create-app.js';
import { hashPassword } from '../src/auth/passwords.js';
import { planScan } from '../src/plan/plan-scan.js';
import { openStore } from '../src/store/open-store.js';
import type { PageCapture, ScriptCapture } from '../src/capture/types.js';
import { tempProject } from '../test/fixtures/cli.js';
import { rawDb } from '../test/fixtures/raw-db.js';

const TARGETS = 100;
const SCRIPTS_PER_TARGET = 100;
const SCANS_PER_TARGET = 10;
const SAMPLES = 30;

function script(target: number, index: number, version: number): ScriptCapture {
  const url = `https://cdn${index % 7}.example/t${target}/lib-${index}.js`;
  return {
    ref: `${index}`, kind: 'external', url, frameUrl: `https://shop${target}.example/checkout`, isMainFrame: true,
    initiator: { type: 'parser', url: `https://shop${target}.example/checkout`, line: index, scriptRef: null },
    status: 200, headers: { 'content-type': 'application/javascript' }, remoteIp: '192.0.2.1', remotePort: 443,
    body: `/* t${target} s${index} v${version} */ window.s${index} = function (a) { return a + ${index}; };`,
    loadError: null, bodyTooLarge: false,
  };
}

function capture(target: number, scan: number, scripts: ScriptCapture[]): PageCapture {
  const at = new Date(Date.UTC(2026, 10, 1) + scan * 3_600_000 + target * 1000).toISOString();
  return {
    target: `shop-${target}`, targetType: 'page', profile: 'desktop', requestedUrl: `https://shop${target}.example/checkout`,
    finalUrl: null, startedAt: at, finishedAt: at, outcome: { ok: true }, documentStatus: 200,
    securityHeaders: { 'content-security-policy': "script-src 'self'" }, scripts, requests: [],
    forms: { payment: true, login: false, evidence: [] }, truncated: [],
  };
}

/** A 1 MB minified bundle and the same bundle with a 20-line skimmer inserted in the middle. */
function bigBundle(): [string, string] {
  let code = '';
  for (let i = 0; code.length < 1_000_000; i++) code += `function m${i}(a,b){var c=a*${i}+b;if(c>${i}){return c}return b};`;
  const skimmer = Array.from({ length: 20 }, (_, i) => `document.forms[0].addEventListener("input",function(e){window.__k${i}=(window.__k${i}||"")+e.target.value});`).join('');
  const middle = code.indexOf('function m5000(');
  return [code, code.slice(0, middle) + skimmer + code.slice(middle)];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function time(url: string, headers: Record<string, string> = {}): Promise<{ median: number; p95: number; bytes: number }> {
  const samples: number[] = [];
  let bytes = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    const response = await fetch(url, { headers });
    const body = await response.text();
    samples.push(performance.now() - started);
    if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status}`);
    bytes = body.length;
  }
  samples.sort((a, b) => a - b);
  return { median: percentile(samples, 50), p95: percentile(samples, 95), bytes };
}

const store = openStore(join(tempProject('sw-dash-bench-'), 'bench.db'));
const seedStarted = performance.now();
const [bundleOld, bundleNew] = bigBundle();
for (let t = 0; t < TARGETS; t++) {
  for (let s = 0; s < SCANS_PER_TARGET; s++) {
    const scripts = Array.from({ length: SCRIPTS_PER_TARGET }, (_, i) => script(t, i, s >= 5 && i < 5 ? 1 : 0));
    if (t === 0) scripts[0] = { ...scripts[0]!, url: 'https://cdn.example/bundle.min.js', body: s >= 5 ? bundleNew : bundleOld };
    const c = capture(t, s, scripts);
    store.scans.applyPlan(planScan(c, store.scans.readBaseline(c.target, c.profile), { removalThreshold: 2 }), c.finishedAt);
    if (s === 0) store.alerts.approveAll({ by: 'bench', note: 'seed', at: c.finishedAt });
  }
}
const counts = rawDb(store).prepare('SELECT (SELECT COUNT(*) FROM scripts) AS scripts, (SELECT COUNT(*) FROM observations) AS observations, (SELECT COUNT(*) FROM alerts) AS alerts').get() as Record<string, number>;
console.log(`seeded ${counts.scripts} scripts, ${counts.observations} observations, ${counts.alerts} alerts in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

const bundleAlert = store.alerts.list({ status: 'all', target: 'shop-0' }).find((a) => a.subject === 'https://cdn.example/bundle.min.js')!;
const someAlert = store.alerts.list({ status: 'all', target: 'shop-50' })[0]!;
const dashboard = createApp({ store, actor: 'bench' });
const { url } = await dashboard.listen(0, '127.0.0.1');
await fetch(`${url}alerts/${bundleAlert.id}`);
console.log(`page latency over ${SAMPLES} requests (target: p95 < 100 ms; < 300 ms for the 1 MB diff)`);
for (const [name, path] of [
  ['overview', ''],
  ['alerts', 'alerts?status=all'],
  ['inventory', 'inventory'],
  ['alert detail', `alerts/${someAlert.id}`],
  ['alert detail, 1 MB bundle diff', `alerts/${bundleAlert.id}`],
] as const) {
  const r = await time(url + path);
  console.log(`${name.padEnd(32)} median ${r.median.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms (${(r.bytes / 1024).toFixed(0)} KiB)`);
}

// What signing in costs per request: the same page open (no users), with a session cookie, and with an API token.
const open = await time(`${url}scans`);
store.access.users.create({ name: 'bench', role: 'viewer', passwordHash: await hashPassword('bench password 123') }, { name: 'bench', ip: null });
const user = store.access.users.get('bench')!;
const session = store.access.sessions.create(user.id, 'full', null).cookie;
const token = store.access.tokens.create({ user: 'bench', name: 'bench', expiresAt: null }, { name: 'bench', ip: null }).token;
const withSession = await time(`${url}scans`, { cookie: `sw_session=${session}` });
const withToken = await time(`${url}scans`, { authorization: `Bearer ${token}` });
console.log('access check on /scans (same page, same run):');
for (const [name, r] of [['open access (baseline)', open], ['session cookie', withSession], ['API token', withToken]] as const) {
  console.log(`${name.padEnd(32)} median ${r.median.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms (+${(r.median - open.median).toFixed(2)} ms median)`);
}
const hashStarted = performance.now();
await hashPassword('a password to time the hash');
console.log(`one scrypt password hash (N=2^15, r=8): ${(performance.now() - hashStarted).toFixed(0)} ms`);
await dashboard.close();
store.close();
