// Generates a fixture shop of many pages with about ten scripts each, for benchmarks.

import type { FixtureSite } from '../test/fixtures/fixture-site.js';

export function installGeneratedSite(site: FixtureSite, pages: number): string[] {
  const urls: string[] = [];
  for (let shared = 0; shared < 4; shared++) {
    site.set('bench.test', `/static/shared-${shared}.js`, `/* shared ${shared} */\n${`window.s${shared} = (function () { var x = 0; for (var i = 0; i < 100; i++) { x += i; } return x; })();\n`.repeat(20)}`);
  }
  site.set('cdn.test', '/vendor/analytics-3.1.0.min.js', `!function(){window.analytics={q:[],track:function(e){this.q.push(e)}}}();${'/*pad*/'.repeat(400)}`);
  for (let p = 0; p < pages; p++) {
    const own = [0, 1, 2, 3].map((i) => `/static/page-${p}-${i}.js`);
    own.forEach((path, i) => site.set('bench.test', path, `/* page ${p} module ${i} */\nwindow.p${p}_${i} = ${p * 10 + i};\n${`function f${i}(a) { return a * ${i + 1}; }\n`.repeat(30)}`));
    const html = `<!doctype html><html><head><title>Page ${p}</title>
<script src="/static/shared-0.js"></script><script src="/static/shared-1.js"></script>
<script src="/static/shared-2.js"></script><script src="/static/shared-3.js"></script>
${own.map((path) => `<script src="${path}"></script>`).join('')}
<script src="http://cdn.test:{{PORT}}/vendor/analytics-3.1.0.min.js"></script>
<script>window.pageId = ${p}; analytics.track('view');</script>
</head><body><h1>Page ${p}</h1><form><input name="email"></form></body></html>`;
    site.set('bench.test', `/page/${p}`, html);
    urls.push(site.url('bench.test', `/page/${p}`));
  }
  return urls;
}
