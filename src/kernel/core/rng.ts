/**
 * The seeded PRNG: xoshiro128** (Blackman & Vigna) seeded through splitmix32, with fork(label) sub-streams.
 * Our own implementation on purpose: its output is part of kernsim's determinism (golden values in tests).
 * fork() derives a child from the root seed and the label path only, never from the parent's position,
 * so adding a consumer never perturbs the streams of the others.
 */

export interface Rng {
  nextU32(): number;
  /** Uniform integer in [0, bound), unbiased; bound <= 2^53. */
  intBelow(bound: number): number;
  /** Uniform integer in [lo, hi] inclusive. */
  intBetween(lo: number, hi: number): number;
  chance(numerator: number, denominator: number): boolean;
  /** Exponentially distributed integer with the given mean (inverse CDF with a deterministic log). */
  expInt(mean: number): number;
  fork(label: string): Rng;
  readonly path: string;
}

const TWO32 = 4294967296;

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) >>> 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

export class Xoshiro128 implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(
    private readonly seed: number,
    readonly path = '',
  ) {
    const st = { s: fnv1a(`${seed}|${path}`) ^ (seed >>> 0) };
    // The state words are kept as int32 (the same bits): a uint32 above 2^31 is a boxed double in a field.
    this.a = splitmix32(st) | 0;
    this.b = splitmix32(st) | 0;
    this.c = splitmix32(st) | 0;
    this.d = splitmix32(st) | 0;
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  intBelow(bound: number): number {
    if (!(bound >= 1) || !Number.isInteger(bound)) throw new RangeError(`intBelow(${bound})`);
    if (bound <= TWO32) {
      const limit = TWO32 - (TWO32 % bound);
      for (;;) {
        const x = this.nextU32();
        // | 0 keeps a small result a small integer: x is often above 2^31, and a double that escapes into a
        // task's field (a priority, a nice) turns that field into a boxed double for every task.
        if (x < limit) return bound <= 0x80000000 ? (x % bound) | 0 : x % bound;
      }
    }
    const TWO53 = 2 ** 53;
    const limit = TWO53 - (TWO53 % bound);
    for (;;) {
      const x = (this.nextU32() >>> 11) * TWO32 + this.nextU32();
      if (x < limit) return x % bound;
    }
  }

  intBetween(lo: number, hi: number): number {
    if (hi < lo) throw new RangeError(`intBetween(${lo}, ${hi})`);
    return lo + this.intBelow(hi - lo + 1);
  }

  chance(numerator: number, denominator: number): boolean {
    return this.intBelow(denominator) < numerator;
  }

  expInt(mean: number): number {
    const u = (this.nextU32() + 1) / TWO32; // (0, 1]
    return Math.round(-mean * lnDet(u));
  }

  fork(label: string): Rng {
    // join(), not a template: one flat string, where concatenation keeps a chain of string pieces alive for
    // the life of the stream (a task's stream lives as long as the task).
    return new Xoshiro128(this.seed, this.path === '' ? label : [this.path, label].join('/'));
  }
}

/** Rotate the 32 bits of x left by k; the result as an int32. */
function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

const LN2 = 0.6931471805599453;

/**
 * Natural log using only + - * / (correctly rounded in IEEE 754, so identical on every engine), unlike
 * Math.log whose last bits the language leaves to the implementation. For x in (0, 1e300].
 */
export function lnDet(x: number): number {
  if (!(x > 0)) throw new RangeError(`lnDet(${x})`);
  let e = 0;
  while (x < 1) {
    x *= 2;
    e--;
  }
  while (x >= 2) {
    x /= 2;
    e++;
  }
  // ln(m) = 2 atanh(z), z = (m-1)/(m+1) in [0, 1/3)
  const z = (x - 1) / (x + 1);
  const z2 = z * z;
  let term = z;
  let sum = 0;
  for (let k = 1; k <= 41; k += 2) {
    sum += term / k;
    term *= z2;
  }
  return 2 * sum + e * LN2;
}
