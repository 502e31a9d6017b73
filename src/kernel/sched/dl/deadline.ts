/**
 * The deadline class (kernel/sched/deadline.c): SCHED_DEADLINE with EDF over absolute deadlines and the
 * constant bandwidth server (runtime used while running, throttled when exhausted, replenished at the next
 * period; the CBS wake-up rule), parameter checks and admission control against the root domain's
 * bandwidth (95% by default), deadline-miss and overrun bookkeeping, and the 6.12+ per-CPU fair server:
 * a deferred dl_server that gives fair tasks 50 ms per second when RT work would starve them.
 */
import { EventPrio, isArmed, type Timer } from '../../core/engine.js';
import type { Kernel } from '../../kernel.js';
import { DlEntity, type Task } from '../../task/task.js';
import { reschedCurr, updateCurrCommon } from '../core.js';
import type { Rq } from '../rq.js';
import { psiChange } from '../psi.js';
import { DEQUEUE_SLEEP, ENQUEUE_INITIAL, ENQUEUE_REPLENISH, ENQUEUE_WAKEUP, type SchedClass } from '../sched-class.js';

export const BW_SHIFT = 20;
export const BW_UNIT = 1 << BW_SHIFT;
export const DL_SCALE = 10;
export const SCHED_CAPACITY_SCALE = 1024;

/** to_ratio(period, runtime): runtime/period in 1<<20 fixed point. */
export function toRatio(periodNs: number, runtimeNs: number): number {
  if (periodNs === 0) return 0;
  return Math.floor((runtimeNs * BW_UNIT) / periodNs);
}

export interface DlParams {
  runtimeNs: number;
  deadlineNs: number;
  periodNs: number;
}

/** __checkparam_dl(): returns an errno name or null. periodNs 0 means "same as deadline". */
export function checkParamDl(a: DlParams, periodMinUs: number, periodMaxUs: number): string | null {
  if (a.deadlineNs === 0) return 'EINVAL';
  if (a.runtimeNs < 1 << DL_SCALE) return 'EINVAL';
  const period = a.periodNs === 0 ? a.deadlineNs : a.periodNs;
  if (period < periodMinUs * 1000 || period > periodMaxUs * 1000) return 'EINVAL';
  if (a.runtimeNs > a.deadlineNs || a.deadlineNs > period) return 'EINVAL';
  return null;
}

export class DlClass implements SchedClass {
  readonly name = 'dl' as const;
  readonly rank = 1;
  /** Root domain bandwidth in use (dl_bw->total_bw), fair servers included on 6.12+. */
  totalBw = 0;
  private laggedLogged = false;

  constructor(private readonly k: Kernel) {}

  nrRunnable(rq: Rq): number {
    return rq.dl.dlNrRunning;
  }

  /** dl_b->bw: the admission limit, -1 when sched_rt_runtime_us is -1. */
  bwLimit(): number {
    const rt = this.k.sysctl.rtRuntimeUs;
    if (rt < 0) return -1;
    return toRatio(this.k.sysctl.rtPeriodUs * 1000, rt * 1000);
  }

  /** __dl_overflow(): would replacing oldBw by newBw exceed the root domain's capacity? */
  overflow(oldBw: number, newBw: number): boolean {
    const bw = this.bwLimit();
    if (bw === -1) return false;
    const cap = this.k.rqs.filter((r) => r.online).length * SCHED_CAPACITY_SCALE;
    return Math.floor((bw * cap) / SCHED_CAPACITY_SCALE) < this.totalBw - oldBw + newBw;
  }

  /** sched_dl_overflow(): admission control for p becoming (or staying) SCHED_DEADLINE with params. */
  admit(p: Task, params: DlParams | null): string | null {
    // dlIfAny: a policy change between the other classes asks too, and must not give the task a DlEntity.
    const d = p.dlIfAny;
    const oldBw = d !== null && d.admitted ? d.dlBw : 0;
    const newBw = params === null ? 0 : toRatio(params.periodNs === 0 ? params.deadlineNs : params.periodNs, params.runtimeNs);
    if (newBw === oldBw) return null;
    if (newBw > oldBw && this.overflow(oldBw, newBw)) return 'EBUSY';
    this.totalBw += newBw - oldBw;
    p.dl.admitted = newBw > 0;
    return null;
  }

  /** Set the task's DL parameters (after checks and admission). */
  setParams(p: Task, a: DlParams): void {
    const d = p.dl;
    d.dlRuntimeNs = a.runtimeNs;
    d.dlDeadlineNs = a.deadlineNs;
    d.dlPeriodNs = a.periodNs === 0 ? a.deadlineNs : a.periodNs;
    d.dlBw = toRatio(d.dlPeriodNs, d.dlRuntimeNs);
    d.dlDensity = toRatio(d.dlDeadlineNs, d.dlRuntimeNs);
    d.deadlineNs = 0;
    d.runtimeNs = 0;
  }

