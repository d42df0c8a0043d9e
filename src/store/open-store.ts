// The store factory: one object over one SQLite file, with close().

import type { BaselineSnapshot } from '../baseline.js';
import type { ScanPlan } from '../plan.js';
import type { AlertStatus } from '../types.js';
import { approveEverything, decideAlerts, listAlerts, readAlert, type AlertWithDetails, type Decision } from './alerts.js';
import { applyPlan, type ApplyResult } from './apply-plan.js';
import { readBaseline } from './baseline-reader.js';
import { createBlobs, type Blobs } from './blobs.js';
import { openDatabase, type Db } from './database.js';
import { readInventory, type InventoryRow } from './inventory.js';
import { readDestinations, readHeaders, type DestinationRow, type HeaderRow } from './page-inventory.js';

export interface ScanSummaryRow {
  id: number;
  target: string;
  profile: string;
  status: 'ok' | 'failed';
  errorCode: string | null;
  errorMessage: string | null;
  startedAt: string;
  finishedAt: string;
}

export interface Store {
  readonly path: string;
  readonly db: Db;
  readonly blobs: Blobs;
  readBaseline(target: string, profile: string): BaselineSnapshot;
  applyPlan(plan: ScanPlan, now?: string): ApplyResult;
  listAlerts(filter: { status?: AlertStatus | 'all'; target?: string }): AlertWithDetails[];
  getAlert(id: number): AlertWithDetails | null;
  decide(ids: number[], status: 'approved' | 'rejected', decision: Decision): AlertWithDetails[];
  approveAll(decision: Decision): { alerts: number; pending: number };
  inventory(filter: { target?: string }): InventoryRow[];
  destinations(filter: { target?: string }): DestinationRow[];
  headers(filter: { target?: string }): HeaderRow[];
  scans(limit?: number): ScanSummaryRow[];
  close(): void;
}

export function openStore(path: string): Store {
  const db = openDatabase(path);
  const blobs = createBlobs(db);
  return {
    path,
    db,
    blobs,
    readBaseline: (target, profile) => readBaseline(db, blobs, target, profile),
    applyPlan: (plan, now = new Date().toISOString()) => applyPlan(db, blobs, plan, now),
    listAlerts: (filter) => listAlerts(db, filter),
    getAlert: (id) => readAlert(db, id),
    decide: (ids, status, decision) => decideAlerts(db, ids, status, decision),
    approveAll: (decision) => approveEverything(db, decision),
    inventory: (filter) => readInventory(db, blobs, filter),
    destinations: (filter) => readDestinations(db, blobs, filter),
    headers: (filter) => readHeaders(db, blobs, filter),
    scans: (limit = 50) =>
      db
        .prepare(
          `SELECT s.id, t.name AS target, s.profile, s.status, s.error_code AS errorCode, s.error_message AS errorMessage,
                  s.started_at AS startedAt, s.finished_at AS finishedAt
             FROM scans s JOIN targets t ON t.id = s.target_id ORDER BY s.id DESC LIMIT ?`,
        )
        .all(limit) as ScanSummaryRow[],
    close: () => {
      if (db.open) db.close();
    },
  };
}
