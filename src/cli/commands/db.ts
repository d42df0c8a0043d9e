// `scriptwarden db status`, `db migrate` and `db copy`: the database for operators (every command migrates on open).

import { loadConfig } from '../../config/config.js';
import { schemaStatus, type SchemaStatus } from '../../store/database.js';
import { copyDatabase } from '../../store/copy-database.js';
import { openDatabase } from '../../store/database.js';
import { openStore, STORE_DATA_STEPS } from '../../store/open-store.js';
import { databaseSpec, isPostgresUrl } from '../../config/config-database.js';
import { redactUrl } from '../../store/postgres.js';

const shownName = (spec: string) => (isPostgresUrl(spec) ? redactUrl(spec) : spec);
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ScriptwardenError } from '../../errors.js';
import { safeText } from '../output.js';
import { EXIT, type CommandContext } from './context.js';
import { VERIFY_BROKEN } from './verify.js';

function describe(path: string, status: SchemaStatus): string[] {
  const current = status.applied.at(-1);
  return [
    `database: ${safeText(path, 300)}${status.exists ? '' : ' (does not exist yet: the first command creates it)'}`,
    `schema:   ${current ? `${current.version} (${safeText(current.name, 80)}, applied ${current.appliedAt})` : 'none'}`,
    `pending:  ${status.pending.length ? status.pending.map((m) => m.name).join(', ') : 'none'}`,
    ...(status.newer.length ? [`NEWER:    migrations ${status.newer.join(', ')} come from a newer scriptwarden; this version refuses to write to the database`] : []),
  ];
}

export async function dbStatusCommand(options: { config?: string; json?: boolean }, ctx: CommandContext): Promise<number> {
  const config = loadConfig(options.config, ctx.cwd, ctx.env);
  const status = await schemaStatus(config.database);
  if (options.json) ctx.stdout.write(`${JSON.stringify({ database: shownName(config.database), ...status }, null, 2)}\n`);
  else ctx.stdout.write(`${describe(shownName(config.database), status).join('\n')}\n`);
  // A database this version cannot use is an environment problem (exit 2), as every other command would report.
  return status.newer.length ? EXIT.usage : EXIT.ok;
}

export async function dbMigrateCommand(options: { config?: string; json?: boolean }, ctx: CommandContext): Promise<number> {
  const config = loadConfig(options.config, ctx.cwd, ctx.env);
  const before = await schemaStatus(config.database);
  // Opening the store applies what is pending, each migration in its own transaction, or refuses a newer schema.
  await (await openStore(config.database)).close();
  const after = await schemaStatus(config.database);
  const applied = before.pending.filter((m) => !after.pending.some((p) => p.version === m.version));
  if (options.json) ctx.stdout.write(`${JSON.stringify({ database: shownName(config.database), ...after, appliedNow: applied }, null, 2)}\n`);
  else ctx.stdout.write(`${applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}` : 'up to date: nothing to apply'}\n${describe(shownName(config.database), after).join('\n')}\n`);
  return EXIT.ok;
}

/** A database named on the command line, read as `database:` is (env:NAME, a URL), a file path from the working directory. */
function databaseArgument(value: string, flag: string, ctx: CommandContext): string {
  const { spec, errors } = databaseSpec(value, ctx.env);
  if (errors.length || spec === undefined) throw new ScriptwardenError('USAGE', `${flag}: ${(errors[0] ?? 'a database is required').replace(/^database: /, '')}`);
  return isPostgresUrl(spec) ? spec : resolve(ctx.cwd, spec);
}

export async function dbCopyCommand(options: { from?: string; to?: string; json?: boolean }, ctx: CommandContext): Promise<number> {
  if (!options.from || !options.to) throw new ScriptwardenError('USAGE', 'give both --from and --to, e.g. db copy --from ./scriptwarden.db --to postgres://scriptwarden@db.internal/scriptwarden');
  const [fromSpec, toSpec] = [databaseArgument(options.from, '--from', ctx), databaseArgument(options.to, '--to', ctx)];
  if (fromSpec === toSpec) throw new ScriptwardenError('USAGE', '--from and --to name the same database');
  if (!isPostgresUrl(fromSpec) && !existsSync(fromSpec)) throw new ScriptwardenError('USAGE', `--from: no database file ${fromSpec}`);
  const progress = (line: string) => { if (!options.json && ctx.stderr.isTTY) ctx.stderr.write(`${line}\n`); };
  // Both come to this version's schema first: the source as any command would migrate it, the target from nothing.
  const from = await openDatabase(fromSpec, STORE_DATA_STEPS);
  let report;
  try {
    const to = await openDatabase(toSpec, STORE_DATA_STEPS);
    try {
      report = await copyDatabase(from, to, (table, rows) => progress(`copied ${table}: ${rows} rows`));
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
  progress('verifying the copy…');
  const copy = await openStore(toSpec);
  const verify = await copy.scans.verify().finally(() => copy.close());
  const [shownFrom, shownTo] = [shownName(fromSpec), shownName(toSpec)];
  if (options.json) ctx.stdout.write(`${JSON.stringify({ from: shownFrom, to: shownTo, rows: report.rows, tables: report.tables, verify }, null, 2)}\n`);
  else {
    ctx.stdout.write(`copied ${report.rows} rows in ${report.tables.length} tables from ${safeText(shownFrom, 300)} to ${safeText(shownTo, 300)}\n`);
    ctx.stdout.write(verify.ok
      ? `verify: OK (${verify.scans} scans, ${verify.blobs} blobs, ${verify.auditEntries} audit entries)\n`
      : `verify: BROKEN: ${safeText(verify.firstBreak?.reason ?? 'unknown', 500)}\n`);
  }
  // The copy is only as good as its check: one that does not verify exits as verify does on a broken chain (1).
  return verify.ok ? EXIT.ok : VERIFY_BROKEN;
}
