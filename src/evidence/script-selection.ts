// Chooses inventory scripts for a grouped authorization: by target, host, vendor or kind (all given must match).

import { ScriptwardenError } from '../errors.js';
import type { InventoryRow } from './inventory-report.js';

export interface ScriptSelector {
  target?: string;
  /** A host as the inventory shows it (`cdn.example.com`, with or without a port), or `*.example.com` for its subdomains too. */
  host?: string;
  /** A vendor as the inventory names it (third-party-web's entity), in any case. */
  vendor?: string;
  kind?: string;
}

function hostMatches(pattern: string, host: string | null): boolean {
  if (!host) return false;
  const wanted = pattern.toLowerCase();
  const actual = host.toLowerCase();
  const bare = actual.replace(/:\d+$/, '');
  if (wanted.startsWith('*.')) {
    const domain = wanted.slice(2);
    return bare === domain || bare.endsWith(`.${domain}`);
  }
  return actual === wanted || bare === wanted;
}

/** The selector as words, for the audit log and the authorization's record (`host cdn.example.com, kind external`). */
export function describeSelector(selector: ScriptSelector): string {
  return (['target', 'host', 'vendor', 'kind'] as const).filter((k) => selector[k]).map((k) => `${k} ${selector[k]}`).join(', ');
}

/** Scripts still in use (not removed) that match every part of the selector. */
export function selectScripts(rows: InventoryRow[], selector: ScriptSelector): InventoryRow[] {
  return rows.filter((row) => row.state !== 'removed'
    && (!selector.target || row.target === selector.target)
    && (!selector.host || hostMatches(selector.host, row.host))
    && (!selector.vendor || (row.vendor ?? '').toLowerCase() === selector.vendor.toLowerCase())
    && (!selector.kind || row.kind === selector.kind));
}

/**
 * The scripts one authorization names, for the CLI and the dashboard alike: ids, or a group (read through `rows` only
 * then), never both and never neither; a group that matches nothing is NOT_FOUND. `selector` is what the record keeps.
 */
export async function scriptsToAuthorize(ids: number[], selector: ScriptSelector, rows: () => Promise<InventoryRow[]>): Promise<{ ids: number[]; selector: string }> {
  const grouped = describeSelector(selector);
  if (ids.length > 0 && grouped) throw new ScriptwardenError('USAGE', 'give either script ids or a group (target, host, vendor, kind), not both');
  if (ids.length > 0) return { ids, selector: 'script' };
  if (!grouped) throw new ScriptwardenError('USAGE', 'give script ids, or choose scripts by target, host, vendor or kind');
  const chosen = selectScripts(await rows(), selector).map((row) => row.scriptId);
  if (chosen.length === 0) throw new ScriptwardenError('NOT_FOUND', `no script in the inventory matches ${grouped}`);
  return { ids: chosen, selector: grouped };
}
