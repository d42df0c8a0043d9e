// What an analyzer is: a pure function from a script change to findings, with a small description of itself.

import type { Severity } from '../types.js';

export interface ScriptChange {
  /** The approved or previous body; null for a new script. */
  oldCode: string | null;
  newCode: string;
  url: string | null;
  /** The page's own host, and hosts already known on it. */
  pageHost: string | null;
  knownHosts: string[];
  paymentPage: boolean;
}

export interface Finding {
  analyzer: string;
  severity: Severity;
  title: string;
  /** Short evidence: the host, the event, the literal. */
  detail: string;
}

export interface Analyzer {
  meta: { id: string; title: string; needs: string[] };
  run(change: ScriptChange): Finding[];
}
