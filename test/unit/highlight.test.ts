// Unit: the dashboard's HTML escaping and syntax highlighting never let markup through.

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { highlightLine } from '../../dashboard/highlight.js';
import { html, safeHref } from '../../dashboard/html.js';

describe('dashboard escaping', () => {
  it('escapes interpolated values but not nested html', () => {
    const evil = '"><img src=x onerror=alert(1)>';
    assert.equal(html`<a title="${evil}">${html`<b>${evil}</b>`}</a>`.value,
      '<a title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"><b>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</b></a>');
  });
  it('highlights tokens and escapes everything', () => {
    const line = highlightLine(`var s = "</script><script>alert(1)</script>"; // <b>`).value;
    assert.doesNotMatch(line, /<script>|<b>/);
    assert.match(line, /<span class="kw">var<\/span>/);
    assert.match(line, /<span class="str">&quot;&lt;\/script&gt;/);
    assert.match(line, /<span class="com">\/\/ &lt;b&gt;<\/span>/);
  });
  it('only links http(s) and local paths', () => {
    assert.equal(safeHref('javascript:alert(1)'), '#');
    assert.equal(safeHref('data:text/html,x'), '#');
    assert.equal(safeHref('https://shop.example/x'), 'https://shop.example/x');
    assert.equal(safeHref('//evil.example'), '#');
  });
});