  /* ------------------------------------------------------------ CBS */

  /** replenish_dl_new_period(). */
  private newPeriod(d: DlEntity): void {
    d.deadlineNs = this.k.now + d.dlDeadlineNs;
    d.runtimeNs = d.dlRuntimeNs;
    d.periodStartNs = this.k.now;
  }

  /** dl_entity_overflow(): would running the remaining runtime before the deadline exceed the bandwidth? */
  private entityOverflow(d: DlEntity): boolean {
    const left = Math.floor(d.dlDeadlineNs / 1024) * Math.floor(d.runtimeNs / 1024);
    const right = Math.floor((d.deadlineNs - this.k.now) / 1024) * Math.floor(d.dlRuntimeNs / 1024);
    return right < left;
  }

  /** update_dl_entity(): the CBS wake-up rule. */
  private updateDlEntity(d: DlEntity): void {
    const now = this.k.now;
    if (d.deadlineNs < now || this.entityOverflow(d)) {
      if (d.dlDeadlineNs !== d.dlPeriodNs && d.deadlineNs >= now) {
        // Constrained task not past its deadline: the revised wake-up rule scales runtime to the laxity.
        d.runtimeNs = Math.floor((d.dlDensity * (d.deadlineNs - now)) / BW_UNIT);
        return;
      }
      this.newPeriod(d);
    }
  }

  /** replenish_dl_entity(): push the deadline on by periods until there is runtime again. */
  private replenish(d: DlEntity): void {
    if (d.dlDeadlineNs <= 0) {
      this.newPeriod(d);
      return;
    }
    while (d.runtimeNs <= 0) {
      d.deadlineNs += d.dlPeriodNs;
      d.runtimeNs += d.dlRuntimeNs;
    }
    if (d.deadlineNs < this.k.now) {
      if (!this.laggedLogged) {
        this.laggedLogged = true;
        this.k.printk(4, 'sched: DL replenish lagged too much', { deferred: true });
      }
      this.newPeriod(d);
    }
    d.periodStartNs = d.deadlineNs - d.dlDeadlineNs;
    d.throttled = false;
  }

  private insert(rq: Rq, d: DlEntity): void {
    rq.dl.tree.insert(d);
    if (d.task !== null) {
      rq.dl.dlNrRunning++;
      rq.nrRunning++;
      // A throttled task leaves and rejoins the runqueue here, outside enqueue/dequeue_task.
      psiChange(rq, this.k.now);
    }
  }

  private remove(rq: Rq, d: DlEntity): void {
    if (!d.rbOnTree) return;
    rq.dl.tree.erase(d);
    if (d.task !== null) {
      rq.dl.dlNrRunning--;
      rq.nrRunning--;
      psiChange(rq, this.k.now);
    }
  }

  enqueueTask(rq: Rq, p: Task, flags: number): void {
    const d = p.dl;
    if (flags & ENQUEUE_INITIAL || d.deadlineNs === 0) this.newPeriod(d);
    else if (flags & ENQUEUE_REPLENISH) this.replenish(d);
    else if (flags & ENQUEUE_WAKEUP) this.updateDlEntity(d);
    if (d.throttled) return; // stays off the tree until its timer replenishes it
    this.insert(rq, d);
  }

  dequeueTask(rq: Rq, p: Task, flags: number): boolean {
    // A job that ends exactly at its budget is throttled on its way to sleep: that is not an overrun.
    this.chargeCurr(rq, (flags & DEQUEUE_SLEEP) === 0);
    const d = p.dl;
    if (flags & DEQUEUE_SLEEP && this.k.now > d.deadlineNs) d.nrMisses++; // the job completed late
    this.remove(rq, d);
    return true;
  }

  /** sched_yield() for a DL task means "this job is done": wait for the next period. */
  yieldTask(rq: Rq): void {
    const p = rq.curr;
    this.updateCurr(rq);
    p.dl.runtimeNs = 0;
    this.throttle(rq, p, false);
  }

  /** wakeup_preempt_dl(): an earlier deadline preempts. */
  wakeupPreempt(rq: Rq, p: Task): void {
    const c = rq.curr;
    if (c.schedClass !== this) {
      reschedCurr(this.k, rq);
      return;
    }
    if (p.dl.deadlineNs < c.dl.deadlineNs) reschedCurr(this.k, rq);
  }

