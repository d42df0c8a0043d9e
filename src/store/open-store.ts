// The store factory: one object over one SQLite file, with close().

import type { BaselineSnapshot } from '../plan/baseline.js';
import type { MaskSettings } from '../plan/normalize.js';
import { readScriptSettings, rehashAccepted, writeScriptSettings } from './script-settings.js';
import type { ObservationMeta, ScanPlan } from '../plan/plan.js';
import { latestAlertId, listAlerts, readAlert, standingDedupeKeys, type AlertQuery, type AlertWithDetails } from './alerts.js';
import { alertDecisions, approveEverything, decideAlerts, type Decision, type DecisionRecord } from './alert-decisions.js';
import type { ApprovalPolicy } from '../auth/approvals.js';
import { applyPlan, type ApplyResult } from './apply-plan.js';
import { readBaseline } from './baseline-reader.js';
import { createBlobs, type Blobs } from './blobs.js';
import { openDatabase } from './database.js';
import { createAccess, type Access } from './access.js';
import { appendAudit } from './audit.js';
import type { Actor } from './users.js';
import { targetId } from './targets.js';
import { readFieldAccess, type FieldAccessRow } from './field-access.js';
import { chainMemo, verifyStore, type VerifyReport } from './scan-chain.js';
import { metaHasher, moveObservationsToSets } from './observation-sets.js';
import { dueNotifications, notificationsFor, pendingNotificationCount, pendingNotifications, queueNotification, recordAttempt, type NotificationRow } from './notifications.js';
import { openHealthAlert, readSchedule, resolveHealthAlert, saveSchedule, type ScheduleRow } from './monitoring.js';
import { alertTrail, listEvidence, putEvidence, type AlertTrail, type EvidenceFile } from './evidence.js';
import { applyRetention, type RetentionReport } from './retention.js';
import { createReleases, type Releases } from './releases.js';
import { chainHeadAt, firstScanAt, hasChainHead, headerHistory, periodScans, type ChainHead, type HeaderValues, type PeriodScan } from './report-reads.js';
import { readInventory, type InventoryQuery, type StoredScriptRow } from './inventory.js';
import { authorizationHistory, authorizeScripts, type Authorization, type AuthorizeInput } from './authorizations.js';
import { readDestinations, readHeaders, type HeaderRow, type StoredDestinationRow } from './page-inventory.js';
import {
  alertTrend, listScans, scannedPages, scannedTargetNames, scriptIdByKey, scriptInfo, scriptVersions, targetsOverview, versionMeta,
  type ScanRow, type ScriptInfo, type ScriptVersion, type TargetOverview,
} from './overview.js';

/** Alerts: read, decided, and which dedupe keys already stand. */
export interface AlertStore {
  list(filter: AlertQuery): AlertWithDetails[];
  get(id: number): AlertWithDetails | null;
  /** The newest alert's id; null before any. */
  latestId(): number | null;
  /** Of these dedupe keys, those an open or rejected alert already stands for (a new sighting only updates it). */
  standingKeys(target: string, profile: string, dedupeKeys: string[]): Set<string>;
  /** Decides alerts; under an approval policy an alert may need approvals by several people before it is approved. */
  decide(ids: number[], status: 'approved' | 'rejected', decision: Decision, policy?: ApprovalPolicy): AlertWithDetails[];
  /** Every decision on one alert, oldest first. */
  decisions(alertId: number): DecisionRecord[];
  approveAll(decision: Decision, policy?: ApprovalPolicy): { alerts: number; pending: number; decided: AlertWithDetails[] };
  /** Alerts raised per day, for the dashboard's trend. */
  trend(now: Date, days?: number): { day: string; count: number }[];
}

/** Scans: the baseline a scan reads, the plan it writes (one transaction), and the record of them all. */
export interface ScanStore {
  readBaseline(target: string, profile: string): BaselineSnapshot;
  applyPlan(plan: ScanPlan, now?: string): ApplyResult;
  list(filter: { target?: string; limit: number; offset: number }): ScanRow[];
  /** Open alerts by severity, and scans by status, for /metrics. */
  counts(): { openAlerts: Record<string, number>; scans: Record<string, number> };
  /** Checks the scan chain and every stored blob against their hashes. */
  verify(): VerifyReport;
  /** Removes observations of unchanged scripts from scans finished before the cutoff. */
  retain(cutoff: string, now?: string): RetentionReport;
  /** A target's scans started within [from, to], oldest first (the evaluation record of a report). */
  inPeriod(target: string, from: string, to: string): PeriodScan[];
  /** A target's response headers in the period, each time they changed. */
  headerHistory(target: string, from: string, to: string): HeaderValues[];
  /** The scan chain's head as of a time; and whether a head is still as recorded. */
  chainHeadAt(at: string): ChainHead | null;
  /** When a target was first scanned; null before any scan. */
  firstAt(target: string): string | null;
  hasChainHead(head: ChainHead): boolean;
}

