// Shared domain types: what a crawl captures, what the store remembers, what an alert says.

import type { CaptureFailureCode } from '../errors.js';

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
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

/** `resolved`: closed by scriptwarden itself (a target.unhealthy alert whose target recovered). */
export const ALERT_STATUSES = ['open', 'approved', 'rejected', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** How a script came to run. `eval` covers code compiled at run time (eval, new Function, script text inserted by another script). */
export type ScriptKind = 'external' | 'inline' | 'dynamic' | 'module' | 'worker' | 'eval' | 'resource';

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

/** Canary data that reached a host it should not: one destination, channel and sending script. */
export interface ExfiltrationFinding {
  host: string;
  /** The first request or frame that carried it (URL without its query when the query is long). */
  url: string;
  method: string;
  /** xhr, fetch, beacon, image, websocket, navigation, script, other */
  channel: string;
  /** Which canary values: cardNumber, name, email. */
  fields: string[];
  /** How they were encoded: raw, url-encoded, base64, hex, reversed, digits… */
  encodings: string[];
  /** Where in the request: url, header, body, frame. */
  locations: string[];
  /** The script that sent it, from Chrome's initiator stack, where available. */
  script: string | null;
  /** Sent to the page's own site (a path other than the form's action): the destination is that path. */
  sameSite?: boolean;
  path?: string;
}

/** Canary data a script wrote to browser storage: collected on this page, to be sent from a later one. */
export interface StoredFinding {
  /** localStorage, sessionStorage, cookie, IndexedDB */
  area: string;
  /** The storage key (or store name), bounded. */
  key: string;
  script: string | null;
  fields: string[];
  encodings: string[];
}

/** What a script did at run time, as the page instrumentation saw it. */
export interface RuntimeSignal {
  /** listen, read (payment fields), beacon (image src), wasm, blob-worker, websocket, sent (other channels), stored */
  kind: string;
  detail: string;
  /** URL of the calling script, from the stack; null when it could not be told. */
  script: string | null;
  /** For `sent` (WebRTC, postMessage, window.open, link hints) and `stored` (storage, cookies): what it carried, bounded. */
  data?: string;
}

/** The canary data the behavioural pass types: synthetic, unique per scan. */
export interface CanaryValues {
  /** 16 digits, Luhn-valid, unique per scan. */
  cardNumber: string;
  name: string;
  /** MM/YY */
  expiry: string;
  cvc: string;
  email: string;
  /** For login forms. */
  password: string;
}

/** One thing the page sent: a request (URL, headers, body) or a WebSocket frame. */
export interface OutboundItem {
  url: string;
  method: string;
  /** Chrome's resource type: XHR, Fetch, Ping, Image, WebSocket, Document, Script, … */
  type: string;
  headers: Record<string, string>;
  body: string | null;
  /** Set for WebSocket frames: the payload sent. */
  frame?: string;
  script: string | null;
}

/** What the behavioural pass did, as the crawler saw it: the judgement's inputs (src/detect/canary.ts judges them). */
export interface CanaryPass {
  /** Last four digits of the canary card number: enough to find it in logs, not a card. */
  cardLast4: string;
  /** Fields filled, as `field → selector`. */
  filled: string[];
  /** The button or form the pass submitted, if any. */
  submitted: string | null;
  /** Requests the pass refused so that no real order is placed (`POST https://shop/order`). */
  blocked: string[];
  /** What was typed, and the action of the form submitted: the one place card data may legitimately go. */
  values: CanaryValues;
  formAction: string | null;
  /** Everything the page (and the next page, and windows it opened) sent, in order, up to the search budget. */
  outbound: OutboundItem[];
  /** Items past the search budget (8 MB of text): counted, not kept. */
  unsearched: number;
  /** Writes to storage and cookies during the pass, with what they carried (bounded). */
  staged: RuntimeSignal[];
}

/** What the behavioural pass found on a page with a payment or login form: the judged pass, as a scan records it. */
export interface CanaryReport {
  /** Last four digits of the canary card number: enough to find it in logs, not a card. */
  cardLast4: string;
  /** Fields filled, as `field → selector`. */
  filled: string[];
  /** The button or form the pass submitted, if any. */
  submitted: string | null;
  /** Requests the pass refused so that no real order is placed (`POST https://shop/order`). */
  blocked: string[];
  findings: ExfiltrationFinding[];
  /** Canary values written to browser storage or cookies by a script (staged, not yet sent). */
  stored?: StoredFinding[];
  /** Outbound items past the per-page search budget (8 MB of text), counted but not searched. */
  unsearched?: number;
}

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

/** The capturing browser's state, as /healthz and /metrics report it. */
export interface BrowserState {
  /** running, down (crashed, relaunching at the next scan), not-started (no page targets yet), closed */
  state: 'running' | 'down' | 'not-started' | 'closed';
  pid: number | null;
  restarts: number;
  lastRestartAt: string | null;
}
