/**
 * loops_per_jiffy and BogoMIPS (init/calibrate.c, arch/x86/kernel/tsc.c): with a known TSC frequency the kernel
 * skips the delay-loop calibration and takes lpj_fine = tsc_khz * 1000 / HZ. BogoMIPS is printed from lpj with C's
 * integer divisions, so the figure moves a little with HZ (4801.00 at HZ=300 where HZ=250 gives 4800.00).
 */

/** The simulated CPUs' TSC: 2.4 GHz (/proc/cpuinfo's "cpu MHz"). */
export const TSC_KHZ = 2_400_000;

/** lpj_fine for a HZ. */
export function loopsPerJiffy(hz: number): number {
  return Math.floor((TSC_KHZ * 1000) / hz);
}

/** "%lu.%02lu" of lpj/(500000/HZ) and (lpj/(5000/HZ)) % 100: calibrate_delay() and /proc/cpuinfo. */
export function bogomips(lpj: number, hz: number): string {
  const whole = Math.floor(lpj / Math.floor(500000 / hz));
  const frac = Math.floor(lpj / Math.floor(5000 / hz)) % 100;
  return `${whole}.${String(frac).padStart(2, '0')}`;
}

/** smp_cpus_done()'s total: (bogosum/(5000/HZ))/100 and (bogosum/(5000/HZ))%100 over the online CPUs' lpj. */
export function bogomipsTotal(bogosum: number, hz: number): string {
  const hundredths = Math.floor(bogosum / Math.floor(5000 / hz));
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;
}
