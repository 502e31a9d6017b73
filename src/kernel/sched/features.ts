/**
 * Scheduler tunables and feature bits (kernel/sched/features.h, the sysctl_sched_* of fair.c), with the
 * CPU-count scaling of get_update_sysctl_factor(). Defaults follow Linux 6.17 for EEVDF and Linux 6.5 (the last
 * CFS kernel) for CFS mode; every default is listed in the README.
 */
import { NSEC_PER_MSEC } from '../core/time.js';
import type { FairMode } from './fair/cfs-rq.js';

export type PreemptModel = 'none' | 'voluntary' | 'full' | 'lazy';
/** The models /sys/kernel/debug/sched/preempt lists, in its order. */
export const PREEMPT_MODELS: readonly PreemptModel[] = ['none', 'voluntary', 'full', 'lazy'];
export type RtStarvation = 'throttle' | 'fair-server';

export const EEVDF_FEATURES = {
  PLACE_LAG: true,
  PLACE_DEADLINE_INITIAL: true,
  PLACE_REL_DEADLINE: true,
  RUN_TO_PARITY: true,
  PREEMPT_SHORT: true,
  NEXT_BUDDY: false,
  PICK_BUDDY: true,
  CACHE_HOT_BUDDY: true,
  DELAY_DEQUEUE: true,
  DELAY_ZERO: true,
  WAKEUP_PREEMPTION: true,
  HRTICK: false,
  HRTICK_DL: false,
  NONTASK_CAPACITY: true,
  TTWU_QUEUE: true,
  SIS_UTIL: true,
  RT_PUSH_IPI: true,
  RT_RUNTIME_SHARE: false,
  LB_MIN: false,
  ATTACH_AGE_LOAD: true,
  WA_IDLE: true,
  WA_WEIGHT: true,
  WA_BIAS: true,
  UTIL_EST: true,
  LATENCY_WARN: false,
};

export const CFS_FEATURES = {
  GENTLE_FAIR_SLEEPERS: true,
  START_DEBIT: true,
  NEXT_BUDDY: false,
  LAST_BUDDY: true,
  CACHE_HOT_BUDDY: true,
  WAKEUP_PREEMPTION: true,
  HRTICK: false,
  HRTICK_DL: false,
  NONTASK_CAPACITY: true,
  TTWU_QUEUE: true,
  SIS_PROP: false,
  SIS_UTIL: true,
  RT_PUSH_IPI: true,
  RT_RUNTIME_SHARE: false,
  LB_MIN: false,
  ATTACH_AGE_LOAD: true,
  WA_IDLE: true,
  WA_WEIGHT: true,
  WA_BIAS: true,
  UTIL_EST: true,
};

export type FeatureName = keyof typeof EEVDF_FEATURES | keyof typeof CFS_FEATURES;

export interface SchedTunables {
  mode: FairMode;
  /** tunable_scaling: 0 none, 1 logarithmic (default), 2 linear. */
  tunableScaling: 0 | 1 | 2;
  factor: number;
  /** EEVDF base slice, scaled (sysctl_sched_base_slice) and unscaled (normalized_...). */
  baseSliceNs: number;
  normalizedBaseSliceNs: number;
  /** CFS knobs, scaled. */
  latencyNs: number;
  minGranNs: number;
  wakeupGranNs: number;
  nrLatency: number;
  migrationCostNs: number;
  nrMigrate: number;
  features: Record<string, boolean>;
  preempt: PreemptModel;
  /** Spacing of voluntary preemption points (might_sleep/cond_resched) inside long kernel-mode bursts. */
  condReschedNs: number;
  rtStarvation: RtStarvation;
  childRunsFirst: boolean;
}

/** get_update_sysctl_factor(). */
export function sysctlFactor(onlineCpus: number, scaling: 0 | 1 | 2): number {
  const cpus = Math.min(onlineCpus, 8);
  if (scaling === 0) return 1;
  if (scaling === 2) return cpus;
  let log = 0;
  while (2 ** (log + 1) <= cpus) log++;
  return 1 + log;
}

export interface TunableOptions {
  mode: FairMode;
  onlineCpus: number;
  preempt: PreemptModel;
  rtStarvation?: RtStarvation;
  baseSliceNs?: number;
  features?: Record<string, boolean>;
  tunableScaling?: 0 | 1 | 2;
}

export const DEFAULT_BASE_SLICE_NS = 700_000; // 0.70 ms since 6.15 (0.75 ms in 6.6-6.14)

export function makeTunables(o: TunableOptions): SchedTunables {
  const scaling = o.tunableScaling ?? 1;
  const t: SchedTunables = {
    mode: o.mode,
    tunableScaling: scaling,
    factor: 1,
    baseSliceNs: 0,
    normalizedBaseSliceNs: o.baseSliceNs ?? DEFAULT_BASE_SLICE_NS,
    latencyNs: 0,
    minGranNs: 0,
    wakeupGranNs: 0,
    nrLatency: 8,
    migrationCostNs: 500_000,
    nrMigrate: 32,
    features: { ...(o.mode === 'eevdf' ? EEVDF_FEATURES : CFS_FEATURES), ...(o.features ?? {}) },
    preempt: o.preempt,
    condReschedNs: 100_000,
    rtStarvation: o.rtStarvation ?? (o.mode === 'eevdf' ? 'fair-server' : 'throttle'),
    childRunsFirst: false,
  };
  rescaleTunables(t, o.onlineCpus);
  return t;
}

/** update_sysctl(): recompute the scaled knobs for the number of online CPUs. */
export function rescaleTunables(t: SchedTunables, onlineCpus: number): void {
  t.factor = sysctlFactor(onlineCpus, t.tunableScaling);
  t.baseSliceNs = t.normalizedBaseSliceNs * t.factor;
  t.latencyNs = 6 * NSEC_PER_MSEC * t.factor;
  t.minGranNs = 750_000 * t.factor;
  t.wakeupGranNs = 1 * NSEC_PER_MSEC * t.factor;
  t.nrLatency = Math.floor(t.latencyNs / t.minGranNs);
}

/**
 * sched_update_scaling(), after a write to tunable_scaling: the normalized values are re-derived from the current
 * ones with the new factor (and CFS's sched_nr_latency from the current latency and granularity). The current
 * values stay as they are until the next update_sysctl(), at CPU hotplug.
 */
export function updateScaling(t: SchedTunables, onlineCpus: number): void {
  const factor = sysctlFactor(onlineCpus, t.tunableScaling);
  t.normalizedBaseSliceNs = Math.floor(t.baseSliceNs / factor);
  if (t.minGranNs > 0) t.nrLatency = Math.ceil(t.latencyNs / t.minGranNs);
}

export function feat(t: SchedTunables, name: FeatureName): boolean {
  return t.features[name] === true;
}
