/**
 * The fair class (kernel/sched/fair.c) for SCHED_NORMAL, SCHED_BATCH and SCHED_IDLE, in both of its real
 * forms: EEVDF (6.6+, defaults of 6.17 incl. DELAY_DEQUEUE and slice protection) and classic CFS (<= 6.5),
 * selected per machine. No group scheduling: every entity is a task on its CPU's root cfs_rq.
 */
import type { Kernel } from '../../kernel.js';
import { SCHED_BATCH, SCHED_IDLE, SCHED_NORMAL, type SchedEntity, type Task } from '../../task/task.js';
import { finishBlock, reschedCurr, updateCurrCommon, wakeupPreempt } from '../core.js';
import type { Rq } from '../rq.js';
import type { SdStats } from '../balance.js';
import {
  DEQUEUE_DELAYED,
  DEQUEUE_SAVE,
  DEQUEUE_MOVE,
  DEQUEUE_SLEEP,
  DEQUEUE_SPECIAL,
  ENQUEUE_DELAYED,
  ENQUEUE_MIGRATED,
  ENQUEUE_WAKEUP,
  WF_EXEC,
  WF_FORK,
  type SchedClass,
} from '../sched-class.js';
import { checkPreemptTick, pickNextEntityCfs, placeEntityCfs, wakeupPreemptEntity } from './cfs.js';
import type { CfsRq } from './cfs-rq.js';
import {
  cancelProtectSlice,
  pickEevdf,
  placeEntity,
  protectSlice,
  setProtectSlice,
  updateDeadline,
  updateEntityLag,
  updateProtectSlice,
} from './eevdf.js';
import { calcDeltaFair, type LoadWeight } from './weights.js';

export class FairClass implements SchedClass {
  readonly name = 'fair' as const;
  readonly rank = 3;
  constructor(private readonly k: Kernel) {}

  private get eevdf(): boolean {
    return this.k.tunables.mode === 'eevdf';
  }

  nrRunnable(rq: Rq): number {
    return rq.cfs.nrQueued;
  }

  /* ------------------------------------------------------------ update_curr */

  /** update_curr(cfs_rq): charge curr, advance its vruntime; under EEVDF, renew its deadline and preempt. */
  private updateCurrFair(rq: Rq): void {
    const cfs = rq.cfs;
    const curr = cfs.curr;
    if (curr === null) return;
    const delta = updateCurrCommon(this.k, rq, curr.task);
    if (delta <= 0) return;
    curr.vruntime += calcDeltaFair(delta, curr.load);
    if (this.k.tunables.rtStarvation === 'fair-server') this.k.classes.dl.serverUpdate(rq, delta);
    if (!this.eevdf) {
      cfs.updateMinVruntime();
      return;
    }
    const resched = updateDeadline(curr, this.k.tunables);
    cfs.updateMinVruntime();
    if (cfs.nrQueued === 1) return;
    if (resched || !protectSlice(curr)) {
      reschedCurr(this.k, rq, true);
      cfs.clearBuddies(curr);
    }
  }

  updateCurr(rq: Rq): void {
    this.updateCurrFair(rq);
  }

  /* ------------------------------------------------------------ enqueue / dequeue */

  enqueueTask(rq: Rq, p: Task, flags: number): void {
    const cfs = rq.cfs;
    const se = p.se;
    if (flags & ENQUEUE_DELAYED) {
      this.requeueDelayedEntity(rq, se);
      return;
    }
    if (cfs.nrQueued === 0 && this.k.tunables.rtStarvation === 'fair-server') this.k.classes.dl.serverStart(rq);
    if (this.eevdf) this.enqueueEntityEevdf(rq, cfs, se, flags);
    else this.enqueueEntityCfs(rq, cfs, se, flags);
    cfs.hNrRunnable++;
    if (p.policy === SCHED_IDLE) rq.cfsNrIdle++;
    rq.nrRunning++;
  }

  private accountEnqueue(cfs: CfsRq, se: SchedEntity): void {
    cfs.loadWeight += se.load.weight;
    cfs.nrQueued++;
  }

  private enqueueEntityEevdf(rq: Rq, cfs: CfsRq, se: SchedEntity, flags: number): void {
    const isCurr = cfs.curr === se;
    // The current task is placed before update_curr() so that its own runtime does not move V under it.
    if (isCurr) placeEntity(cfs, se, flags, this.k.tunables);
    this.updateCurrFair(rq);
    if (!isCurr) placeEntity(cfs, se, flags, this.k.tunables);
    this.accountEnqueue(cfs, se);
    if (flags & ENQUEUE_MIGRATED) se.execStartNs = 0; // no longer cache hot
    if (!isCurr) cfs.enqueueEntityTree(se);
    se.onRq = true;
  }

