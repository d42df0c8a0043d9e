// The PCI DSS 6.4.3 inventory as CSV, cells guarded against spreadsheet formulas; used by the CLI and the dashboard.

import type { InventoryRow } from './inventory-report.js';

/** A CSV cell, quoted, with a leading quote on values a spreadsheet would run as a formula. */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export const INVENTORY_COLUMNS: (keyof InventoryRow)[] = [
  'target', 'page', 'profile', 'kind', 'subject', 'url', 'host', 'party', 'vendor', 'category', 'frame', 'initiator', 'status', 'remoteIp', 'sha256', 'sri', 'size',
  'firstSeen', 'lastSeen', 'present', 'state', 'approvedBy', 'approvedAt', 'justification',
  'versionNote', 'authorizedBy', 'authorizedAt', 'bulkApproved', 'runsIn', 'chain', 'scriptId',
];

export function inventoryCsv(rows: InventoryRow[]): string {
  const lines = [INVENTORY_COLUMNS.join(',')];
  // A chain of loaders reads outermost first: `https://tags.example/gtm.js > https://px.example/p.js`.
  for (const row of rows) lines.push(INVENTORY_COLUMNS.map((c) => csvCell(Array.isArray(row[c]) ? (row[c] as string[]).join(' > ') : row[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
