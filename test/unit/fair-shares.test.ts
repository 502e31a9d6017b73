/**
 * kernel-facts §1, §4, §5, §6, §7 checkable facts through the kernel API: CPU shares by weight in both fair
 * modes, SCHED_IDLE and SCHED_BATCH, the weight tables and calc_delta_fair.
 */
import { describe, expect, it } from 'vitest';
import { SCHED_PRIO_TO_WEIGHT, SCHED_PRIO_TO_WMULT, calcDeltaFair, weightOfNice } from '../../src/kernel/sched/fair/weights.js';
import { machine, SEC, share, spawn, withInvariants } from '../helpers/machine.js';

function shares(mode: 'eevdf' | 'cfs', specs: { nice?: number; policy?: 'normal' | 'batch' | 'idle' }[], secs = 10): number[] {
  const k = machine({ nrCpus: 1, fairMode: mode });
  const ts = specs.map((s, i) => spawn(k, { comm: `t${i}`, nice: s.nice ?? 0, policy: s.policy ?? 'normal' }));
  k.engine.runUntil(secs * SEC);
  const total = ts.reduce((a, t) => a + t.sumExecRuntimeNs, 0);
  return ts.map((t) => share(t, total));
}

describe('weight tables (sched_prio_to_weight / sched_prio_to_wmult)', () => {
  it('are the kernel tables, including the 13 wmult entries that are floor(2^32/w)+1', () => {
    expect(SCHED_PRIO_TO_WEIGHT[20]).toBe(1024);
    expect(SCHED_PRIO_TO_WEIGHT[0]).toBe(88761);
    expect(SCHED_PRIO_TO_WEIGHT[39]).toBe(15);
    expect(SCHED_PRIO_TO_WMULT[25]).toBe(12820798); // nice 5: not floor(2^32/335) = 12820797
    let plusOne = 0;
    SCHED_PRIO_TO_WEIGHT.forEach((w, i) => {
      if (SCHED_PRIO_TO_WMULT[i] === Math.floor(2 ** 32 / w) + 1) plusOne++;
    });
    expect(plusOne).toBe(13);
  });

  it('calc_delta_fair: 10 ms of CPU in virtual time per nice level', () => {
    const v = (nice: number): number => calcDeltaFair(10_000_000, weightOfNice(nice));
    expect(v(5)).toBe(30_567_164);
    expect(v(1)).toBe(12_487_804);
    expect(v(-5)).toBe(3_280_999);
    expect(v(-20)).toBe(115_365);
    expect(v(19)).toBe(682_666_666);
    expect(v(0)).toBe(10_000_000);
  });
});

for (const mode of ['eevdf', 'cfs'] as const) {
  describe(`CPU shares by weight over 10 s, one CPU (${mode})`, () => {
    it('nice 0 vs nice 5 -> 75.35% / 24.65%', () => {
      const [a, b] = shares(mode, [{ nice: 0 }, { nice: 5 }]);
      expect(Math.abs((a as number) - 75.35)).toBeLessThan(1);
      expect(Math.abs((b as number) - 24.65)).toBeLessThan(1);
    });
    it('nice 0 vs nice 1 -> 55.53% / 44.47%', () => {
      const [a, b] = shares(mode, [{ nice: 0 }, { nice: 1 }]);
      expect(Math.abs((a as number) - 55.53)).toBeLessThan(1);
      expect(Math.abs((b as number) - 44.47)).toBeLessThan(1);
    });
    it('a nice triple 0 / 5 / 10 shares 1024:335:110', () => {
      const got = shares(mode, [{ nice: 0 }, { nice: 5 }, { nice: 10 }]);
      const w = [1024, 335, 110];
      const tot = 1469;
      got.forEach((g, i) => expect(Math.abs(g - ((w[i] as number) / tot) * 100)).toBeLessThan(1));
    });
    it('nice 0 vs SCHED_IDLE -> 99.71% / 0.29%', () => {
      const [a, b] = shares(mode, [{ nice: 0 }, { policy: 'idle' }]);
      expect(Math.abs((a as number) - 99.71)).toBeLessThan(1);
      expect(Math.abs((b as number) - 0.29)).toBeLessThan(1);
    });
    it('nice 19 vs SCHED_IDLE (15:3) -> 83.3% / 16.7%', () => {
      const [a, b] = shares(mode, [{ nice: 19 }, { policy: 'idle' }]);
      expect(Math.abs((a as number) - 83.33)).toBeLessThan(1);
      expect(Math.abs((b as number) - 16.67)).toBeLessThan(1);
    });
    it('SCHED_BATCH at nice 0 shares equally with SCHED_NORMAL at nice 0 (same weights)', () => {
      const [a, b] = shares(mode, [{ nice: 0 }, { policy: 'batch' }]);
      expect(Math.abs((a as number) - 50)).toBeLessThan(1);
      expect(Math.abs((b as number) - 50)).toBeLessThan(1);
    });
    it('keeps every invariant on the way', () => {
      const k = machine({ nrCpus: 2, fairMode: mode });
      const inv = withInvariants(k);
      for (let i = 0; i < 5; i++) spawn(k, { comm: `h${i}`, nice: i * 3 - 6 });
      k.engine.runUntil(2 * SEC);
      expect(inv.checks).toBeGreaterThan(1000);
    });
  });
}
