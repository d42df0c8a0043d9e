// A vitest reporter that prints, at the end of the run, how long each project's test files took in all.

import type { Reporter, TestModule } from 'vitest/node';

export default class ProjectDurations implements Reporter {
  private started = Date.now();

  onTestRunStart(): void {
    this.started = Date.now();
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const byProject = new Map<string, { files: number; ms: number }>();
    for (const module of modules) {
      const name = module.project.name || 'default';
      const entry = byProject.get(name) ?? { files: 0, ms: 0 };
      entry.files++;
      entry.ms += module.diagnostic().duration;
      byProject.set(name, entry);
    }
    const lines = [...byProject].sort(([a], [b]) => a.localeCompare(b))
      .map(([name, { files, ms }]) => `  ${name.padEnd(10)} ${String(files).padStart(3)} files  ${(ms / 1000).toFixed(1).padStart(7)} s of test time`);
    process.stdout.write(`\nPer project (files run in parallel, so the sum exceeds the wall time):\n${lines.join('\n')}\n  wall time  ${((Date.now() - this.started) / 1000).toFixed(1)} s\n`);
  }
}
