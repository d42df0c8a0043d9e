// Store: db copy reads each table in pages by its key, composite keys included, and brings over every row once.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { copyDatabase } from '../../src/store/copy-database.js';
import { openDatabase } from '../../src/store/database.js';
import { openStore, STORE_DATA_STEPS } from '../../src/store/open-store.js';
import { openSqlite } from '../../src/store/sqlite.js';
import { tempProject } from '../fixtures/cli.js';
import { testDatabase } from '../fixtures/test-database.js';

describe('db copy', () => {
  it('copies tables of several pages, by single and composite keys, each row once', async () => {
    const source = join(tempProject('sw-copy-'), 'source.db');
    await (await openStore(source)).close();
    const raw = openSqlite(source);
    // Versions that sort as text, not as numbers, so a page boundary inside one package tests the key's order.
    await raw.transaction(async () => {
      for (let r = 0; r < 3; r++) {
        await raw.prepare("INSERT INTO published_releases (package, version, status, registry, fetched_at) VALUES (?, ?, 'ok', 'r', 't')").run(`pkg-${r}`, `1.${r}.0`);
        for (let f = 0; f < 900; f++) {
          await raw.prepare('INSERT INTO published_files (package, version, path, sha256, size) VALUES (?, ?, ?, ?, ?)').run(`pkg-${r}`, `1.${r}.0`, `dist/f${f}.js`, `${r}-${f}`, f);
        }
      }
      for (let i = 0; i < 2500; i++) await raw.prepare("INSERT INTO settings (key, value) VALUES (?, 'v')").run(`k${i}`);
    });
    const target = openDatabase(await testDatabase(tempProject('sw-copy-')), STORE_DATA_STEPS);
    const to = await target;
    const report = await copyDatabase(raw, to);
    const rows = (name: string) => report.tables.find((t) => t.table === name)?.rows;
    assert.deepEqual([rows('published_files'), rows('settings')], [2700, 2500]);
    const copied = await to.prepare<[], { n: number; d: number }>("SELECT COUNT(*) AS n, COUNT(DISTINCT package || '/' || path) AS d FROM published_files").get();
    assert.deepEqual([copied!.n, copied!.d], [2700, 2700]);
    await Promise.all([raw.close(), to.close()]);
  });
});
