// Evidence files of an alerting scan (page HTML, screenshot, HAR, TLS, initiators), stored as content-addressed blobs.

import type { Blobs } from './blobs.js';
import type { Db } from './database.js';

export interface EvidenceFile {
  name: string;
  sha256: string;
  size: number;
}

export function putEvidence(db: Db, blobs: Blobs, scanId: number, files: { name: string; bytes: Buffer }[]): void {
  const insert = db.prepare('INSERT INTO evidence (scan_id, name, blob_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
  for (const file of files) insert.run(scanId, file.name, blobs.putBytes(file.bytes));
}

export function listEvidence(db: Db, scanId: number): EvidenceFile[] {
  return db.prepare<[number], EvidenceFile>(
    'SELECT e.name, b.sha256, b.size FROM evidence e JOIN blobs b ON b.id = e.blob_id WHERE e.scan_id = ? ORDER BY e.name',
  ).all(scanId);
}
