// Dashboard benchmark: 1,000 targets × 50 scripts scanned every 15 minutes for 90 days, then the main pages over HTTP.

import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../dashboard/create-app.js';
import { hashPassword } from '../src/auth/passwords.js';
import { openStore } from '../src/store/open-store.js';
import { renderMetrics } from '../src/run/metrics.js';
import { ROOT } from '../test/fixtures/paths.js';
import { rawDb } from '../test/fixtures/raw-db.js';
import { seedDashboardStore, type SeedShape } from './dashboard-seed.js';
import { timeRequests } from './latency.js';

const SHAPE: SeedShape = {
  targets: Number(process.env.BENCH_TARGETS ?? 1000),
  scriptsPerTarget: Number(process.env.BENCH_SCRIPTS ?? 50),
  intervalMinutes: 15,
  days: Number(process.env.BENCH_DAYS ?? 90),
};
const SAMPLES = 30;

/** A 1 MB minified bundle and the same bundle with a 20-line skimmer inserted in the middle. */
function bigBundle(): [string, string] {
  let code = '';
  for (let i = 0; code.length < 1_000_000; i++) code += `function m${i}(a,b){var c=a*${i}+b;if(c>${i}){return c}return b};`;
  const skimmer = Array.from({ length: 20 }, (_, i) => `document.forms[0].addEventListener("input",function(e){window.__k${i}=(window.__k${i}||"")+e.target.value});`).join('');
  const middle = code.indexOf('function m5000(');
  return [code, code.slice(0, middle) + skimmer + code.slice(middle)];
}

// The database is made once per shape and kept (bench/out/), since making the full one takes a while.
const outDir = join(ROOT, 'bench', 'out');
mkdirSync(outDir, { recursive: true });
const path = join(outDir, `dashboard-${SHAPE.targets}x${SHAPE.scriptsPerTarget}-${SHAPE.days}d.db`);
const scans = Math.round((SHAPE.days * 96 * SHAPE.targets * 15) / SHAPE.intervalMinutes);
let store;
if (existsSync(path)) {
  store = await openStore(path);
  console.log(`dashboard benchmark: reusing ${path}`);
} else {
  console.log(`dashboard benchmark: seeding ${SHAPE.targets} targets × ${SHAPE.scriptsPerTarget} scripts, every ${SHAPE.intervalMinutes} min for ${SHAPE.days} days (${scans} scans) through applyPlan`);
  const started = performance.now();
  store = await seedDashboardStore(path, SHAPE, bigBundle(), (slot, slots) => {
    if (process.stdout.isTTY) process.stdout.write(`\r  day ${Math.round(slot / 96)} of ${SHAPE.days} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  });
  const seconds = (performance.now() - started) / 1000;
  if (process.stdout.isTTY) process.stdout.write('\n');
  console.log(`seeded in ${seconds.toFixed(0)} s: ${(scans / seconds).toFixed(0)} scans/s through the write path`);
}
const db = rawDb(store);
const counts = db.prepare(`SELECT (SELECT COUNT(*) FROM targets) AS targets, (SELECT COUNT(*) FROM scripts) AS scripts, (SELECT MAX(id) FROM scans) AS scans,
  (SELECT COUNT(*) FROM observation_sets) AS sets, (SELECT COUNT(*) FROM set_scripts) AS items, (SELECT COUNT(*) FROM alerts) AS alerts`).get() as Record<string, number>;
console.log(`database: ${(statSync(path).size / 1024 ** 3).toFixed(2)} GB, ${counts.targets} targets, ${counts.scripts} scripts, ${counts.scans} scans, ${counts.sets} observation sets (${counts.items} items), ${counts.alerts} alerts`);

const bundleAlert = (await store.alerts.list({ status: 'open', target: 'shop-0' })).find((a) => a.subject === 'https://cdn.example/bundle.min.js')!;
const middle = `shop-${Math.floor(SHAPE.targets / 2)}`;
const someAlert = (await store.alerts.list({ status: 'all', target: middle }))[0] ?? (await store.alerts.list({ status: 'all' }))[0]!;
const someScript = (await store.inventory.scripts({ target: middle }))[1]!.scriptId;
// /metrics as serve renders it, from the store's counts (no scheduler in this process).
const metrics = async () => renderMetrics({ snapshot: null, counters: null, store: await store.scans.counts(), notificationsPending: await store.notifications.pendingCount(), browser: { state: 'running', pid: null, restarts: 0, lastRestartAt: null } });
const dashboard = createApp({ store, actor: 'bench', metrics });
const { url } = await dashboard.listen(0, '127.0.0.1');
await fetch(`${url}alerts/${bundleAlert.id}`);
console.log(`page latency over ${SAMPLES} requests after one warm-up (target: p95 < 100 ms; < 300 ms for the 1 MB diff)`);
for (const [name, page] of [
  ['overview', ''],
  ['alerts', 'alerts?status=all'],
  ['inventory', 'inventory'],
  ['inventory of one target', `inventory?target=${middle}`],
  ['scans', 'scans'],
  ['scans of one target', `scans?target=${middle}`],
  ['script history', `scripts/${someScript}`],
  ['alert detail', `alerts/${someAlert.id}`],
  ['alert detail, 1 MB bundle diff', `alerts/${bundleAlert.id}`],
  ['metrics', 'metrics'],
  ['healthz', 'healthz'],
] as const) {
  await fetch(url + page);
  const r = await timeRequests(url + page, SAMPLES);
  const over = r.p95 >= (name.includes('1 MB') ? 300 : 100);
  console.log(`${name.padEnd(32)} median ${r.median.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms (${(r.bytes / 1024).toFixed(0)} KiB)${over ? '  OVER TARGET' : ''}`);
}

// What signing in costs per request: the same page open (no users), with a session cookie, and with an API token.
// The user is removed again at the end, so the kept database stays open access for the next run.
const open = await timeRequests(`${url}scans`, SAMPLES);
if (!(await store.access.users.get('bench'))) await store.access.users.create({ name: 'bench', role: 'viewer', passwordHash: await hashPassword('bench password 123') }, { name: 'bench', ip: null });
const user = (await store.access.users.get('bench'))!;
const session = (await store.access.sessions.create(user.id, 'full', null)).cookie;
const token = (await store.access.tokens.create({ user: 'bench', name: `bench-${Date.now()}`, expiresAt: null }, { name: 'bench', ip: null })).token;
const withSession = await timeRequests(`${url}scans`, SAMPLES, { cookie: `sw_session=${session}` });
const withToken = await timeRequests(`${url}scans`, SAMPLES, { authorization: `Bearer ${token}` });
console.log('access check on /scans (same page, same run):');
for (const [name, r] of [['open access (baseline)', open], ['session cookie', withSession], ['API token', withToken]] as const) {
  console.log(`${name.padEnd(32)} median ${r.median.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms (+${(r.median - open.median).toFixed(2)} ms median)`);
}
const hashStarted = performance.now();
await hashPassword('a password to time the hash');
console.log(`one scrypt password hash (N=2^15, r=8): ${(performance.now() - hashStarted).toFixed(0)} ms`);
await store.access.users.remove('bench', { name: 'bench', ip: null });
await dashboard.close();
await store.close();
