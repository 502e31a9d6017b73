/**
 * The scheduler core (kernel/sched/core.c): enqueue/dequeue through the classes, __schedule() with the class
 * walk, try_to_wake_up(), wake_up_new_task(), resched_curr() and the preemption points of each preemption model.
 * Everything here runs inside one engine event; "now" is the engine clock.
 */
import { KernelBug } from '../../lib/assert.js';
import { EventPrio, isArmed, type Timer } from '../core/engine.js';
import type { Kernel } from '../kernel.js';
import {
  TASK_DEAD,
  TASK_INTERRUPTIBLE,
  TASK_NOLOAD,
  TASK_RUNNING,
  TASK_STOPPED,
  TASK_TRACED,
  TASK_UNINTERRUPTIBLE,
  TASK_WAKEKILL,
  type Task,
} from '../task/task.js';
import { runCurr } from '../task/exec.js';
import { fatalSignalPending } from '../task/signal.js';
import { stateTraceText, traceMigrate, traceSwitch, traceWake } from './tracepoints.js';
import type { Rq } from './rq.js';
import type { SdStats } from './balance.js';
import {
  DEQUEUE_DELAYED,
  DEQUEUE_SAVE,
  DEQUEUE_SLEEP,
  DEQUEUE_SPECIAL,
  ENQUEUE_DELAYED,
  ENQUEUE_INITIAL,
  ENQUEUE_MIGRATED,
  ENQUEUE_RESTORE,
  ENQUEUE_WAKEUP,
  WF_FORK,
  WF_MIGRATED,
  WF_TTWU,
} from './sched-class.js';
import { accountRq, startTick, stopTick } from './tick.js';
import { psiChange } from './psi.js';

/** p->on_rq values. */
export const TASK_ON_RQ_QUEUED = 1;
export const TASK_ON_RQ_MIGRATING = 2;

export function rqOf(k: Kernel, p: Task): Rq {
  return k.rqs[p.cpu] as Rq;
}

/* ---------------------------------------------------------------- sched_info (run delay) */

function schedInfoEnqueue(k: Kernel, p: Task): void {
  if (p.lastQueuedNs < 0) p.lastQueuedNs = k.now;
}

function schedInfoDequeue(k: Kernel, rq: Rq, p: Task): void {
  if (p.lastQueuedNs >= 0) {
    const d = k.now - p.lastQueuedNs;
    p.lastQueuedNs = -1;
    addRunDelay(p, d);
    rq.rqRunDelayNs += d;
  }
}

function addRunDelay(p: Task, d: number): void {
  p.runDelayNs += d;
  if (d > p.maxRunDelayNs) p.maxRunDelayNs = d;
  const s = p.stats;
  s.waitSumNs += d;
  s.waitCount++;
  if (d > s.waitMaxNs) s.waitMaxNs = d;
}

/* ---------------------------------------------------------------- enqueue / dequeue */

/** enqueue_task(): into p's class on rq. */
export function enqueueTask(k: Kernel, rq: Rq, p: Task, flags: number): void {
  if (!(flags & ENQUEUE_RESTORE)) schedInfoEnqueue(k, p);
  p.schedClass.enqueueTask(rq, p, flags);
  // psi_enqueue(): a task in a memory stall stalls the CPU it is queued on. A delayed one woken was counted on
  // this CPU all along (a delayed sleeper is asleep to PSI); it runs again.
  if (p.inMemstall) {
    rq.psiNrMemstallRunning++;
    if (!(flags & ENQUEUE_DELAYED)) rq.psiNrMemstall++;
  }
  psiChange(rq, k.now);
}

