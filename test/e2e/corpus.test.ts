// E2E: the labelled corpus through real scans: every attack rated high or critical, no benign change above low.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { severityRank, type Severity } from '../../src/types.js';
import { ATTACKS } from '../fixtures/corpus/attacks.js';
import { BENIGN } from '../fixtures/corpus/benign.js';
import type { CorpusCase } from '../fixtures/corpus/case.js';
import { parseJson, runCli, tempProject } from '../fixtures/cli.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import type { ScanJson } from './scenario.js';

const CASES: CorpusCase[] = [...ATTACKS, ...BENIGN];

function install(site: FixtureSite, routes: CorpusCase['before']): void {
  for (const [hostPath, route] of Object.entries(routes)) {
    const slash = hostPath.indexOf('/');
    site.set(hostPath.slice(0, slash), hostPath.slice(slash), route);
  }
}

function worst(alerts: { severity: Severity }[]): Severity | 'none' {
  return alerts.reduce<Severity | 'none'>((w, a) => (w === 'none' || severityRank(a.severity) > severityRank(w) ? a.severity : w), 'none');
}

describe('labelled corpus', () => {
  let site: FixtureSite;
  let baseline: ScanJson;
  let result: ScanJson;

  before(async () => {
    site = await startFixtureSite();
    for (const c of CASES) install(site, c.before);
    const dir = tempProject('sw-corpus-');
    const targets = CASES.map((c) => `  - name: ${c.id}\n    url: ${site.url(c.page.slice(0, c.page.indexOf('/')), c.page.slice(c.page.indexOf('/')))}`);
    writeFileSync(join(dir, 'scriptwarden.yml'), [
      'database: ./scriptwarden.db',
      'resolve:',
      '  "*.test": 127.0.0.1',
      '  "cdn.polyfill.io": 127.0.0.1',
      '  "coinhive.com": 127.0.0.1',
      'browser:',
      '  pageTimeout: 10s',
      '  settle: 300ms',
      '  concurrency: 4',
      'targets:',
      ...targets,
      '',
    ].join('\n'));
    const scan = async () => parseJson<ScanJson>(await runCli(['scan', '--json'], { cwd: dir }));
    baseline = await scan();
    const approved = await runCli(['approve', '--all', '--note', 'corpus baseline', '--by', 'corpus'], { cwd: dir });
    assert.equal(approved.code, 0, approved.stderr);
    for (const c of CASES) install(site, c.after);
    result = await scan();
  });
  after(async () => { await site?.close(); });

  it('holds at least 12 attack and 8 benign cases, all scanned successfully twice', () => {
    assert.ok(ATTACKS.length >= 12 && BENIGN.length >= 8);
    for (const run of [baseline, result]) {
      const failed = run.targets.filter((t) => t.status !== 'ok');
      assert.deepEqual(failed, [], JSON.stringify(failed));
    }
    assert.deepEqual(baseline.alerts, [], 'a first scan builds a baseline and raises nothing');
  });

  for (const c of CASES) {
    it(`${c.label}: ${c.id} (${c.models})`, () => {
      const alerts = result.alerts.filter((a) => a.target === c.id);
      const rated = worst(alerts);
      const explain = JSON.stringify(alerts.map((a) => ({ type: a.type, severity: a.severity, summary: a.summary })), null, 2);
      if (c.label === 'attack') {
        assert.ok(rated !== 'none' && severityRank(rated) >= severityRank('high'), `attack rated ${rated}:\n${explain}`);
      } else {
        const allowed = c.allowed ?? 'low';
        assert.ok(rated === 'none' || severityRank(rated) <= severityRank(allowed), `benign change rated ${rated} (allowed ${allowed}):\n${explain}`);
      }
    });
  }

  it('says what a recognised library upgrade is, with both versions', () => {
    const upgrade = result.alerts.find((a) => a.target === 'library-upgrade-same-url' && a.type === 'script.changed');
    assert.ok(upgrade, 'the upgrade is still reported for review');
    assert.match(upgrade.summary, /upgrades jquery 3\.6\.0 → 3\.7\.1/);
    // A release at a new versioned URL is one change from the old script, diffed against its body: no addition, no removal.
    const moved = result.alerts.find((a) => a.target === 'library-upgrade-new-url' && a.type === 'script.changed');
    assert.ok(moved, JSON.stringify(result.alerts.filter((a) => a.target === 'library-upgrade-new-url').map((a) => [a.type, a.summary])));
    assert.match(String(moved.details.replaces), /lodash\/4\.17\.20\/lodash\.min\.js$/);
    assert.ok(moved.oldValue, 'compared with the old body');
    assert.deepEqual(result.alerts.filter((a) => a.target === 'library-upgrade-new-url' && a.type !== 'script.changed').map((a) => a.type), []);
    assert.match(moved.summary, /upgrades lodash 4\.17\.20 → 4\.17\.21/);
  });

  it('explains a skimmer in plain language: listener, fields, send, new host', () => {
    const skimmer = result.alerts.find((a) => a.target === 'appended-first-party-skimmer' && a.type === 'script.changed')!;
    const summary = String(skimmer.details.changeSummary);
    assert.match(summary, /adds mouseup on button, touchend on button listeners|adds .*mouseup.*listener/);
    assert.match(summary, /skyline-airways\.test/);
    assert.match(summary, /XMLHttpRequest/);
  });
});
