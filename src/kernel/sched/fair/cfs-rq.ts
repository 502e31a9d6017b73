/**
 * struct cfs_rq: the per-CPU fair runqueue. Entities wait in a red-black tree (curr is kept outside it, as in
 * the kernel); the tree is keyed by virtual deadline under EEVDF and by vruntime under CFS, ties broken by pid,
 * and augmented with each subtree's minimum vruntime and slice (min_vruntime_cb in fair.c).
 * avg_vruntime is kept as sum(w_i * (v_i - min_vruntime)) and sum(w_i) over the tree's entities, with unscaled
 * weights, exactly as kernel/sched/fair.c does, so V and eligibility need no division on the hot path.
 */
import { RbTree } from '../../../lib/rbtree.js';
import { divFloor } from '../../core/time.js';
import type { SchedEntity } from '../../task/task.js';

export type FairMode = 'eevdf' | 'cfs';

function augment(se: SchedEntity): boolean {
  let mv = se.vruntime;
  let ms = se.sliceNs;
  const l = se.rbLeft;
  const r = se.rbRight;
  if (l !== null) {
    if (l.minVruntime < mv) mv = l.minVruntime;
    if (l.minSlice < ms) ms = l.minSlice;
  }
  if (r !== null) {
    if (r.minVruntime < mv) mv = r.minVruntime;
    if (r.minSlice < ms) ms = r.minSlice;
  }
  if (se.minVruntime === mv && se.minSlice === ms) return false;
  se.minVruntime = mv;
  se.minSlice = ms;
  return true;
}

function copy(from: SchedEntity, to: SchedEntity): void {
  to.minVruntime = from.minVruntime;
  to.minSlice = from.minSlice;
}

function lessDeadline(a: SchedEntity, b: SchedEntity): boolean {
  if (a.deadline !== b.deadline) return a.deadline < b.deadline;
  return a.task.pid < b.task.pid;
}

function lessVruntime(a: SchedEntity, b: SchedEntity): boolean {
  if (a.vruntime !== b.vruntime) return a.vruntime < b.vruntime;
  return a.task.pid < b.task.pid;
}

export class CfsRq {
  readonly tree: RbTree<SchedEntity>;
  /** The running entity (cfs_rq->curr); never in the tree while it is curr. */
  curr: SchedEntity | null = null;
  /** Entities on this cfs_rq, curr and delayed ones included (nr_queued / h_nr_queued). */
  nrQueued = 0;
  /** Queued entities that are not delayed (h_nr_runnable). */
  hNrRunnable = 0;
  /** Sum of the weights of queued entities (cfs_rq->load.weight, unscaled). */
  loadWeight = 0;
  /** Base of the avg_vruntime keys; monotonic (min_vruntime, renamed zero_vruntime in 6.19). */
  minVruntime = 0;
  /** sum w_i * (v_i - minVruntime) over tree entities (cfs_rq->avg_vruntime). */
  avgVruntimeSum = 0;
  /** sum w_i over tree entities (cfs_rq->avg_load). */
  avgLoad = 0;
  /** Buddies: next (wakeup), last (preempted; CFS), skip (yield; CFS). */
  next: SchedEntity | null = null;
  last: SchedEntity | null = null;
  skip: SchedEntity | null = null;

  constructor(readonly mode: FairMode) {
    this.tree = new RbTree<SchedEntity>({ less: mode === 'eevdf' ? lessDeadline : lessVruntime, augment, copy });
  }

  /** entity_before(): tree order. */
  before(a: SchedEntity, b: SchedEntity): boolean {
    return this.mode === 'eevdf' ? lessDeadline(a, b) : lessVruntime(a, b);
  }

  /** __enqueue_entity: into the tree and into avg_vruntime. */
  enqueueEntityTree(se: SchedEntity): void {
    const w = se.load.weight;
    this.avgVruntimeSum += (se.vruntime - this.minVruntime) * w;
    this.avgLoad += w;
    se.minVruntime = se.vruntime;
    se.minSlice = se.sliceNs;
    this.tree.insert(se);
  }

