/**
 * The load average (kernel/sched/loadavg.c): fixed point with FSHIFT 11, sampled every LOAD_FREQ = 5*HZ+1
 * ticks from nr_running + nr_uninterruptible over all CPUs, with the 6.x round-up when the load grows.
 */
export const FSHIFT = 11;
export const FIXED_1 = 1 << FSHIFT;
export const EXP_1 = 1884;
export const EXP_5 = 2014;
export const EXP_15 = 2037;

/** calc_load(). */
export function calcLoad(load: number, exp: number, active: number): number {
  let newload = load * exp + active * (FIXED_1 - exp);
  if (active >= load) newload += FIXED_1 - 1;
  return Math.floor(newload / FIXED_1);
}

export class LoadAvg {
  /** avenrun[0..2] in fixed point. */
  readonly avenrun = [0, 0, 0];
  samples = 0;

  sample(nrActive: number): void {
    const active = nrActive > 0 ? nrActive * FIXED_1 : 0;
    this.avenrun[0] = calcLoad(this.avenrun[0] as number, EXP_1, active);
    this.avenrun[1] = calcLoad(this.avenrun[1] as number, EXP_5, active);
    this.avenrun[2] = calcLoad(this.avenrun[2] as number, EXP_15, active);
    this.samples++;
  }

  /** "%lu.%02lu" with the kernel's FIXED_1/200 rounding (LOAD_INT / LOAD_FRAC). */
  static format(x: number): string {
    const v = x + Math.floor(FIXED_1 / 200);
    const int = v >> FSHIFT;
    const frac = ((v & (FIXED_1 - 1)) * 100) >> FSHIFT;
    return `${int}.${String(frac).padStart(2, '0')}`;
  }

  /** As a float, for the UI. */
  value(i: 0 | 1 | 2): number {
    return (this.avenrun[i] as number) / FIXED_1;
  }
}
