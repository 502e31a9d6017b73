/**
 * Boot: the tasks a freshly booted machine shows (init, kthreadd, the per-CPU kernel threads with realistic
 * pids in the order a 6.x kernel creates them), the first kernel log lines, and the periodic work some of
 * those threads do (vmstat_update on each CPU's kworker every second). Kernel threads start asleep.
 */
import { EventPrio } from '../core/engine.js';
import { initialJiffies, type Kernel } from '../kernel.js';
import { tryToWakeUp } from '../sched/core.js';
import { CpuMask } from '../sched/topology.js';
import { copyProcess } from './fork.js';
import {
  PF_KTHREAD,
  PF_NO_SETAFFINITY,
  SCHED_FIFO,
  Task,
  TASK_IDLE,
  TASK_INTERRUPTIBLE,
} from './task.js';
import type { ProgramFactory, UserAction, UserResult } from './user.js';
import { weightOfNice } from '../sched/fair/weights.js';
import { flusherProgram } from '../mm/reclaim.js';

const OK: UserResult = { ok: true };

interface KthreadSpec {
  comm: string;
  cpu?: number;
  nice?: number;
  fifo?: number;
  stop?: boolean;
  program?: ProgramFactory;
  /** First wakeup, if the thread has periodic work. */
  firstWakeNs?: number;
  idleState?: number;
}

/** The stopper's loop (cpu_stopper_thread): run queued works, else sleep. */
function* stopperProgram(k: Kernel, cpu: number): Generator<UserAction, void, UserResult | undefined> {
  const rq = k.rqs[cpu];
  if (rq === undefined) return;
  for (;;) {
    const work = rq.stopWork.shift();
    if (work === undefined) {
      yield { op: 'sleep', ns: Infinity };
      continue;
    }
    yield {
      op: 'kcall',
      ns: 2_000,
      what: 'migration_cpu_stop',
      fn: () => {
        work();
        return OK;
      },
    };
  }
}

/**
 * round_jiffies_common(): j rounded to a whole second of jiffies (down if less than a quarter past), with each CPU
 * skewed 3 jiffies earlier than the one before so that they do not all fire at once; j itself if that is past.
 */
export function roundJiffies(j: number, cpu: number, hz: number, nowJiffies: number): number {
  let r = j + cpu * 3;
  const rem = r % hz;
  r = rem < hz / 4 ? r - rem : r - rem + hz;
  r -= cpu * 3;
  return r > nowJiffies ? r : j;
}

/** When the vmstat work queued now on cpu runs: round_jiffies_relative(sysctl_stat_interval = HZ), on a tick. */
export function nextVmstatUpdateNs(k: Kernel, cpu: number): number {
  const hz = k.config.hz;
  const now = k.jiffies;
  return (roundJiffies(now + hz, cpu, hz, now) - initialJiffies(hz)) * k.tickNs;
}

/**
 * vmstat_update: a per-CPU delayed work every second (CONFIG_VM_STAT_INTERVAL), a few microseconds long, queued
 * with round_jiffies_relative(): whole seconds of jiffies (which started at INITIAL_JIFFIES, not at a whole
 * second of uptime), each CPU 3 jiffies before the one before it.
 */
function* vmstatWorker(k: Kernel, cpu: number): Generator<UserAction, void, UserResult | undefined> {
  for (;;) {
    yield { op: 'kcall', ns: 4_000, what: 'vmstat_update', fn: () => OK };
    yield { op: 'sleep', ns: nextVmstatUpdateNs(k, cpu) - k.now };
  }
}

