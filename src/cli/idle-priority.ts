// Moves this process to the idle scheduling class (Linux SCHED_IDLE): it runs only on CPU nothing else wants.

import { spawnSync } from 'node:child_process';
import { setPriority } from 'node:os';

/** How the process ended up scheduled: idle class, lowest niceness (no idle class here), or as it was. */
export type IdlePriority = 'idle' | 'niceness 19' | 'unchanged';

/**
 * A niced process still takes its share of the CPU (on 2 cores a niced report collector slowed a scan by a third);
 * one in the idle class waits for whatever else runs. Node has no call for it, so util-linux's `chrt` sets it for
 * every thread of the process (threads started later inherit it); without chrt, or where it is refused, the lowest
 * niceness is the fallback.
 */
export function runAtIdlePriority(pid = process.pid): IdlePriority {
  let result: IdlePriority = 'unchanged';
  try {
    setPriority(pid, 19);
    result = 'niceness 19';
  } catch {
    // not allowed here
  }
  if (process.platform !== 'linux') return result;
  const chrt = spawnSync('chrt', ['--all-tasks', '--idle', '--pid', '0', String(pid)], { stdio: 'ignore', timeout: 5000 });
  return chrt.status === 0 ? 'idle' : result;
}
