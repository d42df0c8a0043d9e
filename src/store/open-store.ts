// The store factory: one object over one SQLite file, with close().

import { checkSlot } from './slot-checks.js';
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
import type { Sql } from './sql.js';
import { createAccess, type Access } from './access.js';
import { appendAudit } from './audit.js';
import type { Actor } from './users.js';
import { targetId } from './targets.js';
import { readFieldAccess, type FieldAccessRow } from './field-access.js';
import { chainMemo } from './scan-chain.js';
import { verifyStore, type VerifyReport } from './verify-store.js';
import { writeAnchor, type AnchorResult } from './chain-anchors.js';
import { metaHasher, moveObservationsToSets } from './observation-sets.js';
import { dueNotifications, notificationsFor, pendingNotificationCount, pendingNotifications, queueNotification, recordAttempt, type NotificationRow, claimNotification } from './notifications.js';
import { claimDue, ensureSchedule, openHealthAlert, readSchedule, readScheduleRow, readVantageRuns, recordRun, resolveHealthAlert, saveSchedule, type ScheduleRow } from './monitoring.js';
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
  list(filter: AlertQuery): Promise<AlertWithDetails[]>;
  get(id: number): Promise<AlertWithDetails | null>;
  /** The newest alert's id; null before any. */
  latestId(): Promise<number | null>;
  /** Of these dedupe keys, those an open or rejected alert (or, `approved`, an approved one too) already stands for. */
  standingKeys(target: string, profile: string, dedupeKeys: string[], approved?: boolean): Promise<Set<string>>;
  /** Decides alerts; under an approval policy an alert may need approvals by several people before it is approved. */
  decide(ids: number[], status: 'approved' | 'rejected', decision: Decision, policy?: ApprovalPolicy): Promise<AlertWithDetails[]>;
  /** Every decision on one alert, oldest first. */
  decisions(alertId: number): Promise<DecisionRecord[]>;
  approveAll(decision: Decision, policy?: ApprovalPolicy): Promise<{ alerts: number; pending: number; decided: AlertWithDetails[] }>;
  /** Alerts raised per day, for the dashboard's trend. */
  trend(now: Date, days?: number): Promise<{ day: string; count: number }[]>;
}

/** Scans: the baseline a scan reads, the plan it writes (one transaction), and the record of them all. */
export interface ScanStore {
  readBaseline(target: string, profile: string): Promise<BaselineSnapshot>;
  /** `slot`: the scheduled time the scan is for; a second scan of a recorded slot is refused (SCAN_DUPLICATE). */
  applyPlan(plan: ScanPlan, now?: string, slot?: string | null): Promise<ApplyResult>;
  /** Anchors the heads of the scan chains that moved since the last anchor; null when none did. */
  anchor(at?: string): Promise<AnchorResult | null>;
  list(filter: { target?: string; limit: number; offset: number }): Promise<ScanRow[]>;
  /** Open alerts by severity, and scans by status, for /metrics. */
  counts(): Promise<{ openAlerts: Record<string, number>; scans: Record<string, number> }>;
  /** Checks the scan chain and every stored blob against their hashes. */
  verify(): Promise<VerifyReport>;
  /** Removes observations of unchanged scripts from scans finished before the cutoff. */
  retain(cutoff: string, now?: string): Promise<RetentionReport>;
  /** A target's scans started within [from, to], oldest first (the evaluation record of a report). */
  inPeriod(target: string, from: string, to: string): Promise<PeriodScan[]>;
  /** A target's response headers in the period, each time they changed. */
  headerHistory(target: string, from: string, to: string): Promise<HeaderValues[]>;
  /** The scan chain's head as of a time; and whether a head is still as recorded. */
  chainHeadAt(at: string): Promise<ChainHead | null>;
  /** When a target was first scanned; null before any scan. */
  firstAt(target: string): Promise<string | null>;
  hasChainHead(head: ChainHead): Promise<boolean>;
  /** The cross-vantage check of a slot, once, when every expected profile key has reported (see slot-checks). */
  checkSlot(target: string, slot: string, expected: string[], at: string, decide: Parameters<typeof checkSlot>[5]): Promise<AlertWithDetails[] | null>;
}

