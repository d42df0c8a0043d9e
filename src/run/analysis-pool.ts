// Runs the heavy analysis of attacker-controlled text in worker threads, each task within a time budget.

import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { Finding, ScriptChange } from '../detect/analyzers/types.js';
import type { BaselineSnapshot } from '../plan/baseline.js';
import type { PlanOptions } from '../plan/plan-scan.js';
import type { BoundedDiff } from '../evidence/diff.js';
import type { IntelFiles } from './load-intel.js';
import type { ScanPlan } from '../plan/plan.js';
import type { PageCapture } from '../capture/types.js';
import type { AnalysisTask } from './analysis-worker.js';

/** A task that runs out of its budget is stopped (its worker is ended) and answers null. */
export interface AnalysisPool {
  plan(capture: PageCapture, baseline: BaselineSnapshot, options: Omit<PlanOptions, 'libraries' | 'knownBad'>): Promise<ScanPlan | null>;
  analyze(change: ScriptChange): Promise<Finding[] | null>;
  beautify(text: string): Promise<string | null>;
  diff(oldText: string, newText: string): Promise<BoundedDiff | null>;
  readonly budgetMs: number;
  close(): Promise<void>;
}

export interface PoolOptions {
  intel: IntelFiles;
  /** Time one task may take before it is stopped; default 10 s. */
  budgetMs?: number;
  threads?: number;
  /** The compiled worker module; default the one next to this file (tests running from sources name the build's). */
  workerFile?: string;
}

export function createAnalysisPool(options: PoolOptions): AnalysisPool {
  const budgetMs = options.budgetMs ?? 10_000;
  const threads = options.threads ?? Math.max(1, Math.min(4, availableParallelism() - 1));
  const piscina = new Piscina({
    filename: options.workerFile ?? new URL('./analysis-worker.js', import.meta.url).href,
    workerData: { intel: options.intel },
    minThreads: 1,
    maxThreads: threads,
    idleTimeout: 60_000,
    // A hostile body must not take the process's memory with it.
    resourceLimits: { maxOldGenerationSizeMb: 1024 },
  });
  const run = async <T>(task: AnalysisTask): Promise<T | null> => {
    try {
      return (await piscina.run(task, { signal: AbortSignal.timeout(budgetMs) })) as T;
    } catch {
      // Over its budget (the worker is ended), or the worker died (a body that exhausts its memory): the caller
      // falls back or says the analysis stopped. A fault in the code itself shows again in the fallback.
      return null;
    }
  };
  return {
    budgetMs,
    plan: (capture, baseline, planOptions) => run<ScanPlan>({ kind: 'plan', capture, baseline, options: planOptions }),
    analyze: (change) => run<Finding[]>({ kind: 'analyze', change }),
    beautify: (text) => run<string>({ kind: 'beautify', text }),
    diff: (oldText, newText) => run<BoundedDiff>({ kind: 'diff', oldText, newText }),
    close: () => piscina.destroy(),
  };
}
