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

/* The memory-heavy mix: every step below is an allocation or a free in one of the allocators. */
const KB = 1024;
const mapper: ProgramFactory = function* (ctx): Gen {
  // Anonymous memory: mmap and fault in 64 KiB-1 MiB (page allocator, page tables, VMAs), use it, unmap it.
  for (;;) {
    yield { op: 'mem', call: { fn: 'mmap', bytes: (16 + ctx.rng.intBelow(241)) * 4 * KB, touch: true, tag: 'buf' } };
    yield { op: 'run', ns: ctx.rng.expInt(500_000) };
    yield { op: 'mem', call: { fn: 'munmap', bytes: Infinity, tag: 'buf' } };
    yield { op: 'sleep', ns: ctx.rng.intBetween(2_000_000, 10_000_000) };
  }
};
const slabUser: ProgramFactory = function* (ctx): Gen {
  // kmalloc size classes 8 B-4 KiB (SLUB), as a driver's buffers.
  for (;;) {
    yield { op: 'mem', call: { fn: 'kmalloc', bytes: 8 << ctx.rng.intBelow(10), zero: false, tag: 'k' } };
    yield { op: 'run', ns: ctx.rng.expInt(200_000) };
    yield { op: 'mem', call: { fn: 'kfree', tag: 'k' } };
    yield { op: 'sleep', ns: ctx.rng.intBetween(1_000_000, 5_000_000) };
  }
};
const reader: ProgramFactory = function* (ctx): Gen {
  // Page cache and the dcache: 64 files per reader task, 16-128 KiB a read.
  for (let i = 0; ; i++) {
    yield { op: 'mem', call: { fn: 'read_file', file: `/data/${ctx.pid}/f${i % 64}`, bytes: (16 + ctx.rng.intBelow(113)) * KB } };
    yield { op: 'run', ns: ctx.rng.expInt(300_000) };
    yield { op: 'io', ns: ctx.rng.intBetween(1_000_000, 8_000_000) };
  }
};
const child: ProgramFactory = function* (ctx): Gen {
  yield { op: 'mem', call: { fn: 'mmap', bytes: 256 * KB, touch: true } };
  yield { op: 'run', ns: ctx.rng.expInt(1_000_000) };
};
const forker: ProgramFactory = function* (ctx): Gen {
  // fork + exit: task_struct, mm_struct, vm_area_struct, files, signal, cred and pid slabs, the new mm's pages.
  for (;;) {
    yield { op: 'fork', child: { comm: 'child', program: child } };
    yield { op: 'wait' };
    yield { op: 'sleep', ns: ctx.rng.intBetween(5_000_000, 20_000_000) };
  }
};
const vmallocer: ProgramFactory = function* (ctx): Gen {
  for (;;) {
    yield { op: 'mem', call: { fn: 'vmalloc', bytes: (4 + ctx.rng.intBelow(61)) * 4 * KB, zero: false, tag: 'v' } };
    yield { op: 'run', ns: ctx.rng.expInt(300_000) };
    yield { op: 'mem', call: { fn: 'vfree', tag: 'v' } };
    yield { op: 'sleep', ns: ctx.rng.intBetween(2_000_000, 10_000_000) };
  }
};

export type Mix = 'mixed' | 'all-classes' | 'memory';

export function bootMachine(cpus: number, seed = 1): ReturnType<typeof bootKernel> {
  return bootKernel({ ...DEFAULT_CONFIG, seed, nrCpus: cpus, hz: 250, memoryBytes: 64 * 1024 ** 3 });
}

export function spawnMix(k: ReturnType<typeof bootKernel>, tasks: number, seed = 1, mix: Mix = 'mixed'): void {
  const rng = new Xoshiro128(seed, 'bench');
  for (let i = 0; i < tasks; i++) {
    const r = rng.intBelow(100);
    let spec: SpawnSpec;
    if (mix === 'memory') {
      // A third hogs (the CPUs stay busy), the rest allocating and freeing.
      const program = r < 35 ? hog : r < 55 ? mapper : r < 70 ? slabUser : r < 85 ? reader : r < 95 ? forker : vmallocer;
      const comm = r < 35 ? 'hog' : r < 55 ? 'mapper' : r < 70 ? 'slab' : r < 85 ? 'reader' : r < 95 ? 'forker' : 'vmalloc';
      spec = { comm, policy: 'normal', nice: 0, rtPriority: 0, program };
    } else if (r < 55) spec = { comm: 'hog', policy: 'normal', nice: rng.intBelow(11) - 5, rtPriority: 0, program: hog };
    else if (r < 80) spec = { comm: 'sleeper', policy: 'normal', nice: 0, rtPriority: 0, program: sleeper };
    else if (r < 90) spec = { comm: 'batch', policy: 'batch', nice: 5, rtPriority: 0, program: hog };
    else if (r < 97) spec = { comm: 'io', policy: 'normal', nice: 0, rtPriority: 0, program: io };
    else spec = { comm: 'rt', policy: mix === 'all-classes' && r === 99 ? 'rr' : 'fifo', nice: 0, rtPriority: 1 + rng.intBelow(50), program: rtPeriodic };
    const res = spawnTask(k, spec);
    if (res.task === null) throw new Error(`spawn failed: ${res.error}`);
  }
}

/** Run a throwaway machine for 400 ms of wall time (garbage once this returns, before the baseline's collection). */
function warmUp(cpus: number, tasks: number, mix: Mix): void {
  const warm = bootMachine(cpus, 2);
  spawnMix(warm, tasks, 2, mix);
  const w0 = performance.now();
  while (performance.now() - w0 < 400) warm.engine.runUntil(warm.now + 10_000_000);
}

function main(): void {
  const cpus = Number(process.argv[2] ?? 8);
  const tasks = Number(process.argv[3] ?? 1000);
  const budgetMs = Number(process.argv[4] ?? 1500);
  const mix = (process.argv[5] ?? 'mixed') as Mix;
  const gc = (globalThis as { gc?: () => void }).gc;
  // Memory per task: what spawning the tasks adds to a booted machine (the boot-time slab, dcache and page
  // cache of a 64 GiB machine are not the tasks' cost). Nor is V8's compiled code (a megabyte, however many
  // tasks run): a small machine of the same mix runs first, so the hot paths are compiled before the baseline.
  warmUp(cpus, Math.min(tasks, 1000), mix);
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