/** dequeue_task(): returns false if the class deferred it (DELAY_DEQUEUE). */
export function dequeueTask(k: Kernel, rq: Rq, p: Task, flags: number): boolean {
  if (!(flags & DEQUEUE_SAVE)) schedInfoDequeue(k, rq, p);
  const done = p.schedClass.dequeueTask(rq, p, flags);
  // psi_dequeue(): a sleeper stays in its CPU's stall count (TSK_MEMSTALL) but no longer runs; a task that
  // moves leaves the count here. A delayed entity's final dequeue was already counted when it was delayed.
  if (p.inMemstall && !(flags & DEQUEUE_DELAYED)) {
    rq.psiNrMemstallRunning--;
    if (!(flags & DEQUEUE_SLEEP)) rq.psiNrMemstall--;
  }
  // curr going to sleep switches out next, in the same instant: the switch records the new state once.
  if (rq.curr !== p) psiChange(rq, k.now);
  return done;
}

/** psi_memstall_enter() for rq.curr p (running, so queued). */
export function psiMemstallEnter(k: Kernel, rq: Rq, p: Task): void {
  if (p.inMemstall) return;
  p.inMemstall = true;
  rq.psiNrMemstall++;
  rq.psiNrMemstallRunning++;
  psiChange(rq, k.now);
}

/** psi_memstall_leave() for rq.curr p. */
export function psiMemstallLeave(k: Kernel, rq: Rq, p: Task): void {
  if (!p.inMemstall) return;
  p.inMemstall = false;
  p.memstallSleep = false;
  rq.psiNrMemstall--;
  rq.psiNrMemstallRunning--;
  psiChange(rq, k.now);
}

/**
 * The end of a memory stall that p slept through (a refault's read): it leaves its CPU's count at the wakeup,
 * before it is queued anywhere.
 */
function psiMemstallSleepEnd(k: Kernel, p: Task): void {
  const rq = rqOf(k, p);
  p.inMemstall = false;
  p.memstallSleep = false;
  rq.psiNrMemstall--;
  psiChange(rq, k.now);
}

/** activate_task(). */
export function activateTask(k: Kernel, rq: Rq, p: Task, flags: number): void {
  if (p.onRq === TASK_ON_RQ_MIGRATING) flags |= ENQUEUE_MIGRATED;
  enqueueTask(k, rq, p, flags);
  p.onRq = TASK_ON_RQ_QUEUED;
}

/** deactivate_task(): for moves between runqueues; sleeping goes through blockTask. */
export function deactivateTask(k: Kernel, rq: Rq, p: Task, flags: number): void {
  p.onRq = TASK_ON_RQ_MIGRATING;
  dequeueTask(k, rq, p, flags);
}

/** __block_task(): the final step of going to sleep, once the class has really dequeued p. */
export function finishBlock(k: Kernel, rq: Rq, p: Task): void {
  if (p.contributesToLoad) rq.nrUninterruptible++;
  if (p.inIowait) {
    rq.nrIowait++;
    if (rq.curr !== p) psiChange(rq, k.now);
  }
  p.onRq = 0;
}

/** block_task(): p (rq.curr) goes to sleep in its current state. */
function blockTask(k: Kernel, rq: Rq, p: Task): void {
  const st = p.state;
  p.contributesToLoad = (st & TASK_UNINTERRUPTIBLE) !== 0 && (st & TASK_NOLOAD) === 0;
  let flags = DEQUEUE_SLEEP;
  // Special states must not see spurious wakeups, so they are never delay-dequeued.
  if (st & (TASK_STOPPED | TASK_TRACED | TASK_DEAD)) flags |= DEQUEUE_SPECIAL;
  if (st & TASK_UNINTERRUPTIBLE) p.stats.blockStartNs = k.now;
  else p.stats.sleepStartNs = k.now;
  if (dequeueTask(k, rq, p, flags)) finishBlock(k, rq, p);
}

/* ---------------------------------------------------------------- resched and preemption points */

/**
 * resched_curr() / resched_curr_lazy(): ask rq's CPU to reschedule. A non-lazy request sends a reschedule IPI
 * (an Urgent event now); a lazy one (PREEMPT_LAZY, fair wakeups) waits for the next tick or return to user.
 */
