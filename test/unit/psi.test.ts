/**
 * Pressure stall information (/proc/pressure/*): what psi.c would report for workloads whose stalls are known
 * in advance, the file format, and reads that change nothing.
 */
import { describe, expect, it } from 'vitest';
import type { Kernel } from '../../src/kernel/index.js';
import { stateHash } from '../../src/kernel/index.js';
import type { ProgramFactory, UserAction, UserResult } from '../../src/kernel/task/user.js';
import { machine, MS, SEC, spawn, withInvariants } from '../helpers/machine.js';
import { shellEnv } from '../../src/sim/machine-hooks.js';
import { runShell } from '../../src/shell/shell.js';

const sh = (k: Kernel, line: string): ReturnType<typeof runShell> => runShell(shellEnv(k), line);

type Gen = Generator<UserAction, void, UserResult | undefined>;

interface PsiLine {
  avg10: number;
  avg60: number;
  avg300: number;
  total: number;
}

function pressure(k: Kernel, res: 'cpu' | 'io' | 'memory'): { some: PsiLine; full: PsiLine } {
  const r = k.proc.read(`/proc/pressure/${res}`);
  if (!r.ok) throw new Error(r.errno);
  const lines = r.text.split('\n');
  expect(lines).toHaveLength(3);
  expect(lines[2]).toBe('');
  const parse = (line: string, kind: string): PsiLine => {
    const m = /^(some|full) avg10=(\d+\.\d\d) avg60=(\d+\.\d\d) avg300=(\d+\.\d\d) total=(\d+)$/.exec(line);
    if (m === null) throw new Error(`bad line: ${line}`);
    expect(m[1]).toBe(kind);
    return { avg10: Number(m[2]), avg60: Number(m[3]), avg300: Number(m[4]), total: Number(m[5]) };
  };
  return { some: parse(lines[0] as string, 'some'), full: parse(lines[1] as string, 'full') };
}

/** run 1 ms, then I/O for 9 ms, forever. */
const ioBound: ProgramFactory = function* (): Gen {
  for (;;) {
    yield { op: 'run', ns: 1 * MS };
    yield { op: 'io', ns: 9 * MS };
  }
};

const US = 1000;