  /** pick_task_dl(): the earliest deadline; a fair server picks a fair task on its CPU. */
  pickTask(rq: Rq): Task | null {
    for (let guard = 0; guard < 4; guard++) {
      const d = rq.dl.tree.leftmost;
      if (d === null) return null;
      if (d.task !== null) {
        rq.serverRunning = false;
        return d.task;
      }
      const p = this.k.classes.fair.pickTask(rq);
      if (p !== null) {
        rq.serverRunning = true;
        return p;
      }
      // No fair work left: the server stops.
      this.serverStop(rq);
    }
    return null;
  }

  putPrevTask(rq: Rq): void {
    this.updateCurr(rq);
  }

  setNextTask(_rq: Rq, p: Task): void {
    p.se.execStartNs = this.k.now;
  }

  taskTick(rq: Rq): void {
    this.updateCurr(rq);
  }

  /**
   * update_curr_dl(): use runtime; throttle when it is exhausted. Exhaustion that coincides with the end of
   * a CPU burst is left for the task's next step (its sleep, or the next tick), as the kernel only notices it
   * at its next update: a job that uses exactly its budget completes normally.
   */
  updateCurr(rq: Rq): void {
    this.chargeCurr(rq, true);
  }

  private chargeCurr(rq: Rq, jobRunning: boolean): void {
    const p = rq.curr;
    if (p.schedClass !== this) return;
    const delta = updateCurrCommon(this.k, rq, p);
    const d = p.dl;
    if (delta > 0) {
      d.runtimeNs -= delta;
      if (d.runtimeNs < 0 && -d.runtimeNs > d.maxOverrunNs) d.maxOverrunNs = -d.runtimeNs;
      this.k.classes.rt.accountDlTime(rq, delta);
    }
    if (d.runtimeNs <= 0 && d.rbOnTree && !this.k.atBurstEnd) this.throttle(rq, p, jobRunning);
  }

  /**
   * Out of runtime: off the tree until the replenishment timer at the next period (start_dl_timer).
   * jobRunning: the job still had work (its budget overran), as opposed to a job that just finished.
   */
  private throttle(rq: Rq, p: Task, jobRunning: boolean): void {
    const d = p.dl;
    d.throttled = true;
    d.overran = jobRunning;
    this.remove(rq, d);
    // The job did not finish within its budget: if its deadline has passed by then, that is a miss.
    const nextPeriod = d.deadlineNs - d.dlDeadlineNs + d.dlPeriodNs;
    const fire = (): void => {
      d.timer = null;
      this.k.onCpu(p.cpu, () => this.dlTaskTimer(p));
    };
    if (nextPeriod <= this.k.now) {
      d.timer = this.k.engine.at(0, EventPrio.Normal, 'dl_timer', fire);
    } else {
      d.timer = this.k.engine.atAbs(nextPeriod, EventPrio.Normal, 'dl_timer', fire);
    }
    reschedCurr(this.k, rq);
  }

  /** dl_task_timer(): replenish a throttled task and put it back on its runqueue. */
  private dlTaskTimer(p: Task): void {
    const d = p.dl;
    if (!d.throttled || p.exitState !== 0 || p.schedClass !== this) return;
    const rq = this.k.rqs[p.cpu] as Rq;
    if (p.onRq === 0) {
      // It blocked or moved meanwhile: replenish only.
      this.replenish(d);
      return;
    }
    if (d.overran && this.k.now >= d.deadlineNs) d.nrMisses++; // its job still had work at its deadline
    d.overran = false;
    this.replenish(d);
    this.insert(rq, d);
    if (rq.curr.schedClass.rank > this.rank || (rq.curr.schedClass === this && d.deadlineNs < rq.curr.dl.deadlineNs)) {
      reschedCurr(this.k, rq);
    }
  }

  /** select_task_rq_dl(): prefer a CPU without deadline work when prev is busy with an earlier deadline. */
  selectTaskRq(p: Task, cpu: number): number {
    const rq = this.k.rqs[cpu] as Rq;
    const c = rq.curr;
    const busy = c.schedClass === this && (c.cpusAllowed.weight < 2 || c.dl.deadlineNs <= p.dl.deadlineNs);
    if (!busy) return cpu;
    let best = -1;
    let bestDl = -1;
    for (const x of p.cpusAllowed.cpus) {
      const r = this.k.rqs[x] as Rq;
      if (!r.online) continue;
      const first = r.dl.tree.leftmost;
      if (first === null || (first.task === null && r.dl.tree.size === 1)) return x; // no DL task there
      if (first.deadlineNs > bestDl) {
        bestDl = first.deadlineNs;
        best = x;
      }
    }
    return best >= 0 && bestDl > p.dl.deadlineNs ? best : cpu;
  }

