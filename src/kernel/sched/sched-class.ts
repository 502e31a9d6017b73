/**
 * The scheduling class interface, after struct sched_class (kernel/sched/sched.h). The core walks the classes
 * in priority order (stop > dl > rt > fair > idle) and calls these hooks; each hook's comment says who calls
 * it and in what state, as the kernel's do. In the simulation every hook runs inside one engine event, with
 * the rq's clock already updated (update_rq_clock), so there is no locking to describe.
 */
import type { Task } from '../task/task.js';
import type { Rq } from './rq.js';

export type ClassName = 'stop' | 'dl' | 'rt' | 'fair' | 'idle';
export const CLASS_NAMES: readonly ClassName[] = ['stop', 'dl', 'rt', 'fair', 'idle'];

/*
 * Enqueue/dequeue flags come in matched pairs and share bit values (as in the kernel):
 *   DEQUEUE_SLEEP  <-> ENQUEUE_WAKEUP   the task blocks / wakes up
 *   DEQUEUE_SAVE   <-> ENQUEUE_RESTORE  an attribute change: dequeued and requeued at once
 *   DEQUEUE_MOVE   <-> ENQUEUE_MOVE     the requeue may change its position
 *   DEQUEUE_MIGRATING <-> ENQUEUE_MIGRATING  moved between runqueues by migration or balancing
 *   DEQUEUE_DELAYED <-> ENQUEUE_DELAYED  final dequeue / requeue of a DELAY_DEQUEUE'd fair entity
 */
export const DEQUEUE_SLEEP = 0x01;
export const DEQUEUE_SAVE = 0x02;
export const DEQUEUE_MOVE = 0x04;
export const DEQUEUE_NOCLOCK = 0x08;
export const DEQUEUE_SPECIAL = 0x10;
export const DEQUEUE_MIGRATING = 0x100;
export const DEQUEUE_DELAYED = 0x200;

export const ENQUEUE_WAKEUP = 0x01;
export const ENQUEUE_RESTORE = 0x02;
export const ENQUEUE_MOVE = 0x04;
export const ENQUEUE_NOCLOCK = 0x08;
export const ENQUEUE_HEAD = 0x10;
export const ENQUEUE_REPLENISH = 0x20;
export const ENQUEUE_MIGRATED = 0x40;
export const ENQUEUE_INITIAL = 0x80;
export const ENQUEUE_MIGRATING = 0x100;
export const ENQUEUE_DELAYED = 0x200;

/** Wake flags (WF_*). */
export const WF_EXEC = 0x02;
export const WF_FORK = 0x04;
export const WF_TTWU = 0x08;
export const WF_SYNC = 0x10;
export const WF_MIGRATED = 0x20;

export interface SchedClass {
  readonly name: ClassName;
  /** Position in the class order: 0 = stop (highest) ... 4 = idle. */
  readonly rank: number;

  /**
   * p becomes queued on rq. Callers: activate_task (wakeup, new task), attach_task (balancing),
   * __sched_setscheduler/set_user_nice (RESTORE), migration. p.onRq is set by the caller afterwards.
   */
  enqueueTask(rq: Rq, p: Task, flags: number): void;
  /**
   * Mirror of enqueueTask. Returns false when the dequeue was deferred (fair DELAY_DEQUEUE): the task stays
   * queued although it sleeps. Callers: block_task (SLEEP), deactivate_task, attribute changes (SAVE).
   */
  dequeueTask(rq: Rq, p: Task, flags: number): boolean;
  /** sched_yield() by rq.curr. */
  yieldTask(rq: Rq): void;
  /**
   * p (same class as rq.curr) just became runnable on rq: set need_resched if it should preempt rq.curr.
   * Never switches tasks itself (the core does, at a preemption point).
   */
  wakeupPreempt(rq: Rq, p: Task, wakeFlags: number): void;
  /**
   * Best runnable task of this class on rq, or null. rq.curr may still be this class's current task and is
   * considered by classes that keep curr outside their queue (fair). Idle never returns null.
   * Fair may finish a delayed dequeue here, as the kernel's pick_next_entity does.
   */
  pickTask(rq: Rq): Task | null;
  /** prev stops being curr (it may still be queued): account its runtime and put it back in the queue. */
  putPrevTask(rq: Rq, prev: Task, next: Task | null): void;
  /** p becomes rq.curr; first is true on a real switch, false on a class or attribute change. */
  setNextTask(rq: Rq, p: Task, first: boolean): void;
  /** Choose a CPU for a waking or new task. Reads runqueues, changes nothing. */
  selectTaskRq(p: Task, prevCpu: number, wakeFlags: number): number;
  /** p is about to move to newCpu (set_task_cpu). */
  migrateTaskRq?(p: Task, newCpu: number): void;
  /** Periodic tick for rq.curr (of this class); may set need_resched. */
  taskTick(rq: Rq, p: Task, queued: boolean): void;
  /** p was just forked (sched_fork), before it is first enqueued. */
  taskFork?(p: Task): void;
  /** p is dead and off every queue. */
  taskDead?(p: Task): void;
  switchedFrom?(rq: Rq, p: Task): void;
  switchedTo?(rq: Rq, p: Task): void;
  /** p's priority changed within the class while queued or running. */
  prioChanged?(rq: Rq, p: Task, oldPrio: number): void;
  /** Charge rq.curr for the time since its last update. */
  updateCurr(rq: Rq): void;
  /**
   * Before the pick (prev_balance): pull work from other CPUs if this class may need it (rt/dl pull,
   * fair newidle balance). Returns true when rq now has a runnable task of this class or above.
   */
  balance?(rq: Rq, prev: Task): boolean;
  /** p was woken on rq and is not running: an opportunity to push (rt, dl). */
  taskWoken?(rq: Rq, p: Task): void;
  /** Number of runnable tasks of this class on rq (h_nr_runnable / rt_nr_running / dl_nr_running). */
  nrRunnable(rq: Rq): number;
}