/** What the pages run and send: scripts, their versions and settings, destinations, headers, field access. */
export interface InventoryStore {
  scripts(filter: InventoryQuery): StoredScriptRow[];
  destinations(filter: { target?: string }): StoredDestinationRow[];
  headers(filter: { target?: string }): HeaderRow[];
  /** Scripts that listened to or read payment and login fields in the latest scan of each page. */
  fieldAccess(filter: { target?: string }): FieldAccessRow[];
  /** Scanned pages and profiles by target name; all of them, or one page of them. */
  overview(paging?: { limit?: number; offset?: number }): TargetOverview[];
  /** How many pages and profiles have been scanned. */
  pageCount(): number;
  /** Names of the targets scanned so far, in order. */
  targetNames(): string[];
  script(id: number): ScriptInfo | null;
  scriptId(target: string, profile: string, key: string): number | null;
  versions(id: number): ScriptVersion[];
  versionMeta(scriptId: number, sha256: string): ObservationMeta | null;
  /** Masking rules turned off and volatile positions learned for one script. */
  maskSettings(scriptId: number): MaskSettings;
  /**
   * Replaces a script's mask settings and stores its accepted versions' hashes under them, computed by `hash` (the
   * planner's normalisation, normalizedHash in src/plan/normalize.ts), in one transaction; audited when an actor is given.
   */
  setMaskSettings(scriptId: number, settings: MaskSettings, hash: (text: string) => string, now?: string, actor?: Actor): void;
  /** The beautified text of a stored body if already computed (undefined when not yet; null when the body is not stored). */
  cachedBeautified(sha256: string): string | null | undefined;
  saveBeautified(sha256: string, text: string): void;
  /** Authorizes scripts by id with one justification (audited); returns the ids. Pending first-baseline versions are approved with them. */
  authorize(scriptIds: number[], input: AuthorizeInput): number[];
  /** A script's authorizations, newest first. */
  authorizations(scriptId: number): Authorization[];
}

/** The scheduler's state per target, kept so a restart continues the schedule, and the targets' health alerts. */
export interface SchedulingStore {
  read(): ScheduleRow[];
  save(row: ScheduleRow): void;
  /** Opens one target.unhealthy alert (null when one is already open). */
  openUnhealthy(target: { name: string; url: string; type: string }, reason: string, failures: number, now: string): AlertWithDetails | null;
  /** Resolves the open target.unhealthy alert when the target recovers. */
  resolveUnhealthy(target: string, now: string): AlertWithDetails | null;
}

/** Notification deliveries: queue once per alert and channel, read what is due, record each attempt. */
export interface NotificationStore {
  queue(entry: { alertId: number; channel: string; channelKey: string; event: string }, now: string): void;
  due(now: string): NotificationRow[];
  pending(): NotificationRow[];
  pendingCount(): number;
  forAlert(alertId: number): NotificationRow[];
  record(id: number, outcome: Parameters<typeof recordAttempt>[2]): void;
}

/** Evidence files of a scan, and an alert's trail of them. */
export interface EvidenceStore {
  put(scanId: number, files: { name: string; bytes: Buffer }[]): void;
  list(scanId: number): EvidenceFile[];
  trail(alertId: number): AlertTrail | null;
}

/** One SQLite file, by concern. Storage only: what to write comes decided (a plan, a decision, settings). */
export interface Store {
  readonly path: string;
  /** Folds the write-ahead log into the database file (at shutdown, before a backup or a size measurement). */
  checkpoint(): void;
  readonly blobs: Blobs;
  alerts: AlertStore;
  scans: ScanStore;
  inventory: InventoryStore;
  scheduling: SchedulingStore;
  notifications: NotificationStore;
  evidence: EvidenceStore;
  /** Users, sessions, API tokens, settings and the audit log. */
  access: Access;
  /** Published npm releases fetched to verify library files, by file SHA-256. */
  releases: Releases;
  close(): void;
}

