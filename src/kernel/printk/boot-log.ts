/**
 * The kernel command line's effect on printk (quiet, debug, loglevel=, ignore_loglevel) and the first lines
 * a real boot prints, naming the simulated CPUs, memory and scheduler.
 */
import { bogomips, bogomipsTotal, loopsPerJiffy } from '../core/calibrate.js';
import type { Kernel } from '../kernel.js';

export interface CmdlineFlags {
  sysrqAlwaysEnabled: boolean;
}

export function applyCmdline(k: Kernel): CmdlineFlags {
  const s = k.printkRing.settings;
  const flags: CmdlineFlags = { sysrqAlwaysEnabled: false };
  for (const word of k.config.cmdline.split(/\s+/).filter((w) => w !== '')) {
    if (word === 'quiet') s.consoleLoglevel = 4;
    else if (word === 'debug') s.consoleLoglevel = 10;
    else if (word === 'ignore_loglevel') k.printkRing.ignoreLoglevel = true;
    else if (word === 'sysrq_always_enabled') flags.sysrqAlwaysEnabled = true;
    else if (word === 'printk.caller=1' || word === 'printk.caller') k.printkRing.callerInfo = true;
    else if (word.startsWith('loglevel=')) {
      const n = Number(word.slice('loglevel='.length));
      if (Number.isInteger(n) && n >= 0 && n <= 15) s.consoleLoglevel = n;
    }
  }
  if (k.config.printk !== undefined) {
    const v = k.config.printk.trim().split(/\s+/).map(Number);
    if (v[0] !== undefined) s.consoleLoglevel = v[0];
    if (v[1] !== undefined) s.defaultMessageLoglevel = v[1];
    if (v[2] !== undefined) s.minimumConsoleLoglevel = v[2];
    if (v[3] !== undefined) s.defaultConsoleLoglevel = v[3];
  }
  k.sysrqAlwaysEnabled = flags.sysrqAlwaysEnabled;
  return flags;
}

/**
 * The whole command line as the boot loader passes it: /proc/cmdline and the first boot lines. schedstats=enable
 * because the machine keeps the schedstats /proc/schedstat, /proc/PID/sched and sched_debug print (a kernel booted
 * without it leaves them at zero).
 */
/** UTS_VERSION: the build's number, its preemption configuration and date (uname -v). */
export const UTS_VERSION = '#1 SMP PREEMPT_DYNAMIC Thu Jan  1 00:00:00 UTC 2026';

/** linux_banner: the first line of the boot log and /proc/version. */
export function linuxBanner(c: Kernel['config']): string {
  return `Linux version ${c.release} (kernsim@${c.hostname}) (gcc (GCC) 14.2.0, GNU ld (GNU Binutils) 2.43) ${UTS_VERSION}`;
}

export function fullCmdline(c: Kernel['config']): string {
  return `BOOT_IMAGE=/boot/vmlinuz-${c.release} root=/dev/vda1 ro schedstats=enable ${c.cmdline}`.trim();
}

export function bootLog(k: Kernel): void {
  const c = k.config;
  const log = (level: number, text: string): void => {
    k.printk(level, text, { cpu: 0 });
  };
  log(5, linuxBanner(c));
  log(6, `Command line: ${fullCmdline(c)}`);
  for (const line of k.mm.bootLines()) log(6, line);
  log(6, `setup_percpu: NR_CPUS:8192 nr_cpumask_bits:${k.nrCpus} nr_cpu_ids:${k.nrCpus} nr_node_ids:1`);
  log(6, `Kernel command line: ${fullCmdline(c)}`);
  for (const line of k.mm.bootMemoryLines()) log(6, line);
  log(6, `SLUB: HWalign=64, Order=0-3, MinObjects=0, CPUs=${k.nrCpus}, Nodes=1`);
  log(6, `Dynamic Preempt: ${k.tunables.preempt}`);
  log(6, 'rcu: Preemptible hierarchical RCU implementation.');
  log(6, `rcu: \tRCU restricting CPUs from NR_CPUS=8192 to nr_cpu_ids=${k.nrCpus}.`);
  // calibrate_delay() with lpj_fine from the TSC. (The kernel prints no line naming its fair scheduler.)
  const lpj = loopsPerJiffy(c.hz);
  log(6, `Calibrating delay loop (skipped), value calculated using timer frequency.. ${bogomips(lpj, c.hz)} BogoMIPS (lpj=${lpj})`);
  // pid_init(): pid_max's default and its minimum scale with the CPUs (PIDS_PER_CPU_DEFAULT, PIDS_PER_CPU_MIN).
  log(6, `pid_max: default: ${Math.max(32768, 1024 * k.nrCpus)} minimum: ${Math.max(301, 8 * k.nrCpus)}`);
  log(6, 'smp: Bringing up secondary CPUs ...');
  if (k.nrCpus > 1) {
    const ids = Array.from({ length: k.nrCpus - 1 }, (_, i) => `#${i + 1}`).join(' ');
    log(6, `smpboot: x86: Booting SMP configuration:`);
    log(6, `.... node  #0, CPUs:      ${ids}`);
  }
  log(6, `smp: Brought up 1 node, ${k.nrCpus} CPU${k.nrCpus === 1 ? '' : 's'}`);
  log(6, `smpboot: Total of ${k.nrCpus} processors activated (${bogomipsTotal(lpj * k.nrCpus, c.hz)} BogoMIPS)`);
  log(6, 'Run /sbin/init as init process');
}
