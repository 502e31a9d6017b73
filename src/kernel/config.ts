/**
 * What the simulated machine is: everything that affects determinism (SimConfig in the design). The scenario
 * loader builds one of these; the kernel never reads files, the environment or the terminal.
 */
import type { FairMode } from './sched/fair/cfs-rq.js';
import type { PreemptModel, RtStarvation } from './sched/features.js';

export interface KernelConfig {
  seed: number;
  nrCpus: number;
  hz: number;
  memoryBytes: number;
  swapBytes: number;
  fairMode: FairMode;
  preempt: PreemptModel;
  rtStarvation?: RtStarvation;
  baseSliceNs?: number;
  features?: Record<string, boolean>;
  /** Initial sysctl values by dotted name (kernel.sched_rt_runtime_us, vm.overcommit_memory, ...). */
  sysctl: Record<string, number | string>;
  /** Kernel command line: quiet, debug, loglevel=N, ignore_loglevel, sysrq_always_enabled, printk.caller... */
  cmdline: string;
  /** Initial /proc/sys/kernel/printk, e.g. "4 4 1 7" (overrides what cmdline implies). */
  printk?: string;
  /** Hostname shown by uname-like output and in the boot log. */
  hostname: string;
  /** Kernel release string shown in /proc/version and sched_debug. */
  release: string;
}

export const DEFAULT_CONFIG: KernelConfig = {
  seed: 1,
  nrCpus: 1,
  hz: 250,
  memoryBytes: 1024 * 1024 * 1024,
  swapBytes: 0,
  fairMode: 'eevdf',
  preempt: 'voluntary',
  sysctl: {},
  cmdline: '',
  hostname: 'kernsim',
  release: '6.17.0-kernsim',
};
