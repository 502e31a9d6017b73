/**
 * /proc/PID files (fs/proc/array.c, base.c): stat, status, sched, schedstat, comm, cmdline and the OOM files.
 * Times in clock ticks use USER_HZ = 100; memory comes from the task's mm.
 */
import type { Kernel } from '../kernel.js';
import type { Mm } from '../mm/mm-struct.js';
import type { MapsLayout } from './task-mmu.js';
import { CpuMask } from '../sched/topology.js';
import { STATE_TEXT, taskStateLetter, type Task } from '../task/task.js';
import { maxThreads } from '../task/fork.js';
import { nsToClockTicks } from './fmt.js';

const RLIM_INFINITY = '18446744073709551615';

/** p->flags as a real kernel shows them: our PF_ bits plus the usual ones (PF_RANDOMIZE, PF_NOFREEZE...). */
function procFlags(t: Task): number {
  if (t.isKthread) return (t.flags | 0x00208040) >>> 0; // PF_KTHREAD | PF_NOFREEZE | PF_FORKNOEXEC
  return (t.flags | 0x00400100) >>> 0; // PF_RANDOMIZE | PF_SUPERPRIV
}

/**
 * proc_pid_statm(): size resident shared text lib data dt, in pages (task_statm(): shared is the file and shmem
 * pages, text the code's extent, data data_vm + stack_vm; lib and dt are always 0). A kernel thread: zeros.
 */
export function renderPidStatm(k: Kernel, t: Task): string {
  const m = k.mm.taskMem(t);
  if (m === null) return '0 0 0 0 0 0 0\n';
  const shared = (m.rssFileKb + m.rssShmemKb) / 4;
  return `${m.vmSizeKb / 4} ${shared + m.rssAnonKb / 4} ${shared} ${m.vmExeKb / 4} 0 ${(m.vmDataKb + m.vmStkKb) / 4} 0\n`;
}

const RLIM_UNLIMITED = Infinity;

/**
 * proc_pid_limits(): every task has init's limits (INIT_RLIMITS; nothing here calls setrlimit), with
 * RLIMIT_NPROC and RLIMIT_SIGPENDING at max_threads / 2 as set_max_threads() and fork_init() set them.
 */
export function renderPidLimits(k: Kernel): string {
  const half = Math.floor(maxThreads(k) / 2);
  const rows: [string, number, number, string | null][] = [
    ['Max cpu time', RLIM_UNLIMITED, RLIM_UNLIMITED, 'seconds'],
    ['Max file size', RLIM_UNLIMITED, RLIM_UNLIMITED, 'bytes'],
    ['Max data size', RLIM_UNLIMITED, RLIM_UNLIMITED, 'bytes'],
    ['Max stack size', 8 * 1024 * 1024, RLIM_UNLIMITED, 'bytes'],
    ['Max core file size', 0, RLIM_UNLIMITED, 'bytes'],
    ['Max resident set', RLIM_UNLIMITED, RLIM_UNLIMITED, 'bytes'],
    ['Max processes', half, half, 'processes'],
    ['Max open files', 1024, 4096, 'files'],
    ['Max locked memory', 8 * 1024 * 1024, 8 * 1024 * 1024, 'bytes'],
    ['Max address space', RLIM_UNLIMITED, RLIM_UNLIMITED, 'bytes'],
    ['Max file locks', RLIM_UNLIMITED, RLIM_UNLIMITED, 'locks'],
    ['Max pending signals', half, half, 'signals'],
    ['Max msgqueue size', 819200, 819200, 'bytes'],
    ['Max nice priority', 0, 0, null],
    ['Max realtime priority', 0, 0, null],
    ['Max realtime timeout', RLIM_UNLIMITED, RLIM_UNLIMITED, 'us'],
  ];
  const lim = (v: number): string => (v === RLIM_UNLIMITED ? 'unlimited' : String(v)).padEnd(20);
  let out = `${'Limit'.padEnd(25)} ${'Soft Limit'.padEnd(20)} ${'Hard Limit'.padEnd(20)} ${'Units'.padEnd(10)}\n`;
  for (const [name, soft, hard, unit] of rows) out += `${name.padEnd(25)} ${lim(soft)} ${lim(hard)} ${unit === null ? '' : unit.padEnd(10)}\n`;
  return out;
}

/** /proc/PID/cmdline: argv as NUL-terminated strings (the command's name; a kernel thread has none). */
export function pidCmdline(t: Task): string {
  return t.isKthread ? '' : `${t.comm}\0`;
}

