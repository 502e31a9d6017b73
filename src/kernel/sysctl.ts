/**
 * The kernel's tunables as typed fields (the values behind /proc/sys and a few debugfs files). The procfs
 * layer (proc/sysctl-table.ts) maps names to these fields and validates writes the way proc_dointvec_minmax
 * and friends do.
 */
export class SysctlValues {
  /** kernel.sched_rt_runtime_us / kernel.sched_rt_period_us (-1 disables throttling). */
  rtRuntimeUs = 950_000;
  rtPeriodUs = 1_000_000;
  /** kernel.sched_rr_timeslice_ms and the tick count it maps to. */
  rrTimesliceMs = 100;
  rrTimesliceTicks: number;
  schedChildRunsFirst = 0;
  /** kernel.sched_deadline_period_min_us / max_us. */
  dlPeriodMinUs = 100;
  dlPeriodMaxUs = 4_194_304;
  pidMax: number;
  /** kernel.sysrq (0, 1 or a bitmask). */
  sysrq = 0x1;
  /** vm.overcommit_memory / ratio / kbytes, the reserves, drop_caches (write-only), OOM knobs. */
  overcommitMemory = 0;
  overcommitRatio = 50;
  overcommitKbytes = 0;
  userReserveKbytes = 0;
  adminReserveKbytes = 0;
  panicOnOom = 0;
  oomKillAllocatingTask = 0;
  oomDumpTasks = 1;
  minFreeKbytes = 0;
  watermarkScaleFactor = 10;
  swappiness = 60;
  /** vm.page-cluster: a swap-in fault reads 2^page_cluster pages (swapin_readahead's window). */
  pageCluster = 3;
  vfsCachePressure = 100;
  dropCaches = 0;
  /** kernel.panic: seconds before reboot after a panic (0: stay). */
  panic = 0;

  constructor(
    readonly hz: number,
    nrCpus: number,
  ) {
    this.rrTimesliceTicks = Math.floor((100 * hz) / 1000);
    this.pidMax = Math.max(32768, 1024 * nrCpus);
  }

  /** sched_rr_handler(): <= 0 restores the default (RR_TIMESLICE); otherwise msecs_to_jiffies. */
  setRrTimesliceMs(ms: number): void {
    if (ms <= 0) {
      this.rrTimesliceTicks = Math.floor((100 * this.hz) / 1000);
      this.rrTimesliceMs = Math.floor((1000 * this.rrTimesliceTicks) / this.hz);
    } else {
      this.rrTimesliceMs = ms;
      this.rrTimesliceTicks = Math.max(1, Math.ceil((ms * this.hz) / 1000));
    }
  }
}