  private enqueueEntityCfs(rq: Rq, cfs: CfsRq, se: SchedEntity, flags: number): void {
    // vruntime is kept relative to min_vruntime while a task is off a runqueue for a non-sleep reason.
    const renorm = !(flags & ENQUEUE_WAKEUP) || (flags & ENQUEUE_MIGRATED) !== 0;
    const isCurr = cfs.curr === se;
    if (renorm && isCurr) se.vruntime += cfs.minVruntime;
    this.updateCurrFair(rq);
    if (renorm && !isCurr) se.vruntime += cfs.minVruntime;
    this.accountEnqueue(cfs, se);
    if (flags & ENQUEUE_WAKEUP) placeEntityCfs(cfs, se, false, this.k.tunables);
    if (flags & ENQUEUE_MIGRATED) se.execStartNs = 0;
    if (!isCurr) cfs.enqueueEntityTree(se);
    se.onRq = true;
  }

  /** requeue_delayed_entity(): a delayed sleeper was woken while still queued. */
  private requeueDelayedEntity(rq: Rq, se: SchedEntity): void {
    const cfs = rq.cfs;
    if (this.k.tunables.features.DELAY_ZERO) {
      updateEntityLag(cfs, se, this.k.tickNs);
      if (se.vlag > 0) {
        cfs.nrQueued--;
        if (se !== cfs.curr) cfs.dequeueEntityTree(se);
        se.vlag = 0;
        placeEntity(cfs, se, 0, this.k.tunables);
        if (se !== cfs.curr) cfs.enqueueEntityTree(se);
        cfs.nrQueued++;
      }
    }
    se.schedDelayed = false;
    cfs.hNrRunnable++;
  }

  dequeueTask(rq: Rq, p: Task, flags: number): boolean {
    const cfs = rq.cfs;
    const se = p.se;
    const delayedFinal = (flags & DEQUEUE_DELAYED) !== 0;
    const ok = this.eevdf ? this.dequeueEntityEevdf(rq, cfs, se, flags) : this.dequeueEntityCfs(rq, cfs, se, flags);
    if (!ok) {
      // set_delayed(): stays queued, no longer runnable.
      se.schedDelayed = true;
      cfs.hNrRunnable--;
      return false;
    }
    if (!delayedFinal) cfs.hNrRunnable--;
    if (p.policy === SCHED_IDLE) rq.cfsNrIdle--;
    rq.nrRunning--;
    if (cfs.nrQueued === 0 && this.k.tunables.rtStarvation === 'fair-server') this.k.classes.dl.serverStop(rq);
    return true;
  }

  private accountDequeue(cfs: CfsRq, se: SchedEntity): void {
    cfs.loadWeight -= se.load.weight;
    cfs.nrQueued--;
  }

  private dequeueEntityEevdf(rq: Rq, cfs: CfsRq, se: SchedEntity, flags: number): boolean {
    const sleep = (flags & DEQUEUE_SLEEP) !== 0;
    this.updateCurrFair(rq);
    cfs.clearBuddies(se);
    if (flags & DEQUEUE_DELAYED) {
      if (!se.schedDelayed) throw this.k.bug(`delayed dequeue of non-delayed pid ${se.task.pid}`);
    } else {
      // DELAY_DEQUEUE relies on spurious wakeups; special states (stopped, dead) must not get them.
      const delay = sleep && !(flags & DEQUEUE_SPECIAL);
      if (this.k.tunables.features.DELAY_DEQUEUE && delay && !cfs.entityEligible(se)) return false;
    }
    updateEntityLag(cfs, se, this.k.tickNs);
    if (this.k.tunables.features.PLACE_REL_DEADLINE && !sleep) {
      se.deadline -= se.vruntime;
      se.relDeadline = true;
    }
    if (se !== cfs.curr) cfs.dequeueEntityTree(se);
    se.onRq = false;
    this.accountDequeue(cfs, se);
    cfs.updateMinVruntime();
    if (flags & DEQUEUE_DELAYED) {
      se.schedDelayed = false;
      if (this.k.tunables.features.DELAY_ZERO && se.vlag > 0) se.vlag = 0;
    }
    return true;
  }