export function reschedCurr(k: Kernel, rq: Rq, lazy = false): void {
  if (rq.needResched) return;
  if (lazy && k.tunables.preempt === 'lazy' && !rq.isIdle) {
    rq.needReschedLazy = true;
    return;
  }
  rq.needResched = true;
  sendReschedIpi(k, rq);
  if (k.tunables.preempt === 'voluntary') armCondResched(k, rq);
}

function sendReschedIpi(k: Kernel, rq: Rq): void {
  // smp_send_reschedule(): an interrupt only for another CPU (idle here halts; nothing polls need_resched). A
  // request from no CPU (a scenario's action, the dashboard's) is not an interrupt of this machine.
  if (k.currentCpu >= 0 && k.currentCpu !== rq.cpu && k.wakelistCpu !== rq.cpu) rq.irqReschedCount++;
  if (isArmed(rq.ipiTimer)) return;
  rq.ipiTimer ??= newIpiTimer(k, rq);
  k.engine.start(rq.ipiTimer, k.now);
}

/** The per-CPU timers are made by functions of their own (a closure inline would cost every call a context). */
function newIpiTimer(k: Kernel, rq: Rq): Timer {
  return k.cpuTimer(rq.cpu, 'resched_ipi', EventPrio.Urgent, () => preemptionPoint(k, rq, 'ipi'));
}

function newCondReschedTimer(k: Kernel, rq: Rq): Timer {
  return k.cpuTimer(rq.cpu, 'might_sleep', EventPrio.Normal, () => preemptionPoint(k, rq, 'might_sleep'));
}

/**
 * In the voluntary model a kernel-mode burst has preemption points (might_sleep/cond_resched) every
 * condReschedNs of its work: arm a timer at the next one.
 */
function armCondResched(k: Kernel, rq: Rq): void {
  const p = rq.curr;
  const b = p.burst;
  if (b === null || !b.kernel || isArmed(rq.condReschedTimer) || b.forever) return;
  const remainingNow = b.remainingNs - (k.now - p.se.execStartNs);
  const done = b.totalNs - remainingNow;
  const step = k.tunables.condReschedNs;
  const nextPoint = Math.ceil((done + 1) / step) * step;
  const delay = nextPoint - done;
  if (delay >= remainingNow) return; // the burst ends first: return to user is the point
  rq.condReschedTimer ??= newCondReschedTimer(k, rq);
  k.engine.start(rq.condReschedTimer, k.now + delay);
}

/**
 * ipi: a reschedule IPI arrived; tick: return from the timer interrupt; user_return: a system call or CPU
 * burst ends (exit to user mode); cond_resched: an explicit cond_resched() between the steps of a long kernel
 * loop (every model honours it); might_sleep: the voluntary model's extra points inside kernel work.
 */
export type PreemptPoint = 'ipi' | 'tick' | 'user_return' | 'cond_resched' | 'might_sleep';

/**
 * Decide whether rq.curr may be preempted at this point, for the configured preemption model:
 *  - user mode: a reschedule IPI or tick returns to user space and schedules (every model); a lazy request
 *    only at the tick or a return to user;
 *  - kernel mode: full (and lazy, for non-lazy requests) preempt at once; voluntary at its might_sleep points;
 *    none only when the kernel work ends.
 */
export function shouldPreempt(k: Kernel, rq: Rq, point: PreemptPoint): boolean {
  if (!rq.needResched && !rq.needReschedLazy) return false;
  if (rq.isIdle) return rq.needResched || rq.needReschedLazy;
  const model = k.tunables.preempt;
  if (point === 'tick' && rq.needReschedLazy) {
    // The tick upgrades a pending lazy request to a full one (sched_tick).
    rq.needResched = true;
    rq.needReschedLazy = false;
  }
  const inKernel = rq.curr.burst !== null && rq.curr.burst.kernel;
  switch (point) {
    case 'user_return':
      return true;
    case 'ipi':
    case 'tick':
      if (!inKernel) return rq.needResched;
      return rq.needResched && (model === 'full' || model === 'lazy');
    case 'cond_resched':
      return rq.needResched;
    case 'might_sleep':
      return rq.needResched && inKernel && model !== 'none';
  }
}

