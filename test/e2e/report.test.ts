// End to end: `scriptwarden report` writes HTML, JSON and a PDF (rendered by Chromium, read back as text), and --verify catches an edited file.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { parseJson, runCli, tempProject, writeConfig } from '../fixtures/cli.js';

/** The PDF's text, by poppler's pdftotext (installed by the setup). */
function pdfText(path: string): string {
  try {
    return execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
  } catch (error) {
    throw new Error(`pdftotext could not read ${path} (npm run setup installs poppler-utils): ${(error as Error).message}`);
  }
}

describe('report (CLI)', () => {
  let site: FixtureSite;
  let dir: string;

  beforeAll(async () => {
    site = await startFixtureSite();
    site.set('merchant.test', '/pay', `<!doctype html><html><body><form action="/pay"><input autocomplete="cc-number" name="n"></form>
      <script src="/app.js"></script><script src="http://widgets.test:${site.port}/chat.js"></script></body></html>`);
    site.set('merchant.test', '/app.js', 'window.app = 1;');
    site.set('widgets.test', '/chat.js', 'window.chat = 1;');
    dir = tempProject('sw-report-cli-');
    writeConfig(dir, [{ name: 'pay', url: site.url('merchant.test', '/pay') }], 'canary:\n  enabled: false');
    assert.equal((await runCli(['scan'], { cwd: dir })).code, 0);
    assert.equal((await runCli(['approve', '--all', '--note', 'first baseline', '--by', 'alice'], { cwd: dir })).code, 0);
    const inventory = parseJson<{ inventory: { scriptId: number; url: string | null }[] }>(await runCli(['inventory', '--json'], { cwd: dir })).inventory;
    const app = inventory.find((r) => r.url?.endsWith('/app.js'))!;
    assert.equal((await runCli(['authorize', String(app.scriptId), '--justification', 'order form logic', '--by', 'bob'], { cwd: dir })).code, 0);
    assert.equal((await runCli(['scan'], { cwd: dir })).code, 0);
  });
  afterAll(async () => { await site.close(); });

  it('writes a PDF that reads as the report, with the summary first, and verifies it; an edited PDF is caught', async () => {
    const out = join(dir, 'report.pdf');
    const made = await runCli(['report', '--format', 'pdf', '--out', out], { cwd: dir });
    assert.equal(made.code, 0, made.stderr);
    const bytes = readFileSync(out);
    assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
    const text = pdfText(out);
    const summaryAt = text.indexOf('Summary');
    assert.ok(summaryAt > -1 && summaryAt < text.indexOf('Script inventory'), 'the summary comes before the detail');
    for (const expected of ['Payment pages', 'Authorized on their own', 'Evaluation frequency', 'order form logic', 'bulk-approved', 'widgets.test', 'Chain head at the end']) {
      assert.ok(text.includes(expected), `the PDF says "${expected}"`);
    }
    const verified = await runCli(['report', '--verify', out], { cwd: dir });
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /^intact: the pdf body's SHA-256 is the manifest's/m);
    assert.match(verified.stdout, /database: the chain head is in it and the scan chain verifies/);

    // One byte of the PDF's content changed: the report no longer matches its manifest.
    const edited = Buffer.from(bytes);
    const at = edited.indexOf('/Producer');
    edited[at > 0 ? at + 2 : 200] ^= 1;
    writeFileSync(join(dir, 'edited.pdf'), edited);
    const caught = await runCli(['report', '--verify', join(dir, 'edited.pdf')], { cwd: dir });
    assert.equal(caught.code, 1);
    assert.match(caught.stdout, /^CHANGED: /m);
  });

  it('writes HTML and JSON with the same content, and refuses bad input with exit 2', async () => {
    const html = await runCli(['report', '--format', 'html', '--out', '-'], { cwd: dir });
    assert.equal(html.code, 0, html.stderr);
    assert.match(html.stdout, /<!-- scriptwarden-manifest \{/);
    assert.doesNotMatch(html.stdout.replace(/<!-- scriptwarden-manifest[^\n]*/, ''), /<script/i, 'the report runs nothing');
    const json = JSON.parse((await runCli(['report', '--format', 'json', '--out', '-', '--target', 'pay'], { cwd: dir })).stdout) as {
      report: { pages: { target: string; inventory: { justification: string | null }[] }[] }; manifest: { sha256: string };
    };
    assert.deepEqual(json.report.pages.map((p) => p.target), ['pay']);
    assert.ok(json.report.pages[0]!.inventory.some((s) => s.justification === 'order form logic'));
    writeFileSync(join(dir, 'r.json'), JSON.stringify(json, null, 2));
    const intact = await runCli(['report', '--verify', join(dir, 'r.json')], { cwd: dir });
    assert.equal(intact.code, 0, intact.stdout);
    assert.match(intact.stdout, /^re-derived: the period's scans, header values, alerts and chain heads in the database are those the report was built from/m);

    // A forger who edits the record and recomputes the body's hash: the record no longer matches the sealed period.
    const forged = JSON.parse(JSON.stringify(json)) as typeof json & { report: { pages: { evaluation: { scans: { status: string }[] } }[] }; manifest: { sha256: string } };
    forged.report.pages[0]!.evaluation.scans[0]!.status = 'failed';
    forged.manifest.sha256 = createHash('sha256').update(JSON.stringify(forged.report, null, 2)).digest('hex');
    writeFileSync(join(dir, 'forged.json'), JSON.stringify(forged, null, 2));
    const caught = await runCli(['report', '--verify', join(dir, 'forged.json')], { cwd: dir });
    assert.equal(caught.code, 1, caught.stdout);
    assert.match(caught.stdout, /^intact: /m, 'its hash was recomputed');
    assert.match(caught.stdout, /^CHANGED: the JSON's scans, header values or alerts are not those its manifest was sealed with/m);

    const bad: [string[], RegExp][] = [
      [['report', '--out', 'x.html'], /--format must be one of html, pdf, json/],
      [['report', '--format', 'html'], /give --out FILE/],
      [['report', '--format', 'pdf', '--out', '-'], /a PDF is written to a file/],
      [['report', '--format', 'html', '--out', '-', '--from', 'yesterday'], /--from must be a date/],
      [['report', '--format', 'html', '--out', '-', '--from', '2026-12-01', '--to', '2026-11-01'], /is after --to/],
      [['report', '--format', 'html', '--out', '-', '--target', 'nope'], /unknown target "nope"/],
      [['report', '--verify', join(dir, 'missing.pdf')], /cannot read/],
    ];
    for (const [args, message] of bad) {
      const result = await runCli(args, { cwd: dir });
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
  });
});
