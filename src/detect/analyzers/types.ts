// What an analyzer is: a pure function from a script change to findings, with a small description of itself.

import type { KnownBadHosts } from '../intel/known-bad-hosts.js';
import type { LibraryMatch } from '../intel/libraries.js';
import type { ReleaseVerification } from '../intel/release-claims.js';
import type { Severity } from '../../capture/types.js';

export interface ScriptChange {
  /** The approved or previous body; null for a new script. */
  oldCode: string | null;
  newCode: string;
  url: string | null;
  /** The page's own host, and hosts already known on it. */
  pageHost: string | null;
  knownHosts: string[];
  paymentPage: boolean;
  /** Libraries the old and new bodies were recognised as; for a new script, `oldLibrary` is the one it replaces. */
  oldLibrary: LibraryMatch | null;
  newLibrary: LibraryMatch | null;
  knownBad: KnownBadHosts;
  /** What the published npm release says of the new bytes (identical, differs, not verified); null when nothing was claimed. */
  release?: ReleaseVerification | null;
  /** Payment and login field access the page instrumentation saw this script make (listen, read). */
  fieldAccess?: string[];
  /** A hosted artifact (an installer, say) rather than a page script: its hosts are read from the whole text. */
  resource?: boolean;
}

/**
 * What a finding is evidence of. The rating (rate.ts) treats `exfiltration`, `known-bad`, `miner`, `lookalike` and
 * `release-mismatch` as strong: they keep their severity even inside a recognised library upgrade.
 */
export type FindingKind =
  | 'exfiltration' | 'known-bad' | 'miner' | 'lookalike' | 'new-host' | 'listener' | 'card-read' | 'send'
  | 'dynamic-code' | 'obfuscation' | 'runtime-strings' | 'library' | 'release-mismatch' | 'vulnerability' | 'error';

export interface Finding {
  analyzer: string;
  severity: Severity;
  /** Plain language: what the new code does differently. */
  title: string;
  /** Short evidence: the host, the event, the literal. */
  detail: string;
  kind?: FindingKind;
}

/** A new destination the page contacted (`connection.added`): the analyzers of hosts judge it. */
export interface ConnectionChange {
  host: string;
  /** Hosts already known on the page, the page's own among them. */
  knownHosts: string[];
  knownBad: KnownBadHosts;
}

/** A script change (the default) or a new destination, judged by one runner. */
export interface Analyzer<Input = ScriptChange> {
  /** `needs`: the inputs it cannot run without; the runner gives an analyzer missing one an error finding instead. */
  meta: { id: string; title: string; needs: (keyof Input)[] };
  run(input: Input): Finding[];
}
