// Target rows: created on first scan, looked up by name.

import type { Db } from './database.js';
import type { SqlValue } from './sql.js';

export async function targetId(db: Db, name: string): Promise<number | null> {
  const row = await db.prepare<[string], { id: number }>('SELECT id FROM targets WHERE name = ?').get(name);
  return row?.id ?? null;
}

export async function upsertTarget(db: Db, target: { name: string; url: string; type: string }, now: string): Promise<number> {
  const id = await targetId(db, target.name);
  if (id !== null) {
    await db.prepare('UPDATE targets SET url = ?, type = ? WHERE id = ?').run(target.url, target.type, id);
    return id;
  }
  return (await db.prepare<SqlValue[], { id: number }>('INSERT INTO targets (name, url, type, created_at) VALUES (?, ?, ?, ?) RETURNING id')
    .get(target.name, target.url, target.type, now))!.id;
}
