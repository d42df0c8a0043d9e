// Runtime instrumentation injected before any page script: which scripts listen to or read payment fields, beacons, miners.

import { randomBytes } from 'node:crypto';
import type { CDPSession } from 'puppeteer';
import type { RuntimeSignal } from '../src/capture/types.js';
import { CARD_INPUT_PAIRS, CARD_INPUT_WORDS } from '../src/detect/analyzers/field-words.js';
import { windowSize, type ProfileSettings } from './profiles.js';

/** What the instrumentation keeps consistent with the visitor the profile presents. */
export type VisitorLook = Pick<ProfileSettings, 'platform' | 'viewport' | 'windowFrame'>;


/** The page-side source. It keeps private references to what it needs, so later tampering by the page does not blind it. */
export function instrumentationSource(binding: string, sourceUrl: string, look: VisitorLook | null = null): string {
  return `(function () {
  var report = window[${JSON.stringify(binding)}];
  try { delete window[${JSON.stringify(binding)}]; } catch (e) {}
  if (typeof report !== 'function') return;
  var RA = Reflect.apply, RC = Reflect.construct, DP = Object.defineProperty, GOPD = Object.getOwnPropertyDescriptor;
  var Err = Error, stringify = JSON.stringify, split = String.prototype.split, match = String.prototype.match;
  var test = RegExp.prototype.test, indexOf = String.prototype.indexOf, getAttr = Element.prototype.getAttribute;
  var closest = Element.prototype.closest, qs = Element.prototype.querySelector, fnToString = Function.prototype.toString;
  var seen = Object.create(null), count = 0;
  var CARD_WORDS = ${JSON.stringify(CARD_INPUT_WORDS)}, CARD_PAIRS = ${JSON.stringify(CARD_INPUT_PAIRS)};
  var lower = String.prototype.toLowerCase, replace = String.prototype.replace, arrayIndexOf = Array.prototype.indexOf;
  function cardWords(text) {
    var words = RA(split, RA(lower, RA(replace, String(text), [/([a-z])([A-Z])/g, '$1 $2']), []), [/[^a-z0-9]+/]);
    for (var i = 0; i < words.length; i++) {
      if (words[i] && RA(arrayIndexOf, CARD_WORDS, [words[i]]) !== -1) return true;
      if (i + 1 < words.length && RA(arrayIndexOf, CARD_PAIRS, [words[i] + ' ' + words[i + 1]]) !== -1) return true;
    }
    return false;
  }
  function caller() {
    var stack = '';
    var saved = Err.prepareStackTrace;
    try { Err.prepareStackTrace = undefined; stack = new Err().stack || ''; } catch (e) {}
    try { Err.prepareStackTrace = saved; } catch (e) {}
    var lines = RA(split, stack, ['\\n']);
    for (var i = 1; i < lines.length; i++) {
      if (RA(indexOf, lines[i], [${JSON.stringify(sourceUrl)}]) !== -1) continue;
      var m = RA(match, lines[i], [/((?:https?|file|blob):[^\\s()]+?):\\d+:\\d+/]);
      if (m) return m[1];
    }
    return null;
  }
  function send(kind, detail, data) {
    if (count > 400) return;
    var script = caller();
    var key = kind + '|' + detail + '|' + script + '|' + (data === undefined ? '' : String(data).length);
    if (seen[key]) return;
    seen[key] = 1; count++;
    try { RA(report, window, [stringify({ kind: kind, detail: detail, script: script, data: data })]); } catch (e) {}
  }
  function text(value) {
    try { return typeof value === 'string' ? value : value instanceof ArrayBuffer || ArrayBuffer.isView(value) ? '[binary]' : stringify(value); } catch (e) { return String(value); }
  }
  function slice(value) { var t = text(value); return t && t.length > 16384 ? t.slice(0, 16384) : t; }
  function attr(el, name) { try { return RA(getAttr, el, [name]) || ''; } catch (e) { return ''; } }
  function isPaymentField(el) {
    var auto = attr(el, 'autocomplete');
    return RA(indexOf, auto, ['cc-']) !== -1 || attr(el, 'type') === 'password' || cardWords(attr(el, 'name') + ' ' + attr(el, 'id'));
  }
  function label(el) {
    var tag = el.tagName ? String(el.tagName).toLowerCase() : 'node';
    var auto = attr(el, 'autocomplete'), id = attr(el, 'id'), name = attr(el, 'name');
    return tag + (auto ? '[autocomplete=' + auto + ']' : name ? '[name=' + name + ']' : '') + (id ? '#' + id : '');
  }
  function describe(el) {
    if (!el || el.nodeType !== 1) return null;
    var tag = String(el.tagName).toLowerCase();
    if ((tag === 'input' || tag === 'select' || tag === 'textarea') && isPaymentField(el)) return label(el);
    if (tag === 'form' || tag === 'button' || (tag === 'input' && attr(el, 'type') === 'submit')) {
      var form = tag === 'form' ? el : RA(closest, el, ['form']);
      if (form && RA(qs, form, ['[autocomplete^="cc-"], input[type=password], [name*=card i], [name*=cvv i], [name*=cvc i]'])) return label(el);
    }
    return null;
  }
  var natives = [];
  function disguise(fn, name) { natives.push([fn, 'function ' + name + '() { [native code] }']); return fn; }
  var toStringWrapped = disguise(function toString() {
    for (var i = 0; i < natives.length; i++) if (natives[i][0] === this) return natives[i][1];
    return RA(fnToString, this, arguments);
  }, 'toString');
  DP(Function.prototype, 'toString', { value: toStringWrapped, writable: true, configurable: true });

  // navigator.platform must agree with the user agent the profile presents (the CDP override does not reach it).
  var PLATFORM = ${JSON.stringify(look?.platform ?? null)};
  if (PLATFORM) DP(Navigator.prototype, 'platform', { configurable: true, enumerable: true, get: disguise(function platform() { return PLATFORM; }, 'get platform') });
  // The window is a frame larger than the viewport. The browser applies the window's size asynchronously (a busy one
  // after the page's first scripts ran, or in a renderer swapped in by navigation), and until then a page reads an
  // outer size of 0, or on a desktop one smaller than the viewport: automation tells skimmers check for. The native
  // value is returned whenever it is sane. (On a phone a page without a viewport tag is laid out wider than the
  // window, so there only 0 is insane.)
  var WINDOW = ${JSON.stringify(look ? { ...windowSize(look), mobile: look.viewport.isMobile } : null)};
  var larger = Math.max;
  if (WINDOW) [['outerWidth', 'innerWidth', WINDOW.width], ['outerHeight', 'innerHeight', WINDOW.height]].forEach(function (p) {
    var outer = GOPD(window, p[0]), inner = GOPD(window, p[1]);
    if (!outer || !outer.get || !inner || !inner.get || !outer.configurable) return;
    DP(window, p[0], { configurable: true, enumerable: outer.enumerable, set: outer.set, get: disguise(function () {
      var o = RA(outer.get, this, []);
      if (o > 0 && WINDOW.mobile) return o;
      var i = RA(inner.get, window, []);
      return o > 0 && o >= i && o - i <= 160 ? o : larger(p[2], i);
    }, 'get ' + p[0]) });
  });

  var ael = EventTarget.prototype.addEventListener;
  var WATCHED = /^(input|change|keyup|keydown|keypress|blur|focusout|submit|paste|mouseup|touchend|click)$/;
  var LEAVING = /^(pagehide|beforeunload|unload|visibilitychange|freeze)$/;
  DP(EventTarget.prototype, 'addEventListener', { value: disguise(function addEventListener(type) {
    try {
      var d = describe(this);
      if (d) send('listen', type + ' on ' + d);
      else if ((this === window || this === document) && RA(test, WATCHED, [String(type)]) && String(type) !== 'click') send('listen', type + ' on ' + (this === window ? 'window' : 'document'));
      else if ((this === window || this === document) && RA(test, LEAVING, [String(type)])) send('unload', type + ' on ' + (this === window ? 'window' : 'document'));
    } catch (e) {}
    return RA(ael, this, arguments);
  }, 'addEventListener'), writable: true, configurable: true });

  var valueDesc = GOPD(HTMLInputElement.prototype, 'value');
  DP(HTMLInputElement.prototype, 'value', { configurable: true, enumerable: true, set: valueDesc.set,
    get: disguise(function value() { var v = RA(valueDesc.get, this, []); try { if (v && isPaymentField(this)) send('read', label(this)); } catch (e) {} return v; }, 'get value') });

  var FD = window.FormData;
  var FormDataWrapped = disguise(function FormData(form) {
    try { var d = describe(form); if (d) send('read', 'all fields of ' + d); } catch (e) {}
    return RC(FD, arguments, new.target || FD);
  }, 'FormData');
  FormDataWrapped.prototype = FD.prototype;
  DP(window, 'FormData', { value: FormDataWrapped, writable: true, configurable: true });

  var srcDesc = GOPD(HTMLImageElement.prototype, 'src');
  DP(HTMLImageElement.prototype, 'src', { configurable: true, enumerable: true, get: srcDesc.get,
    set: disguise(function src(v) { try { send('beacon', String(v).slice(0, 300)); } catch (e) {} return RA(srcDesc.set, this, [v]); }, 'set src') });

  ['instantiate', 'instantiateStreaming', 'compile'].forEach(function (name) {
    var original = WebAssembly[name];
    if (typeof original !== 'function') return;
    WebAssembly[name] = disguise(function () { send('wasm', 'WebAssembly.' + name); return RA(original, WebAssembly, arguments); }, name);
  });
  var W = window.Worker;
  if (W) {
    var WorkerWrapped = disguise(function Worker(url) {
      try { if (RA(indexOf, String(url), ['blob:']) === 0) send('blob-worker', 'worker from a blob URL'); } catch (e) {}
      return RC(W, arguments, new.target || W);
    }, 'Worker');
    WorkerWrapped.prototype = W.prototype;
    DP(window, 'Worker', { value: WorkerWrapped, writable: true, configurable: true });
  }
  // Channels that leave no request Chrome's network log can search: WebRTC data channels, messages into other
  // origins' frames, window.open URLs, DNS prefetch and preconnect hints. Each is reported with what it carries.
  var PC = window.RTCPeerConnection, iceHost = 'peer';
  if (PC) {
    var PCWrapped = disguise(function RTCPeerConnection(config) {
      try {
        var servers = (config && config.iceServers) || [];
        for (var i = 0; i < servers.length; i++) {
          var urls = [].concat(servers[i].urls || servers[i].url || []);
          for (var j = 0; j < urls.length; j++) { var m = RA(match, String(urls[j]), [/^(?:stuns?|turns?):([^:?\/]+)/i]); if (m) { iceHost = m[1]; send('sent', 'webrtc-config webrtc://' + iceHost + '/', ''); } }
        }
      } catch (e) {}
      return RC(PC, arguments, new.target || PC);
    }, 'RTCPeerConnection');
    PCWrapped.prototype = PC.prototype;
    DP(window, 'RTCPeerConnection', { value: PCWrapped, writable: true, configurable: true });
  }
  var DC = window.RTCDataChannel;
  if (DC && DC.prototype.send) {
    var dcSend = DC.prototype.send;
    DP(DC.prototype, 'send', { value: disguise(function send(data) { try { send_('webrtc webrtc://' + iceHost + '/', data); } catch (e) {} return RA(dcSend, this, arguments); }, 'send'), writable: true, configurable: true });
  }
  function send_(detail, data) { send('sent', detail, slice(data)); }
  var wopen = window.open;
  DP(window, 'open', { value: disguise(function open(url) { try { if (url) send_('window.open ' + String(url).slice(0, 2000), ''); } catch (e) {} return RA(wopen, window, arguments); }, 'open'), writable: true, configurable: true });
  // A message into this frame from another origin: what another page's script handed over.
  try { RA(ael, window, ['message', function (event) { try { if (event.origin && event.origin !== location.origin) send_('postMessage ' + location.href.slice(0, 500) + ' from ' + event.origin, event.data); } catch (e) {} }, true]); } catch (e) {}
  var HINTS = /(^|\\s)(dns-prefetch|preconnect|prefetch|prerender|preload|modulepreload)(\\s|$)/i;
  function hint(link) {
    try { var rel = attr(link, 'rel'), href = attr(link, 'href'); if (href && RA(test, HINTS, [rel])) send_('hint ' + rel + ' ' + href.slice(0, 2000), ''); } catch (e) {}
  }
  ['href', 'rel'].forEach(function (name) {
    var d = GOPD(HTMLLinkElement.prototype, name);
    if (!d || !d.set) return;
    DP(HTMLLinkElement.prototype, name, { configurable: true, enumerable: true, get: d.get, set: disguise(function (v) { var r = RA(d.set, this, [v]); hint(this); return r; }, 'set ' + name) });
  });
  var setAttr = Element.prototype.setAttribute;
  DP(Element.prototype, 'setAttribute', { value: disguise(function setAttribute(name) { var r = RA(setAttr, this, arguments); try { if (this instanceof HTMLLinkElement && /^(href|rel)$/i.test(String(name))) hint(this); } catch (e) {} return r; }, 'setAttribute'), writable: true, configurable: true });
  // Card data staged for later: storage and cookies written by a script (searched for canary values afterwards).
  var nativeSetItem = Storage.prototype.setItem;
  DP(Storage.prototype, 'setItem', { value: disguise(function setItem(k, v) { try { send('stored', (this === window.sessionStorage ? 'sessionStorage ' : 'localStorage ') + String(k).slice(0, 100), slice(v)); } catch (e) {} return RA(nativeSetItem, this, arguments); }, 'setItem'), writable: true, configurable: true });
  var cookieDesc = GOPD(Document.prototype, 'cookie');
  if (cookieDesc && cookieDesc.set) DP(Document.prototype, 'cookie', { configurable: true, enumerable: true, get: cookieDesc.get, set: disguise(function cookie(v) { try { send('stored', 'cookie', slice(v)); } catch (e) {} return RA(cookieDesc.set, this, [v]); }, 'set cookie') });
  if (window.IDBObjectStore) ['put', 'add'].forEach(function (name) {
    var original = IDBObjectStore.prototype[name];
    DP(IDBObjectStore.prototype, name, { value: disguise(function () { try { send('stored', 'IndexedDB ' + this.name, slice(arguments[0])); } catch (e) {} return RA(original, this, arguments); }, name), writable: true, configurable: true });
  });
  // A beacon or keepalive fetch sent while the page unloads (pagehide) may never show in the network log: the call is seen here.
  function bodyText(data) {
    try {
      if (data == null) return '';
      if (typeof data === 'string') return data;
      if (data instanceof URLSearchParams) return String(data);
      if (data instanceof FormData) { var parts = []; data.forEach(function (v, k) { parts.push(k + '=' + (typeof v === 'string' ? v : '[file]')); }); return parts.join('&'); }
      if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) { var bytes = new Uint8Array(data.buffer || data, data.byteOffset || 0, Math.min(data.byteLength, 16384)), out = ''; for (var i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i]); return out; }
      return text(data);
    } catch (e) { return ''; }
  }
  var beacon = Navigator.prototype.sendBeacon;
  if (beacon) DP(Navigator.prototype, 'sendBeacon', { value: disguise(function sendBeacon(url, data) { try { send_('beacon ' + String(new URL(String(url), location.href)).slice(0, 2000), bodyText(data)); } catch (e) {} return RA(beacon, this, arguments); }, 'sendBeacon'), writable: true, configurable: true });
  // EventSource requests carry no initiator stack in Chrome: the script that opened the stream is told by URL.
  var ES = window.EventSource;
  if (ES) {
    var ESWrapped = disguise(function EventSource(url) {
      try { send('beacon', String(new URL(String(url), location.href)).slice(0, 300)); } catch (e) {}
      return RC(ES, arguments, new.target || ES);
    }, 'EventSource');
    ESWrapped.prototype = ES.prototype;
    DP(window, 'EventSource', { value: ESWrapped, writable: true, configurable: true });
  }
  var WS = window.WebSocket;
  var WebSocketWrapped = disguise(function WebSocket(url) {
    try { send('websocket', String(url).slice(0, 300)); } catch (e) {}
    return RC(WS, arguments, new.target || WS);
  }, 'WebSocket');
  WebSocketWrapped.prototype = WS.prototype;
  ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'].forEach(function (k) { WebSocketWrapped[k] = WS[k]; });
  DP(window, 'WebSocket', { value: WebSocketWrapped, writable: true, configurable: true });
})();
//# sourceURL=${sourceUrl}`;
}

