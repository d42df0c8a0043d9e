// Unit: first versus third party by registrable domain, and vendor categories from third-party-web.

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { classify } from '../../src/detect/vendors.js';

describe('classify', () => {
  it('uses the Public Suffix List, not string matching, for first versus third party', () => {
    assert.equal(classify('https://cdn.shop.co.uk/app.js', 'https://www.shop.co.uk/checkout').party, 'first');
    assert.equal(classify('https://shop.co.uk.evil.example/app.js', 'https://www.shop.co.uk/checkout').party, 'third');
    assert.equal(classify('https://other.co.uk/app.js', 'https://www.shop.co.uk/checkout').party, 'third');
    assert.equal(classify('shop.test:8080', 'http://shop.test:8080/').party, 'first');
  });
  it('names known vendors and their category', () => {
    assert.deepEqual(classify('https://www.google-analytics.com/analytics.js', 'https://shop.example/'), {
      party: 'third', site: 'google-analytics.com', vendor: 'Google Analytics', category: 'analytics',
    });
    assert.equal(classify('https://www.googletagmanager.com/gtm.js?id=GTM-X', 'https://shop.example/').category, 'tag-manager');
    assert.equal(classify('https://unknown-vendor.example/x.js', 'https://shop.example/').vendor, null);
  });
});
