/**
 * The sysctl table: /proc/sys/<a>/<b> files by dotted name, with the kernel's handlers' validation
 * (proc_dointvec_minmax and friends): a bad or out-of-range value is EINVAL, a read-only file EACCES/EPERM.
 * Writes return null or an errno name.
 */
import type { Kernel } from '../kernel.js';
import { maxThreads } from '../task/fork.js';
import { toRatio } from '../sched/dl/deadline.js';

export interface SysctlEntry {
  readonly name: string;
  read(k: Kernel): string;
  /** Undefined for read-only entries. */
  write?(k: Kernel, value: string): string | null;
  /** Files that exist but cannot be read (mode 0200). */
  writeOnly?: boolean;
}

const INT_MAX = 2 ** 31 - 1;

function parseInts(value: string, n: number): number[] | null {
  const parts = value.trim().split(/\s+/);
  if (parts.length === 0 || parts[0] === '' || parts.length > n) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[-+]?\d+$/.test(p)) return null;
    const v = Number(p);
    if (!Number.isSafeInteger(v)) return null;
    out.push(v);
  }
  return out;
}

/** An int sysctl with a range (proc_dointvec_minmax). */
function intEntry(name: string, get: (k: Kernel) => number, set: ((k: Kernel, v: number) => string | null) | null, min = -INT_MAX - 1, max = INT_MAX): SysctlEntry {
  const e: SysctlEntry = { name, read: (k) => `${get(k)}\n` };
  if (set !== null) {
    (e as { write?: SysctlEntry['write'] }).write = (k, value) => {
      const v = parseInts(value, 1);
      if (v === null) return 'EINVAL';
      const x = v[0] as number;
      if (x < min || x > max) return 'EINVAL';
      return set(k, x);
    };
  }
  return e;
}

function boolish(name: string, get: (k: Kernel) => number, set: (k: Kernel, v: number) => void, max = 1): SysctlEntry {
  return intEntry(name, get, (k, v) => {
    set(k, v);
    return null;
  }, 0, max);
}