/** What the pages run and send: scripts, their versions and settings, destinations, headers, field access. */
export interface InventoryStore {
  scripts(filter: InventoryQuery): Promise<StoredScriptRow[]>;
  destinations(filter: { target?: string }): Promise<StoredDestinationRow[]>;
  headers(filter: { target?: string }): Promise<HeaderRow[]>;
  /** Scripts that listened to or read payment and login fields in the latest scan of each page. */
  fieldAccess(filter: { target?: string }): Promise<FieldAccessRow[]>;
  /** Scanned pages and profiles by target name; all of them, or one page of them. */
  overview(paging?: { limit?: number; offset?: number }): Promise<TargetOverview[]>;
  /** How many pages and profiles have been scanned. */
  pageCount(): Promise<number>;
  /** Names of the targets scanned so far, in order. */
  targetNames(): Promise<string[]>;
  script(id: number): Promise<ScriptInfo | null>;
  scriptId(target: string, profile: string, key: string): Promise<number | null>;
  versions(id: number): Promise<ScriptVersion[]>;
  versionMeta(scriptId: number, sha256: string): Promise<ObservationMeta | null>;
  /** Masking rules turned off and volatile positions learned for one script. */
  maskSettings(scriptId: number): Promise<MaskSettings>;
  /**
   * Replaces a script's mask settings and stores its accepted versions' hashes under them, computed by `hash` (the
   * planner's normalisation, normalizedHash in src/plan/normalize.ts), in one transaction; audited when an actor is given.
   */
  setMaskSettings(scriptId: number, settings: MaskSettings, hash: (text: string) => string, now?: string, actor?: Actor): Promise<void>;
  /** The beautified text of a stored body if already computed (undefined when not yet; null when the body is not stored). */
  cachedBeautified(sha256: string): Promise<string | null | undefined>;
  saveBeautified(sha256: string, text: string): Promise<void>;
  /** Authorizes scripts by id with one justification (audited); returns the ids. Pending first-baseline versions are approved with them. */
  authorize(scriptIds: number[], input: AuthorizeInput): Promise<number[]>;
  /** A script's authorizations, newest first. */
  authorizations(scriptId: number): Promise<Authorization[]>;
}

/** The scheduler's state per target, kept so a restart continues the schedule, and the targets' health alerts. */
export interface SchedulingStore {
  read(): Promise<ScheduleRow[]>;
  /** `vantage` (of a config that names vantages): that vantage's runs, kept apart. */
  row(target: string, vantage?: string): Promise<ScheduleRow | null>;
  vantageRuns(): ReturnType<typeof readVantageRuns>;
  save(row: ScheduleRow): Promise<void>;
  /** Opens one target.unhealthy alert (null when one is already open); `failures` 0: the target is overdue. */
  openUnhealthy(target: { name: string; url: string; type: string }, reason: string, failures: number, now: string, vantage?: string): Promise<AlertWithDetails | null>;
  /** Resolves the open target.unhealthy alert when the target recovers. */
  resolveUnhealthy(target: string, now: string, vantage?: string): Promise<AlertWithDetails | null>;
  /** Rows for targets that have none, at their first due time. */
  ensure(rows: { target: string; nextRunAt: string }[]): Promise<void>;
  /** Claims due rows, dispatches them in the same transaction, and advances each to the time `dispatch` returns. */
  claimDue(now: string, limit: number, skip: string[], dispatch: (due: ScheduleRow[]) => Promise<{ target: string; nextRunAt: string }[]>): Promise<number>;
  /** How a run went, on the target's row (its next due time is the dispatcher's). */
  recordRun(target: string, run: Omit<ScheduleRow, 'target' | 'nextRunAt'>, vantage?: string): Promise<void>;
}

/** Notification deliveries: queue once per alert and channel, read what is due, record each attempt. */
export interface NotificationStore {
  queue(entry: { alertId: number; channel: string; channelKey: string; event: string }, now: string): Promise<void>;
  due(now: string): Promise<NotificationRow[]>;
  /** Takes one due notification for an attempt until leaseUntil; false when another process has it. */
  claim(id: number, now: string, leaseUntil: string): Promise<boolean>;
  pending(): Promise<NotificationRow[]>;
  pendingCount(): Promise<number>;
  forAlert(alertId: number): Promise<NotificationRow[]>;
  record(id: number, outcome: Parameters<typeof recordAttempt>[2]): Promise<void>;
}

/** Evidence files of a scan, and an alert's trail of them. */
export interface EvidenceStore {
  put(scanId: number, files: { name: string; bytes: Buffer }[]): Promise<void>;
  list(scanId: number): Promise<EvidenceFile[]>;
  trail(alertId: number): Promise<AlertTrail | null>;
}

/** One SQLite file, by concern. Storage only: what to write comes decided (a plan, a decision, settings). */
export interface Store {
  readonly path: string;
  /** Folds the write-ahead log into the database file (at shutdown, before a backup or a size measurement). */
  checkpoint(): Promise<void>;
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
  /** The database itself, for the job queue that keeps its jobs in it and sends them in the store's transactions. */
  readonly database: Sql;
  close(): Promise<void>;
}

/** Migration 015 moves observations into sets, which SQL alone cannot digest. */
export const STORE_DATA_STEPS = { 15: moveObservationsToSets };

