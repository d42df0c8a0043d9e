// Runs every analyzer on a script change; an analyzer that throws becomes an error finding, never a failed scan.

import { describeError } from '../../errors.js';
import type { PlannedAlert } from '../../plan/plan.js';
import { severityRank, type Severity } from '../../capture/types.js';
import { knownBadDestination, knownBadHost } from './known-bad-host.js';
import { libraryChange } from './library-change.js';
import { lookalikeDestination } from './lookalike-host.js';
import { rateChange } from './rate.js';
import { skimmerTraits } from './skimmer-traits.js';
import type { Analyzer, ConnectionChange, Finding, ScriptChange } from './types.js';

/** The analyzers of a script change. */
export const ANALYZERS: Analyzer[] = [skimmerTraits, libraryChange, knownBadHost];
/** The analyzers of a new destination. */
export const CONNECTION_ANALYZERS: Analyzer<ConnectionChange>[] = [knownBadDestination, lookalikeDestination];

/** Runs analyzers on one input (a script change unless told otherwise), strongest findings first. */
export function runAnalyzers<Input = ScriptChange>(input: Input, analyzers: Analyzer<Input>[] = ANALYZERS as unknown as Analyzer<Input>[]): Finding[] {
  return analyzers
    .flatMap((analyzer) => {
      // What an analyzer declares it needs must be there, as Lighthouse's audits declare their artifacts.
      const missing = analyzer.meta.needs.filter((name) => input[name] === null || input[name] === undefined);
      if (missing.length > 0) {
        return [{ analyzer: analyzer.meta.id, severity: 'info' as Severity, kind: 'error' as const, title: 'analyzer skipped: input missing', detail: `needs ${missing.join(', ')}` }];
      }
      try {
        return analyzer.run(input);
      } catch (error) {
        return [{ analyzer: analyzer.meta.id, severity: 'info' as Severity, kind: 'error' as const, title: 'analyzer failed', detail: describeError(error) }];
      }
    })
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
}

/** How the plain-language summary opens, by alert type. */
const LEAD: Partial<Record<PlannedAlert['type'], string>> = {
  'script.added': 'The new script',
  'script.changed': 'Compared with the approved version, the new code',
  'resource.changed': 'Compared with the approved version, the new file',
  'connection.added': 'The new destination',
};

/**
 * The alert with its findings: severity rated from the base and the findings, the plain-language change summary
 * (`details.changeSummary`) and the top findings appended to the summary line.
 */
export function withFindings(
  alert: PlannedAlert,
  findings: Finding[],
  context: { libraryUpgrade?: boolean; immutable?: boolean; verifiedRelease?: boolean } = {},
): PlannedAlert {
  if (findings.length === 0) return alert;
  const severity = rateChange({
    base: alert.severity, findings, libraryUpgrade: context.libraryUpgrade ?? false, immutable: context.immutable ?? false, verifiedRelease: context.verifiedRelease ?? false,
  });
  const said = [...new Set(findings.filter((f) => f.kind !== 'error').map((f) => f.title))];
  // What the library is (an upgrade, a verified release) always stays in the one-line summary, whatever else was found.
  const identity = [...new Set(findings.filter((f) => f.kind === 'library').map((f) => f.title))].slice(0, 1);
  const notable = [...identity, ...said.filter((t) => !identity.includes(t)).slice(0, 3 - identity.length)];
  return {
    ...alert,
    severity,
    summary: notable.length ? `${alert.summary}; ${notable.join('; ')}` : alert.summary,
    details: { ...alert.details, findings, changeSummary: said.length ? `${LEAD[alert.type] ?? 'The change'}: ${said.join('; ')}.` : null, baseSeverity: alert.severity },
  };
}
