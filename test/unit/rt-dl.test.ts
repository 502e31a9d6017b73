/**
 * kernel-facts §2, §8, §9 checkable facts: FIFO and RR rules, RT throttling and the fair server, deadline
 * parameter checks, admission control, EDF order and CBS throttling.
 */
import { describe, expect, it } from 'vitest';
import { chrtTask, spawnTask } from '../../src/kernel/index.js';
import { toRatio } from '../../src/kernel/sched/dl/deadline.js';
import type { ProgramFactory, UserAction, UserResult } from '../../src/kernel/task/user.js';
import type { Task } from '../../src/kernel/task/task.js';
import type { Rq } from '../../src/kernel/sched/rq.js';
import { machine, MS, SEC, spawn, withInvariants } from '../helpers/machine.js';

const periodic = (runNs: number, periodNs: number): ProgramFactory =>
  function* (ctx): Generator<UserAction, void, UserResult | undefined> {
    let next = ctx.now();
    for (;;) {
      yield { op: 'run', ns: runNs };
      next += periodNs;
      const now = ctx.now();
      if (next > now) yield { op: 'sleep', ns: next - now };
    }
  };

describe('SCHED_FIFO and SCHED_RR', () => {
  it('two FIFO hogs at equal priority: the second never runs', () => {
    const k = machine({ nrCpus: 1 });
    const a = spawn(k, { comm: 'fifo-a', policy: 'fifo', rtPriority: 10 });
    const b = spawn(k, { comm: 'fifo-b', policy: 'fifo', rtPriority: 10 });
    k.engine.runUntil(2 * SEC);
    expect(a.sumExecRuntimeNs).toBeGreaterThan(1.9 * SEC);
    expect(b.sumExecRuntimeNs).toBe(0);
  });

  it('FIFO never yields to a lower priority: a FIFO 90 wakeup preempts a running FIFO 10 at once', () => {
    const k = machine({ nrCpus: 1 });
    const low = spawn(k, { comm: 'fifo10', policy: 'fifo', rtPriority: 10 });
    const hi = spawn(k, { comm: 'fifo90', policy: 'fifo', rtPriority: 90, program: periodic(1 * MS, 10 * MS) });
    withInvariants(k);
    k.engine.runUntil(1 * SEC);
    // fifo90 gets exactly its 1 ms every 10 ms; its wakeups wait for nothing below it. Only the fair server,
    // a deadline entity and so above RT, may go first: at 950 ms it runs the kworker's 4 us vmstat_update.
    expect(Math.abs(hi.sumExecRuntimeNs - 100 * MS)).toBeLessThan(2 * MS);
    expect(hi.maxRunDelayNs).toBeLessThanOrEqual(4_000);
    expect(low.maxRunDelayNs).toBeGreaterThan(hi.maxRunDelayNs);
    expect(low.sumExecRuntimeNs + hi.sumExecRuntimeNs).toBeGreaterThan(0.99 * SEC);
  });

  it('two RR hogs at priority 10, HZ=250: 25-tick (100 ms) slices, about 100 switches over 10 s', () => {
    const k = machine({ nrCpus: 1, hz: 250 });
    expect(k.sysctl.rrTimesliceTicks).toBe(25);
    expect(k.proc.read('/proc/sys/kernel/sched_rr_timeslice_ms')).toEqual({ ok: true, text: '100\n' });
    const a = spawn(k, { comm: 'rr-a', policy: 'rr', rtPriority: 10 });
    const b = spawn(k, { comm: 'rr-b', policy: 'rr', rtPriority: 10 });
    // Count the switches between the two (the kworker's vmstat runs through the fair server in between).
    let switches = 0;
    k.addSink({
      emit(ev) {
        if (ev.kind === 'sched_switch' && ev.prevComm.startsWith('rr-') && ev.nextComm.startsWith('rr-')) switches++;
      },
    });
    k.engine.runUntil(10 * SEC);
    expect(switches).toBeGreaterThanOrEqual(98);
    expect(switches).toBeLessThanOrEqual(101);
    expect(Math.abs(a.sumExecRuntimeNs - 5 * SEC)).toBeLessThan(110 * MS);
    expect(Math.abs(b.sumExecRuntimeNs - 5 * SEC)).toBeLessThan(110 * MS);
  });

  it('a waking RT task preempts any fair task at once', () => {
    const k = machine({ nrCpus: 1 });
    spawn(k, { comm: 'fair', nice: -20 });
    const rt = spawn(k, { comm: 'rt', policy: 'fifo', rtPriority: 1, program: periodic(200_000, 5 * MS) });
    k.engine.runUntil(1 * SEC);
    expect(rt.maxRunDelayNs).toBe(0);
  });
});

