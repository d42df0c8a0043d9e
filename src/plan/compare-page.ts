// Planning for what a page shows besides its scripts: security headers and the hosts it contacted.

import type { BaselineSnapshot } from './baseline.js';
import type { PlannedDestination, ScanPlan } from './plan.js';
import { connectionAddedSeverity, headerChangeSeverity } from './severity.js';
import { SECURITY_HEADERS, type CanaryReport, type PageCapture } from '../capture/types.js';

/** CSP nonces differ on every response by design; they are masked so an unchanged policy compares equal. */
export function comparableHeaderValue(name: string, value: string | null): string | null {
  if (value === null || !name.startsWith('content-security-policy')) return value;
  return value.replace(/'nonce-[^']*'/gi, "'nonce-*'");
}

export function compareHeaders(capture: PageCapture, baseline: BaselineSnapshot, plan: ScanPlan): void {
  if (capture.targetType !== 'page') return;
  for (const name of SECURITY_HEADERS) {
    const value = comparableHeaderValue(name, capture.securityHeaders[name] ?? null);
    const encoded = JSON.stringify(value);
    const accepted = baseline.headers.get(name) ?? [];
    if (!baseline.established || accepted.length === 0) {
      plan.baselineAdds.push({ subjectType: 'header', subjectKey: name, value: encoded });
      continue;
    }
    if (accepted.includes(encoded)) continue;
    const oldValue = JSON.parse(accepted[0]!) as string | null;
    const { severity, reasons } = headerChangeSeverity({ name, oldValue, newValue: value });
    const verb = value === null ? 'removed' : oldValue === null ? 'added' : reasons[0] === 'value changed' ? 'changed' : 'weakened';
    plan.alerts.push({
      type: 'header.changed',
      severity,
      page: plan.target.url,
      subject: name,
      subjectType: 'header',
      subjectKey: name,
      summary: `${name} ${verb} on ${plan.target.url}${verb === 'weakened' ? `: ${reasons.join('; ')}` : ''}`,
      dedupeKey: `header.changed|${name}|${encoded}`,
      oldValue,
      newValue: value,
      details: { reasons },
    });
  }
}

const DATA_SENDING_TYPES = new Set(['Ping', 'WebSocket', 'EventSource']);

/** The hosts a page contacted over HTTP(S) or WebSocket, with how and by which scripts. */
export function collectDestinations(capture: Pick<PageCapture, 'requests'>): PlannedDestination[] {
  const byHost = new Map<string, { types: Set<string>; methods: Set<string>; initiators: Set<string> }>();
  for (const request of capture.requests) {
    let host: string;
    try {
      const url = new URL(request.url);
      if (!/^(https?|wss?):$/.test(url.protocol)) continue;
      host = url.host.toLowerCase();
    } catch {
      continue;
    }
    const entry = byHost.get(host) ?? { types: new Set(), methods: new Set(), initiators: new Set() };
    entry.types.add(request.type);
    entry.methods.add(request.method);
    if (request.initiatorUrl) entry.initiators.add(request.initiatorUrl);
    byHost.set(host, entry);
  }
  return [...byHost.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([host, e]) => ({ host, types: [...e.types].sort(), methods: [...e.methods].sort(), initiators: [...e.initiators].sort() }));
}

export function compareDestinations(capture: PageCapture, baseline: BaselineSnapshot, plan: ScanPlan): void {
  if (capture.targetType !== 'page') return;
  plan.destinations = collectDestinations(capture);
  for (const destination of plan.destinations) {
    if (!baseline.established) {
      plan.baselineAdds.push({ subjectType: 'host', subjectKey: destination.host, value: '' });
      continue;
    }
    if (baseline.hosts.has(destination.host)) continue;
    const sendsData =
      destination.methods.some((m) => m !== 'GET' && m !== 'HEAD' && m !== 'OPTIONS') ||
      destination.types.some((t) => DATA_SENDING_TYPES.has(t));
    const by = destination.initiators.length ? ` by ${destination.initiators.join(', ')}` : '';
    plan.alerts.push({
      type: 'connection.added',
      severity: connectionAddedSeverity({ paymentPage: plan.scan.paymentForm, sendsData }),
      page: plan.target.url,
      subject: destination.host,
      subjectType: 'host',
      subjectKey: destination.host,
      summary: `New destination ${destination.host} (${destination.types.join(', ')}; ${destination.methods.join(', ')}) contacted${by}`,
      dedupeKey: `connection.added|${destination.host}`,
      oldValue: null,
      newValue: destination.host,
      details: { ...destination, sendsData },
    });
  }
}

/**
 * Canary values that reached a host other than the page's own site and the approved processors: `critical`, on the
 * very first scan too. An approved alert (subject `exfil:<host>`) accepts that host as a processor from then on.
 */
