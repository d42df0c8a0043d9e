// A report's manifest: the SHA-256 of its body and the scan-chain head it was built from, sealed onto the file.

import { createHash } from 'node:crypto';
import { ScriptwardenError } from '../errors.js';
import type { ChainHead } from '../store/report-reads.js';
import type { ReportData, ReportParameters } from './report-data.js';

export type ReportFormat = 'html' | 'pdf' | 'json';

export interface ReportManifest {
  format: ReportFormat;
  /** SHA-256 of the body: for HTML and PDF every byte before the manifest line, for JSON the `report` member as written. */
  sha256: string;
  chainHead: ChainHead | null;
  /**
   * SHA-256 of what the period itself recorded and can never change (periodFacts): `report --verify` derives it again
   * from the database, so a report whose body and hash were both rewritten is still caught.
   */
  periodDigest: string;
  parameters: ReportParameters;
  generator: string;
}

/**
 * The facts of a period that later events cannot change: the chain heads, and per page each scan up to the chain
 * head (id, time, result), each header value and when it was first seen, each alert's id, type, subject and detection
 * time. Decisions and the inventory are left out: they may be made or changed after the period.
 */
export function periodFacts(report: ReportData, head: ChainHead | null): unknown {
  const upTo = head?.scanId ?? 0;
  return {
    chainHeadAtStart: report.tamperEvidence.chainHeadAtStart,
    chainHeadAtEnd: head,
    pages: report.pages.map((page) => ({
      target: page.target,
      scans: page.evaluation.scans.filter((s) => s.id <= upTo).map((s) => [s.id, s.at, s.status, s.errorCode]),
      headers: page.headers.filter((h) => h.scanId <= upTo).map((h) => [h.header, h.profile, h.value, h.since, h.scanId]),
      alerts: page.alerts.filter((a) => a.scanId <= upTo).map((a) => [a.id, a.type, a.subject, a.detectedAt]),
    })),
  };
}

export const periodDigest = (report: ReportData, head: ChainHead | null): string => sha256(JSON.stringify(periodFacts(report, head)));

const HTML_MARK = '<!-- scriptwarden-manifest ';
const PDF_MARK = '\n%scriptwarden-manifest ';
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const jsonBody = (report: unknown) => JSON.stringify(report, null, 2);

/**
 * The file: the body, then its manifest. In HTML an end comment (dashes escaped, so it cannot close early); in PDF a
 * comment line after %%EOF, which readers ignore; in JSON a `manifest` member beside `report`.
 */
export function sealReport(format: ReportFormat, body: Buffer | ReportData, fields: Omit<ReportManifest, 'format' | 'sha256'>): Buffer {
  if (format === 'json') {
    const text = jsonBody(body);
    const manifest: ReportManifest = { format, sha256: sha256(text), ...fields };
    return Buffer.from(`{\n"manifest": ${JSON.stringify(manifest)},\n"report": ${text}\n}\n`);
  }
  const bytes = body as Buffer;
  const manifest = JSON.stringify({ format, sha256: sha256(bytes), ...fields } satisfies ReportManifest);
  const line = format === 'html' ? `${HTML_MARK}${manifest.replace(/-/g, '\\u002d')} -->\n` : `${PDF_MARK}${manifest}\n`;
  return Buffer.concat([bytes, Buffer.from(line)]);
}

export interface OpenedReport {
  manifest: ReportManifest;
  /** Whether the body's SHA-256 is the one its manifest records. */
  intact: boolean;
  actualSha256: string;
  report: ReportData | null;
}

function manifestOf(raw: string): ReportManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ScriptwardenError('USAGE', 'the report\'s manifest is not valid JSON: the file was changed or cut off');
  }
  const m = parsed as Partial<ReportManifest> | null;
  if (!m || typeof m.sha256 !== 'string' || !['html', 'pdf', 'json'].includes(m.format as string)) {
    throw new ScriptwardenError('USAGE', 'the report\'s manifest lacks its format or SHA-256: the file was changed');
  }
  const head = m.chainHead as Partial<ChainHead> | null | undefined;
  if (head !== null && (typeof head !== 'object' || !Number.isSafeInteger(head.scanId) || typeof head.hash !== 'string')) {
    throw new ScriptwardenError('USAGE', 'the report\'s manifest names no valid chain head: the file was changed');
  }
  return m as ReportManifest;
}

/** Reads a sealed report of any format and checks its body against the manifest. */
export function openReport(bytes: Buffer): OpenedReport {
  const head = bytes.subarray(0, 5).toString('latin1');
  if (head === '%PDF-') {
    const at = bytes.lastIndexOf(PDF_MARK, undefined, 'latin1');
    if (at === -1) throw new ScriptwardenError('USAGE', 'this PDF has no scriptwarden manifest: it is not a scriptwarden report, or its end was cut off');
    const body = bytes.subarray(0, at);
    const manifest = manifestOf(bytes.subarray(at + PDF_MARK.length).toString('utf8').trim());
    return { manifest, intact: sha256(body) === manifest.sha256 && manifest.format === 'pdf', actualSha256: sha256(body), report: null };
  }
  const text = bytes.toString('utf8');
  if (text.trimStart().startsWith('{')) {
    let parsed: { manifest?: unknown; report?: unknown };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      throw new ScriptwardenError('USAGE', 'this JSON report does not parse: it was changed or cut off');
    }
    const manifest = manifestOf(JSON.stringify(parsed.manifest ?? null));
    const actual = sha256(jsonBody(parsed.report ?? null));
    return { manifest, intact: actual === manifest.sha256 && manifest.format === 'json', actualSha256: actual, report: (parsed.report ?? null) as ReportData | null };
  }
  const at = bytes.lastIndexOf(HTML_MARK, undefined, 'utf8');
  if (at === -1) throw new ScriptwardenError('USAGE', 'this file has no scriptwarden manifest: it is not a scriptwarden report (html, pdf or json), or its end was cut off');
  const body = bytes.subarray(0, at);
  const tail = bytes.subarray(at + HTML_MARK.length).toString('utf8');
  const end = tail.lastIndexOf(' -->');
  const manifest = manifestOf(end === -1 ? tail : tail.slice(0, end));
  return { manifest, intact: sha256(body) === manifest.sha256 && manifest.format === 'html', actualSha256: sha256(body), report: null };
}
