// Scans a part of the labelled corpus through the real CLI, twice: a baseline, approved, then the changed pages.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { severityRank, type Severity } from '../../src/capture/types.js';
import type { CorpusCase } from '../fixtures/corpus/case.js';
import { parseJson, runCli, tempProject } from '../fixtures/cli.js';
import { configDatabase } from '../fixtures/test-database.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { fetchReleases, startLocalRegistry, type LocalRegistry } from '../fixtures/npm-releases.js';
import type { ScanJson } from './scenario.js';

export type Alert = ScanJson['alerts'][number];

export interface CorpusRun {
  baseline: ScanJson;
  result: ScanJson;
  /** The alerts of one case, optionally of one type. */
  of(target: string, type?: string): Alert[];
  close(): Promise<void>;
}

function install(site: FixtureSite, routes: CorpusCase['before']): void {
  for (const [hostPath, route] of Object.entries(routes)) {
    const slash = hostPath.indexOf('/');
    site.set(hostPath.slice(0, slash), hostPath.slice(slash), route);
  }
}

export function worst(alerts: { severity: Severity }[]): Severity | 'none' {
  return alerts.reduce<Severity | 'none'>((w, a) => (w === 'none' || severityRank(a.severity) > severityRank(w) ? a.severity : w), 'none');
}

/** The script URL an alert is about: the new URL of a moved release, or the changed script's own. */
export function alertUrl(alert: Alert): string {
  return String(alert.details.url ?? alert.subject);
}

/**
 * Every case's pages served before, scanned and approved; then served after and scanned again. `registry`: real npm
 * files are verified against their published releases, fetched by the setup (once, into a cache) and served by a
 * local registry, as a real scan would ask npm's.
 */
export async function scanCorpus(cases: CorpusCase[], options: { registry?: boolean } = {}): Promise<CorpusRun> {
  let registry: LocalRegistry | null = null;
  if (options.registry) {
    await fetchReleases();
    registry = await startLocalRegistry();
  }
  const site = await startFixtureSite();
  for (const c of cases) install(site, c.before);
  const dir = tempProject('sw-corpus-');
  const targets = cases.map((c) => `  - name: ${c.id}\n    url: ${site.url(c.page.slice(0, c.page.indexOf('/')), c.page.slice(c.page.indexOf('/')))}`);
  writeFileSync(join(dir, 'scriptwarden.yml'), [
    `database: ${configDatabase(dir)}`,
    'resolve:',
    '  "*.test": 127.0.0.1',
    '  "cdn.polyfill.io": 127.0.0.1',
    '  "coinhive.com": 127.0.0.1',
    ...(registry ? ['intel:', `  registry: ${registry.url}`] : []),
    'browser:',
    // Generous: the corpus is about what is detected, and several browser test files share the machine's two cores.
    '  pageTimeout: 30s',
    '  settle: 300ms',
    '  concurrency: 2',
    'targets:',
    ...targets,
    '',
  ].join('\n'));
  const scan = async () => parseJson<ScanJson>(await runCli(['scan', '--json'], { cwd: dir }));
  const baseline = await scan();
  const approved = await runCli(['approve', '--all', '--note', 'corpus baseline', '--by', 'corpus'], { cwd: dir });
  assert.equal(approved.code, 0, approved.stderr);
  for (const c of cases) install(site, c.after);
  const result = await scan();
  return {
    baseline,
    result,
    of: (target, type) => result.alerts.filter((a) => a.target === target && (type === undefined || a.type === type)),
    close: async () => { await site.close(); await registry?.close(); },
  };
}

/** Both scans of every case succeeded, and the first raised nothing. */
export function assertScannedTwice(run: CorpusRun): void {
  for (const scan of [run.baseline, run.result]) {
    const failed = scan.targets.filter((t) => t.status !== 'ok');
    assert.deepEqual(failed, [], JSON.stringify(failed));
  }
  assert.deepEqual(run.baseline.alerts, [], 'a first scan builds a baseline and raises nothing');
}

/** An attack rates high or above with one such alert naming destination and sender; an everyday change at most its allowance. */
export function assertCaseRating(run: CorpusRun, c: CorpusCase): void {
  const alerts = run.of(c.id);
  const rated = worst(alerts);
  const explain = JSON.stringify(alerts.map((a) => ({ type: a.type, severity: a.severity, summary: a.summary, script: a.details.script })), null, 2);
  if (c.label === 'attack') {
    assert.ok(rated !== 'none' && severityRank(rated) >= severityRank('high'), `attack rated ${rated}:\n${explain}`);
    const named = alerts.filter((a) => severityRank(a.severity) >= severityRank('high')).some((a) => {
      const text = JSON.stringify(a).replace(/:\d+\//g, '/');
      return (!c.collector || text.includes(c.collector)) && (!c.sender || text.includes(c.sender));
    });
    assert.ok(named, `no high alert names ${c.collector} and ${c.sender}:\n${explain}`);
  } else {
    const allowed = c.allowed ?? 'low';
    assert.ok(rated === 'none' || severityRank(rated) <= severityRank(allowed), `benign change rated ${rated} (allowed ${allowed}):\n${explain}`);
  }
}