describe('RT starvation protection', () => {
  it('classic throttling (<= 6.11): a nice-0 hog beside a FIFO hog gets about 5%; logged once', () => {
    const k = machine({ nrCpus: 1, rtStarvation: 'throttle' });
    const rt = spawn(k, { comm: 'rt-hog', policy: 'fifo', rtPriority: 50 });
    const fair = spawn(k, { comm: 'fair-hog' });
    k.engine.runUntil(10 * SEC);
    expect(Math.abs(fair.sumExecRuntimeNs / (10 * SEC) - 0.05)).toBeLessThan(0.005);
    expect(Math.abs(rt.sumExecRuntimeNs / (10 * SEC) - 0.95)).toBeLessThan(0.005);
    const msgs = k.printkRing.all().filter((r) => r.text === 'sched: RT throttling activated');
    expect(msgs).toHaveLength(1);
  });

  it('sched_rt_runtime_us = -1 disables throttling: the fair hog starves', () => {
    const k = machine({ nrCpus: 1, rtStarvation: 'throttle' });
    expect(k.proc.write('/proc/sys/kernel/sched_rt_runtime_us', '-1')).toBeNull();
    spawn(k, { comm: 'rt-hog', policy: 'fifo', rtPriority: 50 });
    const fair = spawn(k, { comm: 'fair-hog' });
    k.engine.runUntil(3 * SEC);
    expect(fair.sumExecRuntimeNs).toBe(0);
  });

  it('sched_rt_runtime_us = -1 written while throttled: the RT hog runs again at the period boundary and for good', () => {
    const k = machine({ nrCpus: 1, rtStarvation: 'throttle' });
    const rt = spawn(k, { comm: 'rt-hog', policy: 'fifo', rtPriority: 50 });
    const fair = spawn(k, { comm: 'fair-hog' });
    k.engine.runUntil(970 * MS);
    expect((k.rqs[0] as Rq).rt.rtThrottled).toBe(true);
    expect(k.proc.write('/proc/sys/kernel/sched_rt_runtime_us', '-1')).toBeNull();
    k.engine.runUntil(1 * SEC);
    const fairAt1s = fair.sumExecRuntimeNs;
    expect(Math.abs(fairAt1s - 50 * MS)).toBeLessThan(5 * MS);
    k.engine.runUntil(5 * SEC);
    expect((k.rqs[0] as Rq).rt.rtThrottled).toBe(false);
    expect(fair.sumExecRuntimeNs).toBe(fairAt1s);
    // sched_debug prints RUNTIME_INF (U64_MAX) through %Ld, as -1 ns.
    const dbg = k.proc.read('/proc/sched_debug');
    expect(dbg.ok && dbg.text).toMatch(/\.rt_runtime\s+: -0\.000001\n/);
    // The same file where 6.17 has it, in debugfs.
    expect(k.proc.read('/sys/kernel/debug/sched/debug')).toEqual(dbg);
    expect(rt.sumExecRuntimeNs + fairAt1s).toBeGreaterThan(5 * SEC - 1 * MS);
  });

  it('throttling switched off and on again under a FIFO hog that never sleeps: 95/5 again, not throttled for good', () => {
    const k = machine({ nrCpus: 1, rtStarvation: 'throttle' });
    const rt = spawn(k, { comm: 'rt-hog', policy: 'fifo', rtPriority: 50 });
    const fair = spawn(k, { comm: 'fair-hog' });
    k.engine.runUntil(2 * SEC);
    expect(k.proc.write('/proc/sys/kernel/sched_rt_runtime_us', '-1')).toBeNull();
    k.engine.runUntil(3500 * MS);
    expect(k.proc.write('/proc/sys/kernel/sched_rt_runtime_us', '950000')).toBeNull();
    k.engine.runUntil(5 * SEC);
    const [rt0, fair0] = [rt.sumExecRuntimeNs, fair.sumExecRuntimeNs];
    k.engine.runUntil(10 * SEC);
    expect(Math.abs((fair.sumExecRuntimeNs - fair0) / (5 * SEC) - 0.05)).toBeLessThan(0.01);
    expect(Math.abs((rt.sumExecRuntimeNs - rt0) / (5 * SEC) - 0.95)).toBeLessThan(0.01);
  });

  it('the 6.12+ fair server: 50 ms per second for fair tasks, no throttling message', () => {
    const k = machine({ nrCpus: 1, rtStarvation: 'fair-server' });
    const rt = spawn(k, { comm: 'rt-hog', policy: 'fifo', rtPriority: 50 });
    const fair = spawn(k, { comm: 'fair-hog' });
    withInvariants(k);
    k.engine.runUntil(10 * SEC);
    expect(Math.abs(fair.sumExecRuntimeNs / (10 * SEC) - 0.05)).toBeLessThan(0.005);
    expect(rt.sumExecRuntimeNs).toBeGreaterThan(9.4 * SEC);
    expect(k.printkRing.all().some((r) => r.text.includes('RT throttling'))).toBe(false);
  });
});

