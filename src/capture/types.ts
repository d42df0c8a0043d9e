// Shared domain types: what a crawl captures, what the store remembers, what an alert says.

import type { CaptureFailureCode } from '../errors.js';
import type { CanaryPass } from './canary-types.js';
import type { RuntimeSignal } from './runtime-signal.js';

export type { CanaryPass, CanaryReport, CanaryValues, ExfiltrationFinding, OutboundItem, StoredFinding } from './canary-types.js';
export type { RuntimeSignal } from './runtime-signal.js';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ALERT_TYPES = [
  'script.added',
  'script.changed',
  'script.removed',
  'header.changed',
  'connection.added',
  'resource.changed',
  'exfiltration.detected',
  'miner.detected',
  'canary.stored',
  'target.unhealthy',
  'alerts.capped',
  'provenance.mismatch',
  'intel.match',
  'visitor.unseen-script',
  'visitor.unseen-destination',
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

/** Alerts whose old and new values are bodies (SHA-256 of a script or file version), shown as a diff. */
export function comparesBodies(type: string): boolean {
  return /^(script|resource|provenance)\./.test(type);
}

/** `resolved`: closed by scriptwarden itself (a target.unhealthy alert whose target recovered). */
export const ALERT_STATUSES = ['open', 'approved', 'rejected', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** How a script came to run. `eval` covers code compiled at run time (eval, new Function, script text inserted by another script). */
export const SCRIPT_KINDS = ['external', 'inline', 'dynamic', 'module', 'worker', 'eval', 'resource'] as const;
export type ScriptKind = (typeof SCRIPT_KINDS)[number];

export const SECURITY_HEADERS = [
  'content-security-policy',
  'content-security-policy-report-only',
  'strict-transport-security',
  'x-frame-options',
  'x-content-type-options',
  'referrer-policy',
  'permissions-policy',
] as const;
export type SecurityHeaderName = (typeof SECURITY_HEADERS)[number];

export interface Initiator {
  /** parser, script, eval, other… as Chrome reports it. */
  type: string;
  /** URL of the document or script that caused the load or compiled the code. */
  url: string | null;
  line: number | null;
  /** For code inserted or compiled by another script: that script's capture-local id. */
  scriptRef: string | null;
}

/** The loadError of a script the engine ran but whose source could not be read back (not a failed load). */
export const SOURCE_UNAVAILABLE = 'source not available';

export interface ScriptCapture {
  /** Capture-local id (Chrome's scriptId or a request id); links eval code to its parent. */
  ref: string;
  kind: ScriptKind;
  /** Script URL; null for inline and runtime-compiled code. */
  url: string | null;
  frameUrl: string;
  isMainFrame: boolean;
  initiator: Initiator | null;
  status: number | null;
  headers: Record<string, string>;
  remoteIp: string | null;
  remotePort: number | null;
  /** Source text as the engine received it; null when it could not be read. */
  body: string | null;
  /** Why the body is missing (load failure). */
  loadError: string | null;
  /** The body exceeded limits.maxBodyBytes (or the page's limits.maxPageBytes): it is fingerprinted and compared, but not stored. */
  bodyTooLarge: boolean;
  /** The fingerprint of a body the crawler did not keep (over a limit); `body` is then null. */
  fingerprint?: { sha256: string; sri: string; size: number };
}

export interface RequestCapture {
  url: string;
  /** Chrome resource type: Script, XHR, Fetch, Image, Ping, WebSocket, Document, … */
  type: string;
  method: string;
  frameUrl: string | null;
  /** URL of the script that initiated it, where Chrome can tell. */
  initiatorUrl: string | null;
}

export interface FormSignals {
  payment: boolean;
  login: boolean;
  /** Short human-readable reasons, e.g. `input[autocomplete=cc-number]`. */
  evidence: string[];
}

export type CaptureOutcome =
  | { ok: true }
  | { ok: false; code: CaptureFailureCode; reason: string };

/** The server certificate and connection of an HTTPS response, as Chrome saw it. */
export interface TlsDetails {
  protocol: string;
  cipher: string;
  subjectName: string;
  issuer: string;
  /** ISO times. */
  validFrom: string;
  validTo: string;
  sanList: string[];
}

/** One request of the page load, for the HAR file kept as evidence. */
export interface NetworkEntry {
  url: string;
  method: string;
  type: string;
  /** ISO time the request was sent. */
  startedAt: string;
  /** Milliseconds from request to the end of loading; null when it never finished. */
  durationMs: number | null;
  status: number | null;
  statusText: string;
  httpVersion: string;
  requestHeaders: Record<string, string>;
  responseHeaders: Record<string, string>;
  mimeType: string;
  remoteIp: string | null;
  remotePort: number | null;
  encodedBytes: number;
  failed: string | null;
  initiator: { type: string; url: string | null } | null;
  tls: TlsDetails | null;
}

/** What a load leaves for an incident record; stored only for scans that raise alerts. */
export interface PageEvidence {
  /** The main document as the server sent it (bounded by limits.maxBodyBytes). */
  documentHtml: string | null;
  /** The DOM after load and settle, serialized. */
  domHtml: string | null;
  /** Full-page PNG, base64 (height capped). */
  screenshotPng: string | null;
  network: NetworkEntry[];
  /** The main document's TLS connection; null over plain HTTP. */
  tls: TlsDetails | null;
}

/** Everything one load of one target in one profile showed. Plain data: no handles, no functions. */
export interface PageCapture {
  target: string;
  targetType: 'page' | 'resource';
  profile: string;
  requestedUrl: string;
  finalUrl: string | null;
  startedAt: string;
  finishedAt: string;
  outcome: CaptureOutcome;
  documentStatus: number | null;
  /** Security headers of the main document, lower-case names; absent headers are omitted. */
  securityHeaders: Partial<Record<SecurityHeaderName, string>>;
  scripts: ScriptCapture[];
  requests: RequestCapture[];
  forms: FormSignals;
  /** Limits that cut the capture short (scripts per page, body size). */
  truncated: string[];
  /** Notices that do not make the capture partial: requests refused to the monitor's own network, bodies not kept. */
  notices?: string[];
  /** The canary pass, on pages with a payment or login form; null when it did not run. */
  canary?: CanaryPass | null;
  /** Runtime signals from the page instrumentation (payment-field listeners and reads, beacons, miners). */
  runtime?: RuntimeSignal[];
  /** HTML, screenshot, network log and TLS of the load; absent for resources and failed loads. */
  evidence?: PageEvidence | null;
}

export interface AlertRecord {
  id: number;
  type: AlertType;
  severity: Severity;
  status: AlertStatus;
  target: string;
  page: string;
  profile: string;
  subject: string;
  summary: string;
  firstSeen: string;
  lastSeen: string;
  oldValue: string | null;
  newValue: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  note: string | null;
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** One violation of a proposed policy, as the browser reported it while the page was replayed with it enforced. */
export interface PolicyViolation {
  /** The directive that blocked it: script-src-elem, connect-src, … */
  directive: string;
  /** The URL blocked, or `inline` / `eval`. */
  blocked: string;
  /** Where in the page's code it happened (URL:line), when the browser says. */
  source: string | null;
}

/** A replay of a page with a policy enforced (see crawler/replay-policy). */
export interface PolicyReplay { ok: boolean; error: string | null; violations: PolicyViolation[] }

/** The capturing browser's state, as /healthz and /metrics report it. */
export interface BrowserState {
  /** running, down (crashed, relaunching at the next scan), not-started (no page targets yet), closed */
  state: 'running' | 'down' | 'not-started' | 'closed';
  pid: number | null;
  restarts: number;
  lastRestartAt: string | null;
}
