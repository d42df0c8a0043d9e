// Alert decisions: approving (which updates the baseline, once enough people approved) and rejecting, audited.

import { ScriptwardenError } from '../errors.js';
import { approvalsNeeded, type ApprovalPolicy } from '../auth/approvals.js';
import { appendAudit } from './audit.js';
import { authorizeFromAlert, authorizeUnauthorizedInBulk } from './authorizations.js';
import type { Db } from './database.js';
import { inOrder } from './sql.js';
import { approvalsOf, readAlert, SELECT, type AlertRow, type AlertWithDetails } from './alerts.js';

export interface Decision {
  by: string;
  note: string | null;
  at: string;
  /** Where the decision came from: the client address for the dashboard and API, null for the command line. */
  ip?: string | null;
}

/** The scripts a grouped alert stands for (runtime code of one source), from its details. */
function groupMembers(details: unknown): { key: string; sha256: string | null }[] {
  const members = (details as { members?: unknown }).members;
  if (!Array.isArray(members)) return [];
  return members.filter((m): m is { key: string; sha256: string | null } => typeof m?.key === 'string');
}

async function applyApprovalToBaseline(db: Db, row: AlertRow, decision: Decision): Promise<void> {
  const addApproved = db.prepare(
    `INSERT INTO baseline (target_id, profile, subject_type, subject_key, value, normalized, state, created_at, decided_by, decided_at, note, alert_id)
     VALUES (?, ?, ?, ?, ?, ?, 'approved', ?, ?, ?, ?, ?)
     ON CONFLICT (target_id, profile, subject_type, subject_key, value) DO UPDATE SET
       state = 'approved', decided_by = excluded.decided_by, decided_at = excluded.decided_at,
       note = excluded.note, alert_id = excluded.alert_id, normalized = COALESCE(excluded.normalized, baseline.normalized)`,
  );
  const details = JSON.parse(row.details) as { normalized?: unknown };
  const normalized = typeof details.normalized === 'string' ? details.normalized : null;
  const approve = (type: string, key: string, value: string) =>
    addApproved.run(row.target_id, row.profile, type, key, value, type === 'script' ? normalized : null, decision.at, decision.by, decision.at, decision.note, row.id);
  switch (row.type) {
    case 'script.added':
    case 'script.changed':
    case 'resource.changed':
      if (row.new_value) await approve('script', row.subject_key, row.new_value);
      // A script first accepted here exists for the reason this approval gives; a changed one keeps its reason.
      if (row.type === 'script.added') await authorizeFromAlert(db, { targetId: row.target_id, profile: row.profile }, [row.subject_key, ...groupMembers(details).map((m) => m.key)], row.id, decision.note, decision.by, decision.at);
      await db.prepare('UPDATE scripts SET retired_at = NULL WHERE target_id = ? AND profile = ? AND key = ?').run(
        row.target_id, row.profile, row.subject_key,
      );
      // Runtime code grouped by the script that compiled it: approving the group accepts every body it lists.
      for (const member of groupMembers(details)) if (member.sha256) await approve('script', member.key, member.sha256);
      // A new release at a new URL replaces the old script: approving the change retires the old one.
      if (typeof (details as { replaces?: unknown }).replaces === 'string') {
        await db.prepare('UPDATE scripts SET retired_at = ? WHERE target_id = ? AND profile = ? AND key = ? AND retired_at IS NULL').run(
          decision.at, row.target_id, row.profile, (details as { replaces: string }).replaces,
        );
      }
      break;
    case 'script.removed':
      for (const key of [row.subject_key, ...groupMembers(details).map((m) => m.key)]) {
        await db.prepare('UPDATE scripts SET retired_at = ? WHERE target_id = ? AND profile = ? AND key = ?').run(decision.at, row.target_id, row.profile, key);
      }
      break;
    case 'header.changed':
      await approve('header', row.subject_key, JSON.stringify(row.new_value));
      break;
    case 'connection.added':
    case 'exfiltration.detected':
    case 'miner.detected':
    case 'canary.stored':
      await approve('host', row.subject_key, '');
      break;
  }
}

/**
 * Approves or rejects alerts by id. Unknown ids fail the whole call before anything is written. An alert the policy
 * says needs more than one approval collects them, one per person (the same person twice is refused), and joins the
 * baseline with the last one; until then it stays as it was. A rejection by anyone ends it and clears the approvals.
 */
