// Whole-word tests for payment and credential field names, and for URLs that name a document rather than a destination.

/** Identifier words that name a card or credential field on their own. */
const CARD_WORDS = new Set([
  'card', 'cardnumber', 'cardnum', 'cardno', 'ccnumber', 'ccnum', 'ccno', 'cc', 'cvv', 'cvv2', 'cvc', 'cvc2', 'csc', 'ccv',
  'pan', 'cardholder', 'ccname', 'ccexp', 'expiry', 'expdate', 'expiration', 'expmonth', 'expyear', 'securitycode',
  'creditcard', 'creditcardnumber', 'cardcode', 'cardcvc', 'cardcvv', 'cardexpiry',
]);
/** Two words in a row that name one: `card number`, `security_code`, `exp-month`. */
const CARD_PAIRS = new Set([
  'card number', 'card num', 'card no', 'cc number', 'cc num', 'security code', 'exp month', 'exp year', 'exp date', 'card holder', 'credit card', 'name on',
  'card exp', 'card expiry', 'card cvv', 'card cvc', 'card code', 'card name', 'cc exp', 'cc csc', 'cc cvv', 'cc name',
]);
/** Words that name the form or the credentials around the card fields: they count in a DOM lookup, not in prose. */
const FORM_WORDS = new Set(['payment', 'checkout', 'billing', 'password', 'passwd']);

/**
 * The words of an identifier, selector or field name, lower-cased: `cardNumber`, `card_number`, `#card-number` and
 * `[name="card[number]"]` all give `card`, `number`. `discard`, `cards` and `expires` are words of their own.
 */
export function identifierWords(text: string): string[] {
  return text
    .slice(0, 200)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** True when the words of `text` hold one of `words`, or two in a row that make one of `pairs`. */
function hasWords(text: string, words: ReadonlySet<string>, pairs: ReadonlySet<string>): boolean {
  const found = identifierWords(text);
  return found.some((w, i) => words.has(w) || (i + 1 < found.length && pairs.has(`${w} ${found[i + 1]}`)));
}

/** True when a field name or selector names a card field (whole words only). */
export function namesCardField(text: string): boolean {
  return hasWords(text, CARD_WORDS, CARD_PAIRS);
}

/** Words too short or too common to mark a form field as a card field on their own (`cc` recipients, a gift `card`). */
const AMBIGUOUS = new Set(['card', 'cc', 'exp', 'pan']);

/** The card words and word pairs that name an input on their own: shared with the page instrumentation. */
export const CARD_INPUT_WORDS: readonly string[] = [...CARD_WORDS].filter((w) => !AMBIGUOUS.has(w));
export const CARD_INPUT_PAIRS: readonly string[] = [...CARD_PAIRS].filter((p) => p !== 'name on');

const INPUT_WORDS = new Set(CARD_INPUT_WORDS);
const INPUT_PAIRS = new Set(CARD_INPUT_PAIRS);

/** True when a form field's name or id names a card field: stricter than code lookups, as it classifies the page. */
export function namesCardInput(text: string): boolean {
  return hasWords(text, INPUT_WORDS, INPUT_PAIRS);
}

/** True when a selector passed to a DOM lookup names a card field, the payment form, or a password field. */
export function selectsPaymentField(selector: string): boolean {
  return namesCardField(selector) || identifierWords(selector).some((w) => FORM_WORDS.has(w));
}

/** XML namespace and schema hosts: their URIs are names, never fetched. */
const NAMESPACE_HOSTS = new Set(['www.w3.org', 'w3.org', 'purl.org', 'ns.adobe.com', 'xmlns.com', 'schema.org', 'www.xml.org', 'docs.oasis-open.org']);
/** Code-hosting, documentation and licence sites that libraries link to in messages. */
const REFERENCE_HOSTS = new Set([
  'github.com', 'gitlab.com', 'bitbucket.org', 'developer.mozilla.org', 'www.npmjs.com', 'npmjs.com', 'opensource.org',
  'creativecommons.org', 'www.apache.org', 'spdx.org', 'stackoverflow.com', 'en.wikipedia.org', 'tools.ietf.org',
  'datatracker.ietf.org', 'www.rfc-editor.org', 'bit.ly', 'goo.gl', 'git.io',
]);
const REFERENCE_PATH = /\/(?:docs?|documentation|wiki|guide|guides|handbook|faq|help|reference|api-reference|errors?|error-decoder\.html|link|licen[cs]e|blob|tree|issues|pull|releases|changelog|migration|deprecations?)(?:[/.?#-]|$)|\.md(?:[?#]|$)|#|\/schemas?\//i;

/**
 * True for a URL that names a document rather than a place code sends data to: XML namespaces and schemas,
 * documentation, licence and issue links (`https://reactjs.org/docs/…`, `http://www.w3.org/2000/svg`).
 */
export function isReferenceUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(/^\/\//.test(url) ? `https:${url}` : url);
  } catch {
    return false;
  }
  const host = parsed.hostname.toLowerCase();
  if (NAMESPACE_HOSTS.has(host) || /^schemas?\./.test(host)) return true;
  if (REFERENCE_HOSTS.has(host)) return true;
  return REFERENCE_PATH.test(`${parsed.pathname}${parsed.search ? '?' : ''}${parsed.hash ? '#' : ''}`);
}
