// What visitors' browsers report (pure): CSP violation reports in both formats (report-uri's application/csp-report
// and the Reporting API's application/reports+json) made into one compact, bounded shape, and whether the crawler's
// record explains each.

import { createHash } from 'node:crypto';

/** Reports one request may carry; the rest of the request is refused. */
export const MAX_REPORTS_PER_REQUEST = 100;

export interface VisitorReport {
  /** What the browser blocked (or would have): a URL without its query, or inline / eval / data / blob. */
  blocked: string;
  directive: string;
  /** The page it happened on, without its query. */
  document: string;
  /** Where in the page's code (a script URL without its query), and the line. */
  source: string | null;
  line: number | null;
  /** The first characters of the script, when the policy asks for samples ('report-sample'). */
  sample: string | null;
  uaFamily: string;
  device: 'mobile' | 'tablet' | 'desktop' | 'unknown';
}

const clip = (value: unknown, max: number): string | null => (typeof value === 'string' && value.length > 0 ? value.slice(0, max) : null);

/** A URL as the reports keep it: origin and path, no query or fragment (tokens, session ids); keywords as they are. */
export function reportUrl(value: unknown): string | null {
  const text = clip(value, 2048);
  if (text === null) return null;
  if (/^(inline|eval|wasm-eval|trusted-types-policy|trusted-types-sink|self|data|blob)$/i.test(text)) return text.toLowerCase();
  try {
    const url = new URL(text);
    if (url.protocol === 'data:' || url.protocol === 'blob:') return url.protocol.slice(0, -1);
    return `${url.origin}${url.pathname}`.slice(0, 512);
  } catch {
    return text.replace(/[?#].*$/, '').slice(0, 512);
  }
}

/** The browser family and device class of a user agent (the user agent itself is not kept). */
export function userAgentClass(ua: unknown): { uaFamily: string; device: VisitorReport['device'] } {
  const text = typeof ua === 'string' ? ua.slice(0, 512) : '';
  if (!text) return { uaFamily: 'unknown', device: 'unknown' };
  const uaFamily = /Edg\//.test(text) ? 'Edge' : /OPR\/|Opera/.test(text) ? 'Opera' : /SamsungBrowser/.test(text) ? 'Samsung Internet'
    : /Firefox\//.test(text) ? 'Firefox' : /Chrome\/|CriOS\//.test(text) ? 'Chrome' : /Safari\//.test(text) ? 'Safari' : 'other';
  const device = /iPad|Tablet/.test(text) ? 'tablet' : /Mobi|Android|iPhone/.test(text) ? 'mobile' : 'desktop';
  return { uaFamily, device };
}

function normalise(body: Record<string, unknown>, ua: unknown): VisitorReport | null {
  const get = (...names: string[]) => names.map((n) => body[n]).find((v) => v !== undefined);
  const directive = clip(get('effectiveDirective', 'effective-directive', 'violatedDirective', 'violated-directive'), 100)?.split(/\s/)[0] ?? null;
  const blocked = reportUrl(get('blockedURL', 'blocked-uri', 'blockedURI'));
  const document = reportUrl(get('documentURL', 'document-uri', 'documentURI'));
  if (!directive || !blocked || !document) return null;
  const line = Number(get('lineNumber', 'line-number'));
  return {
    blocked, directive: directive.toLowerCase(), document,
    source: reportUrl(get('sourceFile', 'source-file')),
    line: Number.isInteger(line) && line >= 0 ? Math.min(line, 10_000_000) : null,
    sample: clip(get('sample', 'script-sample'), 40),
    ...userAgentClass(ua),
  };
}

/**
 * The reports of one request body; an error (a message) for a body that is not one of the two formats, or that holds
 * more than MAX_REPORTS_PER_REQUEST. Reports of other types (deprecation, intervention) are skipped.
 */
export function parseReports(contentType: string, text: string, userAgent: unknown): VisitorReport[] | { error: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { error: 'the body is not JSON' };
  }
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/csp-report' || (type === 'application/json' && !Array.isArray(data))) {
    const inner = (data as { 'csp-report'?: unknown } | null)?.['csp-report'];
    if (!inner || typeof inner !== 'object') return { error: 'a csp-report body has a "csp-report" object' };
    const report = normalise(inner as Record<string, unknown>, userAgent);
    return report ? [report] : { error: 'the report names no blocked URL, directive or document' };
  }
  if (type === 'application/reports+json' || type === 'application/json') {
    if (!Array.isArray(data)) return { error: 'a reports+json body is a list of reports' };
    if (data.length > MAX_REPORTS_PER_REQUEST) return { error: `at most ${MAX_REPORTS_PER_REQUEST} reports per request` };
    const out: VisitorReport[] = [];
    for (const item of data as { type?: unknown; body?: unknown; user_agent?: unknown }[]) {
      if (!item || typeof item !== 'object' || item.type !== 'csp-violation' || !item.body || typeof item.body !== 'object') continue;
      const report = normalise(item.body as Record<string, unknown>, item.user_agent ?? userAgent);
      if (report) out.push(report);
    }
    return out;
  }
  return { error: `reports are application/csp-report or application/reports+json, not ${type.slice(0, 60) || 'nothing'}` };
}

/** Identical reports share a fingerprint: they are counted, not stored again. */
export function reportFingerprint(r: VisitorReport): string {
  return createHash('sha256').update(JSON.stringify([r.blocked, r.directive, r.document, r.source, r.line, r.sample, r.uaFamily, r.device])).digest('hex').slice(0, 32);
}

/** Directives about where a page sends or loads data from, rather than which code runs. */
const DESTINATION = /^(connect-src|img-src|frame-src|child-src|form-action|media-src|font-src|style-src|style-src-elem|worker-src|manifest-src|prefetch-src|default-src)$/;

/** What a report is about: a script (code that ran or tried to), a destination, or neither (inline styles, say). */
export function reportKind(r: VisitorReport): 'script' | 'destination' | 'other' {
  if (/^script-src/.test(r.directive)) return 'script';
  if (DESTINATION.test(r.directive) && /^https?:\/\//.test(r.blocked)) return 'destination';
  return 'other';
}

/** The host of what a report blocked (with a port when it names one), or null for keywords. */
export function reportHost(r: VisitorReport): string | null {
  try {
    return /^https?:\/\//.test(r.blocked) ? new URL(r.blocked).host.toLowerCase() : null;
  } catch {
    return null;
  }
}

/** Collapses whitespace: an inline script's sample is compared with the start of the bodies the crawler kept. */
export const squeezeSpace = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * What a visitor alert would be about for this report: a script URL, an inline script by its first characters (when
 * the browser sent a sample), or a destination host; null for reports that cannot be told apart (inline without a
 * sample, eval, styles). One subject is one alert, whatever devices and browsers reported it.
 */
export function reportSubject(r: VisitorReport): { type: 'visitor.unseen-script' | 'visitor.unseen-destination'; subject: string } | null {
  const kind = reportKind(r);
  if (kind === 'script' && /^https?:\/\//.test(r.blocked)) return { type: 'visitor.unseen-script', subject: r.blocked };
  if (kind === 'script' && r.blocked === 'inline' && r.sample && squeezeSpace(r.sample)) return { type: 'visitor.unseen-script', subject: `inline script "${squeezeSpace(r.sample)}" on ${r.document}` };
  const host = kind === 'destination' ? reportHost(r) : null;
  return host ? { type: 'visitor.unseen-destination', subject: host } : null;
}
