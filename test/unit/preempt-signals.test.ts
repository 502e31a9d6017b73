/**
 * Preemption models (PREEMPT_DYNAMIC none/voluntary/full/lazy), signals (kill, stop, continue; D-state
 * tasks finish their I/O first), renice at run time, wait/zombies, the load average.
 */
import { describe, expect, it } from 'vitest';
import { killTask, reniceTask } from '../../src/kernel/index.js';
import { calcLoad, FIXED_1, EXP_1, LoadAvg } from '../../src/kernel/sched/loadavg.js';
import { taskStateLetter } from '../../src/kernel/task/task.js';
import type { ProgramFactory, UserAction, UserResult } from '../../src/kernel/task/user.js';
import { machine, MS, SEC, spawn } from '../helpers/machine.js';

const interactive: ProgramFactory = function* () {
  for (;;) {
    yield { op: 'sleep', ns: 10 * MS };
    yield { op: 'run', ns: 100_000 };
  }
};

/** A driver-like task: long kernel-mode bursts (a big ioctl), then user time. */
const driver: ProgramFactory = function* () {
  for (;;) {
    yield { op: 'run', ns: 20 * MS, kernel: true };
    yield { op: 'run', ns: 1 * MS };
  }
};

function wakeLatency(preempt: 'none' | 'voluntary' | 'full' | 'lazy'): number {
  const k = machine({ nrCpus: 1, preempt });
  spawn(k, { comm: 'driver', program: driver });
  const ui = spawn(k, { comm: 'ui', nice: -10, program: interactive });
  k.engine.runUntil(5 * SEC);
  return ui.maxRunDelayNs;
}

describe('preemption models', () => {
  it('a wakeup waits for the end of a kernel-mode section with none, for a might_sleep point with voluntary, not at all with full', () => {
    const none = wakeLatency('none');
    const vol = wakeLatency('voluntary');
    const full = wakeLatency('full');
    expect(none).toBeGreaterThan(10 * MS);
    expect(vol).toBeLessThanOrEqual(100_000);
    expect(vol).toBeGreaterThan(0);
    expect(full).toBe(0);
  });

  it('lazy: a fair wakeup waits for the next tick, an RT wakeup does not', () => {
    const k = machine({ nrCpus: 1, preempt: 'lazy', hz: 250 });
    spawn(k, { comm: 'hog' });
    const ui = spawn(k, { comm: 'ui', nice: -10, program: interactive });
    const rt = spawn(k, { comm: 'rt', policy: 'fifo', rtPriority: 10, program: interactive });
    k.engine.runUntil(3 * SEC);
    expect(ui.maxRunDelayNs).toBeGreaterThan(0);
    expect(ui.maxRunDelayNs).toBeLessThanOrEqual(4 * MS + 200_000);
    expect(rt.maxRunDelayNs).toBe(0);
  });
});

