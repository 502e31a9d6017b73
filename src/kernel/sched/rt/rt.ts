/**
 * The RT class (kernel/sched/rt.c) for SCHED_FIFO and SCHED_RR: per-CPU priority arrays, FIFO and round-robin
 * rules, push/pull between CPUs so that the highest-priority RT tasks of the machine are the running ones
 * (simplified cpupri: the lowest-priority CPU, idle ones first), and the classic RT throttling
 * (sched_rt_runtime_us / sched_rt_period_us, the default up to Linux 6.11).
 * As in the kernel, the running RT task stays on its priority list; pushable tasks are the queued,
 * not running, multi-CPU ones.
 */
import { EventPrio, type Timer } from '../../core/engine.js';
import type { Kernel } from '../../kernel.js';
import { SCHED_RR, type Task } from '../../task/task.js';
import { activateTask, deactivateTask, reschedCurr, setTaskCpu, updateCurrCommon } from '../core.js';
import type { Rq } from '../rq.js';
import { ENQUEUE_HEAD, ENQUEUE_WAKEUP, type SchedClass } from '../sched-class.js';
import { MAX_RT_PRIO } from './rt-rq.js';

export const RUNTIME_INF = -1;

export class RtClass implements SchedClass {
  readonly name = 'rt' as const;
  readonly rank = 2;
  /** def_rt_bandwidth's period timer (do_sched_rt_period_timer); armed while RT tasks exist. */
  private periodTimer: Timer | null = null;
  private throttleLogged = false;

  constructor(private readonly k: Kernel) {}

  nrRunnable(rq: Rq): number {
    return rq.rt.rtNrRunning;
  }

  /** sched_rr_timeslice in ticks. */
  rrTimesliceTicks(): number {
    return this.k.sysctl.rrTimesliceTicks;
  }

  private throttlingEnabled(): boolean {
    return this.k.tunables.rtStarvation === 'throttle' && this.k.sysctl.rtRuntimeUs !== RUNTIME_INF;
  }

  /* ------------------------------------------------------------ queueing */

  enqueueTask(rq: Rq, p: Task, flags: number): void {
    const rt = rq.rt;
    rt.enqueue(p.rt, p.prio, (flags & ENQUEUE_HEAD) !== 0);
    rt.rtNrRunning++;
    if (rt.rtNrRunning === 2) this.k.nrRtOverloaded++;
    if (p.cpusAllowed.weight > 1) rt.nrMigratory++;
    rq.nrRunning++;
    if (flags & ENQUEUE_WAKEUP) p.rt.timeSliceTicks = p.rt.timeSliceTicks > 0 ? p.rt.timeSliceTicks : this.rrTimesliceTicks();
    // start_rt_bandwidth(): an inactive period timer is kicked at once, so a new period starts now (time that
    // deadline tasks put in rt_time meanwhile is given back before this task is charged).
    if (this.throttlingEnabled()) this.startPeriodTimer(0);
  }

  dequeueTask(rq: Rq, p: Task): boolean {
    this.updateCurr(rq);
    const rt = rq.rt;
    rt.dequeue(p.rt, p.prio);
    rt.rtNrRunning--;
    if (rt.rtNrRunning === 1) this.k.nrRtOverloaded--;
    if (p.cpusAllowed.weight > 1) rt.nrMigratory--;
    rq.nrRunning--;
    return true;
  }

  yieldTask(rq: Rq): void {
    const p = rq.curr;
    rq.rt.requeue(p.rt, p.prio, false);
  }

  wakeupPreempt(rq: Rq, p: Task): void {
    if (p.prio < rq.curr.prio) reschedCurr(this.k, rq);
  }

  /** pick_task_rt(): the head of the highest-priority non-empty list, unless this rt_rq is throttled. */
  pickTask(rq: Rq): Task | null {
    const rt = rq.rt;
    if (rt.rtNrRunning === 0 || rt.rtThrottled) return null;
    const prio = rt.highestPrio();
    const e = rt.head(prio);
    return e === null ? null : e.task;
  }