/** A preemption point: schedule if allowed, then let curr run. */
export function preemptionPoint(k: Kernel, rq: Rq, point: PreemptPoint): void {
  if (shouldPreempt(k, rq, point)) {
    schedule(k, rq, true);
    runCurr(k, rq);
  }
}

/* ---------------------------------------------------------------- __schedule */

/** Is a signal pending that would interrupt this sleep (signal_pending_state)? */
function signalPendingState(p: Task): boolean {
  if (p.sigPending === 0) return false;
  if (p.state & TASK_INTERRUPTIBLE) return true;
  return (p.state & TASK_WAKEKILL) !== 0 && fatalSignalPending(p);
}

/**
 * __schedule(): prev either blocks (its state is not running and this is not a preemption) or stays
 * runnable; the classes pick next; on a change the context switches. The caller then calls runCurr().
 */
export function schedule(k: Kernel, rq: Rq, preempt: boolean): void {
  const prev = rq.curr;
  rq.schedCount++;
  let voluntary = false;
  const prevState = prev.state;
  if (!preempt && prevState !== TASK_RUNNING && prev !== rq.idle) {
    if (signalPendingState(prev)) {
      prev.state = TASK_RUNNING;
    } else {
      blockTask(k, rq, prev);
      voluntary = true;
    }
  }
  const next = pickNextTask(k, rq, prev);
  rq.needResched = false;
  rq.needReschedLazy = false;
  k.engine.cancel(rq.condReschedTimer);
  if (next === prev) return;
  rq.nrSwitches++;
  if (voluntary) prev.nvcsw++;
  else prev.nivcsw++;
  if (next === rq.idle) rq.schedGoidle++;
  // The prev_state text is only built when someone listens.
  if (k.tracing) traceSwitch(k, rq, prev, next, preempt ? 'R+' : stateTraceText(prev, voluntary ? prevState : TASK_RUNNING));
  else k.countEvent('sched_switch');
  contextSwitch(k, rq, prev, next);
}

/**
 * __pick_next_task(): the fast path when everything runnable is fair, else prev_balance() and the walk over
 * the classes from stop to idle; the first class with a task wins. Idle always has one.
 */
export function pickNextTask(k: Kernel, rq: Rq, prev: Task): Task {
  const fair = k.classes.fair;
  if (prev.schedClass.rank >= fair.rank && rq.nrRunning === rq.cfs.nrQueued) {
    let p = fair.pickTask(rq);
    // Nothing fair to run: newidle balance (it only pulls fair tasks), then idle.
    if (p === null && fair.balance(rq)) p = fair.pickTask(rq);
    if (p === null) p = rq.idle;
    putPrevSetNextTask(rq, prev, p);
    return p;
  }
  // prev_balance(): from prev's class down, a class may pull work (rt/dl pull, fair newidle).
  for (const c of k.classOrder) {
    if (c.rank < prev.schedClass.rank) continue;
    if (c.balance !== undefined && c.balance(rq, prev)) break;
  }
  for (const c of k.classOrder) {
    const p = c.pickTask(rq);
    if (p !== null) {
      putPrevSetNextTask(rq, prev, p);
      return p;
    }
  }
  throw k.bug('no class returned a task (idle must always have one)');
}

/** put_prev_set_next_task(). */
export function putPrevSetNextTask(rq: Rq, prev: Task, next: Task): void {
  if (next === prev) return;
  prev.schedClass.putPrevTask(rq, prev, next);
  next.schedClass.setNextTask(rq, next, true);
}

