/**
 * do_exit() and the reaping of zombies (kernel/exit.c): the task releases its memory, its children go to
 * init, its parent is told (woken if it waits), and it leaves the CPU for the last time in TASK_DEAD.
 * A zombie stays (state Z) until its parent reaps it with wait(); init reaps its children at once.
 */
import type { Kernel } from '../kernel.js';
import { psiMemstallLeave, tryToWakeUp } from '../sched/core.js';
import type { Rq } from '../sched/rq.js';
import { cancelSleep } from './exec.js';
import { EXIT_DEAD, EXIT_ZOMBIE, PF_EXITING, TASK_DEAD, TASK_INTERRUPTIBLE, type Task } from './task.js';

/** The parent reaps zombies without waiting: init and kthreadd do (they wait() in a loop). */
function autoReaps(parent: Task | null): boolean {
  return parent === null || parent.pid === 1 || parent.pid === 2;
}

/**
 * do_exit(): code is the exit status (reason 'exit') or the terminating signal (reason 'signal' and others).
 * The caller then calls __schedule(): the task is TASK_DEAD and is dequeued for good.
 */
export function doExit(k: Kernel, p: Task, code: number, reason: string): void {
  if (p.flags & PF_EXITING) return;
  p.flags |= PF_EXITING;
  cancelSleep(k, p);
  // Whatever stalled on memory stalls no more (the exit path runs with the task on its CPU, queued).
  if (p.inMemstall) psiMemstallLeave(k, k.rqs[p.cpu] as Rq, p);
  p.waitingForChild = false;
  p.burst = null;
  p.program = null;
  p.exitCode = code;
  p.exitReason ??= reason;
  p.exitTimeNs = k.now;
  k.exitMm(p);
  if (reason === 'signal' || reason === 'oom-kill') k.noteSignalExit(p, code);
  k.traceProcessExit(p);
  // exit_notify(): children go to the child reaper (init), which reaps the zombies among them.
  const init = k.tasks.get(1) ?? null;
  for (const c of [...(p.children ?? [])]) {
    p.children?.delete(c);
    c.parent = init;
    if (init !== null) (init.children ??= new Set()).add(c);
    if (c.exitState === EXIT_ZOMBIE && init !== null) reapChild(k, init, c);
  }
  const parent = p.parent;
  p.exitState = autoReaps(parent) ? EXIT_DEAD : EXIT_ZOMBIE;
  p.state = TASK_DEAD;
  if (parent !== null && p.exitState === EXIT_ZOMBIE && parent.waitingForChild) {
    tryToWakeUp(k, parent, TASK_INTERRUPTIBLE, 0);
  }
}

/** Reap a zombie child (wait4 / release_task). */
export function reapChild(k: Kernel, parent: Task, c: Task): void {
  parent.children?.delete(c);
  c.exitState = EXIT_DEAD;
  // A zombie that already left the CPU is released now; one still switching out is released then.
  if (!c.onCpu) k.releaseTask(c);
}