export function buildSysctlTable(): Map<string, SysctlEntry> {
  const list: SysctlEntry[] = [
    intEntry(
      'kernel.sched_rt_runtime_us',
      (k) => k.sysctl.rtRuntimeUs,
      (k, v) => {
        // sched_rt_handler(): runtime may not exceed the period; lowering it below the DL bandwidth in use is EBUSY.
        if (v > k.sysctl.rtPeriodUs) return 'EINVAL';
        if (v >= 0) {
          const cap = k.rqs.filter((r) => r.online).length;
          const bw = toRatio(k.sysctl.rtPeriodUs * 1000, v * 1000);
          if (bw * cap < k.classes.dl.totalBw) return 'EBUSY';
        }
        k.sysctl.rtRuntimeUs = v;
        return null;
      },
      -1,
    ),
    intEntry(
      'kernel.sched_rt_period_us',
      (k) => k.sysctl.rtPeriodUs,
      (k, v) => {
        if (v < k.sysctl.rtRuntimeUs) return 'EINVAL';
        k.sysctl.rtPeriodUs = v;
        return null;
      },
      1,
    ),
    intEntry('kernel.sched_rr_timeslice_ms', (k) => k.sysctl.rrTimesliceMs, (k, v) => {
      k.sysctl.setRrTimesliceMs(v);
      return null;
    }),
    boolish('kernel.sched_child_runs_first', (k) => k.sysctl.schedChildRunsFirst, (k, v) => {
      k.sysctl.schedChildRunsFirst = v;
      k.tunables.childRunsFirst = v !== 0;
    }),
    intEntry('kernel.sched_deadline_period_max_us', (k) => k.sysctl.dlPeriodMaxUs, (k, v) => {
      if (v < k.sysctl.dlPeriodMinUs) return 'EINVAL';
      k.sysctl.dlPeriodMaxUs = v;
      return null;
    }, 1),
    intEntry('kernel.sched_deadline_period_min_us', (k) => k.sysctl.dlPeriodMinUs, (k, v) => {
      if (v > k.sysctl.dlPeriodMaxUs) return 'EINVAL';
      k.sysctl.dlPeriodMinUs = v;
      return null;
    }, 1),
    intEntry('kernel.pid_max', (k) => k.sysctl.pidMax, (k, v) => {
      k.sysctl.pidMax = v;
      return null;
    }, 301, 4_194_304),
    intEntry('kernel.sysrq', (k) => k.sysctl.sysrq, (k, v) => {
      k.sysctl.sysrq = v;
      return null;
    }, 0, INT_MAX),
    {
      name: 'kernel.printk',
      read: (k) => {
        const s = k.printkRing.settings;
        return `${s.consoleLoglevel}\t${s.defaultMessageLoglevel}\t${s.minimumConsoleLoglevel}\t${s.defaultConsoleLoglevel}\n`;
      },
      write: (k, value) => {
        const v = parseInts(value, 4);
        if (v === null) return 'EINVAL';
        const s = k.printkRing.settings;
        const keys = ['consoleLoglevel', 'defaultMessageLoglevel', 'minimumConsoleLoglevel', 'defaultConsoleLoglevel'] as const;
        v.forEach((x, i) => {
          s[keys[i] as (typeof keys)[number]] = x;
        });
        return null;
      },
    },
    intEntry('kernel.panic', (k) => k.sysctl.panic, (k, v) => {
      k.sysctl.panic = v;
      return null;
    }),
    {
      name: 'kernel.hostname',
      read: (k) => `${k.nodename}\n`,
      // proc_do_uts_string(): the first __NEW_UTS_LEN (64) bytes up to a newline; the rest is dropped.
      write: (k, value) => {
        k.nodename = (value.split('\n')[0] ?? '').slice(0, 64);
        return null;
      },
    },
    { name: 'kernel.osrelease', read: (k) => `${k.config.release}\n` },
    { name: 'kernel.ostype', read: () => 'Linux\n' },
    { name: 'kernel.version', read: () => '#1 SMP PREEMPT_DYNAMIC\n' },
    { name: 'kernel.threads-max', read: (k) => `${maxThreads(k)}\n` },
    intEntry('vm.overcommit_memory', (k) => k.sysctl.overcommitMemory, (k, v) => {
      k.sysctl.overcommitMemory = v;
      return null;
    }, 0, 2),
    intEntry('vm.overcommit_ratio', (k) => k.sysctl.overcommitRatio, (k, v) => {
      // Writing one of ratio / kbytes zeroes the other.
      k.sysctl.overcommitRatio = v;
      k.sysctl.overcommitKbytes = 0;
      return null;
    }, 0),
    intEntry('vm.overcommit_kbytes', (k) => k.sysctl.overcommitKbytes, (k, v) => {
      k.sysctl.overcommitKbytes = v;
      if (v !== 0) k.sysctl.overcommitRatio = 0;
      return null;
    }, 0, Number.MAX_SAFE_INTEGER),
    intEntry('vm.user_reserve_kbytes', (k) => k.sysctl.userReserveKbytes, (k, v) => {
      k.sysctl.userReserveKbytes = v;
      return null;
    }, 0, Number.MAX_SAFE_INTEGER),
    intEntry('vm.admin_reserve_kbytes', (k) => k.sysctl.adminReserveKbytes, (k, v) => {
      k.sysctl.adminReserveKbytes = v;
      return null;
    }, 0, Number.MAX_SAFE_INTEGER),
    // Mode 0200 in the kernel: even root cannot read it back.
    { ...intEntry('vm.drop_caches', (k) => k.sysctl.dropCaches, (k, v) => {
      k.sysctl.dropCaches = v;
      k.mm.dropCaches(v);
      return null;
    }, 1, 4), writeOnly: true },
    intEntry('vm.panic_on_oom', (k) => k.sysctl.panicOnOom, (k, v) => {
      k.sysctl.panicOnOom = v;
      return null;
    }, 0, 2),
    boolish('vm.oom_kill_allocating_task', (k) => k.sysctl.oomKillAllocatingTask, (k, v) => {
      k.sysctl.oomKillAllocatingTask = v;
    }, INT_MAX),
    boolish('vm.oom_dump_tasks', (k) => k.sysctl.oomDumpTasks, (k, v) => {
      k.sysctl.oomDumpTasks = v;
    }, INT_MAX),
    intEntry('vm.min_free_kbytes', (k) => k.sysctl.minFreeKbytes, (k, v) => {
      k.sysctl.minFreeKbytes = v;
      k.mm.setupWatermarks();
      return null;
    }, 0, INT_MAX),
    intEntry('vm.watermark_scale_factor', (k) => k.sysctl.watermarkScaleFactor, (k, v) => {
      k.sysctl.watermarkScaleFactor = v;
      k.mm.setupWatermarks();
      return null;
    }, 1, 3000),
    intEntry('vm.swappiness', (k) => k.sysctl.swappiness, (k, v) => {
      k.sysctl.swappiness = v;
      return null;
    }, 0, 200),
    intEntry('vm.page-cluster', (k) => k.sysctl.pageCluster, (k, v) => {
      k.sysctl.pageCluster = v;
      return null;
    }, 0, 31),
    intEntry('vm.vfs_cache_pressure', (k) => k.sysctl.vfsCachePressure, (k, v) => {
      k.sysctl.vfsCachePressure = v;
      return null;
    }, 0, INT_MAX),
  ];
  return new Map(list.map((e) => [e.name, e]));
}

/** kernel.sched_rt_runtime_us <-> /proc/sys/kernel/sched_rt_runtime_us */
export function sysctlNameToPath(name: string): string {
  return `/proc/sys/${name.replace(/\./g, '/')}`;
}

export function pathToSysctlName(path: string): string | null {
  const m = /^\/proc\/sys\/(.+)$/.exec(path);
  return m ? (m[1] as string).replace(/\//g, '.') : null;
}
