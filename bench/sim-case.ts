/**
 * One simulator benchmark case, run in its own process: boot a machine with `cpus` CPUs and `tasks` tasks of
 * a mixed workload (hogs at several nice levels, interactive sleepers, batch jobs, I/O, a few RT tasks), warm
 * up, then simulate for a fixed wall-clock budget. Prints one line of key=value pairs.
 */
import { bootKernel, DEFAULT_CONFIG, spawnTask, type SpawnSpec } from '../src/kernel/index.js';
import { Xoshiro128 } from '../src/kernel/core/rng.js';
import type { ProgramFactory, UserAction, UserResult } from '../src/kernel/task/user.js';

type Gen = Generator<UserAction, void, UserResult | undefined>;

const hog: ProgramFactory = function* (): Gen {
  yield { op: 'run', ns: Infinity };
};
const sleeper: ProgramFactory = function* (ctx): Gen {
  for (;;) {
    yield { op: 'run', ns: ctx.rng.expInt(2_000_000) };
    yield { op: 'sleep', ns: ctx.rng.intBetween(5_000_000, 15_000_000) };
  }
};
const io: ProgramFactory = function* (ctx): Gen {
  for (;;) {
    yield { op: 'run', ns: ctx.rng.expInt(500_000) };
    yield { op: 'io', ns: ctx.rng.intBetween(1_000_000, 4_000_000) };
  }
};
const rtPeriodic: ProgramFactory = function* (ctx): Gen {
  for (;;) {
    yield { op: 'run', ns: 200_000 };
    yield { op: 'sleep', ns: ctx.rng.intBetween(5_000_000, 20_000_000) };
  }
};

export function bootMachine(cpus: number, seed = 1): ReturnType<typeof bootKernel> {
  return bootKernel({ ...DEFAULT_CONFIG, seed, nrCpus: cpus, hz: 250, memoryBytes: 64 * 1024 ** 3 });
}

export function spawnMix(k: ReturnType<typeof bootKernel>, tasks: number, seed = 1, mix: 'mixed' | 'all-classes' = 'mixed'): void {
  const rng = new Xoshiro128(seed, 'bench');
  for (let i = 0; i < tasks; i++) {
    const r = rng.intBelow(100);
    let spec: SpawnSpec;
    if (r < 55) spec = { comm: 'hog', policy: 'normal', nice: rng.intBelow(11) - 5, rtPriority: 0, program: hog };
    else if (r < 80) spec = { comm: 'sleeper', policy: 'normal', nice: 0, rtPriority: 0, program: sleeper };
    else if (r < 90) spec = { comm: 'batch', policy: 'batch', nice: 5, rtPriority: 0, program: hog };
    else if (r < 97) spec = { comm: 'io', policy: 'normal', nice: 0, rtPriority: 0, program: io };
    else spec = { comm: 'rt', policy: mix === 'all-classes' && r === 99 ? 'rr' : 'fifo', nice: 0, rtPriority: 1 + rng.intBelow(50), program: rtPeriodic };
    const res = spawnTask(k, spec);
    if (res.task === null) throw new Error(`spawn failed: ${res.error}`);
  }
}

function main(): void {
  const cpus = Number(process.argv[2] ?? 8);
  const tasks = Number(process.argv[3] ?? 1000);
  const budgetMs = Number(process.argv[4] ?? 1500);
  const mix = (process.argv[5] ?? 'mixed') as 'mixed' | 'all-classes';
  const gc = (globalThis as { gc?: () => void }).gc;
  // Memory per task: what spawning the tasks adds to a booted machine (the boot-time slab, dcache and page
  // cache of a 64 GiB machine are not the tasks' cost).
  const k = bootMachine(cpus);
  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  spawnMix(k, tasks, 1, mix);
  gc?.();
  const heap1 = process.memoryUsage().heapUsed;
  const bytesPerTask = Math.max(0, heap1 - heap0) / tasks;
  // Warm up the JIT and the queues: 50 ms of virtual time, then on for 500 ms of wall time, so that a small
  // machine is measured in its steady state too (its first second is mostly V8 compiling the hot paths).
  k.engine.runUntil(k.now + 50_000_000);
  const w0 = performance.now();
  while (performance.now() - w0 < 500) k.engine.runUntil(k.now + 10_000_000);
  let peakRss = process.memoryUsage.rss();
  const e0 = k.engine.processed;
  const v0 = k.now;
  const t0 = performance.now();
  let wall = 0;
  let sampledAt = 0;
  const step = 10_000_000;
  while (wall < budgetMs) {
    k.engine.runUntil(k.now + step);
    wall = performance.now() - t0;
    // RSS every 200 ms of wall time: sampling per step cost a small machine 5% of its time.
    if (wall - sampledAt >= 200) {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      sampledAt = wall;
    }
  }
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  const events = k.engine.processed - e0;
  // And once they have run: a running task's time fields pass 2^31 ns and V8 keeps each in a boxed double
  // (16 B apiece), its CPU-time pairs and pending timers exist; this is what a task costs in a live machine.
  gc?.();
  const bytesPerTaskRunning = Math.max(0, process.memoryUsage().heapUsed - heap0) / tasks;
  const virt = (k.now - v0) / 1e9;
  const eps = events / (wall / 1000);
  const line = [
    'sim',
    `cpus=${cpus}`,
    `tasks=${tasks}`,
    `mix=${mix}`,
    `events_per_sec=${Math.round(eps)}`,
    `virt_per_wall=${(virt / (wall / 1000)).toFixed(3)}`,
    `ns_per_event=${((wall * 1e6) / events).toFixed(1)}`,
    `peak_rss_mb=${(peakRss / 1024 / 1024).toFixed(1)}`,
    `bytes_per_task=${Math.round(bytesPerTask)}`,
    `bytes_per_task_running=${Math.round(bytesPerTaskRunning)}`,
    `events=${events}`,
  ].join(' ');
  process.stdout.write(`${line}\n`);
}

if (/sim-case\.(ts|mjs)$/.test(process.argv[1] ?? '')) main();
