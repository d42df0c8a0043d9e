// E2E: the labelled corpus through real scans: every attack rated high or critical naming its destination and sender;
// no benign change above low; real npm releases one change each, at most medium, and at most low when recognised or verified.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { severityRank, type Severity } from '../../src/capture/types.js';
import { ATTACKS } from '../fixtures/corpus/attacks.js';
import { BENIGN } from '../fixtures/corpus/benign.js';
import { CHANNEL_ATTACKS } from '../fixtures/corpus/attacks-channels.js';
import { releaseCases } from '../fixtures/corpus/releases.js';
import { fetchReleases, startLocalRegistry, type LocalRegistry } from '../fixtures/npm-releases.js';
import type { CorpusCase } from '../fixtures/corpus/case.js';
import { parseJson, runCli, tempProject } from '../fixtures/cli.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import type { ScanJson } from './scenario.js';

const ALL_ATTACKS = [...ATTACKS, ...CHANNEL_ATTACKS];

function install(site: FixtureSite, routes: CorpusCase['before']): void {
  for (const [hostPath, route] of Object.entries(routes)) {
    const slash = hostPath.indexOf('/');
    site.set(hostPath.slice(0, slash), hostPath.slice(slash), route);
  }
}

function worst(alerts: { severity: Severity }[]): Severity | 'none' {
  return alerts.reduce<Severity | 'none'>((w, a) => (w === 'none' || severityRank(a.severity) > severityRank(w) ? a.severity : w), 'none');
}

type Alert = ScanJson['alerts'][number];
const RANK_LOW = severityRank('low');

/** The script URL an alert is about: the new URL of a moved release, or the changed script's own. */
function alertUrl(alert: Alert): string {
  return String(alert.details.url ?? alert.subject);
}

