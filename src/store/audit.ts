// The append-only audit log: who did what to which object, from where, chained by hash like the scan log.

import { sha256Hex } from '../plan/fingerprint.js';
import type { Db } from './database.js';
import { byId, type SqlValue } from './sql.js';

export interface AuditInput {
  actor: string;
  /** The client address for dashboard and API actions; null for the command line. */
  ip: string | null;
  action: string;
  objectType: string;
  objectId?: string | number | null;
  before?: unknown;
  after?: unknown;
  note?: string | null;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  ip: string | null;
  action: string;
  objectType: string;
  objectId: string | null;
  before: unknown;
  after: unknown;
  note: string | null;
}

interface AuditRow {
  id: number;
  at: string;
  actor: string;
  source_ip: string | null;
  action: string;
  object_type: string;
  object_id: string | null;
  before: string | null;
  after: string | null;
  note: string | null;
  prev_hash: string;
  hash: string;
}

const json = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value));

function entryHash(prev: string, row: Omit<AuditRow, 'id' | 'prev_hash' | 'hash'>): string {
  const fields = [row.at, row.actor, row.source_ip, row.action, row.object_type, row.object_id, row.before, row.after, row.note];
  return sha256Hex(`${prev}\n${JSON.stringify(fields)}`);
}

/** Appends one entry; call it inside the transaction that makes the change, so the change and its record land together. */
export async function appendAudit(db: Db, input: AuditInput, at: string): Promise<number> {
  const prev = ((await db.prepare('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1').get()) as { hash: string } | undefined)?.hash ?? '';
  const row = {
    at,
    actor: input.actor,
    source_ip: input.ip,
    action: input.action,
    object_type: input.objectType,
    object_id: input.objectId === undefined || input.objectId === null ? null : String(input.objectId),
    before: json(input.before),
    after: json(input.after),
    note: input.note ?? null,
  };
  const hash = entryHash(prev, row);
  return (await db.prepare<[object], { id: number }>(
    `INSERT INTO audit_log (at, actor, source_ip, action, object_type, object_id, before, after, note, prev_hash, hash)
     VALUES (@at, @actor, @source_ip, @action, @object_type, @object_id, @before, @after, @note, @prev_hash, @hash) RETURNING id`,
  ).get({ ...row, prev_hash: prev, hash }))!.id;
}

const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id, at: row.at, actor: row.actor, ip: row.source_ip, action: row.action, objectType: row.object_type,
    objectId: row.object_id, before: parse(row.before), after: parse(row.after), note: row.note,
  };
}

export interface AuditQuery {
  objectType?: string;
  objectId?: string | number;
  actor?: string;
  limit?: number;
  offset?: number;
}

/** Entries newest first, optionally for one object or one actor. */
export async function listAudit(db: Db, query: AuditQuery = {}): Promise<AuditEntry[]> {
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: query.limit ?? 200, offset: query.offset ?? 0 };
  if (query.objectType) {
    where.push('object_type = @type');
    params.type = query.objectType;
  }
  if (query.objectId !== undefined) {
    where.push('object_id = @objectId');
    params.objectId = String(query.objectId);
  }
  if (query.actor) {
    where.push('actor = @actor');
    params.actor = query.actor;
  }
  const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit OFFSET @offset`;
  return ((await db.prepare<[object]>(sql).all(params)) as AuditRow[]).map(toEntry);
}

export interface AuditVerifyReport {
  entries: number;
  firstBreak: { id: number; reason: string } | null;
}

/** Walks the chain from the first entry: a removed, inserted, reordered or edited entry breaks it. */
export async function verifyAudit(db: Db): Promise<AuditVerifyReport> {
  let prev = '';
  let entries = 0;
  for await (const row of byId((after) => db.prepare<[number], AuditRow>('SELECT * FROM audit_log WHERE id > ? ORDER BY id LIMIT 500').all(after))) {
    entries++;
    let reason: string | null = null;
    if (row.prev_hash !== prev) reason = 'does not follow the entry before it: an entry was removed, inserted or re-hashed';
    else if (entryHash(prev, row) !== row.hash) reason = 'does not match its hash: the entry was edited';
    if (reason) return { entries, firstBreak: { id: row.id, reason: `audit entry #${row.id} (${row.action} by ${row.actor}, ${row.at}) ${reason}` } };
    prev = row.hash;
  }
  return { entries, firstBreak: null };
}
