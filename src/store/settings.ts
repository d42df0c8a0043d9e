// Settings changed from the dashboard (the two-factor policy), each change audited with its before and after.

import { appendAudit } from './audit.js';
import type { Db } from './database.js';
import type { Actor } from './users.js';

export function readSetting(db: Db, key: string): string | null {
  return (db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined)?.value ?? null;
}

export function writeSetting(db: Db, key: string, value: string, actor: Actor, now: string): void {
  db.transaction(() => {
    const before = readSetting(db, key);
    if (before === value) return;
    db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
    appendAudit(db, { actor: actor.name, ip: actor.ip, action: 'settings.changed', objectType: 'setting', objectId: key, before: before === null ? null : { value: before }, after: { value } }, now);
  }).immediate();
}
