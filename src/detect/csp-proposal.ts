// Hardening proposals (pure): a Content-Security-Policy built from what the browser was seen to run and contact and
// the security team approved, Subresource Integrity for the static scripts at versioned URLs, the scripts that must
// not get it, and what is weak in the policy the page sends today.

import { createHash } from 'node:crypto';
import { isVersionedUrl } from '../plan/severity.js';

/** An approved script as the inventory holds it, with what SRI needs to know of it. */
export interface HardenScript {
  kind: string;
  url: string | null;
  /** The frame it runs in: scripts of other origins' frames are governed by those frames' own policies. */
  frame: string;
  sha256: string | null;
  body: string | null;
  /** Why its bytes vary from load to load (learned volatile values, several accepted versions); null when they do not. */
  varies: string | null;
  /** The Access-Control-Allow-Origin its server sent (a cross-origin script needs it for SRI). */
  allowOrigin: string | null;
}

/** An approved destination: a host (with port) and the kinds of request it got. */
export interface HardenDestination { host: string; types: string[]; methods: string[] }

export interface HardenProposal {
  header: 'Content-Security-Policy-Report-Only';
  policy: string;
  directives: Record<string, string[]>;
  /** What the proposal could not express without weakening it, in sentences. */
  notes: string[];
  sri: { url: string; integrity: string; snippet: string }[];
  noSri: { url: string; reason: string }[];
  current: { policy: string | null; weaknesses: string[] };
}

const CONNECT = new Set(['xhr', 'fetch', 'eventsource', 'websocket', 'ping', 'beacon', 'other']);

const originOf = (url: string) => {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
};

/** Hosts as CSP host-sources; the page's own host is 'self'. */
function hostSource(host: string, page: URL): string {
  return host.toLowerCase() === page.host.toLowerCase() ? "'self'" : host.toLowerCase();
}

const base64Of = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
const escapeAttr = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** Parses a policy into directives (lower-cased names, sources as written); the first of a repeated directive counts. */
export function parsePolicy(policy: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/).filter(Boolean);
    if (name && !out.has(name.toLowerCase())) out.set(name.toLowerCase(), sources);
  }
  return out;
}