describe('the scheduler debugfs knobs, written at run time', () => {
  it('preempt: none -> full on the running machine, and the next wakeups no longer wait for the kernel section', () => {
    const k = machine({ nrCpus: 1, preempt: 'none' });
    spawn(k, { comm: 'driver', program: driver });
    const ui = spawn(k, { comm: 'ui', nice: -10, program: interactive });
    k.engine.runUntil(2 * SEC);
    expect(ui.maxRunDelayNs).toBeGreaterThan(10 * MS);
    expect(k.proc.write('/sys/kernel/debug/sched/preempt', 'full\n')).toBeNull();
    const r = k.proc.read('/sys/kernel/debug/sched/preempt');
    expect(r.ok && r.text).toBe('none voluntary (full) lazy\n');
    // From the switch on: the delays of the wakeups after it, not the worst of the whole run.
    k.engine.runUntil(2 * SEC + 25 * MS);
    const [d0, n0] = [ui.runDelayNs, ui.nvcsw];
    k.engine.runUntil(4 * SEC);
    expect(ui.nvcsw - n0).toBeGreaterThan(100);
    expect(ui.runDelayNs - d0).toBe(0);
    expect(k.proc.write('/sys/kernel/debug/sched/preempt', 'fast\n')).toBe('EINVAL');
  });

  it('features: NO_NAME clears, NAME sets, an unknown name is EINVAL; u32 knobs take kstrtoull numbers', () => {
    const k = machine({ nrCpus: 4 });
    expect(k.proc.write('/sys/kernel/debug/sched/features', 'NO_RUN_TO_PARITY\n')).toBeNull();
    expect(k.tunables.features.RUN_TO_PARITY).toBe(false);
    const r = k.proc.read('/sys/kernel/debug/sched/features');
    expect(r.ok && r.text.split(' ')).toContain('NO_RUN_TO_PARITY');
    expect(k.proc.write('/sys/kernel/debug/sched/features', 'RUN_TO_PARITY')).toBeNull();
    expect(k.tunables.features.RUN_TO_PARITY).toBe(true);
    expect(k.proc.write('/sys/kernel/debug/sched/features', 'NO_SUCH_THING')).toBe('EINVAL');
    expect(k.proc.write('/sys/kernel/debug/sched/nr_migrate', '0x10\n')).toBeNull();
    expect(k.tunables.nrMigrate).toBe(16);
    expect(k.proc.write('/sys/kernel/debug/sched/migration_cost_ns', '010')).toBeNull();
    expect(k.tunables.migrationCostNs).toBe(8);
    expect(k.proc.write('/sys/kernel/debug/sched/nr_migrate', '-1')).toBe('EINVAL');
    expect(k.proc.write('/sys/kernel/debug/sched/nr_migrate', '18446744073709551616')).toBe('ERANGE');
    // base_slice_ns is the scaled value (0.7 ms x (1 + ilog2(4)) here). A tunable_scaling write re-derives the
    // normalized value from it with the new factor (sched_update_scaling()) and leaves it as it is.
    expect(k.tunables.baseSliceNs).toBe(2_100_000);
    expect(k.proc.write('/sys/kernel/debug/sched/base_slice_ns', '3000000')).toBeNull();
    expect(k.tunables.baseSliceNs).toBe(3_000_000);
    expect(k.tunables.normalizedBaseSliceNs).toBe(700_000);
    expect(k.proc.write('/sys/kernel/debug/sched/tunable_scaling', '0')).toBeNull();
    expect(k.tunables.baseSliceNs).toBe(3_000_000);
    expect(k.tunables.normalizedBaseSliceNs).toBe(3_000_000);
    expect(k.proc.write('/sys/kernel/debug/sched/tunable_scaling', '2')).toBeNull();
    expect(k.tunables.normalizedBaseSliceNs).toBe(750_000);
    expect(k.proc.write('/sys/kernel/debug/sched/tunable_scaling', '3')).toBe('EINVAL');
  });

  it('CFS mode: latency_ns, min_granularity_ns and wakeup_granularity_ns are plain u32s; sched_nr_latency follows at a scaling write', () => {
    const k = machine({ nrCpus: 1, fairMode: 'cfs' });
    expect(k.proc.write('/sys/kernel/debug/sched/latency_ns', '24000000')).toBeNull();
    expect(k.proc.write('/sys/kernel/debug/sched/min_granularity_ns', '1000000')).toBeNull();
    expect(k.proc.write('/sys/kernel/debug/sched/wakeup_granularity_ns', '2000000')).toBeNull();
    expect([k.tunables.latencyNs, k.tunables.minGranNs, k.tunables.wakeupGranNs, k.tunables.nrLatency]).toEqual([24_000_000, 1_000_000, 2_000_000, 8]);
    expect(k.proc.write('/sys/kernel/debug/sched/tunable_scaling', '1')).toBeNull();
    expect(k.tunables.nrLatency).toBe(24);
    expect(k.proc.read('/sys/kernel/debug/sched/base_slice_ns').ok).toBe(false);
  });

  it('base_slice_ns: the hogs\' slices follow the new value from their next deadline on', () => {
    const k = machine({ nrCpus: 1 });
    const a = spawn(k, { comm: 'a' });
    spawn(k, { comm: 'b' });
    k.engine.runUntil(1 * SEC);
    expect(a.se.sliceNs).toBe(700_000);
    expect(k.proc.write('/sys/kernel/debug/sched/base_slice_ns', '4000000')).toBeNull();
    k.engine.runUntil(1100 * MS);
    expect(a.se.sliceNs).toBe(4_000_000);
  });
});

