/**
 * kernel-facts §3, §5, §6 checkable facts on the fair runqueue itself: V, eligibility, lag inflation on
 * placement, new-task deadlines, lag clamps, and the CFS period/slice scaling with the CPU count.
 */
import { describe, expect, it } from 'vitest';
import { CfsRq } from '../../src/kernel/sched/fair/cfs-rq.js';
import { entityLag, pickEevdf, placeEntity } from '../../src/kernel/sched/fair/eevdf.js';
import { schedPeriod, schedSlice } from '../../src/kernel/sched/fair/cfs.js';
import { calcDeltaFair, weightOfNice } from '../../src/kernel/sched/fair/weights.js';
import { makeTunables, sysctlFactor } from '../../src/kernel/sched/features.js';
import { ENQUEUE_INITIAL } from '../../src/kernel/sched/sched-class.js';
import { Task } from '../../src/kernel/task/task.js';
import { TaskRows } from '../../src/kernel/task/rows.js';
import { CpuMask } from '../../src/kernel/sched/topology.js';
import { fls, mulU64U32Shr } from '../../src/kernel/core/time.js';
import { Xoshiro128 } from '../../src/kernel/core/rng.js';

const MS = 1_000_000;

function entity(pid: number, nice = 0): Task {
  return new Task({ pid, comm: `t${pid}`, flags: 0, cpusAllowed: CpuMask.all(1), cpu: 0, nowNs: 0, load: weightOfNice(nice), sliceNs: 750_000, rows: new TaskRows() });
}

function queue(cfs: CfsRq, t: Task, v: number, deadline: number): void {
  t.se.vruntime = v;
  t.se.deadline = deadline;
  t.se.onRq = true;
  cfs.enqueueEntityTree(t.se);
  cfs.nrQueued++;
  cfs.loadWeight += t.se.load.weight;
}

describe('EEVDF quantities (6.6+)', () => {
  it('V = 11 ms for A(v 10 ms, running) and B(v 12 ms); A is eligible, B is not, A is picked', () => {
    const cfs = new CfsRq('eevdf');
    const a = entity(1);
    const b = entity(2);
    queue(cfs, a, 10 * MS, 20 * MS);
    queue(cfs, b, 12 * MS, 12.5 * MS); // B has the earlier deadline but is not eligible
    cfs.dequeueEntityTree(a.se); // A becomes curr: outside the tree, still queued
    cfs.curr = a.se;
    expect(cfs.avgVruntime()).toBe(11 * MS);
    expect(cfs.entityEligible(a.se)).toBe(true);
    expect(cfs.entityEligible(b.se)).toBe(false);
    expect(pickEevdf(cfs, false)).toBe(a.se);
  });

  it('placing C with saved vlag +1 ms into W = 2048 inflates the lag to 1.5 ms; C keeps +1 ms of lag after', () => {
    const cfs = new CfsRq('eevdf');
    const a = entity(1);
    const b = entity(2);
    queue(cfs, a, 10 * MS, 20 * MS);
    queue(cfs, b, 12 * MS, 22 * MS);
    const c = entity(3);
    c.se.vlag = 1 * MS;
    const t = makeTunables({ mode: 'eevdf', onlineCpus: 1, preempt: 'voluntary', baseSliceNs: 750_000 });
    placeEntity(cfs, c.se, 0, t);
    expect(c.se.vruntime).toBe(9.5 * MS);
    queue(cfs, c, c.se.vruntime, c.se.deadline);
    expect(cfs.avgVruntime()).toBe(10.5 * MS);
    expect(cfs.avgVruntime() - c.se.vruntime).toBe(1 * MS);
  });

  it('a new nice-0 task with V = 11 ms and slice 0.75 ms gets v = 11 ms and deadline 11.375 ms', () => {
    const cfs = new CfsRq('eevdf');
    const a = entity(1);
    const b = entity(2);
    queue(cfs, a, 10 * MS, 20 * MS);
    queue(cfs, b, 12 * MS, 22 * MS);
    const n = entity(3);
    const t = makeTunables({ mode: 'eevdf', onlineCpus: 1, preempt: 'voluntary', baseSliceNs: 750_000 });
    placeEntity(cfs, n.se, ENQUEUE_INITIAL, t);
    expect(n.se.vruntime).toBe(11 * MS);
    expect(n.se.deadline).toBe(11_375_000);
  });

  it('virtual slice of nice 5 at 0.75 ms is 2,292,537 ns', () => {
    expect(calcDeltaFair(750_000, weightOfNice(5))).toBe(2_292_537);
  });

  it('lag clamp at 1 CPU, slice 0.75 ms: HZ=250 +-4 ms (nice 0), +-12,226,865 ns (nice 5); HZ=1000 +-1.5 ms', () => {
    const t0 = entity(1, 0);
    const t5 = entity(2, 5);
    t0.se.vruntime = 0;
    t5.se.vruntime = 0;
    expect(entityLag(100 * MS, t0.se, 4 * MS)).toBe(4 * MS);
    expect(entityLag(-100 * MS, t0.se, 4 * MS)).toBe(-4 * MS);
    expect(entityLag(100 * MS, t5.se, 4 * MS)).toBe(12_226_865);
    expect(entityLag(100 * MS, t0.se, 1 * MS)).toBe(1.5 * MS);
  });
});

