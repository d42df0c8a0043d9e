// Before any test: the command-line tests run the compiled build, so it is rebuilt when a source is newer than it.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DIST, ROOT } from './fixtures/paths.js';

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

export default function setup(): void {
  const built = join(DIST, 'src', 'cli', 'bin.js');
  const sources = Math.max(...['src', 'crawler', 'dashboard'].map((dir) => newestSource(join(ROOT, dir))));
  // In CI the build from `npm ci` is current and nothing is compiled again.
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  process.stdout.write('building dist/ for the command-line tests (a source is newer than the build)…\n');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
}
