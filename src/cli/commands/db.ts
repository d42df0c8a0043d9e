// `scriptwarden db status` and `db migrate`: the database's schema for operators (every command migrates on open).

import { loadConfig } from '../../config/config.js';
import { schemaStatus, type SchemaStatus } from '../../store/database.js';
import { openStore } from '../../store/open-store.js';
import { isPostgresUrl, redactUrl } from '../../store/postgres.js';

const shownName = (spec: string) => (isPostgresUrl(spec) ? redactUrl(spec) : spec);
import { safeText } from '../output.js';
import { EXIT, type CommandContext } from './context.js';

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