describe('SCHED_DEADLINE', () => {
  const dl = (r: number, d: number, p: number): { runtimeNs: number; deadlineNs: number; periodNs: number } => ({ runtimeNs: r, deadlineNs: d, periodNs: p });

  it('bandwidth: 10 ms / 100 ms is 104,857; the limit is 996,147 (95%)', () => {
    const k = machine({ nrCpus: 1 });
    expect(toRatio(100 * MS, 10 * MS)).toBe(104_857);
    expect(k.classes.dl.bwLimit()).toBe(996_147);
  });

  for (const rtStarvation of ['throttle', 'fair-server'] as const) {
    it(`admission on one CPU (${rtStarvation}): nine 10/100 ms tasks admitted, the tenth refused with EBUSY`, () => {
      const k = machine({ nrCpus: 1, rtStarvation });
      const results: (string | null)[] = [];
      for (let i = 0; i < 10; i++) {
        const t = spawn(k, { comm: `dl${i}`, program: periodic(1 * MS, 100 * MS) });
        results.push(chrtTask(k, t.pid, 'deadline', 0, dl(10 * MS, 100 * MS, 100 * MS)));
      }
      expect(results.slice(0, 9)).toEqual(Array(9).fill(null));
      expect(results[9]).toBe('EBUSY');
    });
  }

  it('a task started with a refused deadline: the kernel logs nothing, init says which step failed', () => {
    const k = machine({ nrCpus: 1 });
    const from = k.printkRing.nextSeq;
    const ok = spawnTask(k, { comm: 'big', policy: 'deadline', nice: 0, rtPriority: 0, dl: dl(90 * MS, 100 * MS, 100 * MS), program: periodic(1 * MS, 100 * MS) });
    expect(ok.error).toBeNull();
    const r = spawnTask(k, { comm: 'second', policy: 'deadline', nice: 0, rtPriority: 0, dl: dl(20 * MS, 100 * MS, 100 * MS), program: periodic(1 * MS, 100 * MS) });
    expect(r.error).toBe('EBUSY');
    const recs = k.printkRing.since(from);
    expect(recs.map((x) => [x.facility, x.level, x.text])).toEqual([[3, 3, 'init[1]: second: Failed at step SETSCHEDULER spawning /usr/bin/second: Device or resource busy']]);
  });

  it('95/100 ms on one CPU: admitted with throttling (<= 6.11), refused with the fair server (6.12+)', () => {
    const a = machine({ nrCpus: 1, rtStarvation: 'throttle' });
    const ta = spawn(a, { comm: 'dl' });
    expect(chrtTask(a, ta.pid, 'deadline', 0, dl(95 * MS, 100 * MS, 100 * MS))).toBeNull();
    const b = machine({ nrCpus: 1, rtStarvation: 'fair-server' });
    const tb = spawn(b, { comm: 'dl' });
    expect(chrtTask(b, tb.pid, 'deadline', 0, dl(95 * MS, 100 * MS, 100 * MS))).toBe('EBUSY');
  });

  it('parameter checks: runtime > deadline and a 50 us period are EINVAL', () => {
    const k = machine({ nrCpus: 1 });
    const t = spawn(k, { comm: 'dl' });
    expect(chrtTask(k, t.pid, 'deadline', 0, dl(500_000, 400_000, 1 * MS))).toBe('EINVAL');
    expect(chrtTask(k, t.pid, 'deadline', 0, dl(10_000, 50_000, 50_000))).toBe('EINVAL');
    expect(chrtTask(k, t.pid, 'deadline', 0, dl(512, 1 * MS, 1 * MS))).toBe('EINVAL');
  });

  it('CBS: a 10 ms / 100 ms hog runs 10 ms then stays throttled 90 ms, every period', () => {
    const k = machine({ nrCpus: 1 });
    const t = spawn(k, { comm: 'dl-hog' });
    expect(chrtTask(k, t.pid, 'deadline', 0, dl(10 * MS, 100 * MS, 100 * MS))).toBeNull();
    withInvariants(k);
    k.engine.runUntil(1 * SEC);
    // The first instance starts at the chrt (time 0): 10 instances in 1 s.
    expect(Math.abs(t.sumExecRuntimeNs - 100 * MS)).toBeLessThan(1 * MS);
  });

  it('EDF: the earliest absolute deadline runs first, and DL preempts RT', () => {
    const k = machine({ nrCpus: 1 });
    const rt = spawn(k, { comm: 'rt', policy: 'fifo', rtPriority: 99 });
    const late = spawn(k, { comm: 'late', program: periodic(20 * MS, 100 * MS) });
    const early = spawn(k, { comm: 'early', program: periodic(5 * MS, 20 * MS) });
    expect(chrtTask(k, late.pid, 'deadline', 0, dl(20 * MS, 100 * MS, 100 * MS))).toBeNull();
    expect(chrtTask(k, early.pid, 'deadline', 0, dl(5 * MS, 20 * MS, 20 * MS))).toBeNull();
    k.engine.runUntil(1 * SEC);
    expect(Math.abs(early.sumExecRuntimeNs - 250 * MS)).toBeLessThan(2 * MS);
    expect(Math.abs(late.sumExecRuntimeNs - 200 * MS)).toBeLessThan(2 * MS);
    expect(early.dl.nrMisses + late.dl.nrMisses).toBe(0);
    expect(rt.sumExecRuntimeNs).toBeGreaterThan(0.5 * SEC);
  });

  /** One CPU: a 30 ms / 100 ms deadline task and a FIFO hog, under the given RT starvation model. */
  const dlBesideFifo = (rtStarvation: 'throttle' | 'fair-server'): { k: ReturnType<typeof machine>; d: Task; rt: Task } => {
    const k = machine({ nrCpus: 1, rtStarvation });
    const d = spawn(k, { comm: 'dl', program: periodic(30 * MS, 100 * MS) });
    expect(chrtTask(k, d.pid, 'deadline', 0, dl(30 * MS, 100 * MS, 100 * MS))).toBeNull();
    return { k, d, rt: spawn(k, { comm: 'rt', policy: 'fifo', rtPriority: 50 }) };
  };

  it('classic RT throttling counts deadline time too: DL 30% + a FIFO hog use 950 ms a second, the CPU idles 5%', () => {
    const { k, d, rt } = dlBesideFifo('throttle');
    k.engine.runUntil(1 * SEC);
    const [d0, rt0] = [d.sumExecRuntimeNs, rt.sumExecRuntimeNs];
    k.engine.runUntil(5 * SEC);
    const dlShare = (d.sumExecRuntimeNs - d0) / (4 * SEC);
    const rtShare = (rt.sumExecRuntimeNs - rt0) / (4 * SEC);
    expect(Math.abs(dlShare - 0.3)).toBeLessThan(0.005);
    expect(Math.abs(rtShare - 0.65)).toBeLessThan(0.01);
  });

  it('with the 6.12+ fair server, deadline time does not count against RT: DL 30% + a FIFO hog fill the CPU', () => {
    const { k, d, rt } = dlBesideFifo('fair-server');
    k.engine.runUntil(5 * SEC);
    expect(d.sumExecRuntimeNs + rt.sumExecRuntimeNs).toBeGreaterThan(5 * SEC - 5 * MS);
  });

  it('a DL task cannot fork (EAGAIN)', () => {
    const k = machine({ nrCpus: 1 });
    let res: UserResult | undefined;
    const t = spawn(k, {
      comm: 'dl-forker',
      program: function* () {
        yield { op: 'sleep', ns: 1 * MS };
        res = yield { op: 'fork', child: { program: function* () {} } };
        yield { op: 'sleep', ns: Infinity };
      },
    });
    expect(chrtTask(k, t.pid, 'deadline', 0, dl(1 * MS, 10 * MS, 10 * MS))).toBeNull();
    k.engine.runUntil(100 * MS);
    expect(res).toEqual({ ok: false, errno: 'EAGAIN' });
  });
});