export function compareCanary(report: CanaryReport, baseline: BaselineSnapshot, plan: ScanPlan): void {
  for (const finding of report.findings) {
    // On the shop's own site the endpoint is the destination: approving it does not approve the whole site.
    const destination = finding.sameSite ? `${finding.host}${finding.path ?? ''}` : finding.host;
    const subjectKey = `exfil:${destination}`;
    if (baseline.acceptedFindings.has(subjectKey)) continue;
    const by = finding.script ? ` by ${finding.script}` : '';
    plan.alerts.push({
      type: 'exfiltration.detected',
      severity: 'critical',
      page: plan.target.url,
      subject: destination,
      subjectType: 'host',
      subjectKey,
      summary: `Canary ${finding.fields.join(', ')} sent to ${destination}${finding.sameSite ? " (the shop's own site, not the form's action)" : ''} via ${finding.channel} (${finding.method}; ${finding.encodings.join(', ')} in the ${finding.locations.join(', ')})${by}`,
      dedupeKey: `exfiltration.detected|${destination}|${finding.channel}|${finding.script ?? ''}`,
      oldValue: null,
      newValue: destination,
      details: { ...finding, canary: { cardLast4: report.cardLast4, filled: report.filled, submitted: report.submitted, blocked: report.blocked } },
    });
  }
}

/**
 * Canary values a script wrote to browser storage or cookies: card data staged on this page to be sent from a later
 * one. `high`: a finding, not yet an exfiltration; approving it accepts that script's use of that storage.
 */
export function compareStored(report: CanaryReport, baseline: BaselineSnapshot, plan: ScanPlan): void {
  for (const finding of report.stored ?? []) {
    const subjectKey = `stored:${finding.area}:${finding.script ?? ''}`;
    if (baseline.acceptedFindings.has(subjectKey)) continue;
    const by = finding.script ?? 'a script the page did not name';
    plan.alerts.push({
      type: 'canary.stored',
      severity: 'high',
      page: plan.target.url,
      subject: by,
      subjectType: 'host',
      subjectKey,
      summary: `Canary ${finding.fields.join(', ')} written to ${finding.area}${finding.key ? ` (${finding.key})` : ''} by ${by} (${finding.encodings.join(', ')}): card data staged to be sent later`,
      dedupeKey: `canary.stored|${finding.area}|${finding.script ?? ''}`,
      oldValue: null,
      newValue: finding.area,
      details: { ...finding, canary: { cardLast4: report.cardLast4, filled: report.filled, submitted: report.submitted } },
    });
  }
}

const POOL_HOST = /pool|mine|miner|xmr|monero|hash|coin|stratum|crypto/i;
const POOL_PORTS = new Set(['3333', '4444', '5555', '7777', '8888', '9999', '14444', '45700']);

function poolLike(url: string): boolean {
  try {
    const parsed = new URL(url);
    return POOL_HOST.test(parsed.hostname) || POOL_PORTS.has(parsed.port);
  } catch {
    return false;
  }
}

/**
 * Mining seen at run time: WebAssembly together with a blob worker or a WebSocket, or a WebSocket to a pool-like
 * host. `critical`, on the first scan too; one alert per script.
 */
export function compareRuntime(capture: PageCapture, baseline: BaselineSnapshot, plan: ScanPlan): void {
  const byScript = new Map<string, { wasm: boolean; blobWorker: boolean; sockets: string[]; cpu: string[] }>();
  for (const signal of capture.runtime ?? []) {
    const key = signal.script ?? plan.target.url;
    const entry = byScript.get(key) ?? { wasm: false, blobWorker: false, sockets: [], cpu: [] };
    if (signal.kind === 'wasm') entry.wasm = true;
    if (signal.kind === 'cpu') entry.cpu.push(signal.detail);
    if (signal.kind === 'blob-worker') entry.blobWorker = true;
    if (signal.kind === 'websocket') entry.sockets.push(signal.detail);
    byScript.set(key, entry);
  }
  // Workers report their own WebAssembly use without a page script; a page that starts a blob worker owns it.
  const anyWasm = [...byScript.values()].some((e) => e.wasm);
  const busyWorkers = [...byScript.values()].flatMap((e) => e.cpu);
  for (const [script, entry] of byScript) {
    const pools = entry.sockets.filter(poolLike);
    const wasm = entry.wasm || (entry.blobWorker && anyWasm);
    // Busy workers are reported without a script; a page script that built a blob worker owns their CPU time.
    const cpu = entry.cpu.length ? entry.cpu : entry.blobWorker ? busyWorkers : [];
    const signals = [wasm && 'WebAssembly', entry.blobWorker && 'a worker built from a blob', ...pools.map((p) => `a WebSocket to ${p}`), ...cpu].filter(Boolean) as string[];
    if (!((wasm && (entry.blobWorker || entry.sockets.length > 0)) || pools.length > 0 || (entry.blobWorker && cpu.length > 0))) continue;
    const subjectKey = `miner:${script}`;
    if (baseline.acceptedFindings.has(subjectKey)) continue;
    plan.alerts.push({
      type: 'miner.detected',
      severity: 'critical',
      page: plan.target.url,
      subject: script,
      subjectType: 'host',
      subjectKey,
      summary: `Crypto-mining behaviour by ${script}: ${signals.join(', ')}`,
      dedupeKey: `miner.detected|${script}`,
      oldValue: null,
      newValue: script,
      details: { script, signals, sockets: entry.sockets },
    });
  }
}