/** context_switch() + finish_task_switch(). */
function contextSwitch(k: Kernel, rq: Rq, prev: Task, next: Task): void {
  accountRq(k, rq);
  k.engine.cancel(rq.burstTimer);
  // sched_info_depart / sched_info_arrive
  if (prev !== rq.idle) {
    rq.rqCpuTimeNs += k.now - rq.lastSwitchNs;
    if (prev.state === TASK_RUNNING && prev.onRq) schedInfoEnqueue(k, prev);
  }
  if (next !== rq.idle) {
    if (next.lastQueuedNs >= 0) {
      const d = k.now - next.lastQueuedNs;
      addRunDelay(next, d);
      rq.rqRunDelayNs += d;
      next.lastQueuedNs = -1;
    }
    next.pcount++;
    rq.rqPcount++;
  }
  prev.onCpu = false;
  next.onCpu = true;
  rq.curr = next;
  // psi_task_switch(): TSK_ONCPU moves to next.
  psiChange(rq, k.now);
  rq.lastSwitchNs = k.now;
  if (next.cpu !== rq.cpu) throw new KernelBug(`pid ${next.pid} switched in on cpu ${rq.cpu} but task_cpu is ${next.cpu}`);

  if (next === rq.idle) {
    stopTick(k, rq);
    rq.idleStampNs = k.now;
    k.nrIdleCpus++;
  } else {
    if (prev === rq.idle) {
      updateAvgIdle(k, rq);
      k.nrIdleCpus--;
    }
    startTick(k, rq);
  }
  if (prev.state & TASK_DEAD) {
    prev.schedClass.taskDead?.(prev);
    k.finishDeadTask(prev);
  }
}

function updateAvgIdle(k: Kernel, rq: Rq): void {
  if (rq.idleStampNs <= 0) return;
  const delta = k.now - rq.idleStampNs;
  const max = 2 * k.tunables.migrationCostNs;
  // update_avg(&rq->avg_idle, delta): avg += (sample - avg) / 8
  rq.avgIdleNs += Math.trunc((delta - rq.avgIdleNs) / 8);
  if (rq.avgIdleNs > max) rq.avgIdleNs = max;
  rq.idleStampNs = 0;
}

/* ---------------------------------------------------------------- wakeups */

/** wakeup_preempt(): same class -> the class decides; a higher class -> reschedule. */
export function wakeupPreempt(k: Kernel, rq: Rq, p: Task, wakeFlags: number): void {
  const curr = rq.curr;
  if (p.schedClass === curr.schedClass) curr.schedClass.wakeupPreempt(rq, p, wakeFlags);
  else if (p.schedClass.rank < curr.schedClass.rank) reschedCurr(k, rq);
}

/** select_task_rq(): the class chooses, then the choice is checked against affinity and online CPUs. */
export function selectTaskRq(k: Kernel, p: Task, cpu: number, wakeFlags: number): number {
  if (p.cpusAllowed.weight > 1) cpu = p.schedClass.selectTaskRq(p, cpu, wakeFlags);
  else cpu = p.cpusAllowed.first;
  if (!p.cpusAllowed.has(cpu) || !(k.rqs[cpu] as Rq).online) cpu = selectFallbackRq(k, p);
  return cpu;
}

/** select_fallback_rq(): any online allowed CPU; if none, widen the affinity to all CPUs (as the kernel does). */
export function selectFallbackRq(k: Kernel, p: Task): number {
  for (const c of p.cpusAllowed.cpus) if ((k.rqs[c] as Rq).online) return c;
  p.cpusAllowed = k.cpuMaskAll;
  for (const c of p.cpusAllowed.cpus) if ((k.rqs[c] as Rq).online) return c;
  return 0;
}

