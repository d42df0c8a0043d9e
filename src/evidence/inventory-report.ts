// The inventory as reports show it: the store's scripts and destinations, each with its party and vendor.

import { partyFields } from '../detect/vendors.js';
import { frameScopeOfKey } from '../plan/identity.js';
import type { PartyInfo } from '../detect/vendors.js';
import type { InventoryQuery, StoredScriptRow } from '../store/inventory.js';
import type { StoredDestinationRow } from '../store/page-inventory.js';
import type { Store } from '../store/open-store.js';

type Party = Pick<PartyInfo, 'party' | 'vendor' | 'category'>;

/** Where a script runs: the top-level page, or a frame of the page's own site or of a third party (out of the merchant's scope). */
export type RunsIn = 'page' | 'first-party frame' | 'third-party frame';

/**
 * A script of the inventory: first or third party relative to its page, by registrable domain (inline code counts as
 * its frame's), or fourth party when a third-party script loaded it; the chain of scripts that brought it in,
 * outermost first; and where it runs.
 */
export type InventoryRow = StoredScriptRow & Omit<Party, 'party'> & { party: 'first' | 'third' | 'fourth'; chain: string[]; runsIn: RunsIn };
export type DestinationRow = StoredDestinationRow & Party;

const isHttp = (url: string | null): url is string => Boolean(url && /^https?:/i.test(url));

function partyOf(source: string, page: string): Party {
  if (!isHttp(source)) return { party: 'first', vendor: null, category: null };
  try {
    return partyFields(source, page);
  } catch {
    return { party: 'third', vendor: null, category: null };
  }
}

/**
 * The scripts that brought this one in, outermost first, from each script's initiator (as far as the rows given know
 * them); the documents (the page, a frame) are not part of it, so a script the page's HTML loads has an empty chain.
 */
function chainOf(row: StoredScriptRow, scriptAt: (url: string) => StoredScriptRow | undefined): string[] {
  const chain: string[] = [];
  const seen = new Set<string>([row.url ?? '', row.page, row.frame]);
  let next = row.initiator;
  while (next && !seen.has(next) && chain.length < 20) {
    seen.add(next);
    chain.unshift(next);
    next = scriptAt(next)?.initiator ?? null;
  }
  return chain;
}

function runsIn(row: StoredScriptRow): RunsIn {
  if (!frameScopeOfKey(row.subject)) return 'page';
  return partyOf(row.frame, row.page).party === 'first' ? 'first-party frame' : 'third-party frame';
}

/** Party, chain and scope for stored rows; initiators are looked up among the rows of the same target and profile. */
export function withProvenance(rows: StoredScriptRow[]): InventoryRow[] {
  const byUrl = new Map<string, StoredScriptRow>();
  for (const row of rows) if (row.url) byUrl.set(`${row.target}\n${row.profile}\n${row.url}`, row);
  return rows.map((row) => {
    const chain = chainOf(row, (url) => byUrl.get(`${row.target}\n${row.profile}\n${url}`));
    const own = partyOf(isHttp(row.url) ? row.url : row.frame, row.page);
    // Loaded by a script of another site than the page's: a fourth party, which the merchant did not choose directly.
    const loader = row.initiator && row.initiator !== row.frame && row.initiator !== row.page ? row.initiator : null;
    const fourth = own.party === 'third' && loader !== null && isHttp(loader) && partyOf(loader, row.page).party === 'third';
    return { ...row, ...own, party: fourth ? 'fourth' : own.party, chain, runsIn: runsIn(row) };
  });
}

export async function scriptInventory(store: Store, filter: InventoryQuery): Promise<InventoryRow[]> {
  return withProvenance(await store.inventory.scripts(filter));
}

export async function destinationInventory(store: Store, filter: { target?: string }): Promise<DestinationRow[]> {
  return (await store.inventory.destinations(filter)).map((row) => ({ ...row, ...partyFields(row.host, row.page) }));
}
