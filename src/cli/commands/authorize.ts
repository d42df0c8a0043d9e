// `scriptwarden authorize`: a written justification per script (PCI DSS 6.4.3), for scripts by id or by group.

import { ScriptwardenError } from '../../errors.js';
import { scriptInventory } from '../../evidence/inventory-report.js';
import { scriptsToAuthorize, type ScriptSelector } from '../../evidence/script-selection.js';
import { safeText } from '../output.js';
import { SCRIPT_KINDS, type ScriptKind } from '../../capture/types.js';
import { EXIT, withStore, type CommandContext } from './context.js';

export interface AuthorizeOptions extends ScriptSelector {
  config?: string;
  justification?: string;
  by?: string;
  json?: boolean;
}

function parseScriptIds(ids: string[]): number[] {
  return ids.map((raw) => {
    const id = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(id) || id === 0) throw new ScriptwardenError('USAGE', `"${raw}" is not a script id (the inventory's first column)`);
    return id;
  });
}

export async function authorizeCommand(ids: string[], options: AuthorizeOptions, ctx: CommandContext): Promise<number> {
  const justification = options.justification?.trim();
  if (!justification) throw new ScriptwardenError('USAGE', 'give --justification: why the scripts are necessary on the page (PCI DSS 6.4.3)');
  if (justification.length > 4000) throw new ScriptwardenError('USAGE', '--justification is longer than 4000 characters');
  const selector: ScriptSelector = { target: options.target, host: options.host, vendor: options.vendor, kind: options.kind };
  if (options.kind && !SCRIPT_KINDS.includes(options.kind as ScriptKind)) throw new ScriptwardenError('USAGE', `--kind must be one of ${SCRIPT_KINDS.join(', ')}`);
  const scriptIds = parseScriptIds(ids);
  return withStore(options.config, ctx, async (store, config) => {
    if (selector.target && !config.targets.some((t) => t.name === selector.target)) throw new ScriptwardenError('USAGE', `unknown target "${selector.target}"`);
    const chosen = await scriptsToAuthorize(scriptIds, selector, () => scriptInventory(store, { target: selector.target }));
    const by = options.by ?? ctx.defaultActor;
    const authorized = await store.inventory.authorize(chosen.ids, { justification, by, at: new Date().toISOString(), selector: chosen.selector });
    const rows = (await scriptInventory(store, {})).filter((row) => authorized.includes(row.scriptId));
    if (options.json) {
      ctx.stdout.write(`${JSON.stringify({ authorized: rows.map((r) => ({ scriptId: r.scriptId, target: r.target, profile: r.profile, subject: r.subject, justification: r.justification, authorizedBy: r.authorizedBy, authorizedAt: r.authorizedAt, state: r.state })) }, null, 2)}\n`);
    } else {
      ctx.stdout.write(`Authorized ${rows.length} script${rows.length === 1 ? '' : 's'} as ${safeText(by)}: ${safeText(justification, 200)}\n`);
      for (const row of rows) ctx.stdout.write(`  ${row.scriptId}  ${safeText(row.target)} (${row.profile})  ${safeText(row.subject, 160)}  ${row.state}\n`);
    }
    return EXIT.ok;
  });
}