  switchedTo(rq: Rq, p: Task): void {
    if (p.onRq !== 0 && rq.curr !== p) this.wakeupPreempt(rq, p);
  }

  switchedFrom(rq: Rq, p: Task): void {
    const d = p.dl;
    if (d.timer !== null) {
      this.k.engine.cancel(d.timer);
      d.timer = null;
    }
    d.throttled = false;
    void rq;
  }

  taskDead(p: Task): void {
    const d = p.dl;
    if (d.timer !== null) this.k.engine.cancel(d.timer);
    d.timer = null;
    if (d.admitted) {
      this.totalBw -= d.dlBw;
      d.admitted = false;
    }
  }

  /* ------------------------------------------------------------ the fair server (6.12+) */

  /** The per-CPU dl_server with 50 ms every 1000 ms, counted in the root domain's bandwidth. */
  initServer(rq: Rq): void {
    const s = new DlEntity(null, rq.cpu);
    s.dlRuntimeNs = 50_000_000;
    s.dlDeadlineNs = 1_000_000_000;
    s.dlPeriodNs = 1_000_000_000;
    s.dlBw = toRatio(s.dlPeriodNs, s.dlRuntimeNs);
    s.dlDensity = s.dlBw;
    rq.fairServer = s;
    this.totalBw += s.dlBw;
  }

  /**
   * dl_server_start(): fair work appeared. The server is deferred: it only becomes a runnable DL entity at its
   * zero-laxity time (deadline - remaining runtime) if fair tasks have not had their runtime by then.
   */
  serverStart(rq: Rq): void {
    const s = rq.fairServer;
    if (s === null || rq.serverActive) return;
    rq.serverActive = true;
    if (s.deadlineNs <= this.k.now) this.newPeriod(s);
    this.armServerTimer(rq);
  }

  serverStop(rq: Rq): void {
    const s = rq.fairServer;
    if (s === null || !rq.serverActive) return;
    rq.serverActive = false;
    rq.serverRunning = false;
    this.k.engine.cancel(s.timer);
    if (s.rbOnTree) this.remove(rq, s);
  }

  /** dl_server_update(): fair tasks ran for delta, whether through the server or on their own. */
  serverUpdate(rq: Rq, delta: number): void {
    const s = rq.fairServer;
    if (s === null || !rq.serverActive) return;
    s.runtimeNs -= delta;
    if (s.runtimeNs > 0) return;
    // Budget used for this period: off the DL tree until the period ends.
    if (s.rbOnTree) {
      this.remove(rq, s);
      rq.serverRunning = false;
      reschedCurr(this.k, rq);
    }
    this.armServerTimer(rq);
  }

  /**
   * Next server event: the end of the period when it runs or has used its budget; otherwise its zero-laxity
   * point, re-checked every tick inside that window (fair tasks may be running on their own meanwhile).
   */
  private armServerTimer(rq: Rq): void {
    const s = rq.fairServer as DlEntity;
    const now = this.k.now;
    let at: number;
    if (s.rbOnTree || s.runtimeNs <= 0) at = s.deadlineNs;
    else {
      const zeroLaxity = s.deadlineNs - s.runtimeNs;
      at = zeroLaxity > now ? zeroLaxity : Math.min(now + this.k.tickNs, s.deadlineNs);
    }
    at = Math.max(at, now);
    if (isArmed(s.timer) && s.timer.atNs === at) return;
    // The server's hrtimer, armed again and again for the life of the CPU.
    s.timer ??= this.newServerTimer(rq);
    this.k.engine.start(s.timer, at);
  }

  /** Made by a method of its own: a closure inside armServerTimer would cost every call a context object. */
  private newServerTimer(rq: Rq): Timer {
    return this.k.cpuTimer(rq.cpu, 'dl_server_timer', EventPrio.Normal, () => this.serverTimer(rq));
  }

  private serverTimer(rq: Rq): void {
    const s = rq.fairServer as DlEntity;
    if (!rq.serverActive) return;
    if (this.k.now >= s.deadlineNs) {
      // New period: fresh budget and deadline; the server waits for its zero-laxity point again.
      if (s.rbOnTree) {
        this.remove(rq, s);
        if (rq.serverRunning) reschedCurr(this.k, rq);
        rq.serverRunning = false;
      }
      this.newPeriod(s);
      this.armServerTimer(rq);
      return;
    }
    // Zero-laxity point: if fair tasks are waiting behind higher classes, run them as a DL entity now.
    if (s.runtimeNs > 0 && rq.cfs.hNrRunnable > 0 && rq.curr.schedClass.rank < this.k.classes.fair.rank && !s.rbOnTree) {
      this.insert(rq, s);
      reschedCurr(this.k, rq);
    }
    this.armServerTimer(rq);
  }
}
