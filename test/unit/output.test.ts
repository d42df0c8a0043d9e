// Unit: terminal and CSV output neutralise attacker-controlled text.

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { safeText } from '../../src/cli/output.js';
import { csvCell } from '../../src/evidence/inventory-csv.js';

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

describe('formatting and diffing large minified code', () => {
  it('breaks code into statements without splitting strings, regexes or comments', async () => {
    const { formatCode } = await import('../../src/evidence/format-code.js');
    const lines = formatCode('var a="x;{y}";if(a){b(/;}/g,`t;${1}`)}/* c;d */c();').trim().split('\n');
    assert.deepEqual(lines, ['var a="x;{y}";', 'if(a){', '  b(/;}/g,`t;${1}`)', '}', '/* c;d */c();']);
  });
  it('reports the right line numbers when only the middle of a large file changes', async () => {
    const { diffHunks } = await import('../../src/evidence/diff.js');
    const old = Array.from({ length: 5000 }, (_, i) => `line ${i}`).join('\n');
    const changed = old.replace('line 2500', 'line 2500\ninjected();');
    const hunks = diffHunks(old, changed);
    assert.equal(hunks.length, 1);
    const add = hunks[0]!.lines.find((l) => l.kind === 'add')!;
    assert.deepEqual([add.text, add.newLine], ['injected();', 2502]);
    assert.equal(hunks[0]!.skipped, 2498);
  });
});