/**
 * Installs the instrumentation for every document of a page, and collects what it reports. Its binding and source
 * name are random per page, so a page can neither call the binding by name nor pass its own code off as ours.
 */
export async function installInstrumentation(session: CDPSession, look: VisitorLook | null = null): Promise<{ signals: RuntimeSignal[]; sourceUrl: string }> {
  const signals: RuntimeSignal[] = [];
  const secret = randomBytes(6).toString('hex');
  const binding = `__sw${secret}`;
  const sourceUrl = `scriptwarden-instrument-${secret}`;
  session.on('Runtime.bindingCalled', (event) => {
    if (event.name !== binding || signals.length >= 1000) return;
    try {
      const parsed = JSON.parse(event.payload) as RuntimeSignal;
      if (typeof parsed.kind === 'string' && typeof parsed.detail === 'string') {
        // What a channel carried is kept (bounded) for the canary search; other signals are short descriptions.
        const carries = (parsed.kind === 'sent' || parsed.kind === 'stored') && typeof parsed.data === 'string';
        signals.push({
          kind: parsed.kind.slice(0, 20), detail: parsed.detail.slice(0, carries ? 2000 : 300), script: typeof parsed.script === 'string' ? parsed.script.slice(0, 500) : null,
          ...(carries ? { data: parsed.data!.slice(0, 16384) } : {}),
        });
      }
    } catch {
      // a page that forged the binding's payload gets nothing recorded
    }
  });
  await session.send('Runtime.enable');
  await session.send('Runtime.addBinding', { name: binding });
  await session.send('Page.addScriptToEvaluateOnNewDocument', { source: instrumentationSource(binding, sourceUrl, look) });
  return { signals, sourceUrl };
}
