/**
 * kernel-facts §10: load balancing spreads work, respects affinity, and idle CPUs pull; affinity changes move
 * a running task through its CPU's stopper (migration/N, the stop class).
 */
import { describe, expect, it } from 'vitest';
import { tasksetTask } from '../../src/kernel/index.js';
import { machine, MS, SEC, spawn, withInvariants } from '../helpers/machine.js';
import { Xoshiro128 } from '../../src/kernel/core/rng.js';
import { weightOfNice } from '../../src/kernel/sched/fair/weights.js';
import { CpuMask } from '../../src/kernel/sched/topology.js';
import { Task } from '../../src/kernel/task/task.js';
import { TaskRows } from '../../src/kernel/task/rows.js';

for (const mode of ['eevdf', 'cfs'] as const) {
  describe(`load balancing (${mode})`, () => {
    it('8 CPU-bound tasks started on CPU 0 of a 4-CPU machine end up two per CPU, ~50% each over 10 s', () => {
      const k = machine({ nrCpus: 4, fairMode: mode });
      const ts = Array.from({ length: 8 }, (_, i) => spawn(k, { comm: `hog${i}`, cpus: [0] }));
      k.engine.runUntil(1 * MS);
      for (const t of ts) expect(tasksetTask(k, t.pid, [0, 1, 2, 3])).toBeNull();
      withInvariants(k);
      k.engine.runUntil(10 * SEC + 1 * MS);
      const perCpu = [0, 0, 0, 0];
      for (const t of ts) perCpu[t.cpu]!++;
      expect(perCpu).toEqual([2, 2, 2, 2]);
      for (const t of ts) expect(Math.abs(t.sumExecRuntimeNs / (10 * SEC) - 0.5)).toBeLessThan(0.05);
      expect(k.balancer.nrMigrations).toBeGreaterThanOrEqual(6);
    });

    it('a task pinned to CPU 1 never runs elsewhere', () => {
      const k = machine({ nrCpus: 4, fairMode: mode });
      const pinned = spawn(k, { comm: 'pinned', cpus: [1] });
      for (let i = 0; i < 6; i++) spawn(k, { comm: `hog${i}` });
      k.engine.runUntil(5 * SEC);
      expect(pinned.cpuTimes().map(([cpu]) => cpu)).toEqual([1]);
      expect(pinned.sumExecRuntimeNs).toBeGreaterThan(1 * SEC);
    });

    it('an idle CPU takes work within a few balance intervals', () => {
      const k = machine({ nrCpus: 2, fairMode: mode });
      const a = spawn(k, { comm: 'a', cpus: [0] });
      const b = spawn(k, { comm: 'b', cpus: [0] });
      k.engine.runUntil(100 * MS);
      expect(tasksetTask(k, a.pid, [0, 1])).toBeNull();
      expect(tasksetTask(k, b.pid, [0, 1])).toBeNull();
      let movedAt = -1;
      k.addSink({
        emit(ev) {
          if (ev.kind === 'sched_migrate_task' && movedAt < 0) movedAt = ev.tNs;
        },
      });
      k.engine.runUntil(1 * SEC);
      expect(movedAt).toBeGreaterThan(0);
      // Balance intervals are a few ms on an idle CPU of a 2-CPU domain (up to 64 ms busy).
      expect(movedAt - 100 * MS).toBeLessThan(100 * MS);
      expect(a.cpu).not.toBe(b.cpu);
    });
  });
}

describe('affinity changes and the stop class', () => {
  it('taskset moves a running task through migration/N, with sched_migrate_task events', () => {
    const k = machine({ nrCpus: 2 });
    const t = spawn(k, { comm: 'mover', cpus: [0] });
    k.engine.runUntil(10 * MS);
    expect(t.onCpu).toBe(true);
    const events: string[] = [];
    k.addSink({
      emit(ev) {
        if (ev.kind === 'sched_switch' && ev.cpu === 0) events.push(`${ev.prevComm}->${ev.nextComm}`);
        if (ev.kind === 'sched_migrate_task') events.push(`migrate ${ev.comm} ${ev.origCpu}->${ev.destCpu}`);
      },
    });
    expect(tasksetTask(k, t.pid, [1])).toBeNull();
    k.engine.runUntil(20 * MS);
    expect(events.slice(0, 3)).toEqual(['mover->migration/0', 'migrate mover 0->1', 'migration/0->swapper/0']);
    expect(t.cpu).toBe(1);
    expect(k.rqs[0]?.stop?.sumExecRuntimeNs).toBeGreaterThan(0);
  });

  it('refuses bad affinity with EINVAL and per-CPU kthreads with EINVAL', () => {
    const k = machine({ nrCpus: 2 });
    const t = spawn(k, { comm: 't' });
    expect(tasksetTask(k, t.pid, [])).toBe('EINVAL');
    expect(tasksetTask(k, t.pid, [5])).toBe('EINVAL');
    const ksoftirqd = [...k.tasks.values()].find((x) => x.comm === 'ksoftirqd/1');
    expect(ksoftirqd).toBeDefined();
    expect(tasksetTask(k, ksoftirqd?.pid ?? 0, [0])).toBe('EINVAL');
    expect(tasksetTask(k, 99999, [0])).toBe('ESRCH');
  });
});