describe('labelled corpus', () => {
  let site: FixtureSite;
  let registry: LocalRegistry;
  let baseline: ScanJson;
  let result: ScanJson;
  // Real releases are fetched from the npm registry by the setup (once, into a cache) and served by a local registry.
  let RELEASE_CASES: CorpusCase[] = [];
  let CASES: CorpusCase[] = [];

  beforeAll(async () => {
    await fetchReleases();
    RELEASE_CASES = releaseCases();
    CASES = [...ALL_ATTACKS, ...BENIGN, ...RELEASE_CASES];
    registry = await startLocalRegistry();
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
      'intel:',
      `  registry: ${registry.url}`,
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
  }, 900_000); // Scans the whole corpus (about 60 pages, some twice) before the cases are judged.
  afterAll(async () => { await site?.close(); await registry?.close(); });

  it('holds at least 25 attack cases, 8 everyday changes and 25 real releases, all scanned successfully twice', () => {
    assert.ok(ALL_ATTACKS.length >= 25 && BENIGN.length >= 8, `${ALL_ATTACKS.length} attacks`);
    assert.ok(RELEASE_CASES.flatMap((c) => c.releases ?? []).length >= 25);
    assert.ok(RELEASE_CASES.some((c) => c.id.startsWith('releases-in-place')) && RELEASE_CASES.some((c) => c.id.startsWith('releases-new-url')));
    for (const run of [baseline, result]) {
      const failed = run.targets.filter((t) => t.status !== 'ok');
      assert.deepEqual(failed, [], JSON.stringify(failed));
    }
    assert.deepEqual(baseline.alerts, [], 'a first scan builds a baseline and raises nothing');
  });

  for (const c of [...ALL_ATTACKS, ...BENIGN]) {
    it(`${c.label}: ${c.id} (${c.models})`, () => {
      const alerts = result.alerts.filter((a) => a.target === c.id);
      const rated = worst(alerts);
      const explain = JSON.stringify(alerts.map((a) => ({ type: a.type, severity: a.severity, summary: a.summary, script: a.details.script })), null, 2);
      if (c.label === 'attack') {
        assert.ok(rated !== 'none' && severityRank(rated) >= severityRank('high'), `attack rated ${rated}:\n${explain}`);
        // One alert at high or above names both the destination and the script that sent the data.
        const named = alerts.filter((a) => severityRank(a.severity) >= severityRank('high')).some((a) => {
          const text = JSON.stringify(a).replace(/:\d+\//g, '/');
          return (!c.collector || text.includes(c.collector)) && (!c.sender || text.includes(c.sender));
        });
        assert.ok(named, `no high alert names ${c.collector} and ${c.sender}:\n${explain}`);
      } else {
        const allowed = c.allowed ?? 'low';
        assert.ok(rated === 'none' || severityRank(rated) <= severityRank(allowed), `benign change rated ${rated} (allowed ${allowed}):\n${explain}`);
      }
    });
  }

  it('sees each technique for what it is: staged data, run-time built names, expiry and CVC, the right sender, own-site paths', () => {
    const of = (target: string, type: string) => result.alerts.filter((a) => a.target === target && a.type === type);
    // Staged: written to localStorage on checkout (a finding), then sent when the next page loaded (an exfiltration).
    const stored = of('staged-in-local-storage', 'canary.stored');
    assert.equal(stored.length, 1, JSON.stringify(result.alerts.filter((a) => a.target === 'staged-in-local-storage').map((a) => [a.type, a.summary])));
    assert.match(stored[0]!.summary, /localStorage \(cart_state\).*\/js\/cart\.js/);
    assert.ok(of('staged-in-local-storage', 'exfiltration.detected').some((a) => a.subject === 'cart-sync-api.test'));
    // Sent while the page unloads (pagehide), as the next page replaces it.
    assert.ok(of('keylogger-local-storage', 'exfiltration.detected').some((a) => a.subject === 'cdn-static-metrics.test'),
      JSON.stringify(result.alerts.filter((a) => a.target === 'keylogger-local-storage').map((a) => [a.type, a.summary])));
    // Obfuscated at run time and touching the card form (the instrumentation saw it): at least high on its own.
    const built = of('runtime-built-names', 'script.changed')[0]!;
    assert.ok(severityRank(built.severity) >= severityRank('high'), built.summary);
    assert.match(String(built.details.changeSummary), /builds its strings and property names at run time/);
    // Expiry and CVC are searched for, beside the card number.
    const ws = of('expiry-and-cvc-only-beside-pan', 'exfiltration.detected')[0]!;
    assert.deepEqual([...(ws.details.fields as string[])].sort(), ['cardNumber', 'cvc', 'expiry']);
    // A host the page already uses: blamed on the script whose stack sent the card, not on the analytics script.
    const trusted = of('skim-through-analytics-host', 'exfiltration.detected');
    assert.deepEqual(trusted.map((a) => String(a.details.script).replace(/:\d+/, '')), ['http://tag-hub.test/container.js']);
    // The shop's own site: the endpoint is the destination, and the form's own action is not.
    const own = of('own-domain-media-collector', 'exfiltration.detected');
    assert.deepEqual(own.map((a) => a.subject.replace(/:\d+/, '')), ['homewares.test/media/catalog/product/cache/a1b2/image.php']);
  });

  it('real releases: each upgrade is one change against the old body, at most medium, and at most low when recognised or verified', () => {
    const problems: string[] = [];
    for (const c of RELEASE_CASES) {
      const alerts = result.alerts.filter((a) => a.target === c.id);
      const stray = alerts.filter((a) => a.type !== 'script.changed');
      if (stray.length) problems.push(`${c.id}: ${stray.map((a) => `${a.type} ${a.subject}`).join('; ')}`);
      for (const release of c.releases!) {
        const path = release.script.slice(release.script.indexOf('/'));
        const own = alerts.filter((a) => alertUrl(a).endsWith(path));
        if (own.length !== 1) {
          problems.push(`${c.id}: ${release.name} ${release.from} → ${release.to} raised ${own.length} alerts`);
          continue;
        }
        const [alert] = own as [Alert];
        if (!alert.oldValue) problems.push(`${c.id}: ${release.name} was not compared with the old body`);
        const verified = (alert.details.release as { status?: string } | undefined)?.status === 'identical';
        const recognised = Boolean(alert.details.library);
        const limit = verified || recognised ? RANK_LOW : severityRank('medium');
        if (severityRank(alert.severity) > limit) problems.push(`${c.id}: ${release.name} ${release.to} rated ${alert.severity} (verified ${verified}, recognised ${recognised}): ${alert.summary}`);
        if (c.id.includes('new-url') && !verified) problems.push(`${c.id}: ${release.name}@${release.to} at its CDN URL was not verified: ${JSON.stringify(alert.details.release)}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('keeps the upgrade line in the one-line summary, with the published-release proof', () => {
    const jquery = result.alerts.find((a) => a.target === 'releases-new-url-1' && alertUrl(a).includes('jquery/3.7.1'));
    assert.ok(jquery, 'the moved jQuery release is reported');
    assert.match(jquery.summary, /upgrades jquery 3\.6\.4 → 3\.7\.1, byte-identical to the published release jquery@3\.7\.1 \(dist\/jquery\.min\.js\)/);
    assert.equal(jquery.severity, 'low');
  });

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
