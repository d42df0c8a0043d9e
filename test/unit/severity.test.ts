// Unit: the documented severity rules, versioned URLs and CSP weakening.

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import {
  connectionAddedSeverity, cspWeakenings, headerChangeSeverity, isVersionedUrl, resourceChangedSeverity, scriptAddedSeverity,
  scriptChangedSeverity, scriptRemovedSeverity,
} from '../../src/plan/severity.js';

describe('isVersionedUrl', () => {
  it('recognises versions and content hashes in paths', () => {
    for (const url of [
      'https://cdn.example/v1.2.3/sdk.min.js',
      'https://code.jquery.com/jquery-3.6.0.min.js',
      'https://media.twiliocdn.com/taskrouter/js/v1.20/taskrouter.min.js',
      'https://shop.example/static/app.3f9a1c2be4.js',
      'https://cdn.example/lib@2.4.1/index.js',
    ]) assert.equal(isVersionedUrl(url), true, url);
  });
  it('leaves unversioned paths alone', () => {
    for (const url of ['https://shop.example/static/app.js', 'https://cdn.example/jquery.min.js', 'https://x.example/checkout?v=123']) {
      assert.equal(isVersionedUrl(url), false, url);
    }
  });
});

describe('script severities', () => {
  it('rates a new script on a payment page high, elsewhere by who serves it', () => {
    const pageUrl = 'https://shop.example/';
    assert.equal(scriptAddedSeverity({ paymentPage: true, url: 'https://x.example/a.js', pageUrl }), 'high');
    assert.equal(scriptAddedSeverity({ paymentPage: false, url: 'https://unknown-vendor.example/a.js', pageUrl }), 'medium');
    assert.equal(scriptAddedSeverity({ paymentPage: false, url: 'https://static.shop.example/a.js', pageUrl }), 'low');
    assert.equal(scriptAddedSeverity({ paymentPage: false, url: 'https://www.googletagmanager.com/gtm.js', pageUrl }), 'low');
    assert.equal(scriptAddedSeverity({ paymentPage: false, url: null, pageUrl }), 'low');
  });
  it('rates a changed body critical at a versioned URL, else low until the analyzers raise it', () => {
    assert.equal(scriptChangedSeverity({ paymentPage: false, url: 'https://x.example/a-1.2.3.js' }), 'critical');
    assert.equal(scriptChangedSeverity({ paymentPage: true, url: 'https://x.example/a.js' }), 'low');
  });
});

describe('header changes', () => {
  it('rates removal of a strong header high and an added header low', () => {
    assert.equal(headerChangeSeverity({ name: 'content-security-policy', oldValue: "default-src 'self'", newValue: null }).severity, 'high');
    assert.equal(headerChangeSeverity({ name: 'referrer-policy', oldValue: 'no-referrer', newValue: null }).severity, 'medium');
    assert.equal(headerChangeSeverity({ name: 'x-frame-options', oldValue: null, newValue: 'DENY' }).severity, 'low');
  });
  it('finds CSP weakenings', () => {
    assert.deepEqual(cspWeakenings("default-src 'self'; script-src 'self'", "default-src 'self'; script-src 'self' 'unsafe-inline'"), ["script-src now allows 'unsafe-inline'"]);
    assert.deepEqual(cspWeakenings("default-src 'self'; frame-ancestors 'none'", "default-src 'self'"), ['directive frame-ancestors dropped']);
    assert.deepEqual(cspWeakenings("script-src 'self'", "script-src 'self' https://cdn.example"), []);
    const rated = headerChangeSeverity({ name: 'content-security-policy', oldValue: "script-src 'self'", newValue: 'script-src *' });
    assert.equal(rated.severity, 'high');
  });
});

describe('the other rules of docs/severity.md', () => {
  it('rates removals low, hosted resources high or critical, and destinations by page and data', () => {
    assert.equal(scriptRemovedSeverity(), 'low');
    assert.equal(resourceChangedSeverity('https://dl.example/bash'), 'high');
    assert.equal(resourceChangedSeverity('https://dl.example/v2.1.0/uploader.sh'), 'critical');
    assert.equal(connectionAddedSeverity({ paymentPage: false, sendsData: false }), 'medium');
    assert.equal(connectionAddedSeverity({ paymentPage: false, sendsData: true }), 'high');
    assert.equal(connectionAddedSeverity({ paymentPage: true, sendsData: false }), 'high');
  });
  it('rates HSTS disabled high and any other header change medium', () => {
    assert.equal(headerChangeSeverity({ name: 'strict-transport-security', oldValue: 'max-age=31536000', newValue: 'max-age=0' }).severity, 'high');
    assert.equal(headerChangeSeverity({ name: 'strict-transport-security', oldValue: 'max-age=31536000', newValue: null }).severity, 'high');
    assert.equal(headerChangeSeverity({ name: 'permissions-policy', oldValue: 'camera=()', newValue: 'camera=(self)' }).severity, 'medium');
  });
});
