// Storage of published npm releases: which were fetched, and the SHA-256 of every script file each one ships.

import type { Db } from './database.js';

export interface PublishedFile {
  package: string;
  version: string;
  path: string;
}

export interface ReleaseRecord {
  status: 'ok' | 'missing';
  fetchedAt: string;
  files: number;
}

export interface Releases {
  /** What is known of one release: fetched (with its file count), known not to exist, or null when never fetched. */
  get(name: string, version: string): Promise<ReleaseRecord | null>;
  /** Records a fetched release and its files (replacing an earlier record), in one transaction. */
  put(release: { name: string; version: string; status: 'ok' | 'missing'; registry: string; files: { path: string; sha256: string; size: number }[] }, now: string): Promise<void>;
  /** Published files with exactly these bytes. */
  bySha(sha256: string): Promise<PublishedFile[]>;
  /** The SHA-256 of one file of a fetched release; null when the release does not ship it (or was not fetched). */
  fileSha(name: string, version: string, path: string): Promise<string | null>;
  /** Provenance: what a source of true bytes (`url https://…`) gave when last fetched, and recording it. */
  source(source: string): Promise<{ sha256: string; fetchedAt: string } | null>;
  putSource(source: string, sha256: string, now: string): Promise<void>;
}

export function createReleases(db: Db): Releases {
  const get = db.prepare<[string, string], { status: 'ok' | 'missing'; fetched_at: string; files: number }>(
    `SELECT r.status, r.fetched_at, (SELECT COUNT(*) FROM published_files f WHERE f.package = r.package AND f.version = r.version) AS files
       FROM published_releases r WHERE r.package = ? AND r.version = ?`,
  );
  const bySha = db.prepare<[string], PublishedFile>('SELECT package, version, path FROM published_files WHERE sha256 = ? ORDER BY package, version, path LIMIT 20');
  return {
    async get(name, version) {
      const row = await get.get(name, version);
      return row ? { status: row.status, fetchedAt: row.fetched_at, files: row.files } : null;
    },
    async put(release, now) {
      await db.transaction(async () => {
        await db.prepare('DELETE FROM published_releases WHERE package = ? AND version = ?').run(release.name, release.version);
        await db.prepare('INSERT INTO published_releases (package, version, status, registry, fetched_at) VALUES (?, ?, ?, ?, ?)').run(
          release.name, release.version, release.status, release.registry, now,
        );
        const insert = db.prepare('INSERT INTO published_files (package, version, path, sha256, size) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
        for (const file of release.files) await insert.run(release.name, release.version, file.path, file.sha256, file.size);
      });
    },
    bySha: (sha256) => bySha.all(sha256),
    async fileSha(name, version, path) {
      const row = await db.prepare<[string, string, string], { sha256: string }>('SELECT sha256 FROM published_files WHERE package = ? AND version = ? AND path = ?').get(name, version, path);
      return row?.sha256 ?? null;
    },
    async source(source) {
      const row = await db.prepare<[string], { sha256: string; fetched_at: string }>('SELECT sha256, fetched_at FROM provenance_sources WHERE source = ?').get(source);
      return row ? { sha256: row.sha256, fetchedAt: row.fetched_at } : null;
    },
    async putSource(source, sha256, now) {
      await db.prepare('INSERT INTO provenance_sources (source, sha256, fetched_at) VALUES (?, ?, ?) ON CONFLICT (source) DO UPDATE SET sha256 = excluded.sha256, fetched_at = excluded.fetched_at')
        .run(source, sha256, now);
    },
  };
}