/** set_task_cpu(): trace the move and tell the class. */
export function setTaskCpu(k: Kernel, p: Task, newCpu: number): void {
  if (p.cpu === newCpu) return;
  if (p.inMemstall && p.onRq === 0) {
    // A sleeper in a memory stall (its affinity changed) takes its stall along.
    const from = rqOf(k, p);
    const to = k.rqs[newCpu] as Rq;
    from.psiNrMemstall--;
    to.psiNrMemstall++;
    psiChange(from, k.now);
    psiChange(to, k.now);
  }
  traceMigrate(k, p, p.cpu, newCpu);
  p.schedClass.migrateTaskRq?.(p, newCpu);
  p.se.nrMigrations++;
  p.cpu = newCpu;
  // __set_task_cpu(): the next wakeup starts its search from where the task is now.
  p.wakeCpu = newCpu;
}

/**
 * try_to_wake_up(): wake p if its state matches stateMask. A task still on its runqueue (a delayed dequeue,
 * or woken before it switched out) is requeued where it is; otherwise a CPU is selected and p activated there.
 */
export function tryToWakeUp(k: Kernel, p: Task, stateMask: number, wakeFlags = 0): boolean {
  if ((p.state & stateMask) === 0 || p.exitState !== 0) return false;
  wakeFlags |= WF_TTWU;
  traceWake(k, 'sched_waking', p, p.cpu);
  endSleepStats(k, p);
  if (p.memstallSleep) psiMemstallSleepEnd(k, p);
  if (p.onRq) {
    // ttwu_runnable()
    const rq = rqOf(k, p);
    if (p.se.schedDelayed) enqueueTask(k, rq, p, ENQUEUE_DELAYED);
    if (rq.curr !== p) wakeupPreempt(k, rq, p, wakeFlags);
    p.state = TASK_RUNNING;
    traceWake(k, 'sched_wakeup', p, p.cpu);
    return true;
  }
  if (p.inIowait) {
    const prq = rqOf(k, p);
    // The interrupt that ends the I/O wait first closes the CPU's idle period (tick_nohz_stop_idle), which is
    // iowait time while the count still includes this task; charge it before the count drops.
    accountRq(k, prq);
    prq.nrIowait--;
    psiChange(prq, k.now);
  }
  const prevCpu = p.cpu;
  const cpu = selectTaskRq(k, p, p.wakeCpu, wakeFlags);
  if (cpu !== p.cpu) {
    wakeFlags |= WF_MIGRATED;
    setTaskCpu(k, p, cpu);
  }
  const rq = k.rqs[cpu] as Rq;
  // ttwu_stat(): counted on the waking CPU's runqueue (this_rq), a remote wakeup in its domain too. A wakeup
  // from no CPU (a scenario action) is counted on the target's.
  const thisCpu = k.currentCpu;
  const thisRq = thisCpu >= 0 ? (k.rqs[thisCpu] as Rq) : rq;
  const s = p.stats;
  if (cpu !== prevCpu) s.nrWakeupsMigrate++;
  if (thisCpu === cpu) {
    s.nrWakeupsLocal++;
    thisRq.ttwuLocal++;
  } else {
    s.nrWakeupsRemote++;
    if (thisCpu >= 0) (k.balancer.sdStats[thisCpu] as SdStats).ttwuWakeRemote++;
  }
  thisRq.ttwuCount++;
  if (rq.isIdle) s.nrWakeupsIdle++;
  // ttwu_do_activate()
  if (p.contributesToLoad) rq.nrUninterruptible--;
  p.contributesToLoad = false;
  p.inIowait = false;
  let en = ENQUEUE_WAKEUP;
  if (wakeFlags & WF_MIGRATED) en |= ENQUEUE_MIGRATED;
  // ttwu_queue_cond(): a wakeup for an idle CPU other than this one goes on its wake list, with a function-call
  // IPI (one last-level cache here, so a busy target's rq is locked and enqueued to directly).
  const wakelist = thisCpu >= 0 && thisCpu !== cpu && rq.nrRunning === 0 && k.tunables.features.TTWU_QUEUE;
  if (wakelist) {
    rq.irqCallCount++;
    k.wakelistCpu = cpu;
  }
  activateTask(k, rq, p, en);
  wakeupPreempt(k, rq, p, wakeFlags);
  if (wakelist) k.wakelistCpu = -1;
  p.state = TASK_RUNNING;
  traceWake(k, 'sched_wakeup', p, cpu);
  if (rq.curr !== p) p.schedClass.taskWoken?.(rq, p);
  return true;
}