  putPrevTask(rq: Rq): void {
    this.updateCurr(rq);
  }

  setNextTask(rq: Rq, p: Task, first: boolean): void {
    p.se.execStartNs = this.k.now;
    // A newly running RT task may leave others queued behind it: push them where they can run now, once
    // the switch is complete (rt_queue_push_tasks: a balance callback).
    if (first && rq.rt.rtNrRunning > 1) this.queuePushTasks(rq);
  }

  /** rt_queue_push_tasks(). Its own method: the closure inline would cost every setNextTask a context object. */
  private queuePushTasks(rq: Rq): void {
    this.k.balanceCallback(rq, () => this.pushRtTasks(rq));
  }

  /**
   * task_tick_rt(): SCHED_RR uses up its timeslice one tick at a time; at zero it is refilled and, if it is not
   * alone at its priority, moved to the tail with a reschedule. SCHED_FIFO has no timeslice.
   */
  taskTick(rq: Rq, p: Task): void {
    this.updateCurr(rq);
    if (p.policy !== SCHED_RR) return;
    if (--p.rt.timeSliceTicks > 0) return;
    p.rt.timeSliceTicks = this.rrTimesliceTicks();
    if (p.rt.prev !== null || p.rt.next !== null) {
      rq.rt.requeue(p.rt, p.prio, false);
      reschedCurr(this.k, rq);
    }
  }

  /** update_curr_rt(): charge curr; with throttling, throttle the rt_rq once its runtime is used up. */
  updateCurr(rq: Rq): void {
    const curr = rq.curr;
    if (curr.schedClass !== this) return;
    const delta = updateCurrCommon(this.k, rq, curr);
    if (delta <= 0) return;
    if (!this.throttlingEnabled()) return;
    const rt = rq.rt;
    rt.rtTimeNs += delta;
    if (this.runtimeExceeded(rq)) {
      reschedCurr(this.k, rq);
      // do_start_rt_bandwidth(): throttling switched back on under a task that never sleeps has no enqueue to
      // start the period timer. Kicked at once (as on enqueue), it lifts this first throttle straight away.
      this.startPeriodTimer(0);
    }
  }

  /** sched_rt_runtime_exceeded(). */
  private runtimeExceeded(rq: Rq): boolean {
    const rt = rq.rt;
    if (rt.rtThrottled) return true;
    const runtimeNs = this.k.sysctl.rtRuntimeUs * 1000;
    const periodNs = this.k.sysctl.rtPeriodUs * 1000;
    if (runtimeNs >= periodNs) return false;
    if (rt.rtTimeNs > runtimeNs) {
      if (runtimeNs > 0) {
        rt.rtThrottled = true;
        if (!this.throttleLogged) {
          this.throttleLogged = true;
          this.k.printk(4, 'sched: RT throttling activated', { deferred: true });
        }
      } else {
        rt.rtTimeNs = 0;
      }
      return rt.rtThrottled;
    }
    return false;
  }

  /**
   * update_curr_dl()'s share of the RT bandwidth (<= 6.11, when the root group still throttled): deadline
   * tasks' time counts in rt_time too, or RT tasks could run past the shared quota beside them
   * (sched_rt_bandwidth_account(): while the period timer runs, or below the runtime). The overflow is for the
   * RT tasks to notice: a deadline task has its own CBS.
   */
  accountDlTime(rq: Rq, delta: number): void {
    if (!this.throttlingEnabled()) return;
    const rt = rq.rt;
    if (this.periodTimer !== null || rt.rtTimeNs < this.k.sysctl.rtRuntimeUs * 1000) rt.rtTimeNs += delta;
  }

  private startPeriodTimer(delayNs: number): void {
    if (this.periodTimer !== null) return;
    this.periodTimer = this.k.engine.at(delayNs, EventPrio.Normal, 'rt_period_timer', () => this.periodTimerFn());
  }