export async function decideAlerts(db: Db, ids: number[], status: 'approved' | 'rejected', decision: Decision, policy?: ApprovalPolicy): Promise<AlertWithDetails[]> {
  return db.transaction(async () => {
    const rows = await inOrder(ids, async (id) => {
      const row = await db.prepare<[number], AlertRow>(`${SELECT} WHERE a.id = ?`).get(id);
      if (!row) throw new ScriptwardenError('NOT_FOUND', `no alert with id ${id}`);
      return row;
    });
    for (const row of rows) {
      if (status === 'approved') {
        const needed = approvalsNeeded(policy, row.severity);
        if (needed > 1) {
          const given = await approvalsOf(db, row.id);
          if (given.some((g) => g.by === decision.by)) {
            throw new ScriptwardenError('FORBIDDEN', `alert ${row.id} was already approved by ${decision.by}: it needs ${needed} approvals by different people, so the next must come from someone else`);
          }
          await db.prepare('INSERT INTO alert_approvals (alert_id, approved_by, approved_at, note) VALUES (?, ?, ?, ?)').run(row.id, decision.by, decision.at, decision.note);
          if (given.length + 1 < needed) {
            const progress = `${given.length + 1} of ${needed}`;
            await db.prepare('INSERT INTO alert_decisions (alert_id, status, decided_by, decided_at, note) VALUES (?, ?, ?, ?, ?)').run(
              row.id, `approval ${progress}`, decision.by, decision.at, decision.note,
            );
            await appendAudit(db, {
              actor: decision.by, ip: decision.ip ?? null, action: 'alert.approval_recorded', objectType: 'alert', objectId: row.id,
              before: { approvals: given.length }, after: { approvals: given.length + 1, required: needed }, note: decision.note,
            }, decision.at);
            continue;
          }
        }
      } else {
        await db.prepare('DELETE FROM alert_approvals WHERE alert_id = ?').run(row.id);
      }
      await db.prepare('UPDATE alerts SET status = ?, decided_by = ?, decided_at = ?, note = ? WHERE id = ?').run(
        status, decision.by, decision.at, decision.note, row.id,
      );
      await db.prepare('INSERT INTO alert_decisions (alert_id, status, decided_by, decided_at, note) VALUES (?, ?, ?, ?, ?)').run(
        row.id, status, decision.by, decision.at, decision.note,
      );
      if (status === 'approved') await applyApprovalToBaseline(db, row, decision);
      await appendAudit(db, {
        actor: decision.by, ip: decision.ip ?? null, action: `alert.${status}`, objectType: 'alert', objectId: row.id,
        before: { status: row.status }, after: { status }, note: decision.note,
      }, decision.at);
    }
    return inOrder(rows, async (row) => (await readAlert(db, row.id))!);
    // Immediate: the audit entry links to the latest one, so no other writer may slip in between the read and the write.
  });
}

/** Approves every open alert and every pending inventory entry; returns the counts. */
export async function approveEverything(db: Db, decision: Decision, policy?: ApprovalPolicy): Promise<{ alerts: number; pending: number; decided: AlertWithDetails[] }> {
  return db.transaction(async () => {
    // An alert this person already gave their approval to waits for someone else's: it is left out, not refused.
    const open = ((await db.prepare("SELECT id FROM alerts WHERE status = 'open' AND id NOT IN (SELECT alert_id FROM alert_approvals WHERE approved_by = ?) ORDER BY id")
      .all(decision.by)) as { id: number }[]).map((r) => r.id);
    const decided = await decideAlerts(db, open, 'approved', decision, policy);
    const pending = (await db
      .prepare("UPDATE baseline SET state = 'approved', decided_by = ?, decided_at = ?, note = ? WHERE state = 'pending'")
      .run(decision.by, decision.at, decision.note)).changes;
    await authorizeUnauthorizedInBulk(db, decision.note, decision.by, decision.at);
    if (pending > 0) {
      await appendAudit(db, { actor: decision.by, ip: decision.ip ?? null, action: 'inventory.approved', objectType: 'inventory', after: { entries: pending }, note: decision.note }, decision.at);
    }
    return { alerts: open.length, pending, decided };
  });
}

export interface DecisionRecord {
  status: string;
  by: string;
  at: string;
  note: string | null;
}

/** Every decision on an alert, oldest first (approvals, rejections, and scriptwarden resolving a health alert). */
export async function alertDecisions(db: Db, alertId: number): Promise<DecisionRecord[]> {
  return db.prepare<[number], DecisionRecord>(
    'SELECT status, decided_by AS "by", decided_at AS "at", note FROM alert_decisions WHERE alert_id = ? ORDER BY id',
  ).all(alertId);
}
