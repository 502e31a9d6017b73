/**
 * Pressure stall information (kernel/sched/psi.c, 6.1+ semantics, system group only): per CPU, the time some
 * or all non-idle tasks were stalled on CPU, memory or I/O; folded every PSI_FREQ (2 s + 1 tick) into totals
 * weighted by each CPU's non-idle time, and into 10 s / 60 s / 300 s running averages (loadavg's fixed point).
 * /proc/pressure/{cpu,memory,io} print them.
 *
 * Per-CPU state comes from the runqueue's own counters (runnable tasks less delayed ones, iowait sleepers,
 * memstall tasks, whether a task is on the CPU), re-read by psiChange() wherever those counters move: the same
 * moments psi_task_change() and psi_task_switch() run in the kernel. A memory stall is a task in direct
 * reclaim, kswapd in balance_pgdat, or a task waiting to read back page cache that reclaim evicted from the
 * workingset (a refault); swap-in is not modelled.
 */
import type { Rq } from './rq.js';
import { calcLoad, FIXED_1, FSHIFT } from './loadavg.js';

export const PSI_IO_SOME = 0;
export const PSI_IO_FULL = 1;
export const PSI_MEM_SOME = 2;
export const PSI_MEM_FULL = 3;
export const PSI_CPU_SOME = 4;
export const PSI_CPU_FULL = 5;
export const PSI_NONIDLE = 6;
const NR_PSI_STATES = 7;

/** 1/exp(2s/10s), 1/exp(2s/60s), 1/exp(2s/300s) in fixed point. */
const EXP_10S = 1677;
const EXP_60S = 1981;
const EXP_300S = 2034;

export type PsiResource = 'io' | 'memory' | 'cpu';
const RES_INDEX: Record<PsiResource, number> = { io: 0, memory: 1, cpu: 2 };

/**
 * struct psi_group_cpu: the time spent in each state so far, up to stateStart. The state mask itself and the
 * memstall count live in the Rq (psiMask, psiNrMemstall), which every change reads anyway: this object is only
 * touched when the mask changes.
 */
export class PsiGroupCpu {
  stateStart = 0;
  readonly times: number[] = new Array<number>(NR_PSI_STATES).fill(0);
  /** times[] as the averaging worker last folded them (times_prev[PSI_AVGS]). */
  readonly timesPrev: number[] = new Array<number>(NR_PSI_STATES).fill(0);
}

const IO_SOME = 1 << PSI_IO_SOME;
const IO_FULL = 1 << PSI_IO_FULL;
const MEM_SOME = 1 << PSI_MEM_SOME;
const MEM_FULL = 1 << PSI_MEM_FULL;
const CPU_SOME = 1 << PSI_CPU_SOME;
const CPU_FULL = 1 << PSI_CPU_FULL;
const NONIDLE = 1 << PSI_NONIDLE;

/** The state mask test_state() gives for rq's counters (on every enqueue, dequeue and switch: kept lean). */
export function psiStateMask(rq: Rq): number {
  const cfs = rq.cfs;
  // Delayed-dequeue entities sleep as far as PSI is concerned (psi_sched_switch's sched_delayed case).
  const running = rq.nrRunning - cfs.nrQueued + cfs.hNrRunnable;
  const oncpu = rq.curr !== rq.idle ? 1 : 0;
  let m = running > oncpu ? CPU_SOME : 0;
  if (running > 0) {
    m |= NONIDLE;
    if (oncpu === 0) m |= CPU_FULL;
  }
  if (rq.nrIowait > 0) {
    m |= IO_SOME | NONIDLE;
    if (running === 0) m |= IO_FULL;
  }
  if (rq.psiNrMemstall > 0) {
    m |= MEM_SOME | NONIDLE;
    // FULL when nothing productive runs: every runnable task stalls (or none runs while one waits on a
    // refault), or the CPU itself is busy reclaiming.
    if (running === rq.psiNrMemstallRunning || (oncpu === 1 && rq.curr.inMemstall)) m |= MEM_FULL;
  }
  return m;
}

