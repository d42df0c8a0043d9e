// `scriptwarden report`: the PCI DSS 6.4.3 / 11.6.1 report as HTML, PDF or JSON with its manifest; --verify checks one.

import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ScriptwardenError } from '../../errors.js';
import { loadConfig, type Config } from '../../config/config.js';
import type { ReportParameters } from '../../evidence/report-data.js';
import { openReport, periodDigest, type ReportFormat } from '../../evidence/report-manifest.js';
import { buildReport } from '../../evidence/report-data.js';
import { REPORT_FORMATS, renderReport, reportParameters } from '../../evidence/report-file.js';
import { openStore } from '../../store/open-store.js';
import { safeText } from '../output.js';
import { EXIT, type CommandContext } from './context.js';

export interface ReportOptions {
  config?: string;
  target?: string[];
  from?: string;
  to?: string;
  format?: string;
  out?: string;
  verify?: string;
  json?: boolean;
}

/** Whether a record digests to the sealed value; a record too mangled to digest is not the one sealed. */
function sameRecord(digest: () => string, sealed: string): boolean {
  try {
    return digest() === sealed;
  } catch {
    return false;
  }
}

/** A manifest's period as `report` writes it: target names, and ISO times. */
function validParameters(p: unknown): p is ReportParameters {
  const v = p as Partial<ReportParameters> | null;
  return Boolean(v && Array.isArray(v.targets) && v.targets.every((t) => typeof t === 'string')
    && typeof v.from === 'string' && typeof v.to === 'string' && !Number.isNaN(Date.parse(v.from)) && !Number.isNaN(Date.parse(v.to)));
}

async function verifyReport(path: string, options: ReportOptions, ctx: CommandContext): Promise<number> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(resolve(ctx.cwd, path));
  } catch (error) {
    throw new ScriptwardenError('USAGE', `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const opened = openReport(bytes);
  const { manifest } = opened;
  const lines = [
    opened.intact
      ? `intact: the ${manifest.format} body's SHA-256 is the manifest's (${manifest.sha256})`
      : `CHANGED: the ${manifest.format} body's SHA-256 is ${opened.actualSha256}, the manifest says ${safeText(manifest.sha256, 80)}`,
    `built from: ${manifest.chainHead ? `scan #${manifest.chainHead.scanId}, chain hash ${safeText(manifest.chainHead.hash, 80)}` : 'an empty scan chain'}; period ${safeText(manifest.parameters?.from, 40)} to ${safeText(manifest.parameters?.to, 40)}; ${safeText(manifest.generator, 60)}`,
  ];
  // The JSON's own record of the period must be the one its manifest was sealed with (a rewritten body and hash are not).
  const fileFacts = opened.report && manifest.periodDigest ? sameRecord(() => periodDigest(opened.report!, manifest.chainHead), manifest.periodDigest) : null;
  if (fileFacts !== null) lines.push(fileFacts ? 'record: the JSON\'s scans, header values and alerts are those its manifest was sealed with' : 'CHANGED: the JSON\'s scans, header values or alerts are not those its manifest was sealed with');
  // Where the database is at hand, the chain head must still be in it, the chain must verify, and the period's record
  // derived again from it must be the one the report was built from.
  let headOk: boolean | null = null;
  let rederived: boolean | null = null;
  let config: Config | null = null;
  try {
    config = loadConfig(options.config, ctx.cwd, ctx.env);
  } catch (error) {
    if (options.config || !(error instanceof ScriptwardenError && error.code === 'CONFIG_NOT_FOUND')) throw error;
  }
  if (config && manifest.chainHead) {
    const store = await openStore(config.database);
    try {
      // Building the report verifies the whole database once; without a period to build, verify alone.
      const rebuilt = manifest.periodDigest && validParameters(manifest.parameters) ? await buildReport(store, config, manifest.parameters) : null;
      if (rebuilt) rederived = periodDigest(rebuilt, manifest.chainHead) === manifest.periodDigest;
      headOk = await store.scans.hasChainHead(manifest.chainHead) && (rebuilt ? rebuilt.tamperEvidence.verified : (await store.scans.verify()).ok);
    } finally {
      await store.close();
    }
    lines.push(headOk ? 'database: the chain head is in it and the scan chain verifies' : 'database: MISMATCH: that chain head is not in this database as recorded, or its scan chain does not verify');
    if (rederived !== null) lines.push(rederived ? 're-derived: the period\'s scans, header values, alerts and chain heads in the database are those the report was built from' : 'DIFFERS: the period derived again from this database is not the one the report was built from (another database, a changed target list, or edited records)');
  } else {
    lines.push('database: not checked (no config here; give --config to check the chain head against the database)');
  }
  const ok = opened.intact && headOk !== false && rederived !== false && fileFacts !== false;
  if (options.json) ctx.stdout.write(`${JSON.stringify({ ok, intact: opened.intact, recordMatchesManifest: fileFacts, chainHeadInDatabase: headOk, rederived, manifest, actualSha256: opened.actualSha256 }, null, 2)}\n`);
  else ctx.stdout.write(`${lines.join('\n')}\n`);
  return ok ? EXIT.ok : EXIT.newAlerts;
}

export async function reportCommand(options: ReportOptions, ctx: CommandContext): Promise<number> {
  if (options.verify) {
    if (options.format || options.out) throw new ScriptwardenError('USAGE', 'give either --verify FILE or --format and --out, not both');
    return verifyReport(options.verify, options, ctx);
  }
  const format = options.format as ReportFormat | undefined;
  if (!format || !REPORT_FORMATS.includes(format)) throw new ScriptwardenError('USAGE', `--format must be one of ${REPORT_FORMATS.join(', ')}`);
  if (!options.out) throw new ScriptwardenError('USAGE', 'give --out FILE (or --out - for standard output, html and json only)');
  if (options.out === '-' && format === 'pdf') throw new ScriptwardenError('USAGE', 'a PDF is written to a file: give --out report.pdf');
  const config = loadConfig(options.config, ctx.cwd, ctx.env);
  const store = await openStore(config.database);
  let bytes: Buffer;
  let parameters: ReportParameters;
  try {
    parameters = await reportParameters(options, config, store);
    // Progress on a terminal only: a PDF of a long period takes a while (the store's reads, then Chromium's print).
    const progress = (line: string) => { if (ctx.stderr.isTTY) ctx.stderr.write(`${line}\n`); };
    progress(`building the report of ${parameters.from.slice(0, 10)} to ${parameters.to.slice(0, 10)}…`);
    bytes = await renderReport(store, config, parameters, format, `scriptwarden ${ctx.version}`, (html) => {
      progress('printing the PDF in Chromium…');
      return ctx.renderPdf(config, html);
    });
  } finally {
    await store.close();
  }
  if (options.out === '-') {
    ctx.stdout.write(bytes.toString('utf8'));
    return EXIT.ok;
  }
  const path = resolve(ctx.cwd, options.out);
  try {
    writeFileSync(path, bytes);
  } catch (error) {
    throw new ScriptwardenError('USAGE', `cannot write ${options.out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  ctx.stderr.write(`Wrote the ${format} report (${bytes.length} bytes, ${parameters.from.slice(0, 10)} to ${parameters.to.slice(0, 10)}) to ${options.out}\n`);
  return EXIT.ok;
}