describe('/proc/pressure', () => {
  it('cpu: two hogs on one CPU stall each other all the time; the averages rise toward 100% at their own rates', () => {
    const k = machine({ nrCpus: 1 });
    withInvariants(k);
    spawn(k, { comm: 'a' });
    spawn(k, { comm: 'b' });
    k.engine.runUntil(10 * SEC);
    const p = pressure(k, 'cpu');
    // Some task waited for the CPU the whole 10 s (less the moments both hogs were not yet runnable).
    expect(p.some.total).toBeGreaterThan(9_990_000);
    expect(p.some.total).toBeLessThanOrEqual(10 * SEC / US);
    // Four samples of 100% by 10 s (at 2 s + 2 ticks, then every 2 s + 1 tick): 1 - (1677/2048)^4 = 55.0%,
    // 1 - (1981/2048)^4 = 12.5%, 1 - (2034/2048)^4 = 2.7%.
    expect(p.some.avg10).toBeCloseTo(55.0, 0);
    expect(p.some.avg60).toBeCloseTo(12.5, 0);
    expect(p.some.avg300).toBeCloseTo(2.7, 0);
    // CPU full is undefined for the whole system and prints as zeros.
    expect(p.full).toEqual({ avg10: 0, avg60: 0, avg300: 0, total: 0 });
    // Nobody waited on I/O or memory.
    expect(pressure(k, 'io').some.total).toBe(0);
    expect(pressure(k, 'memory').some.total).toBe(0);
  });

  it('cpu: one hog per CPU is no pressure; three hogs on two CPUs are, on one CPU of two: 50%', () => {
    const one = machine({ nrCpus: 2 });
    spawn(one, { comm: 'a', cpus: [0] });
    spawn(one, { comm: 'b', cpus: [1] });
    one.engine.runUntil(10 * SEC);
    // The per-CPU kthreads' wakeups queue behind a hog now and then: far below 1%.
    expect(pressure(one, 'cpu').some.total).toBeLessThan(100_000);

    const k = machine({ nrCpus: 2 });
    withInvariants(k);
    spawn(k, { comm: 'a', cpus: [0] });
    spawn(k, { comm: 'b', cpus: [0] });
    spawn(k, { comm: 'c', cpus: [1] });
    k.engine.runUntil(10 * SEC);
    // Both CPUs are busy all the time, so each weighs the same: cpu0's 100% and cpu1's 0% average to 50%.
    const t = pressure(k, 'cpu').some.total;
    expect(t).toBeGreaterThan(4_950_000);
    expect(t).toBeLessThan(5_050_000);
  });

  it('io: a task that waits on I/O 90% of the time is 90% some and, alone, 90% full; beside a hog, not full', () => {
    const k = machine({ nrCpus: 1 });
    withInvariants(k);
    spawn(k, { comm: 'io', program: ioBound });
    k.engine.runUntil(10 * SEC);
    const alone = pressure(k, 'io');
    // I/O wait counts as non-idle time, so the CPU weighs fully and the stall is 9 ms in every 10.
    expect(alone.some.total / 10_000_000).toBeCloseTo(0.9, 2);
    // Full but for the moments a kthread ran while the task waited.
    expect(alone.full.total).toBeLessThanOrEqual(alone.some.total);
    expect(alone.full.total).toBeGreaterThan(alone.some.total * 0.999);
    expect(pressure(k, 'cpu').some.total).toBeLessThan(100_000);

    const h = machine({ nrCpus: 1 });
    withInvariants(h);
    spawn(h, { comm: 'io', program: ioBound });
    spawn(h, { comm: 'hog' });
    h.engine.runUntil(10 * SEC);
    const busy = pressure(h, 'io');
    expect(busy.some.total).toBeGreaterThan(5_000_000);
    // The hog runs while the other task waits on I/O: only the moments the hog is switched out count as full.
    expect(busy.full.total).toBeLessThan(busy.some.total / 100);
  });

  it('/proc/stat: a CPU idle while a task waits on I/O there books iowait, not idle (the idle exit comes first)', () => {
    const k = machine({ nrCpus: 2 });
    spawn(k, { comm: 'io', program: ioBound, cpus: [1] });
    spawn(k, { comm: 'hog', cpus: [0] });
    k.engine.runUntil(10 * SEC);
    const r = k.proc.read('/proc/stat');
    const cpu1 = (r.ok ? /^cpu1 (.*)$/m.exec(r.text)?.[1] ?? '' : '').split(' ').map(Number);
    // user nice system idle iowait, in USER_HZ ticks: 1 ms of work and 9 ms of I/O wait in every 10.
    const [user, , system, idle, iowait] = cpu1 as [number, number, number, number, number];
    const total = user + system + idle + iowait;
    expect(Math.abs(total - 1000)).toBeLessThanOrEqual(2);
    expect(iowait / total).toBeCloseTo(0.9, 1);
    expect(idle).toBeLessThan(10);
    expect(sh(k, 'mpstat -P 1').output.split('\n')[4]).toMatch(/^00:00:10 {7}1 +\d+\.\d\d +0\.00 +\d+\.\d\d +(89|90)\.\d\d( +0\.00){5} +\d+\.\d\d$/);
  });

  it('memory: tasks in direct reclaim stall on memory (some), and full never exceeds some', () => {
    const k = machine({ nrCpus: 2, memoryBytes: 128 * 1024 * 1024 });
    withInvariants(k);
    const leak: ProgramFactory = function* (): Gen {
      for (;;) {
        yield { op: 'mem', call: { fn: 'mmap', bytes: 1024 * 1024, touch: true } };
        yield { op: 'run', ns: 1 * MS };
      }
    };
    spawn(k, { comm: 'leak', program: leak });
    k.engine.runUntil(5 * SEC);
    expect(k.mm.reclaimStats.allocstall).toBeGreaterThan(0);
    const m = pressure(k, 'memory');
    expect(m.some.total).toBeGreaterThan(0);
    expect(m.full.total).toBeLessThanOrEqual(m.some.total);
  });

  it('memory: a reader whose workingset reclaim evicted waits on refaults, a memory stall (full: nothing else runs there)', () => {
    const k = machine({ nrCpus: 2, memoryBytes: 1024 ** 3 });
    withInvariants(k);
    const reader: ProgramFactory = function* (): Gen {
      for (;;) {
        yield { op: 'mem', call: { fn: 'read_file', file: '/data/db', bytes: 400 * 1024 ** 2 } };
        yield { op: 'sleep', ns: 100 * MS };
      }
    };
    const grower: ProgramFactory = function* (): Gen {
      yield { op: 'sleep', ns: 3 * SEC };
      yield { op: 'mem', call: { fn: 'mmap', bytes: 560 * 1024 ** 2, touch: true } };
      for (;;) {
        yield { op: 'mem', call: { fn: 'touch', bytes: 560 * 1024 ** 2 } };
        yield { op: 'sleep', ns: 500 * MS };
      }
    };
    spawn(k, { comm: 'reader', program: reader, cpus: [0] });
    spawn(k, { comm: 'grower', program: grower, cpus: [1] });
    k.engine.runUntil(3 * SEC);
    // The file is read over and over (active, the workingset), and nothing has been evicted yet.
    expect(pressure(k, 'memory').some.total).toBe(0);
    k.engine.runUntil(15 * SEC);
    const vm = k.proc.read('/proc/vmstat');
    const refaults = Number(vm.ok ? /^workingset_refault_file (\d+)$/m.exec(vm.text)?.[1] : NaN);
    expect(refaults).toBeGreaterThan(10_000);
    const m = pressure(k, 'memory');
    expect(m.some.total).toBeGreaterThan(100_000);
    // The reader is alone on CPU 0: while it waits on a refault nothing there is productive.
    expect(m.full.total).toBeGreaterThan(m.some.total * 0.5);
    expect(m.full.total).toBeLessThanOrEqual(m.some.total);
  });

  it('reading the files changes nothing: the same run read every 100 ms ends in the same state and text', () => {
    const run = (reads: boolean): [string, string] => {
      const k = machine({ nrCpus: 2 });
      spawn(k, { comm: 'a' });
      spawn(k, { comm: 'b' });
      spawn(k, { comm: 'c' });
      spawn(k, { comm: 'io', program: ioBound });
      for (let t = 100 * MS; t <= 7 * SEC; t += 100 * MS) {
        k.engine.runUntil(t);
        if (reads) for (const r of ['cpu', 'io', 'memory'] as const) pressure(k, r);
      }
      return [stateHash(k), ['cpu', 'io', 'memory'].map((r) => JSON.stringify(k.proc.read(`/proc/pressure/${r}`))).join('')];
    };
    expect(run(true)).toEqual(run(false));
  });
});
