// The capturer: what the monitor needs from the outside world to look at a target (the crawler implements it, the
// composition root wires it in), so nothing in src/ depends on the browser.

import type { PageCapture, PolicyReplay } from './types.js';

/** A step of a target's journey (config `journey`, validated there), walked by the crawler. */
export type JourneyStep =
  | { goto: string }
  | { click: string }
  | { type: { selector: string; text: string } }
  | { select: { selector: string; value: string } }
  | { waitFor: string }
  | { scan: true };

/** What a target's baseline already holds, as the crawler is told it (see plan/known-content). */
export interface KnownContent {
  /** Every accepted body hash of the page's live scripts. */
  bodies: string[];
  /** The latest body hash of each live script: one not seen means a script is missing or changed. */
  expected: string[];
  /** Security header name → accepted values, JSON-encoded as the baseline keeps them. */
  headers: Record<string, string[]>;
  hosts: string[];
}

export interface Capturer {
  /**
   * `sample`: an extra load while a baseline is established, read for its scripts only (see crawler/capture-page).
   * `known`: what the baseline holds; a load that shows nothing else may skip the DOM copy and the screenshot.
   */
  page(request: { target: string; url: string; profile: string; journey?: JourneyStep[]; sample?: boolean; known?: KnownContent; vantage?: string }): Promise<PageCapture>;
  resource(target: { name: string; url: string; vantage?: string }): Promise<PageCapture>;
  /** Loads the page (and its journey) with `policy` enforced and reports the violations (`harden`); absent without a browser. */
  replay?(request: { target: string; url: string; profile: string; journey?: JourneyStep[]; vantage?: string }, policy: string): Promise<PolicyReplay>;
}
