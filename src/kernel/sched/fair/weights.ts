/**
 * The nice -> load weight tables of kernel/sched/core.c (sched_prio_to_weight / sched_prio_to_wmult), copied
 * verbatim: 13 wmult entries are floor(2^32/w)+1, so they must not be recomputed. Index = nice + 20.
 * Weights here are unscaled (nice 0 = 1024); 64-bit kernels print them shifted left by 10 (NICE_0_LOAD 1<<20).
 */
import { fls, mulU64U32Shr, POW2 } from '../../core/time.js';

export const SCHED_PRIO_TO_WEIGHT: readonly number[] = [
  /* -20 */ 88761, 71755, 56483, 46273, 36291,
  /* -15 */ 29154, 23254, 18705, 14949, 11916,
  /* -10 */ 9548, 7620, 6100, 4904, 3906,
  /*  -5 */ 3121, 2501, 1991, 1586, 1277,
  /*   0 */ 1024, 820, 655, 526, 423,
  /*   5 */ 335, 272, 215, 172, 137,
  /*  10 */ 110, 87, 70, 56, 45,
  /*  15 */ 36, 29, 23, 18, 15,
];

export const SCHED_PRIO_TO_WMULT: readonly number[] = [
  /* -20 */ 48388, 59856, 76040, 92818, 118348,
  /* -15 */ 147320, 184698, 229616, 287308, 360437,
  /* -10 */ 449829, 563644, 704093, 875809, 1099582,
  /*  -5 */ 1376151, 1717300, 2157191, 2708050, 3363326,
  /*   0 */ 4194304, 5237765, 6557202, 8165337, 10153587,
  /*   5 */ 12820798, 15790321, 19976592, 24970740, 31350126,
  /*  10 */ 39045157, 49367440, 61356676, 76695844, 95443717,
  /*  15 */ 119304647, 148102320, 186737708, 238609294, 286331153,
];

/** SCHED_IDLE tasks: WEIGHT_IDLEPRIO / WMULT_IDLEPRIO (kernel/sched/sched.h). */
export const WEIGHT_IDLEPRIO = 3;
export const WMULT_IDLEPRIO = 1431655765;

export const NICE_0_LOAD_SHIFT = 10;
export const NICE_0_LOAD = 1024;
const WMULT_CONST = 0xffffffff;
const WMULT_SHIFT = 32;

export interface LoadWeight {
  readonly weight: number;
  /** 0 means "not computed yet" (the kernel's lazy __update_inv_weight). */
  readonly invWeight: number;
}

/** One shared LoadWeight per nice level (a task's se.load points at one; reweighting swaps the pointer). */
const NICE_LOAD: readonly LoadWeight[] = SCHED_PRIO_TO_WEIGHT.map((weight, i) => ({ weight, invWeight: SCHED_PRIO_TO_WMULT[i] as number }));

/** SCHED_IDLE's weight (WEIGHT_IDLEPRIO / WMULT_IDLEPRIO). */
export const IDLE_LOAD: LoadWeight = { weight: WEIGHT_IDLEPRIO, invWeight: WMULT_IDLEPRIO };

export function weightOfNice(nice: number): LoadWeight {
  const lw = NICE_LOAD[nice + 20];
  if (lw === undefined) throw new RangeError(`nice ${nice} out of range -20..19`);
  return lw;
}

/** __update_inv_weight(): the inverse of an arbitrary (summed) weight. */
export function invWeightOf(w: number): number {
  if (w >= WMULT_CONST) return 1;
  if (w === 0) return WMULT_CONST;
  return Math.floor(WMULT_CONST / w);
}

/**
 * __calc_delta(delta, weight, lw) = delta * weight / lw.weight, computed the kernel's way with the inverse
 * weight and a 32-bit fixed-point shift, so results match the kernel to the nanosecond.
 */
export function calcDelta(deltaNs: number, weight: number, lwWeight: number, lwInv: number): number {
  let shift = WMULT_SHIFT;
  const inv = lwInv !== 0 ? lwInv : invWeightOf(lwWeight);
  // fact = weight * inv may exceed 32 bits: shift it back under 2^32, exactly like the kernel.
  let fact = weight * inv; // < 2^49, exact
  const hi = Math.floor(fact / 4294967296);
  if (hi !== 0) {
    const fs = fls(hi);
    shift -= fs;
    fact = Math.floor(fact / (POW2[fs] as number));
  }
  return mulU64U32Shr(deltaNs, fact, shift);
}

/** calc_delta_fair(delta, se): delta scaled to virtual time, identity for nice 0. */
export function calcDeltaFair(deltaNs: number, lw: LoadWeight): number {
  if (lw.weight === NICE_0_LOAD) return deltaNs;
  return calcDelta(deltaNs, NICE_0_LOAD, lw.weight, lw.invWeight);
}