describe('signals', () => {
  it('SIGKILL ends a running hog at once; SIGSTOP / SIGCONT stop and continue', () => {
    const k = machine({ nrCpus: 1 });
    const a = spawn(k, { comm: 'a' });
    const b = spawn(k, { comm: 'b' });
    k.engine.runUntil(100 * MS);
    expect(killTask(k, b.pid, 19)).toBeNull();
    k.engine.runUntil(200 * MS);
    expect(taskStateLetter(b)).toBe('T');
    const stoppedAt = b.sumExecRuntimeNs;
    k.engine.runUntil(400 * MS);
    expect(b.sumExecRuntimeNs).toBe(stoppedAt);
    expect(killTask(k, b.pid, 18)).toBeNull();
    k.engine.runUntil(600 * MS);
    expect(b.sumExecRuntimeNs).toBeGreaterThan(stoppedAt);
    const running = k.rqs[0]?.curr;
    expect(running === a || running === b).toBe(true);
    const victim = running === a ? a : b;
    expect(killTask(k, victim.pid, 9)).toBeNull();
    k.engine.runUntil(600 * MS + 1);
    expect(victim.exitReason).toBe('signal');
    expect(victim.exitCode).toBe(9);
    expect(k.tasks.has(victim.pid)).toBe(false);
  });

  it('a task in D state finishes its I/O before SIGKILL takes effect', () => {
    const k = machine({ nrCpus: 1 });
    const t = spawn(k, {
      comm: 'io',
      program: function* (): Generator<UserAction, void, UserResult | undefined> {
        yield { op: 'io', ns: 500 * MS };
        yield { op: 'run', ns: Infinity };
      },
    });
    k.engine.runUntil(10 * MS);
    expect(taskStateLetter(t)).toBe('D');
    expect(killTask(k, t.pid, 9)).toBeNull();
    k.engine.runUntil(400 * MS);
    expect(taskStateLetter(t)).toBe('D');
    k.engine.runUntil(600 * MS);
    expect(t.exitReason).toBe('signal');
  });

  it('SIGTERM reaches a task that makes only system calls, back to back, on its way out of one; it shows in ShdPnd until then', () => {
    const k = machine({ nrCpus: 1 });
    const t = spawn(k, {
      comm: 'mapper',
      program: function* (): Generator<UserAction, void, UserResult | undefined> {
        for (;;) {
          yield { op: 'mem', call: { fn: 'mmap', bytes: 64 * 1024 ** 2, touch: true } };
          yield { op: 'mem', call: { fn: 'munmap', bytes: Infinity } };
        }
      },
    });
    k.engine.runUntil(5 * MS);
    expect(taskStateLetter(t)).toBe('R');
    expect(killTask(k, t.pid, 15)).toBeNull();
    // Queued on the process (kill() is for the whole thread group): signal 15 is bit 14 of the shared set.
    const status = k.proc.read(`/proc/${t.pid}/status`);
    expect(status.ok && status.text).toMatch(/^SigPnd:\t0{16}\nShdPnd:\t0{12}4000$/m);
    // Faulting in 64 MiB takes 16 ms of CPU: the signal waits for the end of the mmap, not for a user-mode step.
    k.engine.runUntil(40 * MS);
    expect(t.exitReason).toBe('signal');
    expect(t.exitCode).toBe(15);
  });

  it('kernel threads and init ignore signals', () => {
    const k = machine({ nrCpus: 1 });
    expect(killTask(k, 1, 9)).toBeNull();
    expect(killTask(k, 2, 9)).toBeNull();
    k.engine.runUntil(10 * MS);
    expect(k.tasks.get(1)?.alive).toBe(true);
    expect(k.tasks.get(2)?.alive).toBe(true);
  });
});

