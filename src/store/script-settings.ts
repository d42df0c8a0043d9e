// Per-script masking settings: read and store them, and store the re-hashed accepted versions the caller computed.

import { MASK_RULES, type MaskRule, type MaskSettings } from '../plan/normalize.js';
import type { Blobs } from './blobs.js';
import type { Db } from './database.js';
import { inOrder } from './sql.js';

function parseList(raw: string | undefined): string[] {
  if (!raw) return [];
  try {
    const value = JSON.parse(raw) as unknown;
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

export async function readScriptSettings(db: Db, scriptId: number): Promise<MaskSettings> {
  const row = await db.prepare<[number], { disabled_rules: string; learned: string }>(
    'SELECT disabled_rules, learned FROM script_settings WHERE script_id = ?',
  ).get(scriptId);
  return settingsOf(row);
}

/** A script_settings row as settings (no row: nothing disabled, nothing learned). */
export function settingsOf(row: { disabled_rules: string | null; learned: string | null } | undefined): MaskSettings {
  const disabled = parseList(row?.disabled_rules ?? undefined).filter((r): r is MaskRule => (MASK_RULES as readonly string[]).includes(r));
  return { disabled, learned: parseList(row?.learned ?? undefined) };
}

/** All settings of one target and profile, by script id (for the baseline reader). */
export async function readSettingsFor(db: Db, target: number, profile: string): Promise<Map<number, MaskSettings>> {
  const rows = await db.prepare<[number, string], { script_id: number }>(
    `SELECT ss.script_id FROM script_settings ss JOIN scripts s ON s.id = ss.script_id WHERE s.target_id = ? AND s.profile = ?`,
  ).all(target, profile);
  return new Map(await inOrder(rows, async (r) => [r.script_id, await readScriptSettings(db, r.script_id)] as const));
}

/**
 * Recomputes the normalised hashes of a script's accepted versions with the caller's hash (the planner's normalisation
 * under the script's new settings): the store only stores them.
 */
export async function rehashAccepted(db: Db, blobs: Blobs, scriptId: number, hash: (text: string) => string): Promise<void> {
  const script = await db.prepare<[number], { target_id: number; profile: string; key: string }>(
    'SELECT target_id, profile, key FROM scripts WHERE id = ?',
  ).get(scriptId);
  if (!script) return;
  const entries = await db.prepare<[number, string, string], { id: number; value: string }>(
    "SELECT id, value FROM baseline WHERE target_id = ? AND profile = ? AND subject_type = 'script' AND subject_key = ?",
  ).all(script.target_id, script.profile, script.key);
  const update = db.prepare('UPDATE baseline SET normalized = ? WHERE id = ?');
  for (const entry of entries) {
    const text = await blobs.textBySha(entry.value);
    if (text !== null) await update.run(hash(text), entry.id);
  }
}

/** Stores a script's settings as given. */
export async function writeScriptSettings(db: Db, scriptId: number, settings: MaskSettings, now: string): Promise<void> {
  await db.prepare(
    `INSERT INTO script_settings (script_id, disabled_rules, learned, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (script_id) DO UPDATE SET disabled_rules = excluded.disabled_rules, learned = excluded.learned, updated_at = excluded.updated_at`,
  ).run(scriptId, JSON.stringify([...new Set(settings.disabled)]), JSON.stringify(settings.learned), now);
}
