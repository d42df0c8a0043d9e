// Orders test files so the longest start first: the end-to-end layer, and in it the corpus scans, then the rest.
// On a clean clone vitest has no durations yet and would start the layers by name (crawler first) and the files by
// size, leaving the corpus scans, small files that each scan dozens of pages, to the end of the run.

import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Layers by how long their files take: the first start first. */
const LAYERS = ['e2e', 'dashboard', 'crawler', 'store', 'unit'];

function rank(spec: TestSpecification): number {
  const layer = LAYERS.indexOf(spec.project.name);
  const corpus = /\/corpus-[^/]*\.test\.ts$/.test(spec.moduleId) ? 0 : 1;
  return (layer === -1 ? LAYERS.length : layer) * 2 + corpus;
}

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    // Within a rank, vitest's own order: the durations of the last run when it has them, else larger files first.
    const sorted = await super.sort(files);
    const position = new Map(sorted.map((spec, i) => [spec, i]));
    return [...sorted].sort((a, b) => rank(a) - rank(b) || position.get(a)! - position.get(b)!);
  }
}
