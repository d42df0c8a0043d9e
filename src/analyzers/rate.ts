// Turns a rule's base severity and the analyzers' findings into an alert's severity (docs/severity.md).

import { SEVERITIES, severityRank, type Severity } from '../types.js';
import type { Finding, FindingKind } from './types.js';

/** Evidence that keeps its weight even inside a recognised library upgrade. */
const STRONG: ReadonlySet<FindingKind> = new Set(['exfiltration', 'known-bad', 'miner', 'lookalike']);

export interface RatingInput {
  base: Severity;
  findings: Finding[];
  /** A recognised library moved from one version to another. */
  libraryUpgrade: boolean;
  /** The base comes from an immutable (versioned) URL whose body changed: never capped. */
  immutable: boolean;
}

function max(values: Severity[]): Severity {
  return SEVERITIES[values.reduce((m, s) => Math.max(m, severityRank(s)), 0)]!;
}

/**
 * The worst of the base and the findings. A recognised library upgrade is rated at most `medium`: releases add
 * eval, long literals and listeners legitimately. Strong evidence (exfiltration, known-bad or look-alike hosts,
 * mining) and a changed immutable URL are never capped.
 */
export function rateChange(input: RatingInput): Severity {
  const rated = input.findings.filter((f) => f.title !== 'analyzer failed');
  if (!input.libraryUpgrade) return max([input.base, ...rated.map((f) => f.severity)]);
  const strong = rated.filter((f) => f.kind && STRONG.has(f.kind)).map((f) => f.severity);
  const weak = max([input.base, ...rated.filter((f) => !f.kind || !STRONG.has(f.kind)).map((f) => f.severity)]);
  const capped = severityRank(weak) > severityRank('medium') ? 'medium' : weak;
  return max([capped, ...strong, ...(input.immutable ? [input.base] : [])]);
}