  private dequeueEntityCfs(rq: Rq, cfs: CfsRq, se: SchedEntity, flags: number): boolean {
    this.updateCurrFair(rq);
    cfs.clearBuddies(se);
    if (se !== cfs.curr) cfs.dequeueEntityTree(se);
    se.onRq = false;
    this.accountDequeue(cfs, se);
    // Normalize after update_curr, before min_vruntime moves on without se.
    if (!(flags & DEQUEUE_SLEEP)) se.vruntime -= cfs.minVruntime;
    if ((flags & (DEQUEUE_SAVE | DEQUEUE_MOVE)) !== DEQUEUE_SAVE) cfs.updateMinVruntime();
    return true;
  }

  /**
   * Finish a DELAY_DEQUEUE now: the delayed sleeper leaves the runqueue for good (pick found it, or it must
   * move or change class). dequeue_entities(DEQUEUE_SLEEP | DEQUEUE_DELAYED) + __block_task().
   */
  finishDelayed(rq: Rq, p: Task): void {
    if (!p.se.schedDelayed) return;
    this.dequeueTask(rq, p, DEQUEUE_SLEEP | DEQUEUE_DELAYED);
    finishBlock(this.k, rq, p);
  }

  /* ------------------------------------------------------------ pick / put / set */

  pickTask(rq: Rq): Task | null {
    const cfs = rq.cfs;
    for (;;) {
      if (cfs.nrQueued === 0) return null;
      const curr = cfs.curr;
      if (curr !== null && curr.onRq) this.updateCurrFair(rq);
      if (!this.eevdf) {
        const se = pickNextEntityCfs(cfs, curr !== null && curr.onRq ? curr : null, this.k.tunables);
        return se === null ? null : se.task;
      }
      const se = this.pickNextEntity(cfs);
      if (se === null) return null;
      if (se.schedDelayed) {
        // A delayed sleeper reached the front: dequeue it for real instead of running it, and pick again.
        this.finishDelayed(rq, se.task);
        continue;
      }
      return se.task;
    }
  }

  private pickNextEntity(cfs: CfsRq): SchedEntity | null {
    const next = cfs.next;
    if (this.k.tunables.features.PICK_BUDDY && next !== null && cfs.entityEligible(next)) return next;
    return pickEevdf(cfs, true);
  }

  putPrevTask(rq: Rq, prev: Task): void {
    const cfs = rq.cfs;
    const se = prev.se;
    if (se.onRq) {
      this.updateCurrFair(rq);
      cfs.enqueueEntityTree(se);
    }
    cfs.curr = null;
  }

  setNextTask(rq: Rq, p: Task): void {
    const cfs = rq.cfs;
    const se = p.se;
    cfs.clearBuddies(se);
    if (se.onRq) {
      cfs.dequeueEntityTree(se);
      if (this.eevdf) setProtectSlice(cfs, se, this.k.tunables);
    }
    se.execStartNs = this.k.now;
    cfs.curr = se;
    se.prevSumExecRuntimeNs = p.sumExecRuntimeNs;
  }

  /* ------------------------------------------------------------ tick, wakeup, yield */

  taskTick(rq: Rq, p: Task): void {
    this.updateCurrFair(rq);
    if (!this.eevdf && rq.cfs.nrQueued > 1 && checkPreemptTick(rq.cfs, p.se, this.k.tunables)) {
      reschedCurr(this.k, rq);
    }
  }

  wakeupPreempt(rq: Rq, p: Task, wakeFlags: number): void {
    const curr = rq.curr;
    const se = curr.se;
    const pse = p.se;
    if (se === pse) return;
    if (this.eevdf) this.checkPreemptWakeupEevdf(rq, curr, p, wakeFlags);
    else this.checkPreemptWakeupCfs(rq, curr, p, wakeFlags);
    void se;
  }

  /** check_preempt_wakeup_fair() of 6.17. */
  private checkPreemptWakeupEevdf(rq: Rq, curr: Task, p: Task, wakeFlags: number): void {
    const t = this.k.tunables;
    const cfs = rq.cfs;
    const se = curr.se;
    const pse = p.se;
    if (t.features.NEXT_BUDDY && !(wakeFlags & WF_FORK) && !pse.schedDelayed) cfs.next = pse;
    if (rq.needResched) return;
    if (!t.features.WAKEUP_PREEMPTION) return;
    const cseIdle = curr.policy === SCHED_IDLE;
    const pseIdle = p.policy === SCHED_IDLE;
    let preemptShort = false;
    if (cseIdle && !pseIdle) {
      // A non-idle entity preempts an idle one, without slice protection.
      cancelProtectSlice(se);
      reschedCurr(this.k, rq, true);
      return;
    }
    if (cseIdle !== pseIdle) return;
    // BATCH and IDLE tasks do not preempt others.
    if (p.policy !== SCHED_NORMAL) return;
    this.updateCurrFair(rq);
    preemptShort = t.features.PREEMPT_SHORT === true && pse.sliceNs < se.sliceNs;
    if (pickEevdf(cfs, !preemptShort) === pse) {
      if (preemptShort) cancelProtectSlice(se);
      reschedCurr(this.k, rq, true);
      return;
    }
    if (t.features.RUN_TO_PARITY && preemptShort) updateProtectSlice(cfs, se);
  }

