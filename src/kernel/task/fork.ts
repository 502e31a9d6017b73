/**
 * Task creation: copy_process() + sched_fork() for fork() from a running task, and the same path used by
 * kthreadd for kernel threads and by init for scenario tasks. A SCHED_DEADLINE task cannot fork (EAGAIN).
 */
import type { Kernel } from '../kernel.js';
import { wakeUpNewTask } from '../sched/core.js';
import { weightOfNice } from '../sched/fair/weights.js';
import { SCHED_DEADLINE, Task, TASK_NEW, type PolicyName } from './task.js';
import { fail, type ForkRequest, type ProgramFactory, type UserResult } from './user.js';

export interface NewTask {
  comm: string;
  parent: Task;
  program: ProgramFactory | null;
  flags?: number;
  policy?: PolicyName;
  nice?: number;
  rtPriority?: number;
  cpus?: readonly number[];
  /** Share the parent's mm (a thread). */
  thread?: boolean;
  debug?: boolean;
  oomScoreAdj?: number;
}

/** copy_process(): a new task, not yet runnable. Throws nothing; returns an errno name on failure. */
/** THREAD_SIZE on x86-64 (16 KiB kernel stacks). */
const THREAD_SIZE = 16384;

/**
 * set_max_threads(): thread structures may take at most an eighth of RAM, so max_threads is totalram * PAGE_SIZE /
 * (THREAD_SIZE * 8), clamped to [MIN_THREADS, FUTEX_TID_MASK]. kernel.threads-max; RLIMIT_NPROC and
 * RLIMIT_SIGPENDING start at half of it.
 */
export function maxThreads(k: Kernel): number {
  return Math.min(0x3fffffff, Math.max(20, Math.floor((k.mm.totalRamPages() * 4096) / (THREAD_SIZE * 8))));
}

export function copyProcess(k: Kernel, req: NewTask): Task | string {
  const parent = req.parent;
  const pid = k.allocPid();
  if (pid < 0) return 'EAGAIN';
  const p = new Task({
    pid,
    tgid: req.thread === true ? parent.tgid : pid,
    comm: req.comm,
    flags: req.flags ?? parent.flags & ~0x2,
    cpusAllowed: parent.cpusAllowed,
    cpu: parent.cpu,
    nowNs: k.now,
    load: weightOfNice(parent.nice),
    sliceNs: k.tunables.baseSliceNs,
    rows: k.taskRows,
  });
  p.state = TASK_NEW;
  p.parent = parent;
  p.oomScoreAdj = req.oomScoreAdj ?? parent.oomScoreAdj;
  p.debug = req.debug ?? parent.debug;
  // sched_fork(): inherit the scheduling attributes (no SCHED_RESET_ON_FORK here).
  p.policy = parent.policy === SCHED_DEADLINE ? 0 : parent.policy;
  p.staticPrio = parent.staticPrio;
  p.prio = parent.normalPrio;
  p.rtPriority = parent.rtPriority;
  p.schedClass = k.classForPolicy(p.policy);
  p.se.load = parent.se.load;
  const err = k.forkMm(parent, p, req.thread === true);
  if (err !== null) {
    p.releaseRow(k.taskRows);
    return err;
  }
  (parent.children ??= new Set()).add(p);
  k.tasks.set(pid, p);
  if (req.program !== null) {
    const n = k.commInstances.get(p.comm) ?? 0;
    k.commInstances.set(p.comm, n + 1);
    // A joined label is one flat string; a template's pieces would stay chained for the task's life.
    const rng = k.rng.fork(['task:', p.comm, '#', n].join(''));
    // Called unbound: a method call would make the request object the generator's receiver, kept as long as
    // the program runs (64 B a task).
    const program = req.program;
    p.program = program({ pid, comm: p.comm, rng, now: k.clock });
  }
  p.schedClass.taskFork?.(p);
  k.traceFork(parent, p);
  return p;
}

/** fork() from a running program; the child starts runnable. */
export function doFork(k: Kernel, parent: Task, req: ForkRequest): UserResult {
  if (parent.policy === SCHED_DEADLINE) return fail('EAGAIN');
  const child = copyProcess(k, {
    comm: req.comm ?? parent.comm,
    parent,
    program: req.program,
    thread: req.thread === true,
  });
  if (typeof child === 'string') return fail(child);
  wakeUpNewTask(k, child);
  return { ok: true, value: child.pid };
}
