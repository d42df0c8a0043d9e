// `scriptwarden audit`: the audit trail for an assessor, as text, JSON or CSV, with the state of its hash chain.

import { ScriptwardenError } from '../../errors.js';
import { safeText } from '../output.js';
import { csvCell } from '../../evidence/inventory-csv.js';
import type { AuditEntry } from '../../store/audit.js';
import { EXIT, withStore, type CommandContext } from './context.js';

const COLUMNS = ['id', 'at', 'actor', 'ip', 'action', 'objectType', 'objectId', 'before', 'after', 'note'] as const;

const cell = (entry: AuditEntry, column: (typeof COLUMNS)[number]) =>
  column === 'before' || column === 'after' ? (entry[column] === null ? '' : JSON.stringify(entry[column])) : entry[column];

export async function auditCommand(opts: { config?: string; actor?: string; type?: string; limit?: string; json?: boolean; csv?: boolean }, ctx: CommandContext): Promise<number> {
  if (opts.json && opts.csv) throw new ScriptwardenError('USAGE', 'give either --json or --csv, not both');
  const limit = opts.limit === undefined ? 1_000_000 : Number(opts.limit);
  if (!Number.isSafeInteger(limit) || limit < 1) throw new ScriptwardenError('USAGE', `--limit must be a positive whole number, not "${opts.limit}"`);
  return withStore(opts.config, ctx, async (store) => {
    const entries = (await store.access.audit.list({ actor: opts.actor, objectType: opts.type, limit })).reverse();
    const chain = await store.access.audit.verify();
    if (opts.json) ctx.stdout.write(`${JSON.stringify({ chain, entries }, null, 2)}\n`);
    else if (opts.csv) ctx.stdout.write(`${[COLUMNS.join(','), ...entries.map((e) => COLUMNS.map((c) => csvCell(cell(e, c))).join(','))].join('\r\n')}\r\n`);
    else {
      for (const e of entries) {
        const object = `${e.objectType}${e.objectId !== null ? ` ${e.objectId}` : ''}`;
        const change = e.before !== null || e.after !== null ? ` ${JSON.stringify(e.before)} -> ${JSON.stringify(e.after)}` : '';
        ctx.stdout.write(`#${e.id} ${e.at} ${safeText(e.actor, 64)} (${e.ip ?? 'command line'}) ${e.action} ${safeText(object, 80)}${safeText(change, 200)}${e.note ? `: ${safeText(e.note)}` : ''}\n`);
      }
      ctx.stdout.write(chain.firstBreak ? `BROKEN: ${chain.firstBreak.reason}\n` : `${chain.entries} entries; the hash chain is intact.\n`);
    }
    return chain.firstBreak ? 1 : EXIT.ok;
  });
}
