// The worker side of the analysis pool: planning, analyzers, beautify and diffs of attacker-controlled text.

import { workerData } from 'node:worker_threads';
import { runAnalyzers } from '../detect/analyzers/run-analyzers.js';
import type { ScriptChange } from '../detect/analyzers/types.js';
import type { BaselineSnapshot } from '../plan/baseline.js';
import { planScan, type PlanOptions } from '../plan/plan-scan.js';
import { boundedDiff } from '../evidence/diff.js';
import { loadIntel, type IntelFiles } from './load-intel.js';
import { beautify } from '../plan/normalize.js';
import type { PageCapture } from '../capture/types.js';

export type AnalysisTask =
  | { kind: 'plan'; capture: PageCapture; baseline: BaselineSnapshot; options: Omit<PlanOptions, 'libraries' | 'knownBad'> }
  | { kind: 'analyze'; change: ScriptChange }
  | { kind: 'beautify'; text: string }
  | { kind: 'diff'; oldText: string; newText: string };

// The library index holds compiled patterns, which do not cross threads: each worker builds its own, once.
const intel = loadIntel((workerData as { intel?: IntelFiles } | undefined)?.intel ?? { libraries: [], knownBadHosts: [] });

export default function run(task: AnalysisTask): unknown {
  switch (task.kind) {
    case 'plan':
      return planScan(task.capture, task.baseline, { ...task.options, libraries: intel.libraries, knownBad: intel.knownBad });
    case 'analyze':
      return runAnalyzers(task.change);
    case 'beautify':
      return beautify(task.text);
    case 'diff':
      return boundedDiff(task.oldText, task.newText);
  }
}
