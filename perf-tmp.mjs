import { tokenize } from './dist/src/tokens.js';
import { normalizeCode } from './dist/src/normalize.js';
import { codeTraits } from './dist/src/analyzers/code-traits.js';
import { skimmerTraits, textHosts, changedSpan } from './dist/src/analyzers/skimmer-traits.js';
import { knownBadHost } from './dist/src/analyzers/known-bad-host.js';
let code = '';
for (let i = 0; code.length < 1_000_000; i++) code += `function m${i}(a,b){var c=a*${i}+b;if(c>${i}){return c}return b};`;
const b2 = code.replace('function m5000(', 'var zz=fetch("https://x.example/");function m5000(');
const ch = {oldCode:code,newCode:b2,url:'https://shop.example/a.js',pageHost:'shop.example',knownHosts:[],paymentPage:true,oldLibrary:null,newLibrary:null,knownBad:{hosts:new Set(),sources:[]}};
for (let k=0;k<4;k++){
let t=performance.now(); tokenize(code); let t1=performance.now();
normalizeCode(code); let t2=performance.now();
codeTraits(b2, changedSpan(code,b2)); let t3=performance.now();
skimmerTraits.run(ch); let t4=performance.now();
knownBadHost.run(ch); let t5=performance.now();
console.log('tokenize',(t1-t).toFixed(0),'normalize',(t2-t1).toFixed(0),'traits-region',(t3-t2).toFixed(0),'skimmer',(t4-t3).toFixed(0),'knownbad',(t5-t4).toFixed(0));
}
