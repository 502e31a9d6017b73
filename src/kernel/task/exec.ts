/**
 * What a CPU does with its current task: work through the task's CPU burst, and at each step boundary (the
 * syscall boundary, where signals are handled and a pending reschedule is honoured) ask the program for its
 * next action. Sleeping, exiting and yielding go back into __schedule(). This is the simulation's stand-in
 * for user space and for the system call layer.
 */
import { assert, KernelBug } from '../../lib/assert.js';
import { EventPrio, isArmed, Timer } from '../core/engine.js';
import type { Kernel } from '../kernel.js';
import { preemptionPoint, psiMemstallEnter, psiMemstallLeave, schedule, tryToWakeUp } from '../sched/core.js';
import type { Rq } from '../sched/rq.js';
import { accountRq } from '../sched/tick.js';
import { doExit, reapChild } from './exit.js';
import { doFork } from './fork.js';
import { pendingStop, pendingTerminating } from './signal.js';
import {
  TASK_IDLE,
  TASK_INTERRUPTIBLE,
  TASK_NORMAL,
  TASK_STOPPED,
  TASK_UNINTERRUPTIBLE,
  TASK_WAKEKILL,
  type Burst,
  type Task,
} from './task.js';
import { fail, OK, type UserAction, type UserResult } from './user.js';

/** CPU cost of the system calls the programs make (kernel mode), in ns. */
export const SYSCALL_COST_NS = {
  fork: 60_000,
  yield: 1_000,
  printk: 2_000,
  wait: 2_000,
  sh: 20_000,
  mem: 3_000,
} as const;

const Next = { Continue: 0, Block: 1, Preempt: 2 } as const;
type Next = (typeof Next)[keyof typeof Next];

/**
 * Let rq.curr run: start (or resume) its burst, or step its program until it has one, blocks or exits.
 * Loops because a blocking step switches to another task, which may itself be at a step boundary.
 */
export function runCurr(k: Kernel, rq: Rq): void {
  for (let guard = 0; ; guard++) {
    assert(guard < 1_000_000, 'runCurr: a program made a million steps without using CPU time');
    const p = rq.curr;
    if (p === rq.idle || isArmed(rq.burstTimer)) return;
    // Returning to user mode (a step boundary, or resuming a user-mode burst): handle pending signals.
    // Between the kernel steps of a system call only fatal signals count (fatal_signal_pending()).
    if ((p.burst === null || !p.burst.kernel) && p.sigPending !== 0 && handleSignals(k, p, p.syscall !== null)) {
      schedule(k, rq, false);
      continue;
    }
    if (p.burst !== null) {
      armBurst(k, rq, p, p.burst);
      return;
    }
    const n = stepProgram(k, rq, p);
    if (n === Next.Block) schedule(k, rq, false);
    else if (n === Next.Preempt) schedule(k, rq, true);
  }
}

/**
 * get_signal() on the way to user mode: a terminating signal ends the task (dropping what was left of its
 * user-mode burst); a stop signal stops it where it is. Returns true when the task leaves the CPU.
 */
function handleSignals(k: Kernel, p: Task, fatalOnly: boolean): boolean {
  const sig = pendingTerminating(p);
  if (sig !== 0 && (!fatalOnly || sig === 9)) {
    p.burst = null;
    p.syscall = null;
    doExit(k, p, sig, p.exitReason ?? 'signal');
    return true;
  }
  if (fatalOnly) return false;
  if (pendingStop(p)) {
    p.sigPending &= ~((1 << 19) | (1 << 20));
    p.state = TASK_STOPPED | TASK_WAKEKILL;
    return true;
  }
  return false;
}

function armBurst(k: Kernel, rq: Rq, p: Task, b: Burst): void {
  if (b.forever) return; // runs until preempted or killed
  rq.burstTimer ??= newBurstTimer(k, rq);
  rq.burstTask = p;
  k.engine.start(rq.burstTimer, k.now + Math.max(0, b.remainingNs));
}

/*
 * The embedded timers are made once, by functions of their own: a closure written inside armBurst (or sleepFor,
 * sendReschedIpi, ...) makes V8 allocate that function's context on every call, even when ??= finds the timer
 * made long ago (some 100 bytes an event in all).
 */
function newBurstTimer(k: Kernel, rq: Rq): Timer {
  return k.cpuTimer(rq.cpu, 'burst_done', EventPrio.Normal, () => burstDone(k, rq, rq.burstTask as Task));
}

