// What a page capture is asked for: the target, its profile and journey, what its baseline knows; and its limits.

import type { JourneyStep } from '../src/config/journey.js';
import type { KnownContent } from '../src/plan/known-content.js';

export interface CaptureRequest {
  target: string;
  url: string;
  profile: string;
  /** Steps from `url` to the page to scan; the page at the end is captured. */
  journey?: JourneyStep[];
  /**
   * An extra load taken while a baseline is established, to learn which values change on every load: its scripts
   * only, so no behavioural pass (and no form submitted again), no next page and no evidence.
   */
  sample?: boolean;
  /**
   * What the target's baseline holds. A page without a behavioural pass that shows nothing else keeps the document,
   * network log and TLS as evidence but skips the DOM copy and the screenshot; absent, evidence is always full.
   */
  known?: KnownContent;
}

export interface CaptureLimits {
  pageTimeoutMs: number;
  settleMs: number;
  maxScriptsPerPage: number;
  maxBodyBytes: number;
  /** Script bytes kept per page in all (default 64 MB); beyond it bodies are fingerprinted and dropped. */
  maxPageBytes?: number;
  /** The behavioural pass on payment and login pages; off when absent. `nextPage`: the later page watched for staged data. */
  canary?: { enabled: boolean; nextPage?: string };
}
