/**
 * Virtual time: integer nanoseconds (a plain number; names carry the unit as a suffix: sliceNs, nowNs).
 * Safe up to 2^53 ns, about 104 days of virtual time. Also the kernel's integer helpers that time math needs.
 */

export type Ns = number;

export const NSEC_PER_USEC = 1_000;
export const NSEC_PER_MSEC = 1_000_000;
export const NSEC_PER_SEC = 1_000_000_000;
export const USEC_PER_SEC = 1_000_000;

/** Floor division of integers, exact for |a| < 2^53 and 0 < |b| < 2^31 (rounds toward -infinity). */
export function divFloor(a: number, b: number): number {
  let q = Math.floor(a / b);
  // The float quotient may round across an integer boundary; correct it.
  if (q * b > a) q--;
  else if ((q + 1) * b <= a) q++;
  return q;
}

/** Truncating division (C's / and the kernel's div_s64). */
export function divTrunc(a: number, b: number): number {
  const q = divFloor(Math.abs(a), Math.abs(b));
  return (a < 0) !== (b < 0) ? -q : q;
}

/** int_sqrt() from lib/math/int_sqrt.c: floor(sqrt(x)) for a non-negative integer. */
export function intSqrt(x: number): number {
  if (x < 2) return x;
  let r = Math.floor(Math.sqrt(x)); // sqrt is correctly rounded by IEEE 754; fix up the edges exactly
  while (r * r > x) r--;
  while ((r + 1) * (r + 1) <= x) r++;
  return r;
}

/** fls(): 1-based index of the most significant set bit; fls(0) = 0. */
export function fls(x: number): number {
  if (x < 4294967296) return x <= 0 ? 0 : 32 - Math.clz32(x);
  let n = 0;
  while (x > 0) {
    n++;
    x = Math.floor(x / 2);
  }
  return n;
}

/**
 * POW2[n] = 2^n for 0 <= n <= 63. A variable `2 ** n` compiles to a call of the C library's pow(), about 60 ns;
 * the hot fixed-point helpers (mulU64U32Shr runs on every update_curr of a non-nice-0 task) read this instead.
 */
export const POW2: Float64Array = Float64Array.from({ length: 64 }, (_, i) => 2 ** i);

/**
 * mul_u64_u32_shr(a, mul, shift): floor(a * mul / 2^shift) computed exactly, for a < 2^37, mul < 2^32,
 * 16 <= shift <= 52. Splits mul into 16-bit halves so every partial product stays below 2^53.
 */
export function mulU64U32Shr(a: number, mul: number, shift: number): number {
  if (a >= 2 ** 37 || shift < 16) return mulShrSlow(a, mul, shift);
  const mh = Math.floor(mul / 65536);
  const ml = mul - mh * 65536;
  const hi = a * mh; // < 2^53
  const lo = a * ml; // < 2^53
  const d = POW2[shift - 16] as number;
  const q1 = Math.floor(hi / d); // exact: d is a power of two
  const r1 = hi - q1 * d;
  return q1 + Math.floor((r1 * 65536 + lo) / (POW2[shift] as number));
}

function mulShrSlow(a: number, mul: number, shift: number): number {
  return Number((BigInt(a) * BigInt(mul)) >> BigInt(shift));
}

/** Format ns as seconds with 6 decimals, the kernel's "%5lu.%06lu" used by printk and ftrace. */
export function fmtSecUsec(ns: Ns, width = 5): string {
  const us = Math.floor(ns / NSEC_PER_USEC);
  const s = Math.floor(us / USEC_PER_SEC);
  const frac = us - s * USEC_PER_SEC;
  return `${String(s).padStart(width)}.${String(frac).padStart(6, '0')}`;
}

/** "%Ld.%06ld" of a ns value as ms (SEQ_printf of SPLIT_NS in sched/debug.c). */
export function splitNs(ns: number): string {
  const neg = ns < 0;
  const a = Math.abs(ns);
  const ms = Math.floor(a / NSEC_PER_MSEC);
  const rem = a - ms * NSEC_PER_MSEC;
  return `${neg ? '-' : ''}${ms}.${String(rem).padStart(6, '0')}`;
}

/**
 * A class's time fields are declared with -0 and zeroed by its constructor (zeroTimeFields, or one assignment
 * for a private field). V8 lays an object's field out for the first value stored in it: a small integer (Smi,
 * below 2^31) for a plain 0. Times pass 2^31 ns after 2.1 s of virtual time, and each field that does is then
 * widened to a double: a new layout that deoptimizes every function optimized against the old one, each field
 * at its own moment. -0 is a double from the first store; zeroing it makes it a plain 0 (-0 would show in
 * Object.is and util.inspect) and keeps the double layout. In the dashboard's first 45 s this took V8's
 * deoptimizations from 122 to 84-85.
 *
 * Only for a few objects whose fields the hot paths read: the kernel (the dashboard keeps 256 exited tasks, so
 * exitedDroppedCpuNs passes 2^31 early, and a new layout of the Kernel object deoptimizes nearly everything: it
 * alone is 35-70 of those deoptimizations), run queues and their CPU stats, the balancer, the timeline and
 * runqueue widgets. A double field is a 16 B box of its own in every instance: for tasks that was
 * 340 B each (the 10 000-task bench: 1 955 -> 2 321 B a task) for 12 more deoptimizations saved, and the engine's
 * timers, the cfs_rq and cached files saved none for some 60 B a task, so they keep plain 0s.
 */
export function zeroTimeFields<T extends object>(o: T, fields: readonly (keyof T & string)[]): void {
  const r = o as Record<string, unknown>;
  for (const f of fields) r[f] = 0;
}