describe('renice, fork, wait and zombies', () => {
  it('renice at run time changes the share', () => {
    const k = machine({ nrCpus: 1 });
    const a = spawn(k, { comm: 'a' });
    const b = spawn(k, { comm: 'b' });
    k.engine.runUntil(5 * SEC);
    expect(reniceTask(k, b.pid, 5)).toBeNull();
    const a0 = a.sumExecRuntimeNs;
    const b0 = b.sumExecRuntimeNs;
    k.engine.runUntil(15 * SEC);
    const da = a.sumExecRuntimeNs - a0;
    const db = b.sumExecRuntimeNs - b0;
    expect(Math.abs((da / (da + db)) * 100 - 75.35)).toBeLessThan(1);
  });

  it('a child that exits stays a zombie until its parent waits', () => {
    const k = machine({ nrCpus: 2 });
    let childPid = 0;
    const parent = spawn(k, {
      comm: 'parent',
      program: function* (): Generator<UserAction, void, UserResult | undefined> {
        const r = yield { op: 'fork', child: { comm: 'child', program: function* () { yield { op: 'run', ns: 1 * MS }; } } };
        childPid = r?.value ?? 0;
        yield { op: 'sleep', ns: 100 * MS };
        yield { op: 'wait' };
        yield { op: 'sleep', ns: Infinity };
      },
    });
    k.engine.runUntil(50 * MS);
    const child = k.tasks.get(childPid);
    expect(child && taskStateLetter(child)).toBe('Z');
    k.engine.runUntil(200 * MS);
    expect(k.tasks.has(childPid)).toBe(false);
    expect(parent.children?.size).toBe(0);
  });

  it("a reaped task keeps its numbers in the report while its row serves the next fork, which starts at zero", () => {
    const k = machine({ nrCpus: 1 });
    const pids: number[] = [];
    // Two children one after the other: the second is forked after the first was reaped.
    spawn(k, {
      comm: 'parent',
      program: function* (): Generator<UserAction, void, UserResult | undefined> {
        for (const ms of [30, 5]) {
          const r = yield { op: 'fork', child: { comm: `c${ms}`, program: function* () { yield { op: 'run', ns: ms * MS }; } } };
          pids.push(r?.value ?? 0);
          yield { op: 'wait' };
        }
        yield { op: 'sleep', ns: Infinity };
      },
    });
    const rowsBefore = k.taskRows.inUse;
    k.engine.runUntil(20 * MS);
    const first = k.tasks.get(pids[0] ?? -1);
    expect(first).toBeDefined();
    k.engine.runUntil(200 * MS);
    const second = [...k.exited].find((t) => t.pid === pids[1]);
    expect(second).toBeDefined();
    // One row each while alive, none once both are reaped: the second child took the first one's row.
    expect(k.taskRows.inUse).toBe(rowsBefore);
    expect(first?.sumExecRuntimeNs).toBe(30 * MS);
    expect(first?.se.vruntime).toBeGreaterThan(0);
    expect(second?.sumExecRuntimeNs).toBe(5 * MS);
    expect(first?.startTimeNs).toBeLessThan(second?.startTimeNs ?? 0);
  });
});

