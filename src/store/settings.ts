// Settings changed from the dashboard (the two-factor policy), each change audited with its before and after.

import { appendAudit } from './audit.js';
import type { Db } from './database.js';
import type { Actor } from './users.js';

export function readSetting(db: Db, key: string): string | null {
  return (db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined)?.value ?? null;
}

/** Writes a setting and audits the change; returns the value before, or undefined when nothing changed. */
export function writeSetting(db: Db, key: string, value: string, actor: Actor, now: string): string | null | undefined {
  return db.transaction(() => {
    const before = readSetting(db, key);
    if (before === value) return undefined;
    db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
    appendAudit(db, { actor: actor.name, ip: actor.ip, action: 'settings.changed', objectType: 'setting', objectId: key, before: before === null ? null : { value: before }, after: { value } }, now);
    return before;
  }).immediate();
}

export interface PausedTarget {
  target: string;
  since: string;
  by: string;
}

const PAUSE_PREFIX = 'paused:';

/** Targets whose scheduled scans an admin paused (a maintenance window); an attacker would like this too, so it is audited. */
export function pausedTargets(db: Db): PausedTarget[] {
  return (db.prepare("SELECT key, value FROM settings WHERE key LIKE 'paused:%' ORDER BY key").all() as { key: string; value: string }[])
    .map((row) => ({ target: row.key.slice(PAUSE_PREFIX.length), ...(JSON.parse(row.value) as { since: string; by: string }) }));
}

export function setTargetPaused(db: Db, target: string, paused: boolean, actor: Actor, now: string): void {
  db.transaction(() => {
    const key = PAUSE_PREFIX + target;
    const was = readSetting(db, key) !== null;
    if (was === paused) return;
    if (paused) db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run(key, JSON.stringify({ since: now, by: actor.name }));
    else db.prepare('DELETE FROM settings WHERE key = ?').run(key);
    appendAudit(db, { actor: actor.name, ip: actor.ip, action: paused ? 'target.paused' : 'target.resumed', objectType: 'target', objectId: target, before: { paused: was }, after: { paused } }, now);
  }).immediate();
}
