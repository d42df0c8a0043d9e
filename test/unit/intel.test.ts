// Unit: library recognition from retire.js data (real published files from npm) and the known-bad host list.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'vitest';
import { knownBadMatch, parseHostList } from '../../src/detect/intel/known-bad-hosts.js';
import { buildLibraryIndex, compareVersions, identifyLibrary } from '../../src/detect/intel/libraries.js';
import { loadIntel } from '../../src/run/load-intel.js';
import { addReleaseHashes, readTarball } from '../../src/detect/intel/release-hashes.js';
import { gzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
const file = (spec: string) => readFileSync(require.resolve(spec), 'utf8');
const intel = loadIntel({ libraries: [], knownBadHosts: [] });

describe('library recognition', () => {
  it('names real releases of jQuery and lodash with their versions', () => {
    assert.deepEqual(pick(identifyLibrary(intel.libraries, { url: null, body: file('jquery-3.6.0/dist/jquery.min.js') })), ['jquery', '3.6.0']);
    assert.deepEqual(pick(identifyLibrary(intel.libraries, { url: null, body: file('jquery-3.7.1/dist/jquery.js') })), ['jquery', '3.7.1']);
    const lodash = identifyLibrary(intel.libraries, { url: null, body: file('lodash-4.17.20/lodash.min.js') });
    assert.deepEqual(pick(lodash), ['lodash', '4.17.20']);
    assert.ok(lodash!.vulnerabilities.includes('CVE-2021-23337'), 'lodash 4.17.20 carries its known CVEs');
  });
  it('names core-js, GSAP and Modernizr, which the retire.js data lacks, from the bundled extra signatures', () => {
    assert.deepEqual(pick(identifyLibrary(intel.libraries, { url: null, body: file('gsap/dist/gsap.min.js') })), ['gsap', '3.12.5']);
    assert.deepEqual(pick(identifyLibrary(intel.libraries, { url: null, body: file('core-js-bundle/minified.js') })), ['core-js', '3.37.1']);
    const modernizr = '/*! modernizr 3.6.0 (Custom Build) | MIT *\n * https://modernizr.com/download/?-flexbox-setclasses !*/\n!function(n,e,s){}(window,document);';
    assert.deepEqual(pick(identifyLibrary(intel.libraries, { url: null, body: modernizr })), ['modernizr', '3.6.0']);
  });
  it('falls back to the URL, trims .min, and ignores unknown code', () => {
    assert.deepEqual(pick(identifyLibrary(intel.libraries, { url: 'https://code.jquery.com/jquery-3.5.1.min.js', body: null })), ['jquery', '3.5.1']);
    assert.equal(identifyLibrary(intel.libraries, { url: 'https://shop.example/app.js', body: 'console.log(1)' }), null);
  });
  it('says when a real published file is byte-identical to its release (bundled release hashes)', () => {
    const jquery = identifyLibrary(intel.libraries, { url: null, body: file('jquery-3.7.1/dist/jquery.min.js') });
    assert.deepEqual([jquery?.name, jquery?.version, jquery?.via], ['jquery', '3.7.1', 'hash']);
    const tampered = identifyLibrary(intel.libraries, { url: null, body: `${file('jquery-3.7.1/dist/jquery.min.js')}\nwindow.x=1;` });
    assert.deepEqual([tampered?.version, tampered?.via], ['3.7.1', 'content'], 'one byte more and it is only recognised, not verified');
  });
  it('reads npm tarballs and keeps only the files a browser would load', () => {
    const entry = (path: string, data: string) => {
      const header = Buffer.alloc(512);
      header.write(path, 0);
      header.write(data.length.toString(8).padStart(11, '0'), 124);
      header.write('0', 156);
      return Buffer.concat([header, Buffer.from(data), Buffer.alloc((512 - (data.length % 512)) % 512)]);
    };
    const tgz = gzipSync(Buffer.concat([entry('package/dist/lib.min.js', 'window.lib=1;'), entry('package/src/lib.js', 'x'), entry('package/README.md', '# lib'), Buffer.alloc(1024)]));
    const files = readTarball(tgz);
    assert.deepEqual(files.map((f) => f.path), ['package/dist/lib.min.js', 'package/src/lib.js', 'package/README.md']);
    const repository = {};
    assert.equal(addReleaseHashes(repository, 'lib', '1.0.0', files), 1);
    const index = buildLibraryIndex(repository);
    assert.equal(identifyLibrary(index, { url: null, body: 'window.lib=1;' })?.via, 'hash');
  });
  it('says when a body is byte-identical to a release listed by hash', () => {
    const body = 'window.widget = {};';
    const sha1 = createHash('sha1').update(body).digest('hex');
    const withHash = loadIntel({ libraries: [], knownBadHosts: [] });
    const index = buildLibraryIndex({ widget: { extractors: { hashes: { [sha1]: '2.0.0' } } } });
    assert.equal(identifyLibrary(index, { url: null, body })?.via, 'hash');
    assert.ok(withHash.sources.length >= 2);
  });
  it('orders versions numerically', () => {
    assert.ok(compareVersions('3.10.0', '3.9.1') > 0);
    assert.ok(compareVersions('4.17.20', '4.17.21') < 0);
    assert.equal(compareVersions('1.2', '1.2.0'), 0);
  });
});

function pick(match: ReturnType<typeof identifyLibrary>): [string, string] | null {
  return match ? [match.name, match.version] : null;
}

describe('known-bad hosts', () => {
  it('matches listed hosts and their sub-domains from the bundled list', () => {
    assert.equal(knownBadMatch(intel.knownBad, 'cdn.polyfill.io'), 'polyfill.io');
    assert.equal(knownBadMatch(intel.knownBad, 'polyfill.io.example'), null);
    assert.equal(knownBadMatch(intel.knownBad, 'js.stripe.com'), null);
  });
  it('parses user lists: comments, URLs and wildcards', () => {
    assert.deepEqual(parseHostList('# mine\nhttps://Evil.Example/x.js\n*.skim.example\n\nnot a host\n'), ['evil.example', 'skim.example']);
  });
});
