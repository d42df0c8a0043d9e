// Turns a rule's base severity and the analyzers' findings into an alert's severity (docs/severity.md).

import { SEVERITIES, severityRank, type Severity } from '../../capture/types.js';
import type { Finding, FindingKind } from './types.js';

/** Evidence that keeps its weight even inside a recognised library upgrade. */
const STRONG: ReadonlySet<FindingKind> = new Set(['exfiltration', 'known-bad', 'miner', 'lookalike', 'release-mismatch']);

export interface RatingInput {
  base: Severity;
  findings: Finding[];
  /** A recognised library moved from one version to another. */
  libraryUpgrade: boolean;
  /** The new bytes are a file of the published npm release they claim. */
  verifiedRelease?: boolean;
  /** The base comes from an immutable (versioned) URL whose body changed: never capped. */
  immutable: boolean;
}

function max(values: Severity[]): Severity {
  return SEVERITIES[values.reduce((m, s) => Math.max(m, severityRank(s)), 0)]!;
}

function cap(severity: Severity, limit: Severity): Severity {
  return severityRank(severity) > severityRank(limit) ? limit : severity;
}

/**
 * The worst of the base and the findings, with two caps:
 * - bytes identical to the published release they claim: at most `low`, whatever they contain (only a known-bad
 *   host still counts: the release is what its authors published, but the host serving it is not to be trusted);
 * - a recognised library upgrade: at most `low`, as releases add eval, long literals and listeners legitimately;
 *   strong evidence (exfiltration, known-bad or look-alike hosts, mining, bytes that are not the release they
 *   claim) and a changed immutable URL are never capped.
 */
export function rateChange(input: RatingInput): Severity {
  const rated = input.findings.filter((f) => f.kind !== 'error');
  const knownBad = rated.filter((f) => f.kind === 'known-bad').map((f) => f.severity);
  if (input.verifiedRelease && !input.immutable) return max([cap(max([input.base, ...rated.filter((f) => f.kind !== 'known-bad').map((f) => f.severity)]), 'low'), ...knownBad]);
  if (!input.libraryUpgrade) return max([input.base, ...rated.map((f) => f.severity)]);
  const strong = rated.filter((f) => f.kind && STRONG.has(f.kind)).map((f) => f.severity);
  const weak = max([input.base, ...rated.filter((f) => !f.kind || !STRONG.has(f.kind)).map((f) => f.severity)]);
  return max([cap(weak, 'low'), ...strong, ...(input.immutable ? [input.base] : [])]);
}
