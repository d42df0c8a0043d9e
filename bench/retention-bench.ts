// Prints storage growth of a monitored page scanned every 15 minutes for 180 days, without and with retention: 90d.

import { statSync } from 'node:fs';
import { join } from 'node:path';
import { planScan } from '../src/plan/plan-scan.js';
import { openStore, type Store } from '../src/store/open-store.js';
import type { PageCapture, ScriptCapture } from '../src/capture/types.js';
import { tempProject } from '../test/fixtures/cli.js';
import { rawDb } from '../test/fixtures/raw-db.js';

const SCRIPTS = 30;
const SCANS_PER_DAY = 96;
const DAYS = 180;
const DAY_MS = 86_400_000;
const START = Date.UTC(2026, 0, 1);

function script(index: number, version: number): ScriptCapture {
  const url = `https://cdn${index % 5}.example/lib-${index}.js`;
  return {
    ref: `${index}`, kind: 'external', url, frameUrl: 'https://shop.example/checkout', isMainFrame: true,
    initiator: { type: 'parser', url: 'https://shop.example/checkout', line: index, scriptRef: null },
    status: 200, headers: { 'content-type': 'application/javascript' }, remoteIp: '192.0.2.1', remotePort: 443,
    body: `/* lib ${index} v${version} */ ${'window.x = function (a) { return a * 2; };'.repeat(50)}`,
    loadError: null, bodyTooLarge: false,
  };
}

function capture(at: number, version: number): PageCapture {
  const time = new Date(at).toISOString();
  return {
    target: 'checkout', targetType: 'page', profile: 'desktop', requestedUrl: 'https://shop.example/checkout', finalUrl: null,
    startedAt: time, finishedAt: time, outcome: { ok: true }, documentStatus: 200, securityHeaders: { 'content-security-policy': "script-src 'self'" },
    scripts: Array.from({ length: SCRIPTS }, (_, i) => script(i, i === 0 ? version : 1)), requests: [],
    forms: { payment: true, login: false, evidence: [] }, truncated: [],
  };
}

async function size(store: Store): Promise<number> {
  await store.checkpoint();
  rawDb(store).exec('VACUUM');
  return statSync(store.path).size;
}

async function simulate(retention: boolean): Promise<{ bytes: number; observations: number; retentionMs: number }> {
  const store = await openStore(join(tempProject('sw-retention-bench-'), 'sw.db'));
  let retentionMs = 0;
  for (let day = 0; day < DAYS; day++) {
    // One script changes weekly (an analytics tag), and the change is approved.
    const version = Math.floor(day / 7) + 1;
    for (let i = 0; i < SCANS_PER_DAY; i++) {
      const c = capture(START + day * DAY_MS + i * 900_000, version);
      await store.scans.applyPlan(planScan(c, await store.scans.readBaseline(c.target, c.profile), { removalThreshold: 2 }), c.finishedAt);
    }
    await store.alerts.approveAll({ by: 'bench', note: 'weekly tag update', at: new Date(START + day * DAY_MS).toISOString() });
    if (retention) {
      const started = performance.now();
      await store.scans.retain(new Date(START + (day - 90) * DAY_MS).toISOString(), new Date(START + day * DAY_MS).toISOString());
      retentionMs += performance.now() - started;
    }
  }
  const observations = (rawDb(store).prepare('SELECT COUNT(*) AS n FROM set_scripts').get() as { n: number }).n;
  const report = await store.scans.verify();
  if (!report.ok) throw new Error(`chain broken: ${report.firstBreak?.reason}`);
  const bytes = await size(store);
  await store.close();
  return { bytes, observations, retentionMs };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
console.log(`retention bench: 1 page, ${SCRIPTS} scripts, a scan every 15 min for ${DAYS} days (${SCANS_PER_DAY * DAYS} scans), one script changing weekly`);
const without = await simulate(false);
console.log(`  without retention: ${mb(without.bytes)}, ${without.observations} observation rows`);
const withRetention = await simulate(true);
console.log(`  retention: 90d:    ${mb(withRetention.bytes)}, ${withRetention.observations} observation rows; daily retention runs took ${(withRetention.retentionMs / DAYS).toFixed(0)} ms on average; verify passes`);
