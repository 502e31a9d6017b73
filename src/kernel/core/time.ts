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
  let n = 0;
  while (x > 0) {
    n++;
    x = Math.floor(x / 2);
  }
  return n;
}

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
  const d = 2 ** (shift - 16);
  const q1 = Math.floor(hi / d); // exact: d is a power of two
  const r1 = hi - q1 * d;
  return q1 + Math.floor((r1 * 65536 + lo) / 2 ** shift);
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