function makeKthread(k: Kernel, parent: Task, s: KthreadSpec): Task {
  const t = copyProcess(k, {
    comm: s.comm,
    parent,
    program: s.program ?? null,
    flags: PF_KTHREAD | (s.cpu !== undefined ? PF_NO_SETAFFINITY : 0),
  });
  if (typeof t === 'string') throw k.bug(`boot: cannot create ${s.comm}: ${t}`);
  if (s.cpu !== undefined) {
    t.cpusAllowed = new CpuMask(k.nrCpus, [s.cpu]);
    t.cpu = s.cpu;
    t.wakeCpu = s.cpu;
  }
  if (s.nice !== undefined) {
    t.staticPrio = 120 + s.nice;
    t.prio = t.staticPrio;
    t.se.load = weightOfNice(s.nice);
  }
  if (s.fifo !== undefined) {
    t.policy = SCHED_FIFO;
    t.rtPriority = s.fifo;
    t.prio = t.normalPrio;
    t.schedClass = k.classes.rt;
  }
  if (s.stop === true && s.cpu !== undefined) {
    t.schedClass = k.classes.stop;
    (k.rqs[s.cpu] as { stop: Task | null }).stop = t;
  }
  // Kernel threads have already run once and gone to sleep by the time user space starts.
  t.state = s.idleState ?? TASK_INTERRUPTIBLE;
  t.onRq = 0;
  if (s.firstWakeNs !== undefined) {
    k.engine.atAbs(s.firstWakeNs, EventPrio.Normal, 'kthread_timer', () => {
      k.onCpu(-1, () => tryToWakeUp(k, t, TASK_INTERRUPTIBLE | TASK_IDLE, 0));
    });
  }
  return t;
}

/** Create init, kthreadd and the kernel threads; print the boot log. */
export function bootTasks(k: Kernel): { init: Task; kthreadd: Task } {
  const swapper = k.rqs[0]?.idle as Task;
  const initT = copyProcess(k, { comm: 'init', parent: swapper, program: null, flags: 0 });
  if (typeof initT === 'string') throw k.bug('boot: no pid for init');
  initT.parent = null;
  initT.state = TASK_INTERRUPTIBLE;
  initT.cpusAllowed = k.cpuMaskAll;
  const kthreadd = makeKthread(k, swapper, { comm: 'kthreadd' });
  kthreadd.parent = null;
  kthreadd.flags &= ~PF_NO_SETAFFINITY;
  const n = k.nrCpus;
  const kt = (s: KthreadSpec): Task => makeKthread(k, kthreadd, s);
  kt({ comm: 'pool_workqueue_release' });
  kt({ comm: 'kworker/R-rcu_gp', nice: -20, idleState: TASK_IDLE });
  kt({ comm: 'kworker/R-sync_wq', nice: -20, idleState: TASK_IDLE });
  kt({ comm: 'kworker/R-slub_flushwq', nice: -20, idleState: TASK_IDLE });
  kt({ comm: 'kworker/R-netns', nice: -20, idleState: TASK_IDLE });
  const perCpuWorker = (cpu: number): void => {
    kt({ comm: `kworker/${cpu}:0`, cpu, idleState: TASK_IDLE, program: () => vmstatWorker(k, cpu), firstWakeNs: nextVmstatUpdateNs(k, cpu) });
    kt({ comm: `kworker/${cpu}:0H`, cpu, nice: -20, idleState: TASK_IDLE });
  };
  perCpuWorker(0);
  const flusher = kt({ comm: `kworker/u${2 * n}:0`, idleState: TASK_IDLE, program: () => flusherProgram(k), firstWakeNs: 0 });
  void flusher;
  kt({ comm: 'kworker/R-mm_percpu_wq', nice: -20, idleState: TASK_IDLE });
  kt({ comm: 'rcu_tasks_kthread', idleState: TASK_IDLE });
  kt({ comm: 'ksoftirqd/0', cpu: 0 });
  kt({ comm: 'rcu_preempt', idleState: TASK_IDLE });
  kt({ comm: 'migration/0', cpu: 0, fifo: 99, stop: true, program: () => stopperProgram(k, 0) });
  kt({ comm: 'cpuhp/0', cpu: 0 });
  for (let c = 1; c < n; c++) {
    kt({ comm: `cpuhp/${c}`, cpu: c });
    kt({ comm: `migration/${c}`, cpu: c, fifo: 99, stop: true, program: () => stopperProgram(k, c) });
    kt({ comm: `ksoftirqd/${c}`, cpu: c });
    perCpuWorker(c);
  }
  kt({ comm: 'kdevtmpfs' });
  kt({ comm: 'kauditd' });
  kt({ comm: 'khungtaskd' });
  kt({ comm: 'oom_reaper' });
  kt({ comm: 'kcompactd0' });
  kt({ comm: 'khugepaged', nice: 19 });
  k.mm.attachKswapd(kt({ comm: 'kswapd0' }));
  return { init: initT, kthreadd };
}

export { weightOfNice };
