/**
 * EEVDF (Linux 6.6+, following 6.17): virtual deadlines, lag, eligibility and slice protection
 * (kernel/sched/fair.c: place_entity, update_deadline, entity_lag, __pick_eevdf, set_protect_slice).
 * Pure functions over a CfsRq and its entities; the fair class decides when to call them.
 */
import { divTrunc } from '../../core/time.js';
import type { SchedEntity } from '../../task/task.js';
import { ENQUEUE_INITIAL } from '../sched-class.js';
import type { SchedTunables } from '../features.js';
import type { CfsRq } from './cfs-rq.js';
import { calcDeltaFair } from './weights.js';

/** entity_lag(): V - v clamped to +-(max(2*slice, TICK_NSEC) in virtual time). */
export function entityLag(avruntime: number, se: SchedEntity, tickNs: number): number {
  const vlag = avruntime - se.vruntime;
  const limit = calcDeltaFair(Math.max(2 * se.sliceNs, tickNs), se.load);
  return vlag < -limit ? -limit : vlag > limit ? limit : vlag;
}

/** update_entity_lag(). */
export function updateEntityLag(cfs: CfsRq, se: SchedEntity, tickNs: number): void {
  se.vlag = entityLag(cfs.avgVruntime(), se, tickNs);
}

/**
 * place_entity(): put se at V minus its (inflated) saved lag, so that its lag is the same after it joins;
 * deadline = v + vslice (half a slice for a new task), or v + the saved relative deadline.
 */
export function placeEntity(cfs: CfsRq, se: SchedEntity, flags: number, t: SchedTunables): void {
  const vruntime = cfs.avgVruntime();
  let lag = 0;
  if (!se.customSlice) se.sliceNs = t.baseSliceNs;
  let vslice = calcDeltaFair(se.sliceNs, se.load);
  if (t.features.PLACE_LAG && cfs.nrQueued > 0 && se.vlag !== 0) {
    lag = se.vlag;
    let load = cfs.avgLoad;
    const curr = cfs.curr;
    if (curr !== null && curr.onRq) load += curr.load.weight;
    lag *= load + se.load.weight;
    if (load === 0) load = 1;
    lag = divTrunc(lag, load);
  }
  se.vruntime = vruntime - lag;
  if (se.relDeadline) {
    se.deadline += se.vruntime;
    se.relDeadline = false;
    return;
  }
  if (t.features.PLACE_DEADLINE_INITIAL && flags & ENQUEUE_INITIAL) vslice = Math.floor(vslice / 2);
  se.deadline = se.vruntime + vslice;
}

/** update_deadline(): once v passes the deadline, request a new slice; returns true (reschedule). */
export function updateDeadline(se: SchedEntity, t: SchedTunables): boolean {
  if (se.vruntime - se.deadline < 0) return false;
  if (!se.customSlice) se.sliceNs = t.baseSliceNs;
  se.deadline = se.vruntime + calcDeltaFair(se.sliceNs, se.load);
  return true;
}

/** set_protect_slice() (6.16+): how long curr keeps the CPU once picked (RUN_TO_PARITY). */
export function setProtectSlice(cfs: CfsRq, se: SchedEntity, t: SchedTunables): void {
  let slice = t.normalizedBaseSliceNs;
  let vprot = se.deadline;
  if (t.features.RUN_TO_PARITY) slice = cfs.minSliceNs();
  slice = Math.min(slice, se.sliceNs);
  if (slice !== se.sliceNs) vprot = Math.min(vprot, se.vruntime + calcDeltaFair(slice, se.load));
  se.vprot = vprot;
}

/** update_protect_slice(). */
export function updateProtectSlice(cfs: CfsRq, se: SchedEntity): void {
  const slice = cfs.minSliceNs();
  se.vprot = Math.min(se.vprot, se.vruntime + calcDeltaFair(slice, se.load));
}

export function protectSlice(se: SchedEntity): boolean {
  return se.vprot - se.vruntime > 0;
}

export function cancelProtectSlice(se: SchedEntity): void {
  if (protectSlice(se)) se.vprot = se.vruntime;
}

/**
 * __pick_eevdf(): the eligible entity with the earliest virtual deadline. Takes the leftmost when it is
 * eligible; otherwise walks down the tree, pruning subtrees whose minimum vruntime is not eligible.
 * curr (kept outside the tree) competes too, and keeps the CPU while its slice is protected.
 */
export function pickEevdf(cfs: CfsRq, protect: boolean): SchedEntity | null {
  let node = cfs.tree.root;
  let se = cfs.tree.leftmost;
  let curr = cfs.curr;
  let best: SchedEntity | null = null;

  if (cfs.nrQueued === 1) return curr !== null && curr.onRq ? curr : se;
  if (curr !== null && (!curr.onRq || !cfs.entityEligible(curr))) curr = null;
  if (curr !== null && protect && protectSlice(curr)) return curr;

  if (se !== null && cfs.entityEligible(se)) {
    best = se;
  } else {
    while (node !== null) {
      const left = node.rbLeft;
      // Eligible entities in the left subtree have earlier deadlines: go there if it has any.
      if (left !== null && cfs.vruntimeEligible(left.minVruntime)) {
        node = left;
        continue;
      }
      se = node;
      if (cfs.entityEligible(se)) {
        best = se;
        break;
      }
      node = node.rbRight;
    }
  }
  if (best === null || (curr !== null && cfs.before(curr, best))) best = curr;
  return best;
}
