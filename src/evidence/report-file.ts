// A report file: its period from the request (CLI flags or the dashboard's form), built, rendered and sealed.

import { ScriptwardenError } from '../errors.js';
import type { Config } from '../config/config.js';
import type { Store } from '../store/open-store.js';
import { inOrder } from '../store/sql.js';
import { buildReport, type ReportParameters } from './report-data.js';
import { reportHtml } from './report-html.js';
import { periodDigest, sealReport, type ReportFormat } from './report-manifest.js';

export const REPORT_FORMATS: ReportFormat[] = ['html', 'pdf', 'json'];
const DEFAULT_DAYS = 90;

/** A date (YYYY-MM-DD: the start of the day, or its end for --to) or an ISO time, as ISO text. */
export function parseReportDate(raw: string, flag: '--from' | '--to'): string {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(raw);
  const ms = Date.parse(dateOnly ? `${raw}T00:00:00.000Z` : raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(ms)) throw new ScriptwardenError('USAGE', `${flag} must be a date (2026-12-01) or an ISO time (2026-12-01T09:00:00Z), not "${raw}"`);
  return new Date(dateOnly && flag === '--to' ? ms + 86_400_000 - 1 : ms).toISOString();
}

/** The report as the bytes of a file of the given format, sealed with its manifest. */
export async function renderReport(store: Store, config: Config, parameters: ReportParameters, format: ReportFormat, generator: string, pdf: (html: string) => Promise<Buffer>): Promise<Buffer> {
  const report = await buildReport(store, config, parameters);
  const head = report.tamperEvidence.chainHeadAtEnd;
  const fields = { chainHead: head, periodDigest: periodDigest(report, head), parameters, generator };
  if (format === 'json') return sealReport('json', report, fields);
  const html = reportHtml(report, generator);
  return sealReport(format, format === 'pdf' ? await pdf(html) : Buffer.from(html), fields);
}

/**
 * The period: --from and --to as given; without --from, the 90 days before --to, but not before monitoring began
 * (the first scan of the targets reported), so a new installation is not reported as missing evaluations it never had.
 */
export async function reportParameters(options: { from?: string; to?: string; target?: string[] }, config: Config, store: Store): Promise<ReportParameters> {
  const now = new Date().toISOString();
  const to = options.to ? parseReportDate(options.to, '--to') : now;
  const targets = options.target ?? [];
  for (const name of targets) if (!config.targets.some((t) => t.name === name)) throw new ScriptwardenError('USAGE', `unknown target "${name}"`);
  let from = options.from ? parseReportDate(options.from, '--from') : new Date(Date.parse(to) - DEFAULT_DAYS * 86_400_000).toISOString();
  if (!options.from) {
    const firsts = (await inOrder(targets.length ? targets : config.targets.map((t) => t.name), (name) => store.scans.firstAt(name))).filter((at): at is string => at !== null);
    const began = firsts.sort()[0];
    if (began && began > from && began <= to) from = began;
  }
  if (from > to) throw new ScriptwardenError('USAGE', `--from (${from}) is after --to (${to})`);
  return { targets, from, to, generatedAt: now };
}