export function openStore(path: string): Store {
  // Migration 015 moves observations into sets, which SQL alone cannot digest.
  const db = openDatabase(path, { 15: moveObservationsToSets });
  const blobs = createBlobs(db);
  // The chain reads a set's items once while the store is open, not on every scan that points at it.
  const memo = { chain: chainMemo(), hashMeta: metaHasher(), entries: new WeakMap() };
  const beautifiedOf = (source: number) =>
    db.prepare<[number], { blob_id: number }>("SELECT blob_id FROM derived WHERE source_blob = ? AND kind = 'beautified'").get(source);
  return {
    path,
    checkpoint: () => { db.pragma('wal_checkpoint(TRUNCATE)'); },
    blobs,
    alerts: {
      list: (filter) => listAlerts(db, filter),
      get: (id) => readAlert(db, id),
      latestId: () => latestAlertId(db),
      standingKeys(target, profile, dedupeKeys) {
        const id = targetId(db, target);
        return id === null ? new Set() : standingDedupeKeys(db, id, profile, dedupeKeys);
      },
      decide: (ids, status, decision, policy) => decideAlerts(db, ids, status, decision, policy),
      decisions: (alertId) => alertDecisions(db, alertId),
      approveAll: (decision, policy) => approveEverything(db, decision, policy),
      trend: (now, days) => alertTrend(db, now, days),
    },
    scans: {
      readBaseline: (target, profile) => readBaseline(db, blobs, target, profile),
      applyPlan: (plan, now = new Date().toISOString()) => applyPlan(db, blobs, plan, now, memo),
      list: (filter) => listScans(db, filter),
      counts() {
        const open = db.prepare<[], { severity: string; n: number }>("SELECT severity, COUNT(*) AS n FROM alerts WHERE status = 'open' GROUP BY severity").all();
        const scans = db.prepare<[], { status: string; n: number }>('SELECT status, n FROM scan_counts').all();
        return { openAlerts: Object.fromEntries(open.map((r) => [r.severity, r.n])), scans: Object.fromEntries(scans.map((r) => [r.status, r.n])) };
      },
      verify: () => verifyStore(db),
      retain: (cutoff, now = new Date().toISOString()) => applyRetention(db, cutoff, now),
      inPeriod: (target, from, to) => periodScans(db, target, from, to),
      headerHistory: (target, from, to) => headerHistory(db, blobs, target, from, to),
      chainHeadAt: (at) => chainHeadAt(db, at),
      firstAt: (target) => firstScanAt(db, target),
      hasChainHead: (head) => hasChainHead(db, head),
    },
    inventory: {
      scripts: (filter) => readInventory(db, blobs, filter),
      destinations: (filter) => readDestinations(db, blobs, filter),
      headers: (filter) => readHeaders(db, blobs, filter),
      fieldAccess: (filter) => readFieldAccess(db, blobs, filter),
      overview: (paging) => targetsOverview(db, paging),
      pageCount: () => scannedPages(db),
      targetNames: () => scannedTargetNames(db),
      script: (id) => scriptInfo(db, id),
      scriptId: (target, profile, key) => scriptIdByKey(db, target, profile, key),
      versions: (id) => scriptVersions(db, blobs, id),
      versionMeta: (scriptId, sha256) => versionMeta(db, blobs, scriptId, sha256),
      maskSettings: (scriptId) => readScriptSettings(db, scriptId),
      setMaskSettings: (scriptId, settings, hash, now = new Date().toISOString(), actor) =>
        db.transaction(() => {
          const before = readScriptSettings(db, scriptId);
          writeScriptSettings(db, scriptId, settings, now);
          rehashAccepted(db, blobs, scriptId, hash);
          if (actor) {
            appendAudit(db, {
              actor: actor.name, ip: actor.ip, action: 'script.rules_changed', objectType: 'script', objectId: scriptId,
              before: { disabled: before.disabled, learned: before.learned.length }, after: { disabled: settings.disabled, learned: settings.learned.length },
            }, now);
          }
        }).immediate(),
      cachedBeautified(sha256) {
        const source = blobs.idOf(sha256);
        if (source === null) return null;
        const cached = beautifiedOf(source);
        return cached ? blobs.text(cached.blob_id) : undefined;
      },
      saveBeautified(sha256, text) {
        const source = blobs.idOf(sha256);
        if (source === null) return;
        db.transaction(() => {
          const blobId = blobs.put(text);
          db.prepare("INSERT INTO derived (source_blob, kind, blob_id) VALUES (?, 'beautified', ?) ON CONFLICT DO NOTHING").run(source, blobId);
        }).immediate();
      },
      authorize: (scriptIds, input) => authorizeScripts(db, scriptIds, input),
      authorizations: (scriptId) => authorizationHistory(db, scriptId),
    },
    scheduling: {
      read: () => readSchedule(db),
      save: (row) => saveSchedule(db, row),
      openUnhealthy: openHealthAlert(db),
      resolveUnhealthy: resolveHealthAlert(db),
    },
    notifications: {
      queue: (entry, now) => queueNotification(db, entry, now),
      due: (now) => dueNotifications(db, now),
      pending: () => pendingNotifications(db),
      pendingCount: () => pendingNotificationCount(db),
      forAlert: (alertId) => notificationsFor(db, alertId),
      record: (id, outcome) => recordAttempt(db, id, outcome),
    },
    evidence: {
      put: (scanId, files) => db.transaction(() => putEvidence(db, blobs, scanId, files))(),
      list: (scanId) => listEvidence(db, scanId),
      trail: (alertId) => alertTrail(db, alertId),
    },
    access: createAccess(db),
    releases: createReleases(db),
    close: () => {
      if (db.open) db.close();
    },
  };
}
