// Samples the memory of a process tree (the browser and its children) while a bench step runs: its peak over idle.

import { readFileSync, readdirSync } from 'node:fs';

/** Proportional set size in kB (shared pages split among their users), from Linux's smaps_rollup; 0 when unreadable. */
function pssKb(pid: number): number {
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

function tree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while it was read
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => { out.push(pid); for (const child of children.get(pid) ?? []) walk(child); };
  walk(root);
  return out;
}

const sample = (root: number) => tree(root).reduce((sum, pid) => sum + pssKb(pid), 0) + pssKb(process.pid);

/** Starts sampling every 200 ms; `stop()` returns the peak above the level at the start, in MB (0 off Linux). */
export function memoryWatch(browserPid: number | null): { stop(): number } {
  if (browserPid === null) return { stop: () => 0 };
  const idle = sample(browserPid);
  let peak = idle;
  const timer = setInterval(() => { peak = Math.max(peak, sample(browserPid)); }, 200);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(0, peak - idle) / 1024;
    },
  };
}
