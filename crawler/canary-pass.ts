// The behavioural pass: fills canary payment data like a shopper, submits, and refuses the page's own order requests.

import type { CDPSession, ElementHandle, Frame, Page, Protocol } from 'puppeteer';
import { makeCanary, type CanaryField, type CanaryValues, type OutboundItem } from '../src/detect/canary.js';
import { initiatorScriptUrl, type PageRecorder, type RecordedRequest } from './page-recorder.js';
import { isOwnSite } from '../src/detect/vendors.js';

export interface CanaryPassOptions {
  pageUrl: string;
  mainFrameId: string;
  /** Touch input (mobile profile): taps instead of clicks. */
  touch: boolean;
  /** The whole pass must end within this many milliseconds. */
  budgetMs: number;
}

export interface CanaryPassResult {
  values: CanaryValues;
  filled: string[];
  submitted: string | null;
  blocked: string[];
  /** The action URL of the form the pass submitted: the one place card data may legitimately go on the shop's own site. */
  formAction: string | null;
}

interface FieldInfo {
  tag: string;
  type: string;
  autocomplete: string;
  label: string;
}

/** Which canary value a form field takes, by its autocomplete token first, then by its name or id. */
export function fieldFor(info: FieldInfo): CanaryField | 'exp-month' | 'exp-year' | null {
  const auto = info.autocomplete.toLowerCase();
  const label = info.label.toLowerCase();
  if (info.type === 'hidden' || info.type === 'submit' || info.type === 'button' || info.type === 'checkbox' || info.type === 'radio') return null;
  if (/\bcc-number\b/.test(auto)) return 'cardNumber';
  if (/\bcc-name\b/.test(auto)) return 'name';
  if (/\bcc-exp-month\b/.test(auto)) return 'exp-month';
  if (/\bcc-exp-year\b/.test(auto)) return 'exp-year';
  if (/\bcc-exp\b/.test(auto)) return 'expiry';
  if (/\bcc-csc\b/.test(auto)) return 'cvc';
  if (info.type === 'password') return 'password';
  if (info.type === 'email' || /\bemail\b/.test(auto)) return 'email';
  if (/(card|cc)[-_ ]?(number|num|no\b)|cardnumber|ccnum|\bpan\b/.test(label)) return 'cardNumber';
  if (/cvv|cvc|csc|security[-_ ]?code/.test(label)) return 'cvc';
  if (/exp.*(month|mm)\b/.test(label)) return 'exp-month';
  if (/exp.*(year|yy)\b/.test(label)) return 'exp-year';
  if (/expir|exp[-_ ]?date|\bexp\b|card[-_ ]?exp/.test(label)) return 'expiry';
  if (/holder|name[-_ ]?on[-_ ]?card|cc[-_ ]?name|billing[-_ ]?name|full[-_ ]?name/.test(label)) return 'name';
  if (/e-?mail|user(name)?|login/.test(label)) return 'email';
  return null;
}

function valueFor(field: ReturnType<typeof fieldFor>, values: CanaryValues): string {
  if (field === 'exp-month') return values.expiry.slice(0, 2);
  if (field === 'exp-year') return `20${values.expiry.slice(3)}`;
  return values[field as CanaryField];
}

const SUBMIT_TEXT = /pay|order|buy|checkout|purchase|submit|confirm|place|sign ?in|log ?in|continue/i;

async function describe(handle: ElementHandle<Element>): Promise<FieldInfo & { selector: string }> {
  return handle.evaluate((el) => {
    const input = el as HTMLInputElement;
    const id = input.id ? `#${input.id}` : '';
    const name = input.getAttribute('name');
    return {
      tag: input.tagName.toLowerCase(),
      type: (input.getAttribute('type') ?? '').toLowerCase(),
      autocomplete: input.getAttribute('autocomplete') ?? '',
      label: `${name ?? ''} ${input.id ?? ''} ${input.getAttribute('placeholder') ?? ''} ${input.getAttribute('aria-label') ?? ''}`,
      selector: id || (name ? `${input.tagName.toLowerCase()}[name="${name}"]` : input.tagName.toLowerCase()),
    };
  });
}

async function pointer(handle: ElementHandle<Element>, touch: boolean): Promise<void> {
  if (touch) await handle.tap();
  else await handle.click();
}

/** Fills one field like a person: focus it, type key by key, then Tab away (blur and change fire). */
async function fill(page: Page, handle: ElementHandle<Element>, info: FieldInfo, value: string): Promise<boolean> {
  try {
    if (info.tag === 'select') {
      const picked = await handle.evaluate((el, wanted) => {
        const select = el as HTMLSelectElement;
        const option = [...select.options].find((o) => o.value === wanted || o.textContent?.trim() === wanted) ?? select.options[select.options.length - 1];
        if (!option) return false;
        select.value = option.value;
        select.dispatchEvent(new Event('input', { bubbles: true }));
        select.dispatchEvent(new Event('change', { bubbles: true }));
        return true;
      }, value);
      return picked;
    }
    // Focus rather than a pointer event per field: skimmers watch keys, input, change and blur, and the submit button
    // (clicked or tapped below) for mouseup and touchend; a pointer per field costs several round trips each.
    await handle.focus();
    await handle.type(value, { delay: 0 });
    await page.keyboard.press('Tab');
    return true;
  } catch {
    return false;
  }
}