  /** __dequeue_entity. */
  dequeueEntityTree(se: SchedEntity): void {
    this.tree.erase(se);
    const w = se.load.weight;
    this.avgVruntimeSum -= (se.vruntime - this.minVruntime) * w;
    this.avgLoad -= w;
  }

  /** avg_vruntime(): V, the load-weighted average vruntime of queued entities incl. curr, rounded down. */
  avgVruntime(): number {
    let avg = this.avgVruntimeSum;
    let load = this.avgLoad;
    const c = this.curr;
    if (c !== null && c.onRq) {
      const w = c.load.weight;
      avg += (c.vruntime - this.minVruntime) * w;
      load += w;
    }
    if (load !== 0) avg = divFloor(avg, load); // rounds toward -inf, as the kernel's sign-flip trick
    return this.minVruntime + avg;
  }

  /** vruntime_eligible(): v <= V, tested without a division. */
  vruntimeEligible(v: number): boolean {
    let avg = this.avgVruntimeSum;
    let load = this.avgLoad;
    const c = this.curr;
    if (c !== null && c.onRq) {
      const w = c.load.weight;
      avg += (c.vruntime - this.minVruntime) * w;
      load += w;
    }
    return avg >= (v - this.minVruntime) * load;
  }

  entityEligible(se: SchedEntity): boolean {
    return this.vruntimeEligible(se.vruntime);
  }

  /** update_min_vruntime(): min_vruntime only moves forward; the avg sum is rebased when it does. */
  updateMinVruntime(): void {
    const root = this.tree.root;
    let curr = this.curr;
    let v = this.minVruntime;
    if (curr !== null) {
      if (curr.onRq) v = curr.vruntime;
      else curr = null;
    }
    if (root !== null) {
      // EEVDF: the augmented minimum of the whole tree; CFS: the leftmost, which is the same number.
      const treeMin = root.minVruntime;
      v = curr === null ? treeMin : Math.min(v, treeMin);
    }
    const delta = v - this.minVruntime;
    if (delta > 0) {
      this.avgVruntimeSum -= this.avgLoad * delta;
      this.minVruntime = v;
    }
  }

  /** Smallest slice among queued entities incl. curr (cfs_rq_min_slice). */
  minSliceNs(): number {
    const root = this.tree.root;
    const c = this.curr !== null && this.curr.onRq ? this.curr : null;
    let m = c !== null ? c.sliceNs : Number.MAX_SAFE_INTEGER;
    if (root !== null && root.minSlice < m) m = root.minSlice;
    return m;
  }

  clearBuddies(se: SchedEntity): void {
    if (this.next === se) this.next = null;
    if (this.last === se) this.last = null;
    if (this.skip === se) this.skip = null;
  }

  /** Check the tree and the running sums (tests and debug invariants). */
  verify(): string | null {
    const err = this.tree.verify((n) => {
      let mv = n.vruntime;
      let ms = n.sliceNs;
      for (const c of [n.rbLeft, n.rbRight]) {
        if (c !== null) {
          mv = Math.min(mv, c.minVruntime);
          ms = Math.min(ms, c.minSlice);
        }
      }
      if (mv !== n.minVruntime) return `augmented min_vruntime wrong at pid ${n.task.pid}`;
      if (ms !== n.minSlice) return `augmented min_slice wrong at pid ${n.task.pid}`;
      return null;
    });
    if (err !== null) return err;
    let sum = 0;
    let load = 0;
    this.tree.forEach((se) => {
      sum += (se.vruntime - this.minVruntime) * se.load.weight;
      load += se.load.weight;
    });
    if (sum !== this.avgVruntimeSum) return `avg_vruntime sum ${this.avgVruntimeSum} != ${sum}`;
    if (load !== this.avgLoad) return `avg_load ${this.avgLoad} != ${load}`;
    if (this.curr !== null && this.curr.rbOnTree) return 'curr is in the tree';
    return null;
  }
}
