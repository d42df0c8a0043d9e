// The load of the report bench, run as its own process: CSP reports posted to a collector for a number of keys, as
// many as it takes, from `concurrency` connections for a bounded time and count; prints what it measured as JSON.

import { runAtIdlePriority } from '../src/cli/idle-priority.js';
import { summarize } from './latency.js';

const [base, keysJson, msText, concurrencyText, priority] = process.argv.slice(2);
// The idle class: the load stands for browsers elsewhere, whose CPU is not this machine's.
if (priority === 'idle') runAtIdlePriority();
const keys = JSON.parse(keysJson!) as string[];
const until = performance.now() + Number(msText);
const MAX_REQUESTS = 500_000;
const statuses: Record<string, number> = {};
const times: number[] = [];
let sent = 0;
let reports = 0;

/** Ten reports about one of a few dozen URLs per page: a flood is mostly the same lines again. */
function body(i: number): string {
  return JSON.stringify(Array.from({ length: 10 }, (_, j) => ({
    type: 'csp-violation', user_agent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1',
    body: { documentURL: `https://shop${i % keys.length}.example/checkout`, effectiveDirective: 'script-src-elem', blockedURL: `https://cdn${(i + j) % 40}.example/x.js?r=${i}` },
  })));
}

async function connection(): Promise<void> {
  while (performance.now() < until && sent < MAX_REQUESTS) {
    const i = sent++;
    const started = performance.now();
    const response = await fetch(`${base}reports/csp/${keys[i % keys.length]}`, { method: 'POST', headers: { 'content-type': 'application/reports+json' }, body: body(i) });
    await response.arrayBuffer();
    times.push(performance.now() - started);
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    if (response.status === 204) reports += 10;
  }
}

const start = performance.now();
await Promise.all(Array.from({ length: Number(concurrencyText) }, connection));
const seconds = (performance.now() - start) / 1000;
const latency = summarize(times);
console.log(JSON.stringify({ requests: times.length, reports, seconds, statuses, p50: latency.median, p99: latency.p99 }));