  /** check_preempt_wakeup() of 5.x/6.5 CFS. */
  private checkPreemptWakeupCfs(rq: Rq, curr: Task, p: Task, wakeFlags: number): void {
    const t = this.k.tunables;
    const cfs = rq.cfs;
    const se = curr.se;
    const pse = p.se;
    const scale = cfs.nrQueued >= t.nrLatency;
    let nextBuddyMarked = false;
    if (t.features.NEXT_BUDDY && scale && !(wakeFlags & WF_FORK)) {
      cfs.next = pse;
      nextBuddyMarked = true;
    }
    if (rq.needResched) return;
    // Idle tasks are by definition preempted by non-idle tasks.
    if (curr.policy === SCHED_IDLE && p.policy !== SCHED_IDLE) {
      this.preemptCfs(rq, se, scale);
      return;
    }
    // Batch and idle tasks do not preempt non-idle tasks (their preemption is driven by the tick).
    if (p.policy !== SCHED_NORMAL || !t.features.WAKEUP_PREEMPTION) return;
    this.updateCurrFair(rq);
    if (wakeupPreemptEntity(se, pse, t) === 1) {
      if (!nextBuddyMarked) cfs.next = pse;
      this.preemptCfs(rq, se, scale);
    }
  }

  private preemptCfs(rq: Rq, se: SchedEntity, scale: boolean): void {
    reschedCurr(this.k, rq);
    // The preempted task becomes the "last" buddy, to give the CPU back to it soon.
    if (!se.onRq) return;
    if (this.k.tunables.features.LAST_BUDDY && scale) rq.cfs.last = se;
  }

  yieldTask(rq: Rq): void {
    const cfs = rq.cfs;
    const curr = rq.curr;
    const se = curr.se;
    if (rq.nrRunning === 1) return;
    cfs.clearBuddies(se);
    if (this.eevdf) {
      this.updateCurrFair(rq);
      // A yield gives up the rest of the request: the deadline moves one slice on.
      se.deadline += calcDeltaFair(se.sliceNs, se.load);
      return;
    }
    if (curr.policy !== SCHED_BATCH) this.updateCurrFair(rq);
    cfs.skip = se;
  }

  /* ------------------------------------------------------------ fork, migration, CPU choice */

  taskFork(p: Task): void {
    const se = p.se;
    se.vlag = 0;
    se.vruntime = 0;
    se.sliceNs = this.k.tunables.baseSliceNs;
    se.customSlice = false;
    if (this.eevdf) return;
    // task_fork_fair() of CFS: start from the parent's vruntime, then START_DEBIT placement, relative.
    const rq = this.k.rqs[p.cpu] as Rq;
    const cfs = rq.cfs;
    const curr = cfs.curr;
    if (curr !== null) {
      this.updateCurrFair(rq);
      se.vruntime = curr.vruntime;
    }
    placeEntityCfs(cfs, se, true, this.k.tunables);
    se.vruntime -= cfs.minVruntime;
  }

  migrateTaskRq(p: Task): void {
    // CFS: a waking task's vruntime is absolute (it slept with DEQUEUE_SLEEP): make it relative to the old
    // cfs_rq; the enqueue with ENQUEUE_MIGRATED renormalises against the new one.
    if (!this.eevdf && p.onRq === 0) p.se.vruntime -= (this.k.rqs[p.cpu] as Rq).cfs.minVruntime;
  }

  /** reweight_entity() for a task that is off the queue (set_user_nice dequeues with SAVE first). */
  reweightTask(p: Task, lw: LoadWeight): void {
    const se = p.se;
    if (this.eevdf) {
      // se.vlag is V - v: it scales with 1/w when the weight changes; so does a saved relative deadline.
      se.vlag = Math.trunc((se.vlag * se.load.weight) / lw.weight);
      if (se.relDeadline) se.deadline = Math.trunc((se.deadline * se.load.weight) / lw.weight);
    }
    se.load = lw;
  }

