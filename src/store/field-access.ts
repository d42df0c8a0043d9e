// Which scripts listen to or read payment and login fields, per page, from the latest scan's runtime signals.

import type { RuntimeSignal } from '../capture/types.js';
import type { Blobs } from './blobs.js';
import type { Db } from './database.js';
import { whenGiven, type SqlValue } from './sql.js';

export interface FieldAccessRow {
  target: string;
  profile: string;
  page: string;
  /** The script's URL (the page URL for inline code); null when the stack did not tell. */
  script: string | null;
  /** What it did: `listen input on input[autocomplete=cc-number]#card`, `read input[autocomplete=cc-csc]`. */
  actions: string[];
  scannedAt: string;
}

/** PCI DSS assessors ask "which scripts can touch the card field?": this answers it for each page and profile. */
export async function readFieldAccess(db: Db, blobs: Blobs, filter: { target?: string }): Promise<FieldAccessRow[]> {
  const target = whenGiven('t.name', filter.target);
  const scans = await db.prepare<SqlValue[], { target: string; page: string; profile: string; runtime_blob: number | null; finished_at: string }>(
    `SELECT t.name AS target, t.url AS page, s.profile, s.runtime_blob, s.finished_at
       FROM scans s JOIN targets t ON t.id = s.target_id
      WHERE s.id IN (SELECT last_ok_scan_id FROM page_latest)
        AND ${target.sql}
      ORDER BY t.name, s.profile`,
  ).all(...target.params);
  const rows: FieldAccessRow[] = [];
  for (const scan of scans) {
    const signals = await blobs.json<RuntimeSignal[]>(scan.runtime_blob) ?? [];
    const byScript = new Map<string | null, Set<string>>();
    for (const signal of signals) {
      if (signal.kind !== 'listen' && signal.kind !== 'read') continue;
      const actions = byScript.get(signal.script) ?? new Set<string>();
      actions.add(`${signal.kind} ${signal.detail}`);
      byScript.set(signal.script, actions);
    }
    for (const [script, actions] of byScript) {
      rows.push({ target: scan.target, profile: scan.profile, page: scan.page, script, actions: [...actions].sort(), scannedAt: scan.finished_at });
    }
  }
  return rows;
}
