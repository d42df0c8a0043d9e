// Target rows: created on first scan, looked up by name.

import type { Db } from './database.js';

export function targetId(db: Db, name: string): number | null {
  const row = db.prepare<[string], { id: number }>('SELECT id FROM targets WHERE name = ?').get(name);
  return row?.id ?? null;
}

export function upsertTarget(db: Db, target: { name: string; url: string; type: string }, now: string): number {
  const id = targetId(db, target.name);
  if (id !== null) {
    db.prepare('UPDATE targets SET url = ?, type = ? WHERE id = ?').run(target.url, target.type, id);
    return id;
  }
  return Number(
    db.prepare('INSERT INTO targets (name, url, type, created_at) VALUES (?, ?, ?, ?)').run(target.name, target.url, target.type, now)
      .lastInsertRowid,
  );
}