/** Each kernel's one sleep-timer handler (hrtimer_wakeup), shared by its tasks' timers. */
const sleepTimerFns = new WeakMap<Kernel, (p: Task) => void>();

function newSleepTimer(k: Kernel, p: Task): Timer {
  let fn = sleepTimerFns.get(k);
  if (fn === undefined) {
    // The hrtimer fires on the CPU that armed it, the one the task went to sleep on (task_cpu: a sleeping task
    // only moves with its affinity): the wakeup is a local one there, as ttwu_stat() counts it. onCpu written
    // out: its argument would be a closure made at every wakeup.
    fn = (t: Task): void => {
      // The expiry is an interrupt on that CPU: an I/O's completion on its virtio-blk queue, else the APIC timer.
      const rq = k.rqs[t.cpu] as Rq;
      if (t.inIowait) rq.blkIrqs++;
      else rq.apicTimerIrqs++;
      const prev = k.currentCpu;
      k.currentCpu = t.cpu;
      try {
        tryToWakeUp(k, t, TASK_NORMAL, 0);
      } finally {
        k.currentCpu = prev;
      }
    };
    sleepTimerFns.set(k, fn);
  }
  return Timer.withArg('wakeup', EventPrio.Normal, fn, p);
}

/** curr finished its burst: run the step's effect, then return to user (a preemption point). */
function burstDone(k: Kernel, rq: Rq, p: Task): void {
  // Checks as plain ifs: assert(cond, () => message) made a closure (and a context) on every call.
  if (rq.curr !== p) throw new KernelBug(`burst of pid ${p.pid} completed but cpu ${rq.cpu} runs pid ${rq.curr.pid}`);
  k.atBurstEnd = true;
  p.schedClass.updateCurr(rq);
  k.atBurstEnd = false;
  const b = p.burst as Burst;
  if (b.remainingNs > 0) throw new KernelBug(`burst of pid ${p.pid} done with ${b.remainingNs}ns left`);
  accountRq(k, rq);
  p.burst = null;
  if (b.onDone !== null) p.pendingResult = b.onDone();
  if (b.memstall) psiMemstallLeave(k, rq, p);
  if (b.what === 'sched_yield') {
    p.schedClass.yieldTask(rq);
    rq.yldCount++;
    schedule(k, rq, false);
    runCurr(k, rq);
    return;
  }
  if (rq.needResched || rq.needReschedLazy) {
    // Between the kernel steps of a system call the loop has a cond_resched(); otherwise we return to user.
    preemptionPoint(k, rq, p.syscall !== null ? 'cond_resched' : 'user_return');
    if (rq.curr !== p || p.burst !== null) {
      runCurr(k, rq);
      return;
    }
  }
  runCurr(k, rq);
}

/** Start a burst for the current task (accounting first: the user/system split may change). */
export function startBurst(k: Kernel, rq: Rq, p: Task, ns: number, kernel: boolean, what: string, onDone: (() => UserResult) | null, memstall = false): void {
  accountRq(k, rq);
  const forever = ns === Infinity;
  const n = forever ? 0 : ns;
  p.burst = { remainingNs: n, forever, kernel, what, onDone, totalNs: n, memstall };
  if (memstall) psiMemstallEnter(k, rq, p);
}

/**
 * A signal arrived for rq.curr while it runs in user mode: the IPI returns it to user space now (its burst is
 * charged up to now and kept), where runCurr handles the signal.
 */
export function interruptUserBurst(k: Kernel, rq: Rq, p: Task): void {
  if (p.burst === null || p.burst.kernel || rq.curr !== p) return;
  p.schedClass.updateCurr(rq);
  accountRq(k, rq);
  k.engine.cancel(rq.burstTimer);
  runCurr(k, rq);
}

/** One step boundary of rq.curr (signals were handled by runCurr): the next program action. */
function stepProgram(k: Kernel, rq: Rq, p: Task): Next {
  if (p.syscall !== null) {
    const r = p.syscall.next(p.pendingResult);
    p.pendingResult = undefined;
    if (r.done !== true) return doAction(k, rq, p, r.value);
    p.syscall = null;
    p.pendingResult = r.value;
    // The system call returns to user mode, where pending signals are handled (exit_to_user_mode_loop):
    // back to runCurr first, or a program of back-to-back system calls would never see a SIGTERM.
    if (p.sigPending !== 0) return Next.Continue;
  }
  if (p.waitingForChild) return continueWait(k, p);
  if (p.program === null) {
    // A kernel thread with nothing to do.
    p.state = p.comm.startsWith('kworker/') ? TASK_IDLE : TASK_INTERRUPTIBLE;
    return Next.Block;
  }
  const r = p.program.next(p.pendingResult);
  p.pendingResult = undefined;
  if (r.done === true) {
    doExit(k, p, typeof r.value === 'number' ? r.value : 0, 'exit');
    return Next.Block;
  }
  return doAction(k, rq, p, r.value);
}

