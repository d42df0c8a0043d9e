// Content-addressed blob storage: each distinct body or metadata document is kept once, compressed.

import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { sha256Hex } from '../plan/fingerprint.js';
import type { Db } from './database.js';
import { jsonValues } from './sql.js';

export interface Blobs {
  /** Stores text if its SHA-256 is new; returns the blob id either way. */
  put(text: string, sha256?: string): Promise<number>;
  /** Stores bytes (a screenshot, say) by the SHA-256 of the bytes; returns the blob id. */
  putBytes(bytes: Buffer): Promise<number>;
  bytesBySha(sha256: string): Promise<Buffer | null>;
  idOf(sha256: string): Promise<number | null>;
  text(id: number): Promise<string | null>;
  textBySha(sha256: string): Promise<string | null>;
  shaOf(id: number): Promise<string | null>;
  putJson(value: unknown): Promise<number>;
  json<T>(id: number | null): Promise<T | null>;
  /** Several JSON documents by id in one read (ids not stored are absent from the map). */
  jsonMany<T>(ids: number[]): Promise<Map<number, T>>;
}

export function createBlobs(db: Db): Blobs {
  const find = db.prepare<[string], { id: number }>('SELECT id FROM blobs WHERE sha256 = ?');
  const insert = db.prepare<[string, number, string, Buffer], { id: number }>('INSERT INTO blobs (sha256, size, encoding, data) VALUES (?, ?, ?, ?) RETURNING id');
  const read = db.prepare<[number], { encoding: string; data: Buffer }>('SELECT encoding, data FROM blobs WHERE id = ?');
  const sha = db.prepare<[number], { sha256: string }>('SELECT sha256 FROM blobs WHERE id = ?');
  const readMany = db.prepare<[string], { id: number; encoding: string; data: Buffer }>(`SELECT id, encoding, data FROM blobs WHERE id IN (${jsonValues(db.dialect, 'integer')})`);

  const decode = (row: { encoding: string; data: Buffer } | undefined): string | null => {
    if (!row) return null;
    return (row.encoding === 'br' ? brotliDecompressSync(row.data) : row.data).toString('utf8');
  };

  const store = async (hash: string, bytes: Buffer | (() => Buffer)): Promise<number> => {
    const existing = await find.get(hash);
    if (existing) return existing.id;
    const raw = typeof bytes === 'function' ? bytes() : bytes;
    let encoding = 'raw';
    let data = raw;
    if (raw.length > 64) {
      const compressed = brotliCompressSync(raw, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
      });
      if (compressed.length < raw.length) {
        encoding = 'br';
        data = compressed;
      }
    }
    return (await insert.get(hash, raw.length, encoding, data))!.id;
  };

  const blobs: Blobs = {
    // A body already stored (most of a rescan's) is not copied into a buffer again.
    put: (text, sha256) => store(sha256 ?? sha256Hex(text), () => Buffer.from(text, 'utf8')),
    putBytes: (bytes) => store(sha256Hex(bytes), bytes),
    async bytesBySha(hash) {
      const row = await read.get((await find.get(hash))?.id ?? -1);
      if (!row) return null;
      return row.encoding === 'br' ? brotliDecompressSync(row.data) : row.data;
    },
    idOf: async (hash) => (await find.get(hash))?.id ?? null,
    text: async (id) => decode(await read.get(id)),
    async textBySha(hash) {
      const id = (await find.get(hash))?.id;
      return id === undefined ? null : decode(await read.get(id));
    },
    shaOf: async (id) => (await sha.get(id))?.sha256 ?? null,
    putJson: (value) => blobs.put(JSON.stringify(value)),
    async json<T>(id: number | null): Promise<T | null> {
      if (id === null) return null;
      const text = decode(await read.get(id));
      return text === null ? null : (JSON.parse(text) as T);
    },
    async jsonMany<T>(ids: number[]): Promise<Map<number, T>> {
      const unique = [...new Set(ids)];
      const rows = unique.length ? await readMany.all(JSON.stringify(unique)) : [];
      return new Map(rows.map((row) => [row.id, JSON.parse(decode(row)!) as T]));
    },
  };
  return blobs;
}
