// What the monitor knows about a target before a scan: accepted script versions, headers and hosts.

import type { LibraryMatch } from '../detect/intel/libraries.js';
import type { MaskSettings } from './normalize.js';
import type { ScriptKind } from '../capture/types.js';

export interface KnownScript {
  id: number;
  key: string;
  kind: ScriptKind;
  url: string | null;
  frameUrl: string;
  retired: boolean;
  missingStreak: number;
  /** SHA-256 values in the baseline (pending or approved), most recent first. */
  accepted: string[];
  /** Normalised hashes (volatile tokens masked) of the accepted versions. */
  acceptedNormalized: string[];
  lastSha: string | null;
  /** Masking rules turned off and volatile positions learned for this script. */
  mask: MaskSettings;
  /** The library the latest recognised version is, if any. */
  library: LibraryMatch | null;
  /** Last observed body, loaded only for inline and runtime code, which are matched by content. */
  lastBody: string | null;
}

export interface BaselineSnapshot {
  /** True once the target has had a successful scan in this profile. */
  established: boolean;
  scripts: KnownScript[];
  /** Header name → accepted values, each JSON-encoded (`null` when the header is absent). */
  headers: Map<string, string[]>;
  hosts: Set<string>;
  /** Approved behavioural findings (`exfil:<host>`, `miner:<script>`): kept apart from hosts, which analyzers treat as known. */
  acceptedFindings: Set<string>;
}

export function emptyBaseline(): BaselineSnapshot {
  return { established: false, scripts: [], headers: new Map(), hosts: new Set(), acceptedFindings: new Set() };
}
