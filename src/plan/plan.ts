// The plan a scan result turns into: everything the store writes, decided before any write.

import type { LibraryMatch } from '../detect/intel/libraries.js';
import type { AlertType, CanaryReport, Initiator, RuntimeSignal, ScriptKind, Severity } from '../capture/types.js';
import type { MaskSettings } from './normalize.js';

export interface ObservationMeta {
  kind: ScriptKind;
  url: string | null;
  frameUrl: string;
  status: number | null;
  headers: Record<string, string>;
  remoteIp: string | null;
  remotePort: number | null;
  initiator: Initiator | null;
  sri: string | null;
  size: number | null;
  loadError: string | null;
  /** SHA-256 of the text with volatile tokens masked (see normalize.ts). */
  normalized: string | null;
  /** Set when the raw bytes differ from every accepted version but the normalised text matches one. */
  masked: string | null;
}

export interface PlannedScript {
  knownId: number | null;
  key: string;
  kind: ScriptKind;
  url: string | null;
  frameUrl: string;
  sha256: string | null;
  meta: ObservationMeta;
  /** The library this version is, when recognised; set only for versions not seen before. */
  library?: LibraryMatch | null;
}

export interface PlannedDestination {
  host: string;
  types: string[];
  methods: string[];
  initiators: string[];
}

export interface PlannedAlert {
  type: AlertType;
  severity: Severity;
  page: string;
  subject: string;
  subjectType: 'script' | 'header' | 'host';
  subjectKey: string;
  summary: string;
  dedupeKey: string;
  oldValue: string | null;
  newValue: string | null;
  details: Record<string, unknown>;
}

export interface BaselineAdd {
  subjectType: 'script' | 'header' | 'host';
  subjectKey: string;
  value: string;
  normalized?: string | null;
}

export interface ScanPlan {
  target: { name: string; url: string; type: 'page' | 'resource' };
  profile: string;
  scan: {
    url: string;
    finalUrl: string | null;
    startedAt: string;
    finishedAt: string;
    status: 'ok' | 'failed';
    errorCode: string | null;
    errorMessage: string | null;
    httpStatus: number | null;
    paymentForm: boolean;
    headers: Record<string, string>;
    forms: { payment: boolean; login: boolean; evidence: string[] };
    /** What the scan could not see in full: limits that cut the capture short, sub-resources that failed to load. */
    warnings: string[];
    /** A limit cut the capture short: what it did not record is not missing, so removals are not judged. */
    partial: boolean;
    /** Scripts the page asked for that did not load (reset, DNS, HTTP error): neither removed nor changed. */
    failedLoads: { url: string; error: string }[];
    /** The behavioural pass: canary report and runtime signals, kept as evidence. */
    canary: CanaryReport | null;
    runtime: RuntimeSignal[];
  };
  /** Bodies by SHA-256; the store writes only those it does not have yet. */
  bodies: Map<string, string>;
  /** Evidence of the load (HTML, screenshot, HAR…): the store keeps it only when the scan raises a new alert. */
  evidence?: { name: string; bytes: Buffer }[];
  scripts: PlannedScript[];
  /** Known scripts this scan did not see, with their new count of consecutive misses. */
  missing: { id: number; missingStreak: number }[];
  destinations: PlannedDestination[];
  baselineAdds: BaselineAdd[];
  /**
   * Volatile positions learned from the extra loads taken while a baseline is established: the settings each script
   * gets, by key, stored as they are (its baseline entries are already hashed under them).
   */
  learned: { key: string; settings: MaskSettings }[];
  /** Other versions the extra baseline loads served (A/B variants): accepted into the pending baseline too. */
  variants: { key: string; sha256: string }[];
  alerts: PlannedAlert[];
}
