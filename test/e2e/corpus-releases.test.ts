// E2E: real npm releases through real scans (the corpus's release cases): each upgrade one change, at most medium.
// Apart from the everyday changes (corpus-everyday) so that the two long scans run side by side.

import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { severityRank } from '../../src/capture/types.js';
import { releaseCases } from '../fixtures/corpus/releases.js';
import { fetchReleases } from '../fixtures/npm-releases.js';
import type { CorpusCase } from '../fixtures/corpus/case.js';
import { alertUrl, assertScannedTwice, scanCorpus, type Alert, type CorpusRun } from './corpus-scan.js';

const RANK_LOW = severityRank('low');

describe('labelled corpus: real releases', () => {
  let run: CorpusRun;
  let RELEASE_CASES: CorpusCase[] = [];

  beforeAll(async () => {
    // The cases are built from the release files: the setup's cache has them (fetched here when it does not yet).
    await fetchReleases();
    RELEASE_CASES = releaseCases();
    run = await scanCorpus(RELEASE_CASES, { registry: true });
  }, 600_000);
  afterAll(async () => { await run?.close(); });

  it('holds at least 25 real releases, in place and at new URLs, all scanned successfully twice', () => {
    assert.ok(RELEASE_CASES.flatMap((c) => c.releases ?? []).length >= 25);
    assert.ok(RELEASE_CASES.some((c) => c.id.startsWith('releases-in-place')) && RELEASE_CASES.some((c) => c.id.startsWith('releases-new-url')));
    assertScannedTwice(run);
  });

  it('real releases: each upgrade is one change against the old body, at most medium, and at most low when recognised or verified', () => {
    const problems: string[] = [];
    for (const c of RELEASE_CASES) {
      const alerts = run.of(c.id);
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
    const jquery = run.result.alerts.find((a) => a.target === 'releases-new-url-1' && alertUrl(a).includes('jquery/3.7.1'));
    assert.ok(jquery, 'the moved jQuery release is reported');
    assert.match(jquery.summary, /upgrades jquery 3\.6\.4 → 3\.7\.1, byte-identical to the published release jquery@3\.7\.1 \(dist\/jquery\.min\.js\)/);
    assert.equal(jquery.severity, 'low');
  });
});