/** record_times(): charge the time since stateStart to the states of the mask that held. */
function recordTimes(g: PsiGroupCpu, mask: number, now: number): void {
  const delta = now - g.stateStart;
  g.stateStart = now;
  if (mask === 0 || delta === 0) return;
  for (let s = 0; s < NR_PSI_STATES; s++) if (mask & (1 << s)) g.times[s] = (g.times[s] as number) + delta;
}

/** psi_group_change() for rq's CPU: called after its counters or its curr changed. */
export function psiChange(rq: Rq, now: number): void {
  const m = psiStateMask(rq);
  if (m === rq.psiMask) return;
  recordTimes(rq.psi, rq.psiMask, now);
  rq.psiMask = m;
}

/** struct psi_group for the whole system (psi_system). */
export class PsiGroup {
  /** Stall time per state (PSI_AVGS aggregator), ns. */
  readonly total: number[] = new Array<number>(NR_PSI_STATES - 1).fill(0);
  readonly avgTotal: number[] = new Array<number>(NR_PSI_STATES - 1).fill(0);
  /** avg10, avg60, avg300 per state, fixed point. */
  readonly avg: number[][] = Array.from({ length: NR_PSI_STATES - 1 }, () => [0, 0, 0]);
  avgLastUpdate = 0;
  avgNextUpdate: number;

  constructor(
    /** psi_period: PSI_FREQ = 2*HZ+1 jiffies, in ns. */
    readonly periodNs: number,
    /** A jiffy, for nsecs_to_jiffies() of the non-idle weights. */
    private readonly tickNs: number,
  ) {
    this.avgNextUpdate = periodNs;
  }

  /**
   * get_recent_times() over every CPU, weighted by non-idle jiffies (collect_percpu_times()). With commit, the
   * deltas are taken (times_prev moves on) and added to total; without, they are only returned: a read of
   * /proc/pressure/* changes nothing in the simulation.
   */
  private collect(rqs: readonly Rq[], now: number, commit: boolean): number[] {
    const deltas = new Array<number>(NR_PSI_STATES - 1).fill(0);
    let nonidleTotal = 0;
    const times = new Array<number>(NR_PSI_STATES).fill(0);
    for (const rq of rqs) {
      const g = rq.psi;
      for (let s = 0; s < NR_PSI_STATES; s++) {
        let t = g.times[s] as number;
        if (rq.psiMask & (1 << s)) t += now - g.stateStart;
        times[s] = t - (g.timesPrev[s] as number);
        if (commit) g.timesPrev[s] = t;
      }
      const nonidle = Math.floor((times[PSI_NONIDLE] as number) / this.tickNs);
      nonidleTotal += nonidle;
      for (let s = 0; s < PSI_NONIDLE; s++) deltas[s] = (deltas[s] as number) + (times[s] as number) * nonidle;
    }
    const out = new Array<number>(NR_PSI_STATES - 1);
    for (let s = 0; s < NR_PSI_STATES - 1; s++) {
      const add = Math.floor((deltas[s] as number) / Math.max(nonidleTotal, 1));
      out[s] = (this.total[s] as number) + add;
      if (commit) this.total[s] = out[s] as number;
    }
    return out;
  }

  /**
   * psi_avgs_work(): fold the per-CPU times and, when the period is due, feed the averages. Unlike the kernel's
   * worker, this one never stops on an idle machine (the kernel's catch-up with missed periods then decays the
   * averages to the same values, up to rounding).
   */
  avgsWork(rqs: readonly Rq[], now: number): void {
    this.collect(rqs, now, true);
    if (now >= this.avgNextUpdate) this.avgNextUpdate = this.updateAverages(now);
  }

  /** update_averages(). */
  private updateAverages(now: number): number {
    const expires = this.avgNextUpdate;
    let missed = 0;
    if (now - expires >= this.periodNs) missed = Math.floor((now - expires) / this.periodNs);
    const next = expires + (1 + missed) * this.periodNs;
    const period = now - (this.avgLastUpdate + missed * this.periodNs);
    this.avgLastUpdate = now;
    for (let s = 0; s < NR_PSI_STATES - 1; s++) {
      let sample = (this.total[s] as number) - (this.avgTotal[s] as number);
      // Time that slipped into this period from the last is reported late rather than above 100%.
      if (sample > period) sample = period;
      this.avgTotal[s] = (this.avgTotal[s] as number) + sample;
      calcAvgs(this.avg[s] as number[], missed, sample, period);
    }
    return next;
  }