  /**
   * select_task_rq_fair(), single LLC domain: fork/exec take the slow path (an idle CPU, else the least loaded);
   * wakeups take wake_affine_idle() between the waker's CPU and prev, then select_idle_sibling().
   */
  selectTaskRq(p: Task, prevCpu: number, wakeFlags: number): number {
    const k = this.k;
    if (wakeFlags & (WF_FORK | WF_EXEC)) return this.findIdlestCpu(p, prevCpu);
    let target = prevCpu;
    const thisCpu = k.currentCpu;
    if (thisCpu >= 0 && thisCpu !== prevCpu && p.cpusAllowed.has(thisCpu) && k.tunables.features.WA_IDLE) {
      if (this.availableIdle(thisCpu)) target = this.availableIdle(prevCpu) ? prevCpu : thisCpu;
      // wake_affine(): the wakee moves to the waker's CPU.
      if (target === thisCpu) (k.balancer.sdStats[thisCpu] as SdStats).ttwuMoveAffine++;
    }
    return this.selectIdleSibling(p, prevCpu, target);
  }

  private availableIdle(cpu: number): boolean {
    const rq = this.k.rqs[cpu] as Rq;
    return rq.online && rq.isIdle && rq.nrRunning === 0;
  }

  /** sched_idle_cpu(): only SCHED_IDLE tasks are runnable there. */
  private schedIdleCpu(cpu: number): boolean {
    const rq = this.k.rqs[cpu] as Rq;
    return rq.nrRunning > 0 && rq.nrRunning === rq.cfsNrIdle;
  }

  private selectIdleSibling(p: Task, prev: number, target: number): number {
    if (this.idleFor(p, target)) return target;
    if (prev !== target && this.idleFor(p, prev)) return prev;
    // select_idle_cpu(): scan the LLC from target+1, wrapping. SIS_UTIL: a fully busy LLC is not scanned.
    const n = this.k.nrCpus;
    if (this.k.nrIdleCpus === 0 && this.k.tunables.features.SIS_UTIL) return target;
    for (let i = 1; i < n; i++) {
      const c = (target + i) % n;
      if (this.idleFor(p, c)) return c;
    }
    return target;
  }

  /** An idle (or SCHED_IDLE-only) CPU that p may run on. A method, not a closure per wakeup. */
  private idleFor(p: Task, c: number): boolean {
    return p.cpusAllowed.has(c) && (this.availableIdle(c) || this.schedIdleCpu(c));
  }

  /** The slow path of fork/exec: an idle CPU (the most recently idled), else the least loaded one. */
  private findIdlestCpu(p: Task, thisCpu: number): number {
    let best = -1;
    let bestIdleStamp = -1;
    let leastLoad = Number.MAX_SAFE_INTEGER;
    let leastCpu = -1;
    for (const c of p.cpusAllowed.cpus) {
      const rq = this.k.rqs[c] as Rq;
      if (!rq.online) continue;
      if (this.availableIdle(c)) {
        if (rq.idleStampNs > bestIdleStamp || best < 0) {
          best = c;
          bestIdleStamp = rq.idleStampNs;
        }
        continue;
      }
      const load = rq.nrRunning * 1048576 + rq.cfs.loadWeight;
      if (load < leastLoad || (load === leastLoad && c === thisCpu)) {
        leastLoad = load;
        leastCpu = c;
      }
    }
    if (best >= 0) return best;
    return leastCpu >= 0 ? leastCpu : thisCpu;
  }

  /** The newidle pull happens in the balancer (sched_balance_newidle). */
  balance(rq: Rq): boolean {
    if (rq.nrRunning > 0) return true;
    return this.k.balancer.newidle(rq) > 0;
  }

  switchedFrom(rq: Rq, p: Task): void {
    if (p.se.schedDelayed) this.finishDelayed(rq, p);
  }

  prioChanged(rq: Rq, p: Task, oldPrio: number): void {
    if (p.onRq === 0) return;
    // Reschedule if the priority went down while running; otherwise check preemption.
    if (rq.curr === p) {
      if (p.prio > oldPrio) reschedCurr(this.k, rq);
    } else {
      wakeupPreempt(this.k, rq, p, 0);
    }
  }

  /** Entities of the tree in order, for /proc and the snapshot. */
  entries(cfs: CfsRq): SchedEntity[] {
    const out: SchedEntity[] = [];
    cfs.tree.forEach((se) => out.push(se));
    return out;
  }
}