function endSleepStats(k: Kernel, p: Task): void {
  const s = p.stats;
  if (s.sleepStartNs > 0) {
    const d = k.now - s.sleepStartNs;
    s.sumSleepRuntimeNs += d;
    if (d > s.sleepMaxNs) s.sleepMaxNs = d;
    s.sleepStartNs = 0;
  }
  if (s.blockStartNs > 0) {
    const d = k.now - s.blockStartNs;
    s.sumSleepRuntimeNs += d;
    s.sumBlockRuntimeNs += d;
    if (d > s.blockMaxNs) s.blockMaxNs = d;
    if (p.inIowait) {
      s.iowaitSumNs += d;
      s.iowaitCount++;
    }
    s.blockStartNs = 0;
  }
}

/** wake_up_process(): wake from any normal sleep. */
export function wakeUpProcess(k: Kernel, p: Task): boolean {
  return tryToWakeUp(k, p, TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE, 0);
}

/** wake_up_new_task(): first activation of a forked task. */
export function wakeUpNewTask(k: Kernel, p: Task): void {
  p.state = TASK_RUNNING;
  const cpu = selectTaskRq(k, p, p.cpu, WF_FORK);
  p.cpu = cpu; // __set_task_cpu: no migration event for a task that never ran
  p.wakeCpu = cpu;
  const rq = k.rqs[cpu] as Rq;
  activateTask(k, rq, p, ENQUEUE_INITIAL);
  traceWake(k, 'sched_wakeup_new', p, cpu);
  wakeupPreempt(k, rq, p, WF_FORK);
  if (rq.curr !== p) p.schedClass.taskWoken?.(rq, p);
}

/* ---------------------------------------------------------------- moving queued tasks */

/** move_queued_task(): p is queued on rq but not running; move it to newCpu. */
export function moveQueuedTask(k: Kernel, rq: Rq, p: Task, newCpu: number): void {
  if (rq.curr === p) throw new KernelBug(`move_queued_task on running pid ${p.pid}`);
  if (p.se.schedDelayed) {
    // A delayed-dequeued sleeper: finish its dequeue; it will pick a CPU when it wakes.
    finishDelayedDequeue(k, rq, p);
    return;
  }
  deactivateTask(k, rq, p, 0);
  setTaskCpu(k, p, newCpu);
  const dst = k.rqs[newCpu] as Rq;
  activateTask(k, dst, p, 0);
  wakeupPreempt(k, dst, p, 0);
}

/** Complete the DELAY_DEQUEUE of a sleeping fair task now (dequeue_task(DEQUEUE_SLEEP|DEQUEUE_DELAYED)). */
export function finishDelayedDequeue(k: Kernel, rq: Rq, p: Task): void {
  k.classes.fair.finishDelayed(rq, p);
}

/**
 * update_se() / update_curr_common(): charge rq.curr for the time since exec_start - its sum_exec_runtime,
 * per-CPU time, system time and the CPU burst it is working through. Classes call it from updateCurr.
 */
export function updateCurrCommon(k: Kernel, rq: Rq, p: Task): number {
  const now = k.now;
  const se = p.se;
  const delta = now - se.execStartNs;
  if (delta <= 0) return 0;
  se.execStartNs = now;
  p.sumExecRuntimeNs += delta;
  p.addCpuTime(rq.cpu, delta);
  const b = p.burst;
  if (p.isKthread || (b !== null && b.kernel)) p.systemTimeNs += delta;
  if (delta > p.stats.execMaxNs) p.stats.execMaxNs = delta;
  if (b !== null && !b.forever) b.remainingNs -= delta;
  return delta;
}