describe('per-CPU CPU time (cpuTimeByCpuNs)', () => {
  it('charges each CPU its own sum, pairs in CPU order', () => {
    const t = new Task({ pid: 7, comm: 't', flags: 0, cpusAllowed: CpuMask.all(64), cpu: 0, nowNs: 0, load: weightOfNice(0), sliceNs: 750_000, rows: new TaskRows() });
    const rng = new Xoshiro128(5, 'cputime');
    const oracle = new Map<number, number>();
    let cpu = 0;
    for (let i = 0; i < 20_000; i++) {
      // Mostly the same CPU as last time, sometimes a migration to any of 64.
      if (rng.intBelow(10) === 0) cpu = rng.intBelow(64);
      const ns = 1 + rng.intBelow(4_000_000);
      t.addCpuTime(cpu, ns);
      oracle.set(cpu, (oracle.get(cpu) ?? 0) + ns);
    }
    expect(t.cpuTimes()).toEqual([...oracle].sort((a, b) => a[0] - b[0]));
  });
});

describe('/proc/schedstat (version 17)', () => {
  it('per CPU the runqueue counters and one MC domain line; the balancer\'s moves and the run delays add up', () => {
    const k = machine({ nrCpus: 4 });
    const ts = Array.from({ length: 8 }, (_, i) => spawn(k, { comm: `hog${i}`, cpus: [0] }));
    k.engine.runUntil(1 * MS);
    for (const t of ts) expect(tasksetTask(k, t.pid, [0, 1, 2, 3])).toBeNull();
    k.engine.runUntil(3 * SEC);
    const r = k.proc.read('/proc/schedstat');
    const lines = (r.ok ? r.text : '').trimEnd().split('\n');
    expect(lines.slice(0, 2)).toEqual(['version 17', `timestamp ${k.jiffies}`]);
    expect(lines).toHaveLength(2 + 2 * 4);
    let runDelay = 0;
    let gained = 0;
    let pushed = 0;
    for (let cpu = 0; cpu < 4; cpu++) {
      const c = (lines[2 + 2 * cpu] ?? '').split(' ');
      const d = (lines[3 + 2 * cpu] ?? '').split(' ');
      expect(c[0]).toBe(`cpu${cpu}`);
      expect(c).toHaveLength(10);
      expect(c[2]).toBe('0');
      expect(d.slice(0, 3)).toEqual(['domain0', 'MC', 'f']);
      expect(d).toHaveLength(3 + 3 * 11 + 12);
      const n = d.slice(3).map(Number);
      // lb_count = lb_balanced + the attempts that found an imbalance (gained or failed), per idle type.
      for (let i = 0; i < 3; i++) {
        const at = (f: number): number => n[i * 11 + f] as number;
        expect(at(0)).toBeGreaterThanOrEqual(at(1) + at(2));
        expect(at(1)).toBe(at(10)); // every balanced outcome here is find_busiest_group's
      }
      runDelay += Number(c[8]);
      gained += (n[7] as number) + (n[18] as number) + (n[29] as number);
      pushed += n[35] as number;
    }
    expect(gained + pushed).toBe(k.balancer.nrMigrations);
    expect(runDelay).toBe([...k.tasks.values()].reduce((s, t) => s + t.runDelayNs, 0));
  });

  it('a machine with one CPU has no scheduling domain', () => {
    const k = machine({ nrCpus: 1 });
    spawn(k, { comm: 'hog' });
    k.engine.runUntil(100 * MS);
    const r = k.proc.read('/proc/schedstat');
    const lines = (r.ok ? r.text : '').trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/^cpu0 0 0 \d+ \d+ \d+ \d+ \d+ \d+ \d+$/);
  });
});
