/**
 * The kernel's public facade ("sched.h" for the rest of the program): boot a machine from a KernelConfig and
 * drive it. Nothing here reads the wall clock, the environment or files.
 */
import { EventPrio } from './core/engine.js';
import type { KernelConfig } from './config.js';
import { Kernel } from './kernel.js';
import { bootTasks } from './task/boot.js';
import { bootLog, applyCmdline } from './printk/boot-log.js';

export { Kernel } from './kernel.js';
export type { KernelConfig } from './config.js';
export { DEFAULT_CONFIG } from './config.js';
export type { KernelEvent, KernelEventKind, TraceSink } from './core/trace.js';
export * from './api.js';
export { LoadAvg } from './sched/loadavg.js';

/** LOAD_FREQ: the load average is sampled every 5 s + 1 tick. */
export function loadFreqNs(k: Kernel): number {
  return (5 * k.config.hz + 1) * k.tickNs;
}

export function bootKernel(config: KernelConfig): Kernel {
  const k = new Kernel(config);
  applyCmdline(k);
  k.mm.boot();
  bootTasks(k);
  bootLog(k);
  const sample = (): void => {
    let active = 0;
    for (const rq of k.rqs) active += rq.nrRunning + rq.nrUninterruptible;
    k.loadavg.sample(active);
    k.engine.at(loadFreqNs(k), EventPrio.Normal, 'calc_global_load', sample);
  };
  k.engine.at(loadFreqNs(k), EventPrio.Normal, 'calc_global_load', sample);
  // psi_avgs_work: a delayed work one jiffy past each PSI period (its own CPU time is not modelled).
  const psiWork = (): void => {
    k.psi.avgsWork(k.rqs, k.now);
    k.engine.atAbs(k.psi.avgNextUpdate + k.tickNs, EventPrio.Normal, 'psi_avgs_work', psiWork);
  };
  k.engine.atAbs(k.psi.avgNextUpdate + k.tickNs, EventPrio.Normal, 'psi_avgs_work', psiWork);
  return k;
}

export { takeSnapshot } from './snapshot.js';
export type { KernelSnapshot, CpuSnapshot, TaskSnapshot, FairRqSnapshot, FairNode, ZoneSnapshot, SlabSnapshot, OomSnapshot, SnapshotOptions } from './snapshot.js';
export type { MemCounters } from './mm/meminfo.js';
export type { PrintkRecord } from './printk/printk.js';
export { stateHash } from './debug/state-hash.js';
