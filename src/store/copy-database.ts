// Copies every row of one scriptwarden database into an empty one (SQLite to PostgreSQL, say): ids and hashes as they are.

import { ScriptwardenError } from '../errors.js';
import type { Sql, SqlValue } from './sql.js';

/**
 * Every table, parents before the rows that point at them; a table's rows go in key order, so scans (and with them
 * the scan chain) and the audit log arrive in the order they were written. A table this list lacks stops the copy:
 * a migration that adds a table adds it here.
 */
export const COPY_ORDER: { table: string; key: string }[] = [
  { table: 'targets', key: 'id' }, { table: 'blobs', key: 'id' }, { table: 'observation_sets', key: 'id' }, { table: 'scans', key: 'id' },
  { table: 'scripts', key: 'id' }, { table: 'destinations', key: 'id' }, { table: 'set_scripts', key: 'set_id, script_id' },
  { table: 'set_destinations', key: 'set_id, destination_id' }, { table: 'baseline', key: 'id' }, { table: 'derived', key: 'source_blob, kind' },
  { table: 'script_settings', key: 'script_id' }, { table: 'alerts', key: 'id' }, { table: 'notifications', key: 'id' },
  { table: 'schedule', key: 'target' }, { table: 'evidence', key: 'scan_id, name' }, { table: 'alert_decisions', key: 'id' },
  { table: 'alert_approvals', key: 'alert_id, approved_by' }, { table: 'users', key: 'id' }, { table: 'recovery_codes', key: 'id' },
  { table: 'sessions', key: 'id_hash' }, { table: 'api_tokens', key: 'id' }, { table: 'settings', key: 'key' }, { table: 'audit_log', key: 'id' },
  { table: 'published_releases', key: 'package, version' }, { table: 'published_files', key: 'package, version, path' },
  { table: 'login_attempts', key: 'id' }, { table: 'page_latest', key: 'target_id, profile' }, { table: 'scan_counts', key: 'status' },
  { table: 'script_authorizations', key: 'id' }, { table: 'chain_heads', key: 'target_id, profile' }, { table: 'chain_anchors', key: 'id' },
  { table: 'slot_checks', key: 'target_id, slot' }, { table: 'vantage_runs', key: 'target, vantage' },
  { table: 'provenance_sources', key: 'source' }, { table: 'intel_checks', key: 'kind' },
  { table: 'report_keys', key: 'target' }, { table: 'visitor_reports', key: 'id' },
];

/** The tables of a database, but its migration record. */
async function tablesOf(db: Sql): Promise<string[]> {
  const rows = db.dialect === 'sqlite'
    ? await db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all()
    : await db.prepare<[], { name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'").all();
  return rows.map((r) => r.name).filter((name) => name !== 'schema_migrations').sort();
}

/** Rows per statement: within both dialects' limits on parameters (SQLite 32,766; PostgreSQL 65,535). */
const batchSize = (columns: number) => Math.max(1, Math.floor(30_000 / Math.max(1, columns)));

export interface CopyReport {
  tables: { table: string; rows: number }[];
  rows: number;
}

/**
 * Copies `from` into `to`, both at the same schema, in one transaction on `to`: all rows or none. Refuses a target
 * that holds any row. `progress` hears of each table when it is done.
 */
export async function copyDatabase(from: Sql, to: Sql, progress: (table: string, rows: number) => void = () => undefined): Promise<CopyReport> {
  const [source, target] = [await tablesOf(from), await tablesOf(to)];
  const known = new Set(COPY_ORDER.map((t) => t.table));
  const unknown = [...source, ...target].filter((t) => !known.has(t));
  if (unknown.length) throw new Error(`db copy does not know the tables ${[...new Set(unknown)].join(', ')}: add them to COPY_ORDER`);
  const report: CopyReport = { tables: [], rows: 0 };
  await to.transaction(async () => {
    for (const { table } of COPY_ORDER) {
      if (!target.includes(table)) continue;
      const held = (await to.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).get())!.n;
      if (held > 0) throw new ScriptwardenError('USAGE', `${to.name} is not empty (${table} has ${held} rows): db copy writes only into a new, empty database`);
    }
    for (const { table, key } of COPY_ORDER) {
      if (!source.includes(table)) continue;
      let copied = 0;
      // Pages follow the key (keyset), not an offset: reading the millionth row does not walk past the ones before it.
      const keys = key.split(',').map((k) => k.trim());
      const first = from.prepare<[number], Record<string, SqlValue>>(`SELECT * FROM ${table} ORDER BY ${key} LIMIT ?`);
      const next = from.prepare<SqlValue[], Record<string, SqlValue>>(
        `SELECT * FROM ${table} WHERE (${key}) > (${keys.map(() => '?').join(', ')}) ORDER BY ${key} LIMIT ?`,
      );
      for (let after: SqlValue[] | null = null; ; ) {
        const rows: Record<string, SqlValue>[] = after === null ? await first.all(1000) : await next.all(...after, 1000);
        if (rows.length === 0) break;
        after = keys.map((k) => rows[rows.length - 1]![k] ?? null);
        const columns = Object.keys(rows[0]!);
        const names = columns.map((c) => `"${c}"`).join(', ');
        const size = batchSize(columns.length);
        for (let i = 0; i < rows.length; i += size) {
          const batch = rows.slice(i, i + size);
          const values = batch.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ');
          await to.prepare<SqlValue[]>(`INSERT INTO ${table} (${names}) VALUES ${values}`).run(...batch.flatMap((row) => columns.map((c) => row[c] ?? null)));
        }
        copied += rows.length;
      }
      report.tables.push({ table, rows: copied });
      report.rows += copied;
      progress(table, copied);
    }
    // New rows on PostgreSQL take ids after the copied ones.
    if (to.dialect === 'postgres') {
      for (const { table, key } of COPY_ORDER) {
        if (key !== 'id' || !target.includes(table)) continue;
        await to.prepare(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), COALESCE((SELECT MAX(id) FROM ${table}), 0) + 1, false)`).all();
      }
    }
  });
  // Statistics for the planner: without them PostgreSQL plans the dashboard's reads of a big copy as if it were empty.
  await to.exec('ANALYZE');
  return report;
}