async function submitButton(form: ElementHandle<Element> | null, frame: Frame): Promise<ElementHandle<Element> | null> {
  if (form) {
    const inForm = await form.$('button[type=submit], input[type=submit], button:not([type]), [role=button]');
    if (inForm) return inForm;
  }
  for (const button of await frame.$$('button, input[type=submit], [role=button]')) {
    const text = await button.evaluate((el) => `${el.textContent ?? ''} ${(el as HTMLInputElement).value ?? ''} ${el.id}`);
    if (SUBMIT_TEXT.test(text)) return button;
  }
  return null;
}

/**
 * Refuses what would place an order: main-frame navigations (but the one `allowed` URL) and non-GET requests to the
 * page's own site (answered 204).
 */
function guard(
  session: CDPSession,
  options: Pick<CanaryPassOptions, 'pageUrl' | 'mainFrameId'> & { allowed?: string; allFrames?: boolean },
  blocked: string[],
  seen?: Protocol.Fetch.RequestPausedEvent['request'][],
): (event: Protocol.Fetch.RequestPausedEvent) => void {
  return (event) => {
    const { request, resourceType, frameId, requestId } = event;
    if (seen && seen.length < 500) seen.push(request);
    const ownSite = isOwnSite(request.url, options.pageUrl);
    // In the pass, a navigation of any frame is refused: a form may target a frame, and a frame's URL may carry the card.
    const navigation = resourceType === 'Document' && (options.allFrames || frameId === options.mainFrameId) && request.url !== options.allowed;
    const writes = !['GET', 'HEAD', 'OPTIONS'].includes(request.method.toUpperCase());
    if (navigation || (writes && ownSite)) {
      if (blocked.length < 50) blocked.push(`${request.method} ${request.url.slice(0, 200)}`);
      // 204 No Content: a navigation answered so is abandoned, and the page (with its pending timers) stays.
      session.send('Fetch.fulfillRequest', { requestId, responseCode: 204, responseHeaders: [], body: '' }).catch(() => undefined);
    } else {
      session.send('Fetch.continueRequest', { requestId }).catch(() => undefined);
    }
  };
}

/** Runs the pass on every frame's form fields; never throws, and ends within the budget. */
export async function runCanaryPass(page: Page, session: CDPSession, options: CanaryPassOptions): Promise<CanaryPassResult> {
  const values = makeCanary();
  const result: CanaryPassResult = { values, filled: [], submitted: null, blocked: [], formAction: null };
  const deadline = Date.now() + options.budgetMs;
  const onPaused = guard(session, { ...options, allFrames: true }, result.blocked);
  session.on('Fetch.requestPaused', onPaused);
  await session.send('Fetch.enable', { patterns: [{ urlPattern: '*', requestStage: 'Request' }] }).catch(() => undefined);
  try {
    // The form to submit: the one around a card number field, else any form that took a value (a payment iframe
    // of the processor, with a field and no form, must not stand in for the shop's own checkout form).
    let firstForm: { form: ElementHandle<Element> | null; frame: Frame; card: boolean } | null = null;
    for (const frame of page.frames()) {
      const fields: ElementHandle<Element>[] = await frame.$$('input, select, textarea').catch(() => []);
      for (const handle of fields) {
        if (Date.now() > deadline) break;
        const info = await describe(handle).catch(() => null);
        const field = info ? fieldFor(info) : null;
        if (!info || !field) continue;
        if (await fill(page, handle, info, valueFor(field, values))) {
          result.filled.push(`${field} → ${info.selector}`);
          if (!firstForm || !firstForm.form || (field === 'cardNumber' && !firstForm.card)) {
            const handleOfForm = await handle.evaluateHandle((el: Element) => (el as HTMLInputElement).form).catch(() => null);
            const form = (handleOfForm?.asElement() as ElementHandle<Element> | null) ?? null;
            const better = !firstForm || (form !== null && (!firstForm.form || (field === 'cardNumber' && !firstForm.card)));
            if (better) firstForm = { form, frame, card: field === 'cardNumber' && form !== null };
          }
        }
      }
    }
    if (firstForm?.form) result.formAction = await firstForm.form.evaluate((form) => (form as HTMLFormElement).action || null).catch(() => null);
    if (firstForm && Date.now() < deadline) {
      const button = await submitButton(firstForm.form, firstForm.frame).catch(() => null);
      if (button) {
        const label = await (button as ElementHandle<Element>).evaluate((el: Element) => (el.id ? `#${el.id}` : `${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().slice(0, 40)}"`)).catch(() => 'button');
        await pointer(button, options.touch).then(() => { result.submitted = label; }).catch(() => undefined);
      } else if (firstForm.form) {
        await firstForm.form.evaluate((form) => (form as HTMLFormElement).requestSubmit()).then(() => { result.submitted = 'form'; }).catch(() => undefined);
      }
      // Skimmers wait a moment before sending (timers of 250–500 ms are common); then the network must go quiet. The
      // wait is a timer in the page itself, so it fires after the page's own shorter timers however busy the machine.
      const remaining = Math.max(0, deadline - Date.now());
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        page.evaluate((ms) => new Promise((resolve) => setTimeout(resolve, ms)), Math.min(600, remaining)).catch(() => undefined),
        new Promise((resolve) => { timer = setTimeout(resolve, remaining); }),
      ]).finally(() => clearTimeout(timer));
      await page.waitForNetworkIdle({ idleTime: 200, timeout: Math.max(1, Math.min(1000, deadline - Date.now())) }).catch(() => undefined);
    }
  } finally {
    await session.send('Fetch.disable').catch(() => undefined);
    session.off('Fetch.requestPaused', onPaused);
  }
  return result;
}

