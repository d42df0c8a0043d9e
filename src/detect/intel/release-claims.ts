// Which published npm release a script says it is: from its URL (cdnjs, jsDelivr, unpkg and the same shapes on any host) or its banner.

import type { LibraryMatch } from './libraries.js';
import type { ReleaseClaim } from './release-types.js';

export type { ReleaseClaim, ReleaseVerification } from './release-types.js';

const VERSION = /^v?(\d+\.\d+(?:\.\d+)?(?:-[0-9a-z.-]+)?)$/i;
const PACKAGE = /^(?:@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;
/** Path segments that name a folder, not a package. */
const FOLDERS = new Set(['js', 'dist', 'lib', 'libs', 'npm', 'ajax', 'static', 'assets', 'scripts', 'script', 'vendor', 'build', 'cdn', 'min', 'umd', 'sdk', 'api', 'v']);
/** retire.js library names that differ from their npm package. */
const NPM_NAMES: Record<string, string> = {
  'moment.js': 'moment', 'underscore.js': 'underscore', 'backbone.js': 'backbone', 'mustache.js': 'mustache', DOMPurify: 'dompurify',
  'jquery.datatables': 'datatables.net', 'jquery-ui-dialog': 'jquery-ui', 'jquery-ui-autocomplete': 'jquery-ui', 'jquery-ui-tooltip': 'jquery-ui',
  'core-js': 'core-js-bundle', 'vue-router': 'vue-router', 'ember': 'ember-source', 'knockout': 'knockout', 'handlebars': 'handlebars',
  'react': 'react', 'angularjs': 'angular', 'bootstrap': 'bootstrap', 'jquery-migrate': 'jquery-migrate', 'socket.io': 'socket.io-client',
};

/** The brand a package name stands for: `rollbar` for `rollbar.js`, `sentry` for `@sentry/browser`. */
export function packageBrand(name: string): string {
  const scope = /^@([^/]+)\//.exec(name)?.[1];
  return (scope ?? name).toLowerCase().replace(/[.-]?js$/, '').replace(/[^a-z0-9]/g, '');
}

/** npm names to try for a name a CDN or a signature uses: cdnjs says `lodash.js` and `Chart.js` for `lodash` and `chart.js`. */
export function npmNames(name: string): string[] {
  const names = [NPM_NAMES[name] ?? name, name.toLowerCase(), name.toLowerCase().replace(/[.-]js$/, ''), name.toLowerCase().replace(/\.js$/, 'js')];
  return [...new Set(names)].filter((n) => PACKAGE.test(n) && !FOLDERS.has(n));
}

function claim(name: string, version: string, via: ReleaseClaim['via']): ReleaseClaim[] {
  const v = VERSION.exec(version)?.[1];
  if (!v) return [];
  return npmNames(name).map((n) => ({ name: n, version: v, via }));
}

/** Claims a script URL makes: `/npm/pkg@1.2.3/…`, `/pkg@1.2.3/…`, `/ajax/libs/pkg/1.2.3/…`, `/pkg/1.2.3/…`, `pkg-1.2.3.min.js`, `pkg.js?ver=1.2.3`. */
export function urlClaims(url: string): ReleaseClaim[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  const segments = parsed.pathname.split('/').filter(Boolean).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  const out: ReleaseClaim[] = [];
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const at = segment.lastIndexOf('@');
    if (at > 0) {
      const scope = segment.startsWith('@') ? null : i > 0 && segments[i - 1]!.startsWith('@') ? segments[i - 1] : null;
      out.push(...claim(scope ? `${scope}/${segment.slice(0, at)}` : segment.slice(0, at), segment.slice(at + 1), 'path'));
    } else if (i > 0 && VERSION.test(segment) && !/^(v\d+|\d+)$/.test(segments[i - 1]!)) {
      const previous = segments[i - 1]!;
      const scope = i > 1 && segments[i - 2]!.startsWith('@') ? segments[i - 2] : null;
      out.push(...claim(scope ? `${scope}/${previous}` : previous, segment, 'path'));
    }
  }
  const file = segments.at(-1) ?? '';
  const named = /^([a-z][\w.-]*?)[-.@]v?(\d+\.\d+(?:\.\d+)?(?:-[0-9a-z.]+?)?)(?:[.-](?:min|slim|prod|production|umd|esm|bundle|full))*\.m?js$/i.exec(file);
  if (named) out.push(...claim(named[1]!, named[2]!, 'file'));
  const ver = parsed.searchParams.get('ver') ?? parsed.searchParams.get('version');
  const base = /^([a-z][\w-]*?)(?:[.-](?:min|slim|prod|production|umd|esm|bundle|full))*\.m?js$/i.exec(file)?.[1];
  if (ver && base) out.push(...claim(base, ver, 'query'));
  return out;
}

/** A banner at the top of a file: a name, then a version (`/*!`, `/**`, `@license`, `-` and `v` allowed between). */
const BANNER = /^\s*(?:\/\*[*!]?|\/\/)\s*(?:@license\s+)?([@a-z][\w./@-]{1,60}?)(?:\.js)?\s+(?:-\s+|JavaScript Library\s+)?v?(\d+\.\d+\.\d+(?:-[0-9a-z.]+)?)\b/i;

/** Claims the body makes in its opening comment, and the library signature that recognised it. */
export function bodyClaims(body: string | null, library: LibraryMatch | null): ReleaseClaim[] {
  const out: ReleaseClaim[] = [];
  if (library) out.push(...claim(library.name, library.version, 'signature'));
  const banner = body === null ? null : BANNER.exec(body.slice(0, 400));
  if (banner) out.push(...claim(banner[1]!.replace(/\s+/g, '-'), banner[2]!, 'banner'));
  return out;
}

/** Every distinct claim of a script, strongest first (path, file, signature, banner, query). */
export function releaseClaims(url: string | null, body: string | null, library: LibraryMatch | null): ReleaseClaim[] {
  const order: ReleaseClaim['via'][] = ['path', 'file', 'signature', 'banner', 'query'];
  const all = [...(url ? urlClaims(url) : []), ...bodyClaims(body, library)].sort((a, b) => order.indexOf(a.via) - order.indexOf(b.via));
  const seen = new Set<string>();
  return all.filter((c) => {
    const key = `${c.name}@${c.version}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  }).slice(0, 6);
}