describe('CFS tunables and slices (<= 6.5)', () => {
  it('the log scaling factor is 1, 2, 3, 4 for 1, 2-3, 4-7, 8+ CPUs', () => {
    expect([1, 2, 3, 4, 7, 8, 64].map((n) => sysctlFactor(n, 1))).toEqual([1, 2, 2, 3, 3, 4, 4]);
  });

  it('latency / min_granularity / wakeup_granularity scale with CPUs (6/0.75/1, 18/2.25/3, 24/3/4 ms)', () => {
    const k = (n: number): number[] => {
      const t = makeTunables({ mode: 'cfs', onlineCpus: n, preempt: 'voluntary' });
      return [t.latencyNs, t.minGranNs, t.wakeupGranNs];
    };
    expect(k(1)).toEqual([6 * MS, 750_000, 1 * MS]);
    expect(k(4)).toEqual([18 * MS, 2_250_000, 3 * MS]);
    expect(k(8)).toEqual([24 * MS, 3 * MS, 4 * MS]);
    expect(k(64)).toEqual([24 * MS, 3 * MS, 4 * MS]);
  });

  it('EEVDF base slice scales too: 0.70 / 2.10 / 2.80 ms at 1 / 4 / 8 CPUs (6.15+)', () => {
    expect([1, 4, 8].map((n) => makeTunables({ mode: 'eevdf', onlineCpus: n, preempt: 'voluntary' }).baseSliceNs)).toEqual([700_000, 2_100_000, 2_800_000]);
  });

  it('4 CPUs, nice 0 + nice 5 on one CPU: period 18 ms, slices 13.563 and 4.437 ms', () => {
    const t = makeTunables({ mode: 'cfs', onlineCpus: 4, preempt: 'voluntary' });
    const cfs = new CfsRq('cfs');
    const a = entity(1, 0);
    const b = entity(2, 5);
    queue(cfs, a, 0, 0);
    queue(cfs, b, 0, 0);
    expect(schedPeriod(2, t)).toBe(18 * MS);
    expect(Math.round(schedSlice(cfs, a.se, t) / 1000)).toBe(13_563);
    expect(Math.round(schedSlice(cfs, b.se, t) / 1000)).toBe(4_437);
  });

  it('10 nice-0 tasks on one CPU of a 4-CPU box: period 22.5 ms, 2.25 ms each', () => {
    const t = makeTunables({ mode: 'cfs', onlineCpus: 4, preempt: 'voluntary' });
    const cfs = new CfsRq('cfs');
    const ts = Array.from({ length: 10 }, (_, i) => entity(i + 1));
    for (const x of ts) queue(cfs, x, 0, 0);
    expect(schedPeriod(10, t)).toBe(22.5 * MS);
    expect(Math.round(schedSlice(cfs, (ts[0] as Task).se, t) / 1000)).toBe(2_250);
  });
});

describe('fixed-point helpers (include/linux/math64.h, bitops)', () => {
  it('mul_u64_u32_shr equals the exact 128-bit product shifted, over the whole range it is used in', () => {
    const rng = new Xoshiro128(3);
    for (let i = 0; i < 20_000; i++) {
      // a up to 2^40 (the BigInt path above 2^37), mul below 2^32, shift 16..52 (calc_delta: 32 - fls).
      const a = rng.intBelow(2 ** 20) * 2 ** 20 + rng.intBelow(2 ** 20);
      const mul = rng.intBelow(2 ** 16) * 2 ** 16 + rng.intBelow(2 ** 16);
      const shift = 16 + rng.intBelow(37);
      const want = Number((BigInt(a) * BigInt(mul)) >> BigInt(shift));
      expect(mulU64U32Shr(a, mul, shift)).toBe(want);
    }
    expect(mulU64U32Shr(2 ** 37 - 1, 2 ** 32 - 1, 16)).toBe(Number((BigInt(2 ** 37 - 1) * BigInt(2 ** 32 - 1)) >> 16n));
  });

  it('fls is the bit length: 0, 1, 2, 2, 3 ... 32 at 2^32 - 1, 33 at 2^32, 48 just below 2^48', () => {
    const naive = (x: number): number => (x === 0 ? 0 : x.toString(2).length);
    for (const x of [0, 1, 2, 3, 4, 255, 256, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 48 - 1]) expect(fls(x)).toBe(naive(x));
    const rng = new Xoshiro128(4);
    for (let i = 0; i < 5000; i++) {
      const x = rng.intBelow(2 ** 26) * 2 ** rng.intBelow(25);
      expect(fls(x)).toBe(naive(x));
    }
  });
});