/**
 * Loads one more page of the site in the same context after the pass and lets it run: a skimmer that kept the card in
 * storage or a cookie sends it from there. The shop's own writes stay refused; never throws; ends within the budget.
 */
export async function visitNextPage(page: Page, session: CDPSession, options: { pageUrl: string; url: string; budgetMs: number }): Promise<{ blocked: string[]; intercepted: OutboundItem[] }> {
  const blocked: string[] = [];
  const paused: Protocol.Fetch.RequestPausedEvent['request'][] = [];
  const deadline = Date.now() + options.budgetMs;
  const mainFrameId = (await session.send('Page.getFrameTree').catch(() => null))?.frameTree.frame.id ?? '';
  // What the guard pauses is kept too: a beacon sent while the scanned page unloads shows nowhere else.
  const onPaused = guard(session, { pageUrl: options.pageUrl, mainFrameId, allowed: options.url }, blocked, paused);
  session.on('Fetch.requestPaused', onPaused);
  await session.send('Fetch.enable', { patterns: [{ urlPattern: '*', requestStage: 'Request' }] }).catch(() => undefined);
  try {
    await page.goto(options.url, { waitUntil: 'load', timeout: Math.max(200, deadline - Date.now()) }).catch(() => undefined);
    await page.waitForNetworkIdle({ idleTime: 200, timeout: Math.max(1, Math.min(1500, deadline - Date.now())) }).catch(() => undefined);
  } finally {
    await session.send('Fetch.disable').catch(() => undefined);
    session.off('Fetch.requestPaused', onPaused);
  }
  const intercepted = paused.map((r): OutboundItem => ({
    url: r.url, method: r.method, type: r.method === 'GET' ? 'Other' : 'Ping', headers: { ...r.headers }, body: r.postData?.slice(0, 256 * 1024) ?? null, script: null,
  }));
  return { blocked, intercepted };
}

/**
 * Everything the recorder saw the page send, as plain items for the canary search. With `earlier`, also the requests
 * archived from the `since`-th on (what a page sent while it unloaded), less those already searched (`skip`).
 */
export async function outboundItems(recorder: PageRecorder, earlier: { since: number; skip: Set<string> } | null = null): Promise<OutboundItem[]> {
  const items: OutboundItem[] = [];
  const sockets = new Map<string, RecordedRequest>();
  const archived = earlier ? recorder.earlierRequests.slice(earlier.since) : [];
  const requests = [...archived, ...recorder.requests.values()].filter((r) => !earlier?.skip.has(r.requestId));
  for (const request of requests) {
    if (request.type === 'WebSocket') {
      sockets.set(request.requestId, request);
      items.push({ url: request.url, method: 'GET', type: 'WebSocket', headers: {}, body: null, script: initiatorScriptUrl(request.initiator, recorder.instrumentationUrl) });
      continue;
    }
    items.push({
      url: request.url, method: request.method, type: request.type, headers: request.requestHeaders,
      body: request.postData ? await request.postData : null, script: initiatorScriptUrl(request.initiator, recorder.instrumentationUrl),
    });
  }
  for (const frame of recorder.socketFrames) {
    const socket = sockets.get(frame.requestId);
    if (!socket) continue;
    items.push({ url: socket.url, method: 'WebSocket', type: 'WebSocket', headers: {}, body: null, frame: frame.payload, script: initiatorScriptUrl(socket.initiator, recorder.instrumentationUrl) });
  }
  return items;
}