export async function openStore(path: string): Promise<Store> {
  const db = await openDatabase(path, STORE_DATA_STEPS);
  const blobs = createBlobs(db);
  let closed = false;
  // The chain reads a set's items once while the store is open, not on every scan that points at it.
  const memo = { chain: chainMemo(), hashMeta: metaHasher(), entries: new WeakMap() };
  const beautifiedOf = (source: number) =>
    db.prepare<[number], { blob_id: number }>("SELECT blob_id FROM derived WHERE source_blob = ? AND kind = 'beautified'").get(source);
  return {
    path,
    checkpoint: async () => { if (db.dialect === 'sqlite') await db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').all(); },
    blobs,
    alerts: {
      list: (filter) => listAlerts(db, filter),
      get: (id) => readAlert(db, id),
      latestId: () => latestAlertId(db),
      async standingKeys(target, profile, dedupeKeys, approved = false) {
        const id = await targetId(db, target);
        return id === null ? new Set() : standingDedupeKeys(db, id, profile, dedupeKeys, approved);
      },
      decide: (ids, status, decision, policy) => decideAlerts(db, ids, status, decision, policy),
      decisions: (alertId) => alertDecisions(db, alertId),
      approveAll: (decision, policy) => approveEverything(db, decision, policy),
      trend: (now, days) => alertTrend(db, now, days),
    },
    scans: {
      readBaseline: (target, profile) => readBaseline(db, blobs, target, profile),
      applyPlan: (plan, now = new Date().toISOString(), slot = null) => applyPlan(db, blobs, plan, now, memo, slot),
      anchor: (at = new Date().toISOString()) => writeAnchor(db, at),
      list: (filter) => listScans(db, filter),
      async counts() {
        const open = await db.prepare<[], { severity: string; n: number }>("SELECT severity, COUNT(*) AS n FROM alerts WHERE status = 'open' GROUP BY severity").all();
        const scans = await db.prepare<[], { status: string; n: number }>('SELECT status, n FROM scan_counts').all();
        return { openAlerts: Object.fromEntries(open.map((r) => [r.severity, r.n])), scans: Object.fromEntries(scans.map((r) => [r.status, r.n])) };
      },
      verify: () => verifyStore(db),
      retain: (cutoff, now = new Date().toISOString()) => applyRetention(db, cutoff, now),
      inPeriod: (target, from, to) => periodScans(db, target, from, to),
      headerHistory: (target, from, to) => headerHistory(db, blobs, target, from, to),
      chainHeadAt: (at) => chainHeadAt(db, at),
      firstAt: (target) => firstScanAt(db, target),
      hasChainHead: (head) => hasChainHead(db, head),
      checkSlot: (target, slot, expected, at, decide) => checkSlot(db, target, slot, expected, at, decide),
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
        db.transaction(async () => {
          const before = await readScriptSettings(db, scriptId);
          await writeScriptSettings(db, scriptId, settings, now);
          await rehashAccepted(db, blobs, scriptId, hash);
          if (actor) {
            await appendAudit(db, {
              actor: actor.name, ip: actor.ip, action: 'script.rules_changed', objectType: 'script', objectId: scriptId,
              before: { disabled: before.disabled, learned: before.learned.length }, after: { disabled: settings.disabled, learned: settings.learned.length },
            }, now);
          }
        }),
      async cachedBeautified(sha256) {
        const source = await blobs.idOf(sha256);
        if (source === null) return null;
        const cached = await beautifiedOf(source);
        return cached ? blobs.text(cached.blob_id) : undefined;
      },
      async saveBeautified(sha256, text) {
        const source = await blobs.idOf(sha256);
        if (source === null) return;
        await db.transaction(async () => {
          const blobId = await blobs.put(text);
          await db.prepare("INSERT INTO derived (source_blob, kind, blob_id) VALUES (?, 'beautified', ?) ON CONFLICT DO NOTHING").run(source, blobId);
        });
      },
      authorize: (scriptIds, input) => authorizeScripts(db, scriptIds, input),
      authorizations: (scriptId) => authorizationHistory(db, scriptId),
    },
    scheduling: {
      read: () => readSchedule(db),
      row: (target, vantage) => readScheduleRow(db, target, vantage),
      vantageRuns: () => readVantageRuns(db),
      save: (row) => saveSchedule(db, row),
      openUnhealthy: openHealthAlert(db),
      resolveUnhealthy: resolveHealthAlert(db),
      ensure: (rows) => ensureSchedule(db, rows),
      claimDue: (now, limit, skip, dispatch) => claimDue(db, now, limit, skip, dispatch),
      recordRun: (target, run, vantage) => recordRun(db, target, run, vantage),
    },
    notifications: {
      queue: (entry, now) => queueNotification(db, entry, now),
      due: (now) => dueNotifications(db, now),
      pending: () => pendingNotifications(db),
      pendingCount: () => pendingNotificationCount(db),
      forAlert: (alertId) => notificationsFor(db, alertId),
      record: (id, outcome) => recordAttempt(db, id, outcome),
      claim: (id, now, leaseUntil) => claimNotification(db, id, now, leaseUntil),
    },
    evidence: {
      put: (scanId, files) => db.transaction(async () => putEvidence(db, blobs, scanId, files)),
      list: (scanId) => listEvidence(db, scanId),
      trail: (alertId) => alertTrail(db, alertId),
    },
    access: createAccess(db),
    releases: createReleases(db),
    database: db,
    close: async () => {
      if (!closed) await db.close();
      closed = true;
    },
  };
}
