// Per-script authorization (PCI DSS 6.4.3): a written justification per script, by a named person, at a time.

import { ScriptwardenError } from '../errors.js';
import { appendAudit } from './audit.js';
import type { Db } from './database.js';
import { inOrder } from './sql.js';

export interface Authorization {
  justification: string | null;
  by: string;
  at: string;
  /** Given by `approve --all` for a whole first baseline, not for this script on its own. */
  bulk: boolean;
  /** How the script was chosen: `script`, `host H`, `vendor V`, `target T`, `kind K`, `alert N`, `approve --all`. */
  selector: string;
}

export interface AuthorizeInput {
  justification: string;
  by: string;
  at: string;
  selector: string;
  /** The client address for the dashboard and API; null for the command line. */
  ip?: string | null;
}

interface AuthorizationRow {
  justification: string | null;
  authorized_by: string;
  authorized_at: string;
  bulk: number;
  selector: string;
}

const toAuthorization = (row: AuthorizationRow): Authorization => ({
  justification: row.justification, by: row.authorized_by, at: row.authorized_at, bulk: row.bulk === 1, selector: row.selector,
});

/** The SQL of a script's current authorization row id (its newest), for joins on `s` (a scripts row). */
export const LATEST_AUTHORIZATION = '(SELECT MAX(id) FROM script_authorizations WHERE script_id = s.id)';

async function insertAuthorization(db: Db, scriptId: number, a: Omit<Authorization, 'bulk'> & { bulk: boolean }): Promise<void> {
  await db.prepare('INSERT INTO script_authorizations (script_id, justification, authorized_by, authorized_at, bulk, selector) VALUES (?, ?, ?, ?, ?, ?)')
    .run(scriptId, a.justification, a.by, a.at, a.bulk ? 1 : 0, a.selector);
}

/**
 * Authorizes scripts by id, each with the justification given, in one transaction with one audit entry. A version of
 * the script still pending (a first baseline not yet approved) is approved with it; a version an alert stands for is
 * not: that change is decided on its alert. Unknown ids fail the whole call before anything is written.
 */
export async function authorizeScripts(db: Db, ids: number[], input: AuthorizeInput): Promise<number[]> {
  const unique = [...new Set(ids)];
  return db.transaction(async () => {
    const scripts = await inOrder(unique, async (id) => {
      const row = await db.prepare<[number], { id: number; target_id: number; profile: string; key: string }>(
        'SELECT id, target_id, profile, key FROM scripts WHERE id = ?',
      ).get(id);
      if (!row) throw new ScriptwardenError('NOT_FOUND', `no script with id ${id} in the inventory`);
      return row;
    });
    const approvePending = db.prepare(
      `UPDATE baseline SET state = 'approved', decided_by = ?, decided_at = ?, note = ?
        WHERE target_id = ? AND profile = ? AND subject_type = 'script' AND subject_key = ? AND state = 'pending'`,
    );
    for (const script of scripts) {
      await insertAuthorization(db, script.id, { justification: input.justification, by: input.by, at: input.at, bulk: false, selector: input.selector });
      await approvePending.run(input.by, input.at, input.justification, script.target_id, script.profile, script.key);
    }
    await appendAudit(db, {
      actor: input.by, ip: input.ip ?? null, action: 'script.authorized', objectType: 'script',
      objectId: scripts.length === 1 ? scripts[0]!.id : null, after: { scripts: scripts.map((s) => s.id), selector: input.selector }, note: input.justification,
    }, input.at);
    return scripts.map((s) => s.id);
  });
}

/**
 * Scripts with an approved version and no authorization yet get one from a bulk approval (`approve --all`): its note
 * as their justification, marked bulk so a report lists them as still needing their own. Call inside its transaction.
 */
export async function authorizeUnauthorizedInBulk(db: Db, note: string | null, by: string, at: string): Promise<number> {
  return (await db.prepare(
    `INSERT INTO script_authorizations (script_id, justification, authorized_by, authorized_at, bulk, selector)
     SELECT s.id, ?, ?, ?, 1, 'approve --all' FROM scripts s
      WHERE s.retired_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM script_authorizations a WHERE a.script_id = s.id)
        AND EXISTS (SELECT 1 FROM baseline b WHERE b.target_id = s.target_id AND b.profile = s.profile
                      AND b.subject_type = 'script' AND b.subject_key = s.key AND b.state = 'approved')`,
  ).run(note, by, at)).changes;
}

/** A script first accepted through its alert (script.added) is authorized by that approval's note, unless it already is. */
export async function authorizeFromAlert(db: Db, target: { targetId: number; profile: string }, keys: string[], alertId: number, note: string | null, by: string, at: string): Promise<void> {
  const find = db.prepare<[number, string, string], { id: number }>('SELECT id FROM scripts WHERE target_id = ? AND profile = ? AND key = ?');
  const has = db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM script_authorizations WHERE script_id = ?');
  for (const key of keys) {
    const script = await find.get(target.targetId, target.profile, key);
    if (!script || (await has.get(script.id))!.n > 0) continue;
    await insertAuthorization(db, script.id, { justification: note, by, at, bulk: false, selector: `alert ${alertId}` });
  }
}

/** Every authorization a script has had, newest first. */
export async function authorizationHistory(db: Db, scriptId: number): Promise<Authorization[]> {
  return (await db.prepare<[number], AuthorizationRow>(
    'SELECT justification, authorized_by, authorized_at, bulk, selector FROM script_authorizations WHERE script_id = ? ORDER BY id DESC',
  ).all(scriptId)).map(toAuthorization);
}