  /** do_sched_rt_period_timer(): give each rt_rq its runtime back, unthrottle, stop when idle. */
  private periodTimerFn(): void {
    this.periodTimer = null;
    // sched_rt_runtime_us = -1 (RUNTIME_INF) written while throttled: this last period gives back all the time
    // used and unthrottles, then the timer stops (the kernel's runtime is then U64_MAX, not a negative number).
    const runtimeNs = this.k.sysctl.rtRuntimeUs === RUNTIME_INF ? Infinity : this.k.sysctl.rtRuntimeUs * 1000;
    let active = false;
    for (const rq of this.k.rqs) {
      const rt = rq.rt;
      if (rt.rtTimeNs > 0) {
        rt.rtTimeNs -= Math.min(rt.rtTimeNs, runtimeNs);
        if (rt.rtThrottled && rt.rtTimeNs < runtimeNs) {
          rt.rtThrottled = false;
          if (rt.rtNrRunning > 0 && rt.highestPrio() < rq.curr.prio) this.k.onCpu(rq.cpu, () => reschedCurr(this.k, rq));
        }
        if (rt.rtTimeNs > 0 || rt.rtThrottled) active = true;
      }
      if (rt.rtNrRunning > 0) active = true;
    }
    if (active && this.throttlingEnabled()) this.startPeriodTimer(this.k.sysctl.rtPeriodUs * 1000);
  }

  /* ------------------------------------------------------------ SMP: CPU choice, push and pull */

  /** The priority a CPU runs at, for cpupri: its highest RT priority, 100 for fair/idle, -1 for dl/stop. */
  private cpuPrio(rq: Rq): number {
    if (rq.curr.schedClass.rank < this.rank) return -1;
    if (rq.dl.dlNrRunning > 0) return -1;
    return rq.rt.rtThrottled ? MAX_RT_PRIO : rq.rt.highestPrio();
  }

  /**
   * find_lowest_rq(): an allowed CPU running at the lowest priority, lower than p's: p's own CPU when it is
   * among the lowest (as cpupri's lowest_mask test does first), else an idle one, else the first found.
   */
  private findLowestRq(p: Task): number {
    const own = this.k.rqs[p.cpu] as Rq;
    if (p.cpusAllowed.has(p.cpu) && own.online && this.cpuPrio(own) === MAX_RT_PRIO) return p.cpu;
    let best = -1;
    let bestPrio = -2;
    let bestIdle = false;
    for (const c of p.cpusAllowed.cpus) {
      const rq = this.k.rqs[c] as Rq;
      if (!rq.online) continue;
      const prio = this.cpuPrio(rq);
      if (prio <= p.prio) continue;
      const idle = rq.isIdle && rq.nrRunning === 0;
      const better =
        prio > bestPrio || (prio === bestPrio && idle && !bestIdle) || (prio === bestPrio && idle === bestIdle && c === p.cpu);
      if (best < 0 || better) {
        best = c;
        bestPrio = prio;
        bestIdle = idle;
        // Nothing beats an idle CPU with no RT work but p's own CPU, and that case returned above; with no CPU
        // idle anywhere, nothing beats the first CPU with no RT work either.
        if (prio === MAX_RT_PRIO && (idle || this.k.nrIdleCpus === 0)) break;
      }
    }
    return best;
  }

  /** select_task_rq_rt(): move a waking RT task away from a CPU busy with an equal or higher RT task. */
  selectTaskRq(p: Task, cpu: number): number {
    const rq = this.k.rqs[cpu] as Rq;
    const curr = rq.curr;
    const test = curr.schedClass.rank <= this.rank && curr !== rq.idle && (curr.cpusAllowed.weight < 2 || curr.prio <= p.prio);
    if (test) {
      const target = this.findLowestRq(p);
      if (target !== -1 && p.prio < this.cpuPrio(this.k.rqs[target] as Rq)) return target;
    }
    return cpu;
  }

