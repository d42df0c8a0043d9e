// Settings changed from the dashboard (the two-factor policy), each change audited with its before and after.

import { appendAudit } from './audit.js';
import type { Db } from './database.js';
import type { Actor } from './users.js';

export async function readSetting(db: Db, key: string): Promise<string | null> {
  return ((await db.prepare('SELECT value FROM settings WHERE key = ?').get(key)) as { value: string } | undefined)?.value ?? null;
}

/** Writes a setting and audits the change; returns the value before, or undefined when nothing changed. */
export async function writeSetting(db: Db, key: string, value: string, actor: Actor, now: string): Promise<string | null | undefined> {
  return db.transaction(async () => {
    const before = await readSetting(db, key);
    if (before === value) return undefined;
    await db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
    await appendAudit(db, { actor: actor.name, ip: actor.ip, action: 'settings.changed', objectType: 'setting', objectId: key, before: before === null ? null : { value: before }, after: { value } }, now);
    return before;
  });
}

export interface PausedTarget {
  target: string;
  since: string;
  by: string;
}

const PAUSE_PREFIX = 'paused:';

/** Targets whose scheduled scans an admin paused (a maintenance window); an attacker would like this too, so it is audited. */
export async function pausedTargets(db: Db): Promise<PausedTarget[]> {
  return ((await db.prepare("SELECT key, value FROM settings WHERE key LIKE 'paused:%' ORDER BY key").all()) as { key: string; value: string }[])
    .map((row) => ({ target: row.key.slice(PAUSE_PREFIX.length), ...(JSON.parse(row.value) as { since: string; by: string }) }));
}

export async function setTargetPaused(db: Db, target: string, paused: boolean, actor: Actor, now: string): Promise<void> {
  await db.transaction(async () => {
    const key = PAUSE_PREFIX + target;
    const was = (await readSetting(db, key)) !== null;
    if (was === paused) return;
    if (paused) await db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run(key, JSON.stringify({ since: now, by: actor.name }));
    else await db.prepare('DELETE FROM settings WHERE key = ?').run(key);
    await appendAudit(db, { actor: actor.name, ip: actor.ip, action: paused ? 'target.paused' : 'target.resumed', objectType: 'target', objectId: target, before: { paused: was }, after: { paused } }, now);
  });
}
