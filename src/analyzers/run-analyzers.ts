// Runs every analyzer on a script change; an analyzer that throws becomes an error finding, never a failed scan.

import { describeError } from '../errors.js';
import type { PlannedAlert } from '../plan.js';
import { SEVERITIES, severityRank, type Severity } from '../types.js';
import { skimmerTraits } from './skimmer-traits.js';
import type { Analyzer, Finding, ScriptChange } from './types.js';

export const ANALYZERS: Analyzer[] = [skimmerTraits];

export function runAnalyzers(change: ScriptChange, analyzers: Analyzer[] = ANALYZERS): Finding[] {
  return analyzers.flatMap((analyzer) => {
    try {
      return analyzer.run(change);
    } catch (error) {
      return [{ analyzer: analyzer.meta.id, severity: 'info' as Severity, title: 'analyzer failed', detail: describeError(error) }];
    }
  });
}

/** The alert with its findings: severity raised to the highest finding, the top findings appended to the summary. */
export function withFindings(alert: PlannedAlert, findings: Finding[]): PlannedAlert {
  if (findings.length === 0) return alert;
  const top = findings.reduce((max, f) => Math.max(max, severityRank(f.severity)), severityRank(alert.severity));
  const notable = findings.filter((f) => f.title !== 'analyzer failed').slice(0, 3).map((f) => f.title);
  return {
    ...alert,
    severity: SEVERITIES[top]!,
    summary: notable.length ? `${alert.summary}; ${notable.join('; ')}` : alert.summary,
    details: { ...alert.details, findings },
  };
}