  /** task_woken_rt(): p could not preempt here; try pushing it elsewhere. */
  taskWoken(rq: Rq, p: Task): void {
    if (rq.curr === p || rq.needResched || p.cpusAllowed.weight < 2) return;
    const c = rq.curr;
    if (c.schedClass.rank > this.rank) return;
    if (c.cpusAllowed.weight < 2 || c.prio <= p.prio) this.pushRtTasks(rq);
  }

  /** The best queued, not running, multi-CPU RT task of rq (the head of the pushable list). */
  private pickPushable(rq: Rq): Task | null {
    return rq.rt.nextPushable(rq.curr);
  }

  /** push_rt_tasks(): move queued RT tasks to CPUs running lower-priority work. */
  pushRtTasks(rq: Rq): void {
    for (let guard = 0; guard < 64; guard++) {
      const p = this.pickPushable(rq);
      if (p === null) return;
      // Only push a task that cannot run here now.
      if (rq.curr.schedClass === this && p.prio < rq.curr.prio) {
        reschedCurr(this.k, rq);
        return;
      }
      const target = this.findLowestRq(p);
      if (target < 0 || target === rq.cpu) return;
      const dst = this.k.rqs[target] as Rq;
      if (p.prio >= this.cpuPrio(dst)) return;
      deactivateTask(this.k, rq, p, 0);
      setTaskCpu(this.k, p, target);
      activateTask(this.k, dst, p, 0);
      reschedCurr(this.k, dst);
    }
  }

  /** pull_rt_task(): this CPU's priority dropped; take the best higher-priority RT task queued elsewhere. */
  private pullRtTask(rq: Rq): boolean {
    // rto_mask: nothing to pull unless some other CPU has two or more RT tasks.
    if (this.k.nrRtOverloaded === 0 || (this.k.nrRtOverloaded === 1 && rq.rt.rtNrRunning >= 2)) return false;
    let pulled = false;
    for (const src of this.k.rqs) {
      if (src === rq || src.rt.rtNrRunning < 2 || src.rt.rtThrottled) continue;
      const p = this.pickPushable(src);
      // This CPU's RT priority, read again after each pull (no closure: it would be allocated on every call).
      if (p === null || !p.cpusAllowed.has(rq.cpu) || p.prio >= (rq.rt.rtThrottled ? MAX_RT_PRIO : rq.rt.highestPrio())) continue;
      // Do not pull a task that is about to run on its own CPU (it is better than what runs there).
      if (p.prio < src.curr.prio) continue;
      deactivateTask(this.k, src, p, 0);
      setTaskCpu(this.k, p, rq.cpu);
      activateTask(this.k, rq, p, 0);
      pulled = true;
    }
    return pulled;
  }

  /** balance_rt(): pull when prev leaves the RT class or this CPU's RT priority drops. */
  balance(rq: Rq, prev: Task): boolean {
    const onRt = prev.rt.onList;
    if (!onRt && rq.online && rq.rt.highestPrio() > prev.prio) this.pullRtTask(rq);
    return rq.stop !== null && rq.stop.onRq !== 0 ? true : rq.dl.dlNrRunning > 0 || (rq.rt.rtNrRunning > 0 && !rq.rt.rtThrottled);
  }

  prioChanged(rq: Rq, p: Task, oldPrio: number): void {
    if (p.onRq === 0) return;
    if (rq.curr === p) {
      // Priority lowered: maybe someone else should run now.
      if (oldPrio < p.prio) {
        this.pullRtTask(rq);
        if (rq.rt.highestPrio() < p.prio) reschedCurr(this.k, rq);
      }
    } else if (p.prio < rq.curr.prio) {
      reschedCurr(this.k, rq);
    }
  }

  switchedTo(rq: Rq, p: Task): void {
    p.rt.timeSliceTicks = this.rrTimesliceTicks();
    if (p.onRq !== 0 && rq.curr !== p && p.prio < rq.curr.prio) reschedCurr(this.k, rq);
  }

  switchedFrom(rq: Rq): void {
    // Our priority on this CPU may have dropped: pull RT work queued elsewhere.
    if (rq.rt.rtNrRunning === 0) this.pullRtTask(rq);
  }
}
