// Seeds a database the size the dashboard must stay fast on, through the store's own write path (planScan, applyPlan).

import { existsSync, renameSync, rmSync } from 'node:fs';
import type { PageCapture, ScriptCapture } from '../src/capture/types.js';
import { planScan } from '../src/plan/plan-scan.js';
import type { ScanPlan } from '../src/plan/plan.js';
import { openStore, type Store } from '../src/store/open-store.js';
import { isPostgresUrl } from '../src/store/postgres.js';

export interface SeedShape {
  targets: number;
  scriptsPerTarget: number;
  intervalMinutes: number;
  days: number;
}

const DAY = 86_400_000;
const START = Date.UTC(2026, 6, 1);

function script(target: number, index: number, version: number, bundle: string | null): ScriptCapture {
  const url = index === 0 && bundle !== null ? 'https://cdn.example/bundle.min.js' : `https://cdn${index % 7}.example/t${target}/lib-${index}.js`;
  return {
    ref: `${index}`, kind: 'external', url, frameUrl: `https://shop${target}.example/checkout`, isMainFrame: true,
    initiator: { type: 'parser', url: `https://shop${target}.example/checkout`, line: index, scriptRef: null },
    status: 200, headers: { 'content-type': 'application/javascript' }, remoteIp: '192.0.2.1', remotePort: 443,
    body: index === 0 && bundle !== null ? bundle : `/* t${target} s${index} v${version} */ window.s${index} = function (a) { return a + ${index}; };`,
    loadError: null, bodyTooLarge: false,
  };
}

function capture(target: number, at: string, scripts: ScriptCapture[], ok = true): PageCapture {
  const page = `https://shop${target}.example/checkout`;
  return {
    target: `shop-${target}`, targetType: 'page', profile: 'desktop', requestedUrl: page, finalUrl: ok ? page : null,
    startedAt: at, finishedAt: at, outcome: ok ? { ok: true } : { ok: false, code: 'PAGE_TIMEOUT', reason: 'page did not finish loading within 30000 ms' },
    documentStatus: ok ? 200 : null, securityHeaders: ok ? { 'content-security-policy': "script-src 'self' https://cdn.example" } : {},
    scripts: ok ? scripts : [],
    requests: ok ? [{ url: page, type: 'Document', method: 'GET', frameUrl: null, initiatorUrl: null }, ...scripts.map((s) => ({ url: s.url!, type: 'Script', method: 'GET', frameUrl: page, initiatorUrl: null }))] : [],
    forms: { payment: ok, login: false, evidence: ok ? ['input[autocomplete=cc-number]'] : [] }, truncated: [],
  };
}

/** A plan made by planScan, written again with another scan's times: what an unchanged rescan's plan is. */
const at = (plan: ScanPlan, time: string): ScanPlan => ({ ...plan, scan: { ...plan.scan, startedAt: time, finishedAt: time } });

/**
 * Every target scanned every interval for `days`, in time order (scan ids interleave across targets, as a scheduler
 * writes them). Each target releases one new version of one of its scripts a week, approved the next scan; one scan in
 * 500 times out; target 0's first script is a 1 MB bundle that gains a 20-line skimmer on the last day, left open. Planning
 * runs for every scan until its plan raises and adds nothing; from then on an unchanged rescan writes that plan of
 * planScan's with its own times, until the content changes. Each scan is its own applyPlan transaction.
 */
export async function seedDashboardStore(path: string, shape: SeedShape, bundles: [string, string], progress: (done: number, total: number) => void): Promise<Store> {
  // A SQLite file is written under another name and renamed when complete; a PostgreSQL database is written in place.
  const postgres = isPostgresUrl(path);
  const partial = postgres ? path : `${path}.partial`;
  if (!postgres) rmSync(partial, { force: true });
  const store = await openStore(partial);
  const slots = Math.round((shape.days * DAY) / (shape.intervalMinutes * 60_000));
  const slotsPerWeek = Math.round((7 * DAY) / (shape.intervalMinutes * 60_000));
  const versions = Array.from({ length: shape.targets }, () => new Array<number>(shape.scriptsPerTarget).fill(0));
  const steady: (ScanPlan | null)[] = new Array(shape.targets).fill(null);
  const failedPlan = async (t: number, time: string) => planScan(capture(t, time, [], false), await store.scans.readBaseline(`shop-${t}`, 'desktop'), { removalThreshold: 2 });
  // The skimmer arrives on the last day: its open alert makes the rest of target 0's scans plan again each time.
  const skimSlot = Math.max(1, slots - Math.round(DAY / (shape.intervalMinutes * 60_000)));
  const scriptsOf = (t: number, slot: number) => versions[t]!.map((v, i) => script(t, i, v, t === 0 ? bundles[slot >= skimSlot ? 1 : 0] : null));
  let changeAlerts: number[] = [];
  for (let slot = 0; slot < slots; slot++) {
    const approve = changeAlerts;
    changeAlerts = [];
    if (approve.length) await store.alerts.decide(approve, 'approved', { by: 'release-bot', note: 'weekly release', at: new Date(START + slot * shape.intervalMinutes * 60_000).toISOString() });
    for (let t = 0; t < shape.targets; t++) {
      const time = new Date(START + slot * shape.intervalMinutes * 60_000 + t * 500).toISOString();
      if ((slot * shape.targets + t) % 500 === 499) {
        await store.scans.applyPlan(await failedPlan(t, time), time);
        continue;
      }
      // A release: one script changes (spread over the week by target), or the bundle gains its skimmer.
      const release = slot > 0 && (slot + t * 7) % slotsPerWeek === 0;
      const skimmed = t === 0 && slot === skimSlot;
      if (release) versions[t]![1 + ((Math.floor(slot / slotsPerWeek) + t) % (shape.scriptsPerTarget - 1))]! += 1;
      const plan = steady[t];
      if (!plan || release || skimmed) {
        const c = capture(t, time, scriptsOf(t, slot));
        const made = planScan(c, await store.scans.readBaseline(c.target, c.profile), { removalThreshold: 2 });
        const result = await store.scans.applyPlan(made, time);
        if (slot === 0) await store.alerts.approveAll({ by: 'bench', note: 'baseline', at: time });
        else if (release) changeAlerts.push(...result.newAlerts.map((a) => a.id));
        // A plan that raises and adds nothing is what every unchanged load of this content plans.
        steady[t] = made.alerts.length === 0 && made.baselineAdds.length === 0 ? made : null;
        continue;
      }
      await store.scans.applyPlan(at(plan, time), time);
    }
    if (slot % 96 === 0) progress(slot, slots);
  }
  await store.close();
  if (!postgres) {
    renameSync(partial, path);
    for (const suffix of ['-wal', '-shm']) if (existsSync(partial + suffix)) rmSync(partial + suffix);
  }
  return openStore(path);
}
