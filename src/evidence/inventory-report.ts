// The inventory as reports show it: the store's scripts and destinations, each with its party and vendor.

import { partyFields } from '../detect/vendors.js';
import type { PartyInfo } from '../detect/vendors.js';
import type { InventoryQuery, StoredScriptRow } from '../store/inventory.js';
import type { StoredDestinationRow } from '../store/page-inventory.js';
import type { Store } from '../store/open-store.js';

type Party = Pick<PartyInfo, 'party' | 'vendor' | 'category'>;

/** A script of the inventory: first or third party relative to its page, by registrable domain; inline code counts as its frame's. */
export type InventoryRow = StoredScriptRow & Party;
export type DestinationRow = StoredDestinationRow & Party;

function scriptParty(row: StoredScriptRow): Party {
  const source = row.url && /^https?:/i.test(row.url) ? row.url : row.frame;
  if (!/^https?:/i.test(source)) return { party: 'first', vendor: null, category: null };
  return partyFields(source, row.page);
}

export function scriptInventory(store: Store, filter: InventoryQuery): InventoryRow[] {
  return store.inventory.scripts(filter).map((row) => ({ ...row, ...scriptParty(row) }));
}

export function destinationInventory(store: Store, filter: { target?: string }): DestinationRow[] {
  return store.inventory.destinations(filter).map((row) => ({ ...row, ...partyFields(row.host, row.page) }));
}
