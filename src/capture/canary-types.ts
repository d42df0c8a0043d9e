// The canary's part of the capture contract: what the behavioural pass typed and saw sent, and what its judgement found.

import type { RuntimeSignal } from './runtime-signal.js';

/** Canary data that reached a host it should not: one destination, channel and sending script. */
export interface ExfiltrationFinding {
  host: string;
  /** The first request or frame that carried it (URL without its query when the query is long). */
  url: string;
  method: string;
  /** xhr, fetch, beacon, image, websocket, navigation, script, other */
  channel: string;
  /** Which canary values: cardNumber, name, email. */
  fields: string[];
  /** How they were encoded: raw, url-encoded, base64, hex, reversed, digits… */
  encodings: string[];
  /** Where in the request: url, header, body, frame. */
  locations: string[];
  /** The script that sent it, from Chrome's initiator stack, where available. */
  script: string | null;
  /** Sent to the page's own site (a path other than the form's action): the destination is that path. */
  sameSite?: boolean;
  path?: string;
}

/** Canary data a script wrote to browser storage: collected on this page, to be sent from a later one. */
export interface StoredFinding {
  /** localStorage, sessionStorage, cookie, IndexedDB */
  area: string;
  /** The storage key (or store name), bounded. */
  key: string;
  script: string | null;
  fields: string[];
  encodings: string[];
}

/** The canary data the behavioural pass types: synthetic, unique per scan. */
export interface CanaryValues {
  /** 16 digits, Luhn-valid, unique per scan. */
  cardNumber: string;
  name: string;
  /** MM/YY */
  expiry: string;
  cvc: string;
  email: string;
  /** For login forms. */
  password: string;
}

/** One thing the page sent: a request (URL, headers, body) or a WebSocket frame. */
export interface OutboundItem {
  url: string;
  method: string;
  /** Chrome's resource type: XHR, Fetch, Ping, Image, WebSocket, Document, Script, … */
  type: string;
  headers: Record<string, string>;
  body: string | null;
  /** Set for WebSocket frames: the payload sent. */
  frame?: string;
  script: string | null;
}

/** What the behavioural pass did on the page, in the capture and in the scan's report alike. */
export interface CanaryActions {
  /** Last four digits of the canary card number: enough to find it in logs, not a card. */
  cardLast4: string;
  /** Fields filled, as `field → selector`. */
  filled: string[];
  /** The button or form the pass submitted, if any. */
  submitted: string | null;
  /** Requests the pass refused so that no real order is placed (`POST https://shop/order`). */
  blocked: string[];
}

/** What the behavioural pass did and saw, as the crawler recorded it: the judgement's inputs (src/detect/canary.ts). */
export interface CanaryPass extends CanaryActions {
  /** What was typed, and the action of the form submitted: the one place card data may legitimately go. */
  values: CanaryValues;
  formAction: string | null;
  /** Everything the page (and the next page, and windows it opened) sent, in order, up to the search budget. */
  outbound: OutboundItem[];
  /** Items past the search budget (8 MB of text): counted, not kept. */
  unsearched: number;
  /** Writes to storage and cookies during the pass, with what they carried (bounded). */
  staged: RuntimeSignal[];
}

/** What the behavioural pass found on a page with a payment or login form: the judged pass, as a scan records it. */
export interface CanaryReport extends CanaryActions {
  findings: ExfiltrationFinding[];
  /** Canary values written to browser storage or cookies by a script (staged, not yet sent). */
  stored?: StoredFinding[];
  /** Outbound items past the per-page search budget (8 MB of text), counted but not searched. */
  unsearched?: number;
}