/** The weak parts of a policy, each in a sentence (none sent: that is the first). */
export function policyWeaknesses(policy: string | null, reportOnly = false): string[] {
  if (!policy) return ['The page sends no Content-Security-Policy: any script from anywhere may run, and may send what it reads anywhere.'];
  const d = parsePolicy(policy);
  const scripts = d.get('script-src') ?? d.get('default-src');
  const weak: string[] = [];
  if (reportOnly) weak.push('The policy is only reported (Report-Only), not enforced: it stops nothing yet.');
  if (!scripts) weak.push('There is no script-src (nor default-src): any script from anywhere may run.');
  else {
    const keyed = scripts.some((s) => /^'(nonce|sha256|sha384|sha512)-/i.test(s));
    if (scripts.includes("'unsafe-inline'") && !keyed) weak.push("script-src allows 'unsafe-inline': a skimmer injected into the HTML (as on Newegg's checkout) runs as if it were yours.");
    if (scripts.includes("'unsafe-eval'")) weak.push("script-src allows 'unsafe-eval': code built from strings at run time (the way obfuscated skimmers unpack) is allowed.");
    const wide = scripts.filter((s) => s === '*' || /^(https?|data|blob):$/i.test(s) || /^(https?:\/\/)?\*(\.|$)/.test(s));
    if (wide.length) weak.push(`script-src allows ${wide.join(', ')}: scripts from any host (or from URLs the page makes up) may run.`);
  }
  if (!d.has('form-action')) weak.push('There is no form-action: an injected script or tag can make the payment form post card data to any host.');
  if (!d.has('object-src') && !(d.get('default-src') ?? []).includes("'none'")) weak.push("There is no object-src 'none': plugin content is governed only by default-src, if any.");
  if (!d.has('base-uri')) weak.push('There is no base-uri: an injected <base> tag can point every relative script URL of the page at another host.');
  const connect = d.get('connect-src') ?? d.get('default-src');
  if (!connect || connect.includes('*')) weak.push('connect-src does not limit where scripts may send data (fetch, XHR, beacons, WebSockets): exfiltration is unrestricted.');
  return weak;
}

/** The proposal for one page from its approved scripts and destinations, and the policy it sends now. */
export function proposeHardening(pageUrl: string, scripts: HardenScript[], destinations: HardenDestination[], current: { policy: string | null; reportOnly: boolean }): HardenProposal {
  const page = new URL(pageUrl);
  const own = (url: string) => originOf(url) === page.origin;
  const notes: string[] = [];
  const script = new Set(["'self'"]);
  const inPage = scripts.filter((s) => own(s.frame));
  for (const s of inPage) {
    if (s.kind === 'inline' && s.sha256) script.add(`'sha256-${base64Of(s.sha256)}'`);
    else if (s.kind === 'eval') script.add("'unsafe-eval'");
    else if (s.url && originOf(s.url) && !own(s.url)) script.add(originOf(s.url)!);
  }
  if (script.has("'unsafe-eval'")) notes.push("The page compiles code at run time (eval, new Function or script text inserted by a script), so the proposal keeps 'unsafe-eval'; removing that code from the page lets you drop it.");
  if (inPage.some((s) => s.kind === 'inline' && s.varies)) notes.push('An inline script varies from load to load (a token, a nonce): its hash will not match next time. Serve it with a per-response nonce and add \'nonce-…\' \'strict-dynamic\' to script-src, or move its data into a data attribute.');
  const dynamic = new Set(inPage.filter((s) => s.kind === 'dynamic' && s.url && !own(s.url)).map((s) => originOf(s.url!)));
  if (dynamic.size >= 5) notes.push(`Scripts insert scripts from ${dynamic.size} hosts: a host list this long is brittle. A per-response nonce with 'strict-dynamic' trusts what your own scripts load instead.`);
  const connect = new Set(["'self'"]);
  const img = new Set(["'self'", 'data:']);
  const frame = new Set(["'self'"]);
  const form = new Set(["'self'"]);
  for (const d of destinations) {
    const types = d.types.map((t) => t.toLowerCase());
    const source = hostSource(d.host, page);
    if (types.some((t) => CONNECT.has(t))) connect.add(source);
    if (types.includes('image')) img.add(source);
    if (types.includes('document') && d.methods.includes('POST')) form.add(source);
    else if (types.includes('document')) frame.add(source);
  }
  const directives: Record<string, string[]> = {
    'script-src': [...script], 'connect-src': [...connect], 'img-src': [...img], 'frame-src': [...frame], 'form-action': [...form],
    'object-src': ["'none'"], 'base-uri': ["'self'"],
  };
  const policy = Object.entries(directives).map(([name, sources]) => `${name} ${sources.join(' ')}`).join('; ');
  const sri: HardenProposal['sri'] = [];
  const noSri: HardenProposal['noSri'] = [];
  for (const s of inPage) {
    if (!s.url || s.kind === 'inline' || s.kind === 'eval' || s.kind === 'worker') continue;
    const reason = s.varies ? `its body varies between loads (${s.varies}): an integrity value would block it`
      : !isVersionedUrl(s.url) ? 'its URL names no version: the file behind it is expected to change, and an integrity value would block the next release'
      : !own(s.url) && !s.allowOrigin ? 'its server sends no Access-Control-Allow-Origin, which a cross-origin script needs for the browser to check its integrity'
      : s.body === null ? 'its body is not kept (over a size limit)' : null;
    if (reason) { noSri.push({ url: s.url, reason }); continue; }
    const integrity = `sha384-${createHash('sha384').update(s.body!).digest('base64')}`;
    sri.push({ url: s.url, integrity, snippet: `<script src="${escapeAttr(s.url)}" integrity="${integrity}"${own(s.url) ? '' : ' crossorigin="anonymous"'}></script>` });
  }
  return { header: 'Content-Security-Policy-Report-Only', policy, directives, notes, sri, noSri, current: { policy: current.policy, weaknesses: policyWeaknesses(current.policy, current.reportOnly) } };
}

/** How to fix the policy for one violation the replay saw, in a sentence. */
export function fixFor(violation: { directive: string; blocked: string }): string {
  const directive = violation.directive.replace(/-(elem|attr)$/, '');
  if (violation.blocked === 'inline') return violation.directive.endsWith('-attr')
    ? 'an inline event handler (onclick=…) would be blocked: move it into a script file, or the policy needs \'unsafe-hashes\' with its hash'
    : `an inline script would be blocked: add its 'sha256-…' to ${directive} (approve it in the inventory first), or move it into a file`;
  if (violation.blocked === 'eval') return `code compiled at run time would be blocked: add 'unsafe-eval' to ${directive}, or remove the eval`;
  const origin = originOf(violation.blocked);
  return origin
    ? `${violation.blocked} would be blocked: if it belongs on the page, approve it in the inventory and add ${origin} to ${directive}`
    : `${violation.blocked} would be blocked by ${violation.directive}`;
}