/** do_task_stat(): the 52 fields of /proc/PID/stat. */
export function renderPidStat(k: Kernel, t: Task, maps: MapsLayout, cmdline: string): string {
  const mem = k.mm.taskMem(t);
  // The mm's addresses, on the same layout as /proc/PID/maps (a kernel thread has no mm: zeros).
  const a = t.mm !== null && mem !== null ? maps.statAddresses(t.mm as Mm, t.tgid, cmdline.length, cmdline.split('\0').length - 1) : null;
  const ppid = t.parent?.pid ?? 0;
  const utime = nsToClockTicks(t.sumExecRuntimeNs - t.systemTimeNs);
  const stime = nsToClockTicks(t.systemTimeNs);
  const threads = [...k.tasks.values()].filter((x) => x.tgid === t.tgid && x.exitState === 0).length;
  const startTicks = nsToClockTicks(t.startTimeNs);
  const sigignore = t.isKthread ? 2147483647 : 0;
  const f = [
    t.pid,
    `(${t.comm})`,
    taskStateLetter(t),
    ppid,
    t.isKthread ? 0 : t.tgid,
    t.isKthread ? 0 : t.tgid,
    0,
    -1,
    procFlags(t),
    mem?.minflt ?? 0,
    0,
    mem?.majflt ?? 0,
    0,
    utime,
    stime,
    0,
    0,
    t.prio - 100,
    t.nice,
    Math.max(1, threads),
    0,
    startTicks,
    mem?.vsizeBytes ?? 0,
    mem?.rssPages ?? 0,
    t.isKthread ? 0 : RLIM_INFINITY,
    a?.startCode ?? 0,
    a?.endCode ?? 0,
    a?.startStack ?? 0,
    0,
    0,
    0,
    0,
    sigignore,
    0,
    0,
    0,
    0,
    17,
    t.cpu,
    t.rtPriority,
    t.policy,
    0, // delayacct_blkio_ticks: delay accounting is off unless booted with delayacct
    0,
    0,
    a?.startData ?? 0,
    a?.endData ?? 0,
    a?.startBrk ?? 0,
    a?.argStart ?? 0,
    a?.argEnd ?? 0,
    a?.envStart ?? 0,
    a?.envEnd ?? 0,
    t.exitState !== 0 ? t.exitCode : 0,
  ];
  return `${f.join(' ')}\n`;
}

function kb(label: string, v: number): string {
  return `${label}:\t${String(v).padStart(8)} kB`;
}

/** proc_pid_status(). */
export function renderPidStatus(k: Kernel, t: Task): string {
  const mem = k.mm.taskMem(t);
  const ppid = t.parent?.pid ?? 0;
  const threads = [...k.tasks.values()].filter((x) => x.tgid === t.tgid && x.exitState === 0).length;
  const mask: CpuMask = t.cpusAllowed;
  const lines = [
    `Name:\t${t.comm}`,
    'Umask:\t0022',
    `State:\t${STATE_TEXT[taskStateLetter(t)]}`,
    `Tgid:\t${t.tgid}`,
    'Ngid:\t0',
    `Pid:\t${t.pid}`,
    `PPid:\t${ppid}`,
    'TracerPid:\t0',
    `Uid:\t${t.uid}\t${t.uid}\t${t.uid}\t${t.uid}`,
    `Gid:\t${t.uid}\t${t.uid}\t${t.uid}\t${t.uid}`,
    `FDSize:\t${t.isKthread ? 0 : 64}`,
    'Groups:\t ',
    `NStgid:\t${t.tgid}`,
    `NSpid:\t${t.pid}`,
    `NSpgid:\t${t.isKthread ? 0 : t.tgid}`,
    `NSsid:\t${t.isKthread ? 0 : t.tgid}`,
    `Kthread:\t${t.isKthread ? 1 : 0}`,
  ];
  if (mem !== null) {
    lines.push(
      kb('VmPeak', mem.vmPeakKb),
      kb('VmSize', mem.vmSizeKb),
      kb('VmLck', 0),
      kb('VmPin', 0),
      kb('VmHWM', mem.hwmKb),
      kb('VmRSS', mem.rssAnonKb + mem.rssFileKb + mem.rssShmemKb),
      kb('RssAnon', mem.rssAnonKb),
      kb('RssFile', mem.rssFileKb),
      kb('RssShmem', mem.rssShmemKb),
      kb('VmData', mem.vmDataKb),
      kb('VmStk', mem.vmStkKb),
      kb('VmExe', mem.vmExeKb),
      kb('VmLib', mem.vmLibKb),
      kb('VmPTE', mem.vmPteKb),
      kb('VmSwap', mem.vmSwapKb),
      kb('HugetlbPages', 0),
      'CoreDumping:\t0',
      'THP_enabled:\t1',
      'untag_mask:\t0xffffffffffffffff',
    );
  }
  // sigset_t has signal n at bit n-1; kill() queues on the process's shared set (ShdPnd), not the thread's.
  const shdPnd = (t.sigPending >>> 1).toString(16).padStart(16, '0');
  lines.push(
    `Threads:\t${Math.max(1, threads)}`,
    `SigQ:\t0/${Math.floor(maxThreads(k) / 2)}`,
    'SigPnd:\t0000000000000000',
    `ShdPnd:\t${shdPnd}`,
    'SigBlk:\t0000000000000000',
    `SigIgn:\t${t.isKthread ? 'ffffffffffffffff' : '0000000000000000'}`,
    'SigCgt:\t0000000000000000',
    'CapInh:\t0000000000000000',
    'CapPrm:\t000001ffffffffff',
    'CapEff:\t000001ffffffffff',
    'CapBnd:\t000001ffffffffff',
    'CapAmb:\t0000000000000000',
    'NoNewPrivs:\t0',
    'Seccomp:\t0',
    'Seccomp_filters:\t0',
    'Speculation_Store_Bypass:\tthread vulnerable',
    'SpeculationIndirectBranch:\tconditional enabled',
    `Cpus_allowed:\t${mask.toHex()}`,
    `Cpus_allowed_list:\t${mask.toList()}`,
    'Mems_allowed:\t00000000,00000001',
    'Mems_allowed_list:\t0',
    `voluntary_ctxt_switches:\t${t.nvcsw}`,
    `nonvoluntary_ctxt_switches:\t${t.nivcsw}`,
  );
  return `${lines.join('\n')}\n`;
}

/** /proc/PID/schedstat: time on CPU, time waiting on a runqueue, timeslices run. */
export function renderPidSchedstat(t: Task): string {
  return `${t.sumExecRuntimeNs} ${t.runDelayNs} ${t.pcount}\n`;
}