function doAction(k: Kernel, rq: Rq, p: Task, a: UserAction): Next {
  p.lastOp = a.op;
  switch (a.op) {
    case 'run':
      if (a.ns > 0) startBurst(k, rq, p, a.ns, a.kernel === true, a.what ?? 'run', null);
      return Next.Continue;
    case 'sleep':
      p.pendingResult = OK;
      return sleepFor(k, p, a.ns, TASK_INTERRUPTIBLE);
    case 'io':
      p.pendingResult = OK;
      p.inIowait = true;
      if (a.memstall === true) {
        // psi_memstall_enter() before the read of a refault: the stall lasts until the wakeup.
        psiMemstallEnter(k, rq, p);
        p.memstallSleep = true;
      }
      return sleepFor(k, p, a.ns, TASK_UNINTERRUPTIBLE);
    case 'yield':
      startBurst(k, rq, p, SYSCALL_COST_NS.yield, true, 'sched_yield', () => OK);
      return Next.Continue;
    case 'exit':
      if (a.stderr !== undefined) (p.stderr ??= []).push(a.stderr);
      doExit(k, p, a.code, a.reason ?? 'exit');
      return Next.Block;
    case 'fork': {
      startBurst(k, rq, p, SYSCALL_COST_NS.fork, true, 'fork', forkEffect(k, p, a.child));
      return Next.Continue;
    }
    case 'wait':
      // wait4() costs a system call; the reaping (or sleeping) happens at its end.
      p.waitingForChild = true;
      startBurst(k, rq, p, SYSCALL_COST_NS.wait, true, 'wait4', null);
      return Next.Continue;
    case 'printk':
      startBurst(k, rq, p, SYSCALL_COST_NS.printk, true, 'printk', printkEffect(k, p, a.level, a.text));
      return Next.Continue;
    case 'mem':
      return k.memSyscall(rq, p, a.call) ? Next.Continue : Next.Block;
    case 'sh':
      startBurst(k, rq, p, SYSCALL_COST_NS.sh, true, 'sh', shEffect(k, p, a.line));
      return Next.Continue;
    case 'kcall':
      startBurst(k, rq, p, a.ns, true, a.what, a.fn, a.memstall === true);
      return Next.Continue;
  }
}

/*
 * A system call's effect at the end of its burst, as a closure made here: written inline in doAction, the closures
 * would make V8 allocate doAction's context (k, p) on every call, a run or sleep step as much as a fork.
 */
function forkEffect(k: Kernel, p: Task, req: Extract<UserAction, { op: 'fork' }>['child']): () => UserResult {
  return () => doFork(k, p, req);
}

function printkEffect(k: Kernel, p: Task, level: number, text: string): () => UserResult {
  return () => {
    k.printk(level, text, { pid: p.pid });
    return OK;
  };
}

function shEffect(k: Kernel, p: Task, line: string): () => UserResult {
  return () => k.runShell(line, p);
}

/** wait4(): reap a zombie child if there is one, sleep if children are still running, ECHILD if none. */
function continueWait(k: Kernel, p: Task): Next {
  for (const c of p.children ?? []) {
    if (c.exitState !== 0) {
      p.waitingForChild = false;
      const pid = c.pid;
      reapChild(k, p, c);
      p.pendingResult = { ok: true, value: pid };
      return Next.Continue;
    }
  }
  if (p.children === null || p.children.size === 0) {
    p.waitingForChild = false;
    p.pendingResult = fail('ECHILD');
    return Next.Continue;
  }
  p.state = TASK_INTERRUPTIBLE;
  return Next.Block;
}

/** Set the sleep state and arm the wakeup (hrtimer_nanosleep / io completion). */
function sleepFor(k: Kernel, p: Task, ns: number, state: number): Next {
  p.state = state;
  if (Number.isFinite(ns)) {
    p.sleepTimer ??= newSleepTimer(k, p);
    k.engine.start(p.sleepTimer, k.now + Math.max(0, ns));
  }
  return Next.Block;
}

/** Cancel a pending timed sleep (a signal interrupts it). */
export function cancelSleep(k: Kernel, p: Task): void {
  k.engine.cancel(p.sleepTimer);
}

