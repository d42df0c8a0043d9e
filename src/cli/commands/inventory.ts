// `scriptwarden inventory`: every script per page, its integrity value and who authorized it.

import { ScriptwardenError } from '../../errors.js';
import { formatInventory } from '../output.js';
import { inventoryCsv } from '../../evidence/inventory-csv.js';
import { destinationInventory, scriptInventory } from '../../evidence/inventory-report.js';
import { EXIT, withStore, type CommandContext } from './context.js';

export async function inventoryCommand(options: { config?: string; target?: string; json?: boolean; csv?: boolean }, ctx: CommandContext): Promise<number> {
  if (options.json && options.csv) throw new ScriptwardenError('USAGE', 'give either --json or --csv, not both');
  return withStore(options.config, ctx, async (store, config) => {
    if (options.target && !config.targets.some((t) => t.name === options.target)) {
      throw new ScriptwardenError('USAGE', `unknown target "${options.target}"`);
    }
    const rows = await scriptInventory(store, { target: options.target });
    if (options.csv) ctx.stdout.write(inventoryCsv(rows));
    else if (options.json) {
      const filter = { target: options.target };
      const payload = { inventory: rows, destinations: await destinationInventory(store, filter), headers: await store.inventory.headers(filter), fieldAccess: await store.inventory.fieldAccess(filter) };
      ctx.stdout.write(`${JSON.stringify(payload, null, 2)}\n`);
    }
    else ctx.stdout.write(`${formatInventory(rows)}\n`);
    return EXIT.ok;
  });
}
