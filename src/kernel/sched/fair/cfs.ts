/**
 * Classic CFS (Linux <= 6.5, following 5.x-6.5 fair.c): sched_slice from sched_latency/min_granularity, tick
 * preemption by ideal runtime, wakeup preemption by wakeup_granularity, sleeper credit and START_DEBIT
 * placement, and the skip/last/next buddies. Pure functions over a CfsRq.
 */
import type { SchedEntity } from '../../task/task.js';
import type { SchedTunables } from '../features.js';
import type { CfsRq } from './cfs-rq.js';
import { calcDelta, calcDeltaFair } from './weights.js';

/** __sched_period(). */
export function schedPeriod(nrRunning: number, t: SchedTunables): number {
  return nrRunning > t.nrLatency ? nrRunning * t.minGranNs : t.latencyNs;
}

/** sched_slice(): se's share of the period by weight (as if queued when it is not). */
export function schedSlice(cfs: CfsRq, se: SchedEntity, t: SchedTunables): number {
  const slice = schedPeriod(cfs.nrQueued + (se.onRq ? 0 : 1), t);
  const loadWeight = se.onRq ? cfs.loadWeight : cfs.loadWeight + se.load.weight;
  return calcDelta(slice, se.load.weight, loadWeight, 0);
}

/** sched_vslice(). */
export function schedVslice(cfs: CfsRq, se: SchedEntity, t: SchedTunables): number {
  return calcDeltaFair(schedSlice(cfs, se, t), se.load);
}

/** place_entity(): START_DEBIT for new tasks, up to half a latency of sleeper credit for wakeups. */
export function placeEntityCfs(cfs: CfsRq, se: SchedEntity, initial: boolean, t: SchedTunables): void {
  let v = cfs.minVruntime;
  if (initial && t.features.START_DEBIT) v += schedVslice(cfs, se, t);
  if (!initial) {
    let thresh = t.latencyNs;
    if (t.features.GENTLE_FAIR_SLEEPERS) thresh = Math.floor(thresh / 2);
    v -= thresh;
  }
  // Never gain time by being placed backwards.
  se.vruntime = Math.max(se.vruntime, v);
}

/** wakeup_gran(): wakeup_granularity in se's virtual time (se is the woken entity). */
export function wakeupGran(se: SchedEntity, t: SchedTunables): number {
  return calcDeltaFair(t.wakeupGranNs, se.load);
}

/** wakeup_preempt_entity(): -1 if curr is behind se, 1 if se is more than a granularity behind curr. */
export function wakeupPreemptEntity(curr: SchedEntity, se: SchedEntity, t: SchedTunables): -1 | 0 | 1 {
  const vdiff = curr.vruntime - se.vruntime;
  if (vdiff <= 0) return -1;
  if (vdiff > wakeupGran(se, t)) return 1;
  return 0;
}

/** check_preempt_tick(): 0 = keep running, 1 = reschedule (slice used up or far ahead of the leftmost). */
export function checkPreemptTick(cfs: CfsRq, curr: SchedEntity, t: SchedTunables): boolean {
  const ideal = schedSlice(cfs, curr, t);
  const deltaExec = curr.task.sumExecRuntimeNs - curr.prevSumExecRuntimeNs;
  if (deltaExec > ideal) {
    cfs.clearBuddies(curr);
    return true;
  }
  if (deltaExec < t.minGranNs) return false;
  const first = cfs.tree.leftmost;
  if (first === null) return false;
  const delta = curr.vruntime - first.vruntime;
  if (delta < 0) return false;
  // A virtual gap compared with a wall-clock slice: exactly what the kernel does.
  return delta > ideal;
}

/** pick_next_entity() of CFS: the leftmost, unless a buddy is close enough. */
export function pickNextEntityCfs(cfs: CfsRq, curr: SchedEntity | null, t: SchedTunables): SchedEntity | null {
  let left = cfs.tree.leftmost;
  if (left === null || (curr !== null && cfs.before(curr, left))) left = curr;
  if (left === null) return null;
  let se: SchedEntity = left;
  if (cfs.skip === se) {
    let second: SchedEntity | null;
    if (se === curr) {
      second = cfs.tree.leftmost;
    } else {
      second = cfs.tree.next(se);
      if (second === null || (curr !== null && cfs.before(curr, second))) second = curr;
    }
    if (second !== null && wakeupPreemptEntity(second, left, t) < 1) se = second;
  }
  if (cfs.last !== null && wakeupPreemptEntity(cfs.last, left, t) < 1) se = cfs.last;
  if (cfs.next !== null && wakeupPreemptEntity(cfs.next, left, t) < 1) se = cfs.next;
  cfs.clearBuddies(se);
  return se;
}
