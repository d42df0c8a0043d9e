// Unit: terminal and CSV output neutralise attacker-controlled text.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvCell, safeText } from '../../src/output.js';

describe('output safety', () => {
  it('escapes terminal control sequences', () => {
    assert.equal(safeText('ok\u001b[2Jgone\nnext'), 'ok\\u001b[2Jgone\\u000anext');
  });
  it('defuses spreadsheet formulas and quotes CSV cells', () => {
    assert.equal(csvCell('=HYPERLINK("http://evil")'), '"\'=HYPERLINK(""http://evil"")"');
    assert.equal(csvCell('+1'), '"\'+1"');
    assert.equal(csvCell('https://cdn.example/a.js'), '"https://cdn.example/a.js"');
    assert.equal(csvCell(null), '""');
  });
});