  /** psi_show() for one resource, as /proc/pressure/<res> prints it (pure). */
  show(rqs: readonly Rq[], now: number, res: PsiResource): string {
    const totals = this.collect(rqs, now, false);
    const r = RES_INDEX[res];
    let out = '';
    for (let full = 0; full < 2; full++) {
      const s = r * 2 + full;
      // CPU FULL is undefined at the system level: printed as zeros.
      const undef = res === 'cpu' && full === 1;
      const avg = undef ? [0, 0, 0] : (this.avg[s] as number[]);
      const total = undef ? 0 : Math.floor((totals[s] as number) / 1000);
      out += `${full ? 'full' : 'some'} avg10=${fmtAvg(avg[0] as number)} avg60=${fmtAvg(avg[1] as number)} avg300=${fmtAvg(avg[2] as number)} total=${total}\n`;
    }
    return out;
  }

  /**
   * The some/full averages as percentages, for the dashboard (every frame: the averages as the last PSI period
   * left them, without folding the per-CPU times as a read of /proc/pressure does).
   */
  view(): PsiView {
    const line = (s: number): PsiLine => ({
      avg10: (this.avg[s]?.[0] ?? 0) / FIXED_1,
      avg60: (this.avg[s]?.[1] ?? 0) / FIXED_1,
      avg300: (this.avg[s]?.[2] ?? 0) / FIXED_1,
    });
    return {
      cpuSome: line(PSI_CPU_SOME),
      memSome: line(PSI_MEM_SOME),
      memFull: line(PSI_MEM_FULL),
      ioSome: line(PSI_IO_SOME),
      ioFull: line(PSI_IO_FULL),
    };
  }
}

export interface PsiLine {
  avg10: number;
  avg60: number;
  avg300: number;
}

export interface PsiView {
  cpuSome: PsiLine;
  memSome: PsiLine;
  memFull: PsiLine;
  ioSome: PsiLine;
  ioFull: PsiLine;
}

/** calc_load_n(): n periods of calc_load() with the same active value, by fixed_power_int() as the kernel does. */
function calcLoadN(load: number, exp: number, active: number, n: number): number {
  return calcLoad(load, fixedPowerInt(exp, FSHIFT, n), active);
}

/** fixed_power_int(): x^n in fixed point with frac_bits, rounding each product as the kernel does. */
function fixedPowerInt(x: number, fracBits: number, n: number): number {
  let result = 1 << fracBits;
  if (n !== 0) {
    for (;;) {
      if (n & 1) {
        result *= x;
        result += 1 << (fracBits - 1);
        result = Math.floor(result / (1 << fracBits));
      }
      n >>>= 1;
      if (n === 0) break;
      x *= x;
      x += 1 << (fracBits - 1);
      x = Math.floor(x / (1 << fracBits));
    }
  }
  return result;
}

/** calc_avgs(): decay over missed periods, then sample the last one as a whole percentage. */
function calcAvgs(avg: number[], missed: number, time: number, period: number): void {
  if (missed > 0) {
    avg[0] = calcLoadN(avg[0] as number, EXP_10S, 0, missed);
    avg[1] = calcLoadN(avg[1] as number, EXP_60S, 0, missed);
    avg[2] = calcLoadN(avg[2] as number, EXP_300S, 0, missed);
  }
  const pct = Math.floor((time * 100) / period) * FIXED_1;
  avg[0] = calcLoad(avg[0] as number, EXP_10S, pct);
  avg[1] = calcLoad(avg[1] as number, EXP_60S, pct);
  avg[2] = calcLoad(avg[2] as number, EXP_300S, pct);
}

/** LOAD_INT.LOAD_FRAC, without loadavg's rounding (psi_show prints the fixed point as it is). */
function fmtAvg(x: number): string {
  const int = Math.floor(x / FIXED_1);
  const frac = Math.floor(((x % FIXED_1) * 100) / FIXED_1);
  return `${int}.${String(frac).padStart(2, '0')}`;
}
