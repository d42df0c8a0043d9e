// Unit: one error catalogue gives every code its exit code and HTTP status, and the README documents each exit code.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { ERROR_CATALOGUE, EXIT, exitCodeOf, httpStatusOf, ScriptwardenError } from '../../src/errors.js';
import { ROOT } from '../fixtures/paths.js';

describe('the error catalogue', () => {
  it('gives a database that cannot be written, and a fetch that failed, their own meaning, not "usage"', () => {
    assert.equal(exitCodeOf(new ScriptwardenError('STORE_FAILED', 'locked')), EXIT.storeFailed);
    assert.equal(exitCodeOf(new ScriptwardenError('RESOURCE_FETCH_FAILED', 'unreachable')), EXIT.targetsFailed);
    assert.equal(exitCodeOf(new ScriptwardenError('STORE_INVALID', 'not a database')), EXIT.usage);
    assert.equal(exitCodeOf(new Error('a bug')), EXIT.internal);
    assert.equal(httpStatusOf(new ScriptwardenError('NOT_FOUND', 'no such alert')), 404);
    assert.equal(httpStatusOf(new ScriptwardenError('STORE_FAILED', 'locked')), 503);
    assert.equal(httpStatusOf(new TypeError('a bug')), 500);
  });

  it('documents in the README every exit code and every code the catalogue names for it', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('### Exit codes'), readme.indexOf('## How it decides'));
    for (const code of new Set([...Object.values(EXIT)])) assert.match(table, new RegExp(`^\\| ${code} \\|`, 'm'), `exit ${code} is documented`);
    for (const code of ['STORE_INVALID', 'STORE_FAILED', 'RESOURCE_FETCH_FAILED'] as const) {
      const row = table.split('\n').find((line) => line.startsWith(`| ${ERROR_CATALOGUE[code].exit} |`));
      assert.ok(row?.includes(code), `${code} is named in the row of exit ${ERROR_CATALOGUE[code].exit}`);
    }
  });
});
