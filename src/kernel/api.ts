/**
 * The kernel's API for whoever drives the machine (scenario scripts, the shell, the dashboard): create tasks
 * and change them, the way user space would through fork/exec, sched_setattr, setpriority, sched_setaffinity
 * and kill. Every call returns an errno name on failure, never throws for bad input.
 */
import { strerror } from '../lib/errno.js';
import type { Kernel } from './kernel.js';
import { wakeUpNewTask } from './sched/core.js';
import type { DlParams } from './sched/dl/deadline.js';
import { schedSetscheduler, setCpusAllowed, setUserNice } from './sched/setattr.js';
import { copyProcess } from './task/fork.js';
import { sendSignal } from './task/signal.js';
import { EXIT_DEAD, TASK_DEAD, type PolicyName, type Task } from './task/task.js';
import type { ProgramFactory } from './task/user.js';

export interface SpawnSpec {
  comm: string;
  policy: PolicyName;
  nice: number;
  rtPriority: number;
  dl?: DlParams;
  cpus?: readonly number[];
  program: ProgramFactory;
  oomScoreAdj?: number;
  debug?: boolean;
  /** Parent pid; init by default. */
  parentPid?: number;
}

export interface SpawnResult {
  task: Task | null;
  error: string | null;
}

/**
 * Start a task as init's child (fork + sched_setattr + sched_setaffinity + exec, before it first runs).
 * A refused setting (EINVAL for bad parameters, EBUSY for deadline admission) leaves a task that never ran,
 * with its error recorded, so that reports still show it.
 */
export function spawnTask(k: Kernel, s: SpawnSpec): SpawnResult {
  const parent = k.tasks.get(s.parentPid ?? 1) ?? k.tasks.get(1);
  if (parent === undefined) return { task: null, error: 'ESRCH' };
  const t = copyProcess(k, {
    comm: s.comm,
    parent,
    program: s.program,
    ...(s.oomScoreAdj !== undefined ? { oomScoreAdj: s.oomScoreAdj } : {}),
    ...(s.debug !== undefined ? { debug: s.debug } : {}),
  });
  if (typeof t === 'string') return { task: null, error: t };
  let err: string | null = null;
  // The steps are named as systemd's exec_spawn() names them in its "Failed at step" message.
  let step = 'CPUAFFINITY';
  if (s.cpus !== undefined) err = setCpusAllowed(k, t, s.cpus);
  if (err === null && s.nice !== 0 && s.policy !== 'deadline') {
    step = 'NICE';
    err = setUserNice(k, t, s.nice);
  }
  if (err === null && (s.policy !== 'normal' || s.rtPriority !== 0)) {
    step = 'SETSCHEDULER';
    const attr: Parameters<typeof schedSetscheduler>[2] = { policy: s.policy, rtPriority: s.rtPriority };
    if (s.dl !== undefined) attr.dl = s.dl;
    err = schedSetscheduler(k, t, attr);
  }
  if (err !== null) {
    // The kernel logs nothing when it refuses a setting: the caller gets the errno. The service manager that
    // starts the tasks says so in the log, as systemd (pid 1) writes to /dev/kmsg: LOG_DAEMON, LOG_ERR.
    if (parent.pid === 1) k.printk(3, `${parent.comm}[1]: ${t.comm}: Failed at step ${step} spawning /usr/bin/${t.comm}: ${strerror(err)}`, { facility: 3, pid: 1 });
    t.error = err;
    t.exitReason = 'error';
    t.exitCode = 1;
    t.exitTimeNs = k.now;
    t.program = null;
    t.state = TASK_DEAD;
    t.exitState = EXIT_DEAD;
    k.exitMm(t);
    k.releaseTask(t);
    return { task: t, error: err };
  }
  wakeUpNewTask(k, t);
  return { task: t, error: null };
}

export function reniceTask(k: Kernel, pid: number, nice: number): string | null {
  const t = k.tasks.get(pid);
  if (t === undefined || t.exitState !== 0) return 'ESRCH';
  return setUserNice(k, t, nice);
}

export function chrtTask(k: Kernel, pid: number, policy: PolicyName, rtPriority: number, dl?: DlParams): string | null {
  const t = k.tasks.get(pid);
  if (t === undefined || t.exitState !== 0) return 'ESRCH';
  const attr: Parameters<typeof schedSetscheduler>[2] = { policy, rtPriority };
  if (dl !== undefined) attr.dl = dl;
  return schedSetscheduler(k, t, attr);
}

export function tasksetTask(k: Kernel, pid: number, cpus: readonly number[]): string | null {
  const t = k.tasks.get(pid);
  if (t === undefined || t.exitState !== 0) return 'ESRCH';
  return setCpusAllowed(k, t, cpus);
}

export function killTask(k: Kernel, pid: number, sig: number): string | null {
  const t = k.tasks.get(pid);
  if (t === undefined) return 'ESRCH';
  return sendSignal(k, t, sig);
}

export function setOomScoreAdj(k: Kernel, pid: number, adj: number): string | null {
  const t = k.tasks.get(pid);
  if (t === undefined || t.exitState !== 0) return 'ESRCH';
  if (!Number.isInteger(adj) || adj < -1000 || adj > 1000) return 'EINVAL';
  t.oomScoreAdj = adj;
  return null;
}

/** Tasks by comm (live ones), in pid order. */
export function tasksByComm(k: Kernel, comm: string): Task[] {
  const out: Task[] = [];
  for (const t of k.tasks.values()) if (t.comm === comm && t.exitState === 0) out.push(t);
  return out.sort((a, b) => a.pid - b.pid);
}

export { ERRNO_TEXT } from '../lib/errno.js';
