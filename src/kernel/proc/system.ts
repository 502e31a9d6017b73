/**
 * System-wide /proc files of the scheduler: loadavg, stat, schedstat, uptime, version, cpuinfo.
 */
import { bogomips, loopsPerJiffy, TSC_KHZ } from '../core/calibrate.js';
import type { Kernel } from '../kernel.js';
import { linuxBanner } from '../printk/boot-log.js';
import type { SdStats } from '../sched/balance.js';
import { LoadAvg } from '../sched/loadavg.js';
import { accountRq } from '../sched/tick.js';
import { nsToClockTicks } from './fmt.js';
import { intrLine } from './interrupts.js';

/** The machine's boot time, seconds since the epoch (/proc/stat btime): 2026-01-01 00:00:00 UTC, every boot. */
export const BOOT_TIME_SEC = 1767225600;

/** /proc/loadavg: the three averages, runnable/total tasks, and the last pid handed out. */
export function renderLoadavg(k: Kernel): string {
  const a = k.loadavg.avenrun;
  let running = 0;
  for (const rq of k.rqs) running += rq.nrRunning;
  const total = [...k.tasks.values()].filter((t) => t.exitState === 0).length;
  return `${LoadAvg.format(a[0] as number)} ${LoadAvg.format(a[1] as number)} ${LoadAvg.format(a[2] as number)} ${running}/${total} ${k.lastAllocatedPid}\n`;
}

/** /proc/stat: per-CPU time in USER_HZ ticks, context switches, processes. */
export function renderStat(k: Kernel): string {
  for (const rq of k.rqs) accountRq(k, rq);
  const row = (name: string, s: { user: number; nice: number; system: number; idle: number; iowait: number; irq: number; softirq: number }): string =>
    `${name} ${[s.user, s.nice, s.system, s.idle, s.iowait, s.irq, s.softirq, 0, 0, 0].map(nsToClockTicks).join(' ')}`;
  const total = { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0 };
  let ctxt = 0;
  let running = 0;
  let blocked = 0;
  for (const rq of k.rqs) {
    const c = rq.cpustat;
    total.user += c.user;
    total.nice += c.nice;
    total.system += c.system;
    total.idle += c.idle;
    total.iowait += c.iowait;
    ctxt += rq.nrSwitches;
    running += rq.nrRunning;
    blocked += rq.nrIowait;
  }
  const lines = [row('cpu ', total), ...k.rqs.map((rq) => row(`cpu${rq.cpu}`, rq.cpustat))];
  const forks = k.eventCounts.get('sched_process_fork');
  lines.push(
    intrLine(k),
    `ctxt ${ctxt}`,
    `btime ${BOOT_TIME_SEC}`,
    `processes ${forks}`,
    `procs_running ${running}`,
    `procs_blocked ${blocked}`,
    'softirq 0 0 0 0 0 0 0 0 0 0 0',
  );
  return `${lines.join('\n')}\n`;
}

/**
 * /proc/schedstat, version 17 (6.13+, kernel/sched/stats.c): per CPU the runqueue's counters (yld_count, a
 * legacy 0, sched_count, sched_goidle, ttwu_count, ttwu_local, rq_cpu_time, run_delay, pcount), then a line per
 * scheduling domain: its name and span, eleven load-balancing counters for each idle type (busy, idle, newly
 * idle), then active balancing, the unused exec/fork balancing counters and the wakeup counters. A machine
 * with one CPU has no domains.
 */
export function renderSchedstat(k: Kernel): string {
  const lines = ['version 17', `timestamp ${k.jiffies}`];
  const span = k.cpuMaskAll.toHex();
  for (const rq of k.rqs) {
    lines.push(`cpu${rq.cpu} ${rq.yldCount} 0 ${rq.schedCount} ${rq.schedGoidle} ${rq.ttwuCount} ${rq.ttwuLocal} ${rq.rqCpuTimeNs} ${rq.rqRunDelayNs} ${rq.rqPcount}`);
    if (k.nrCpus === 1) continue;
    const d = k.balancer.sdStats[rq.cpu] as SdStats;
    const lb: number[] = [];
    for (let i = 0; i < 3; i++) {
      for (const a of [d.lbCount, d.lbBalanced, d.lbFailed, d.lbImbalanceLoad, d.lbImbalanceUtil, d.lbImbalanceTask, d.lbImbalanceMisfit, d.lbGained, d.lbHotGained, d.lbNobusyq, d.lbNobusyg]) {
        lb.push(a[i] as number);
      }
    }
    const rest = [d.albCount, d.albFailed, d.albPushed, 0, 0, 0, 0, 0, 0, d.ttwuWakeRemote, d.ttwuMoveAffine, 0];
    lines.push(`domain0 ${k.balancer.domain.name} ${span} ${[...lb, ...rest].join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** /proc/uptime: seconds since boot and the sum of idle time over CPUs. */
export function renderUptime(k: Kernel): string {
  let idle = 0;
  for (const rq of k.rqs) {
    accountRq(k, rq);
    idle += rq.cpustat.idle + rq.cpustat.iowait;
  }
  return `${(Math.floor(k.now / 1e7) / 100).toFixed(2)} ${(Math.floor(idle / 1e7) / 100).toFixed(2)}\n`;
}

export function renderVersion(k: Kernel): string {
  return `${linuxBanner(k.config)}\n`;
}

export function renderCpuinfo(k: Kernel): string {
  const blocks: string[] = [];
  for (let c = 0; c < k.nrCpus; c++) {
    blocks.push(
      [
        `processor\t: ${c}`,
        'vendor_id\t: GenuineIntel',
        'cpu family\t: 6',
        'model\t\t: 85',
        'model name\t: kernsim virtual CPU @ 2.40GHz',
        `cpu MHz\t\t: ${(TSC_KHZ / 1000).toFixed(3)}`,
        'cache size\t: 16384 KB',
        'physical id\t: 0',
        `siblings\t: ${k.nrCpus}`,
        `core id\t\t: ${c}`,
        `cpu cores\t: ${k.nrCpus}`,
        `apicid\t\t: ${c}`,
        'fpu\t\t: yes',
        'flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx lm constant_tsc nopl xtopology cpuid pni ssse3 cx16 sse4_1 sse4_2 x2apic popcnt aes xsave avx hypervisor',
        `bogomips\t: ${bogomips(loopsPerJiffy(k.config.hz), k.config.hz)}`,
        'clflush size\t: 64',
        'cache_alignment\t: 64',
        'address sizes\t: 46 bits physical, 48 bits virtual',
        '',
      ].join('\n'),
    );
  }
  return `${blocks.join('\n')}\n`;
}
