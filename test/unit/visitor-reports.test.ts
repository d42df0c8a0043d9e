// Unit: CSP reports of both formats normalised to one compact shape (no queries, no user agent kept), bounded per
// request, and told apart by what they are about.

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { MAX_REPORTS_PER_REQUEST, parseReports, reportFingerprint, reportKind, userAgentClass, type VisitorReport } from '../../src/detect/visitor-reports.js';

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';

describe('parseReports', () => {
  it('reads report-uri\'s csp-report, without queries, and classes the browser', () => {
    const [r] = parseReports('application/csp-report', JSON.stringify({ 'csp-report': {
      'document-uri': 'https://shop.example/checkout?session=SECRET', 'violated-directive': 'script-src-elem', 'effective-directive': 'script-src-elem',
      'blocked-uri': 'https://evil.example/s.js?card=4111', 'source-file': 'https://shop.example/app.js?v=3', 'line-number': 12, 'script-sample': 'x'.repeat(100),
    } }), CHROME) as VisitorReport[];
    assert.deepEqual({ ...r }, { blocked: 'https://evil.example/s.js', directive: 'script-src-elem', document: 'https://shop.example/checkout', source: 'https://shop.example/app.js', line: 12, sample: 'x'.repeat(40), uaFamily: 'Chrome', device: 'desktop' });
    assert.equal(reportKind(r!), 'script');
  });
  it('reads the Reporting API\'s list, skipping other report types, and keywords as keywords', () => {
    const out = parseReports('application/reports+json', JSON.stringify([
      { type: 'deprecation', body: {} },
      { type: 'csp-violation', user_agent: 'Mozilla/5.0 (Linux; Android 14) Mobile Safari Chrome/130', body: { documentURL: 'https://shop.example/', effectiveDirective: 'script-src-elem', blockedURL: 'inline', sample: 'new Image().src' } },
      { type: 'csp-violation', body: { documentURL: 'https://shop.example/', effectiveDirective: 'connect-src', blockedURL: 'https://sink.example/c' } },
    ]), CHROME);
    assert.ok(Array.isArray(out));
    assert.deepEqual(out.map((r) => [r.blocked, r.device, reportKind(r)]), [['inline', 'mobile', 'script'], ['https://sink.example/c', 'desktop', 'destination']]);
  });
  it('refuses what is not a report, and more than the bound per request', () => {
    assert.deepEqual(parseReports('application/csp-report', 'not json', CHROME), { error: 'the body is not JSON' });
    assert.match((parseReports('text/html', '{}', CHROME) as { error: string }).error, /application\/csp-report or application\/reports\+json/);
    const many = JSON.stringify(Array.from({ length: MAX_REPORTS_PER_REQUEST + 1 }, () => ({ type: 'csp-violation', body: {} })));
    assert.match((parseReports('application/reports+json', many, CHROME) as { error: string }).error, /at most 100 reports per request/);
  });
  it('gives identical reports one fingerprint', () => {
    const body = JSON.stringify({ 'csp-report': { 'document-uri': 'https://shop.example/?a=1', 'violated-directive': 'img-src', 'blocked-uri': 'https://x.example/p.gif?u=1' } });
    const [a] = parseReports('application/csp-report', body, CHROME) as never[];
    const [b] = parseReports('application/csp-report', body.replace('a=1', 'a=2').replace('u=1', 'u=2'), CHROME) as never[];
    assert.equal(reportFingerprint(a), reportFingerprint(b));
    assert.deepEqual(userAgentClass(undefined), { uaFamily: 'unknown', device: 'unknown' });
  });
});
