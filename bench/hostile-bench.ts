// Hostile-content benchmark: worst analysis time over crafted bodies, and /healthz latency while they are analysed.

import { createApp } from '../dashboard/create-app.js';
import { createAnalysisPool } from '../src/run/analysis-pool.js';
import { runAnalyzers } from '../src/detect/analyzers/run-analyzers.js';
import { emptyBaseline } from '../src/plan/baseline.js';
import { identifyLibrary } from '../src/detect/intel/libraries.js';
import { loadIntel } from '../src/run/load-intel.js';
import { normalizeCode } from '../src/plan/normalize.js';
import { openStore } from '../src/store/open-store.js';
import { pageCapture, script } from '../test/fixtures/captures.js';
import { tempProject } from '../test/fixtures/cli.js';
import { join } from 'node:path';

const BODIES: Record<string, string> = {
  'white space run (576 KB)': ' '.repeat(576 * 1024),
  'version characters (576 KB)': '1.'.repeat(288 * 1024),
  'deep nesting (300 KB)': `${'('.repeat(150_000)}${')'.repeat(150_000)}`,
  'bracket run (200 KB)': '['.repeat(200_000),
  '1 MB single line': 'var a=1;'.repeat(128 * 1024),
};

const intel = loadIntel({ libraries: [], knownBadHosts: [] });
const time = (fn: () => unknown) => { const t = performance.now(); fn(); return performance.now() - t; };

console.log('analysis of crafted bodies on one thread (library identification, normalisation, analyzers), ms:');
let worst = 0;
for (const [name, body] of Object.entries(BODIES)) {
  const library = time(() => identifyLibrary(intel.libraries, { url: null, body }));
  const normalise = time(() => normalizeCode(body));
  const analyzers = time(() => runAnalyzers({ oldCode: null, newCode: body, url: null, pageHost: 'shop.example', knownHosts: [], paymentPage: true, oldLibrary: null, newLibrary: null, knownBad: intel.knownBad }));
  worst = Math.max(worst, library, normalise, analyzers);
  console.log(`  ${name.padEnd(28)} library ${library.toFixed(0).padStart(5)}  normalise ${normalise.toFixed(0).padStart(5)}  analyzers ${analyzers.toFixed(0).padStart(5)}`);
}
console.log(`worst single step: ${worst.toFixed(0)} ms (these steps run in the analysis pool during scans; beautify and diffs too)`);

// /healthz while the pool plans a page of every crafted body and beautifies each (the dashboard's alert page).
const store = await openStore(join(tempProject('sw-bench-hostile-'), 'sw.db'));
const pool = createAnalysisPool({ intel: { libraries: [], knownBadHosts: [] }, budgetMs: 10_000 });
const app = createApp({ store, actor: 'bench', analysis: pool, health: async () => ({ status: 200, body: { status: 'ok' } }) });
const { url } = await app.listen(0, '127.0.0.1');
async function probe(until: () => boolean): Promise<number[]> {
  const latencies: number[] = [];
  while (!until() || latencies.length < 20) {
    const t = performance.now();
    await (await fetch(new URL('/healthz', url))).arrayBuffer();
    latencies.push(performance.now() - t);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return latencies;
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
let idleDone = false;
setTimeout(() => { idleDone = true; }, 1000);
const idle = await probe(() => idleDone);
const capture = pageCapture(Object.entries(BODIES).map(([name, body], i) => script({ kind: 'external', url: `https://shop.example/${i}.js`, body: `/* ${name} */${body}` })));
let busy = true;
const work = Promise.all([
  pool.plan(capture, emptyBaseline(), { removalThreshold: 2 }),
  ...Object.values(BODIES).map((body) => pool.beautify(body)),
]).finally(() => { busy = false; });
const during = await probe(() => !busy);
const results = await work;
console.log(`/healthz idle: p50 ${pct(idle, 50).toFixed(1)} ms, p99 ${pct(idle, 99).toFixed(1)} ms (${idle.length} requests)`);
console.log(`/healthz while crafted bodies are planned and beautified: p50 ${pct(during, 50).toFixed(1)} ms, p99 ${pct(during, 99).toFixed(1)} ms, max ${Math.max(...during).toFixed(1)} ms (${during.length} requests; ${results.slice(1).filter((r) => r === null).length} beautify tasks stopped at the budget)`);
console.log('target: /healthz p99 under 100 ms while a hostile page is analysed');
await app.close();
await pool.close();
await store.close();
