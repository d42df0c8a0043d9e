// A busy loop in the idle scheduling class for a bounded time: the cheapest work that can run beside a scan, whose
// cost to it is this machine's floor (the report bench compares a flood's cost with it).

import { runAtIdlePriority } from '../src/cli/idle-priority.js';

const until = performance.now() + Number(process.argv[2] ?? 10_000);
runAtIdlePriority();
let spins = 0;
while (performance.now() < until) spins++;
console.log(JSON.stringify({ spins }));