describe('load average', () => {
  it('calc_load with the 6.x round-up: one hog for 12 samples from 0 gives 1299/2048 (0.63)', () => {
    let load = 0;
    for (let i = 0; i < 12; i++) load = calcLoad(load, EXP_1, FIXED_1);
    expect(load).toBe(1299);
    expect(LoadAvg.format(load)).toBe('0.63');
  });

  it('/proc/loadavg follows calc_load over the samples the machine took (one hog + the odd kworker)', () => {
    const k = machine({ nrCpus: 1 });
    spawn(k, { comm: 'hog' });
    const seen: number[] = [];
    const orig = k.loadavg.sample.bind(k.loadavg);
    k.loadavg.sample = (n: number): void => {
      seen.push(n);
      orig(n);
    };
    k.engine.runUntil(61 * SEC);
    expect(seen).toHaveLength(12);
    expect(seen.every((n) => n === 1 || n === 2)).toBe(true);
    let load = 0;
    for (const n of seen) load = calcLoad(load, EXP_1, n * FIXED_1);
    const r = k.proc.read('/proc/loadavg');
    expect(r.ok && r.text.split(' ')[0]).toBe(LoadAvg.format(load));
  });
});

describe('/proc/PID/sched', () => {
  it('wait_start is when the waiting task was queued, and 0 for the one on the CPU', () => {
    const k = machine({ nrCpus: 1 });
    const a = spawn(k, { comm: 'a' });
    const b = spawn(k, { comm: 'b' });
    k.engine.runUntil(1 * SEC + 123_456);
    const [running, waiting] = a.onCpu ? [a, b] : [b, a];
    expect(waiting.lastQueuedNs).toBeGreaterThan(0);
    const field = (t: typeof a, name: string): string => {
      const r = k.proc.read(`/proc/${t.pid}/sched`);
      if (!r.ok) throw new Error(r.errno);
      return r.text.split('\n').find((l) => l.startsWith(`${name} `))?.split(':')[1]?.trim() ?? '';
    };
    const ms = (ns: number): string => `${Math.floor(ns / 1e6)}.${String(ns % 1e6).padStart(6, '0')}`;
    expect(field(waiting, 'wait_start')).toBe(ms(waiting.lastQueuedNs));
    expect(field(running, 'wait_start')).toBe('0.000000');
    expect(field(waiting, 'nr_wakeups_sync')).toBe('0');
  });

  it('a write zeroes the schedstats (proc_sched_set_task), which then count again from there', () => {
    const k = machine({ nrCpus: 1 });
    const napper = spawn(k, {
      comm: 'napper',
      program: function* (): Generator<UserAction, void, UserResult | undefined> {
        for (;;) {
          yield { op: 'run', ns: 1 * MS };
          yield { op: 'sleep', ns: 9 * MS };
        }
      },
    });
    spawn(k, { comm: 'hog' });
    k.engine.runUntil(1 * SEC);
    const stat = (name: string): number => {
      const r = k.proc.read(`/proc/${napper.pid}/sched`);
      if (!r.ok) throw new Error(r.errno);
      return Number(r.text.split('\n').find((l) => l.startsWith(`${name} `))?.split(':')[1]?.trim());
    };
    const names = ['sum_sleep_runtime', 'wait_sum', 'wait_count', 'nr_wakeups', 'nr_wakeups_local', 'exec_max', 'sleep_max'];
    for (const n of names) expect(stat(n), n).toBeGreaterThan(0);
    const runtime = stat('se.sum_exec_runtime');
    expect(k.proc.write(`/proc/${napper.pid}/sched`, '0\n')).toBeNull();
    for (const n of names) expect(stat(n), n).toBe(0);
    // The run time and the run delay (sched_info) are not schedstats: they stay.
    expect(stat('se.sum_exec_runtime')).toBe(runtime);
    k.engine.runUntil(2 * SEC);
    // About 100 wakeups a second again (less the hog's slices in the way).
    expect(stat('nr_wakeups')).toBeGreaterThan(80);
    expect(stat('nr_wakeups')).toBeLessThanOrEqual(101);
  });
});
