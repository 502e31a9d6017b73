/**
 * Import speed: a synthetic ftrace file of LINES lines (the kernel's own layout: switches, wakeups, migrations,
 * forks and exits over 8 CPUs and 400 tasks, monotonic time) is written once, then read through the importer
 * RUNS times; prints lines per second (median and best, the machine is shared) and RSS, which must not grow
 * with the file (streaming).
 *   import-case.ts LINES [RUNS]
 */
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Xoshiro128 } from '../src/kernel/core/rng.js';
import { linePrefix, switchBody, wakeBody } from '../src/kernel/trace/ftrace-format.js';
import { TraceFeeder } from '../src/trace/import.js';

const lines = Number(process.argv[2] ?? 1_000_000);
const runs = Number(process.argv[3] ?? 5);
const file = join(tmpdir(), `kernsim-import-bench-${process.pid}.txt`);

function generate(): void {
  const rng = new Xoshiro128(7);
  const fd = openSync(file, 'w');
  const cpus = 8;
  const curr = new Array<number>(cpus).fill(0);
  const comm = (pid: number): string => (pid === 0 ? 'swapper' : ['web', 'db', 'cc1', 'kworker/1:1', 'Web Content', 'java', 'postgres', 'nginx'][pid % 8] as string);
  let t = 1_000_000_000_000;
  let buf: string[] = ['# tracer: nop\n#\n'];
  for (let i = 0; i < lines; i++) {
    t += 1000 + rng.intBelow(20_000);
    const cpu = rng.intBelow(cpus);
    const r = rng.intBelow(100);
    const c = curr[cpu] as number;
    let line: string;
    if (r < 50) {
      const next = rng.intBelow(5) === 0 ? 0 : 1 + rng.intBelow(400);
      line = linePrefix(comm(c), c, cpu, 'd..2', t) + switchBody({ prevComm: comm(c), prevPid: c, prevPrio: 120, prevState: rng.intBelow(3) === 0 ? 'R+' : 'S', nextComm: comm(next), nextPid: next, nextPrio: 120 });
      curr[cpu] = next;
    } else if (r < 90) {
      const pid = 1 + rng.intBelow(400);
      line = linePrefix(comm(c), c, cpu, 'd..3', t) + wakeBody(r < 70 ? 'sched_waking' : 'sched_wakeup', { comm: comm(pid), pid, prio: 120, targetCpu: rng.intBelow(cpus) });
    } else if (r < 96) {
      const pid = 1 + rng.intBelow(400);
      line = `${linePrefix(comm(c), c, cpu, 'd..2', t)}sched_migrate_task: comm=${comm(pid)} pid=${pid} prio=120 orig_cpu=${rng.intBelow(cpus)} dest_cpu=${rng.intBelow(cpus)}`;
    } else if (r < 98) {
      const pid = 1 + rng.intBelow(400);
      line = `${linePrefix(comm(c), c, cpu, '....', t)}sched_process_fork: comm=${comm(c)} pid=${c} child_comm=${comm(pid)} child_pid=${pid}`;
    } else line = `${linePrefix(comm(c), c, cpu, '....', t)}tracing_mark_write: C|0|cpu${cpu}_nr_running_fair|${rng.intBelow(5)}`;
    buf.push(`${line}\n`);
    if (buf.length >= 10_000) {
      writeSync(fd, buf.join(''));
      buf = [];
    }
  }
  writeSync(fd, buf.join(''));
  closeSync(fd);
}

generate();
const rates: number[] = [];
let rssMax = 0;
const gc = (globalThis as { gc?: () => void }).gc;
for (let i = 0; i < runs; i++) {
  // Start each run from a clean heap (the generator's garbage is not the importer's cost).
  gc?.();
  const t0 = performance.now();
  const f = new TraceFeeder(file);
  f.feed();
  const dt = (performance.now() - t0) / 1000;
  rates.push(f.stats.lines / dt);
  rssMax = Math.max(rssMax, process.memoryUsage().rss / 1024 / 1024);
  if (f.stats.unparsed > 0) throw new Error(`unparsed lines: ${f.problems() ?? ''}`);
}
unlinkSync(file);
rates.sort((a, b) => a - b);
process.stdout.write(`import lines=${lines} runs=${runs} lines_per_sec_median=${Math.round(rates[Math.floor(rates.length / 2)] as number)} lines_per_sec_best=${Math.round(rates[rates.length - 1] as number)} rss_mb=${rssMax.toFixed(0)}\n`);
