/**
 * Changing a task while it exists: set_user_nice(), __sched_setscheduler() (chrt, including SCHED_DEADLINE
 * with its checks and admission) and __set_cpus_allowed_ptr() (taskset, moving a running task through its
 * CPU's stopper). Each returns null on success or the errno the real system call would give.
 */
import type { Kernel } from '../kernel.js';
import {
  PF_NO_SETAFFINITY,
  POLICY_BY_NAME,
  SCHED_BATCH,
  SCHED_DEADLINE,
  SCHED_IDLE,
  SCHED_NORMAL,
  type PolicyName,
  type Task,
} from '../task/task.js';
import { dequeueTask, enqueueTask, finishDelayedDequeue, moveQueuedTask, reschedCurr, rqOf, wakeupPreempt } from './core.js';
import { checkParamDl, type DlParams } from './dl/deadline.js';
import { IDLE_LOAD, weightOfNice } from './fair/weights.js';
import type { Rq } from './rq.js';
import { DEQUEUE_MOVE, DEQUEUE_SAVE, ENQUEUE_HEAD, ENQUEUE_MOVE, ENQUEUE_RESTORE } from './sched-class.js';
import { CpuMask } from './topology.js';

/** A change made with the task taken off its runqueue and put back (the sched_change guard). */
function withTaskDequeued(k: Kernel, p: Task, change: () => void, enqueueHead = false): void {
  const rq = rqOf(k, p);
  if (p.se.schedDelayed) finishDelayedDequeue(k, rq, p);
  const queued = p.onRq !== 0;
  const running = rq.curr === p;
  if (queued) dequeueTask(k, rq, p, DEQUEUE_SAVE | DEQUEUE_MOVE);
  if (running) p.schedClass.putPrevTask(rq, p, null);
  change();
  if (queued) enqueueTask(k, rq, p, ENQUEUE_RESTORE | ENQUEUE_MOVE | (enqueueHead ? ENQUEUE_HEAD : 0));
  if (running) p.schedClass.setNextTask(rq, p, false);
}

function setLoadWeight(k: Kernel, p: Task): void {
  const lw = p.policy === SCHED_IDLE ? IDLE_LOAD : weightOfNice(p.nice);
  k.classes.fair.reweightTask(p, lw);
}

/** set_user_nice(): nice is clamped to -20..19 as setpriority() does. */
export function setUserNice(k: Kernel, p: Task, niceIn: number): string | null {
  if (!Number.isInteger(niceIn)) return 'EINVAL';
  const nice = Math.max(-20, Math.min(19, niceIn));
  if (p.nice === nice) return null;
  const rq = rqOf(k, p);
  // RT and DL tasks only record the nice value; it matters once they return to SCHED_NORMAL.
  if (p.policy !== SCHED_NORMAL && p.policy !== SCHED_BATCH && p.policy !== SCHED_IDLE) {
    p.staticPrio = 120 + nice;
    return null;
  }
  const oldPrio = p.prio;
  withTaskDequeued(k, p, () => {
    p.staticPrio = 120 + nice;
    setLoadWeight(k, p);
    p.prio = p.normalPrio;
  });
  p.schedClass.prioChanged?.(rq, p, oldPrio);
  return null;
}

export interface SchedAttr {
  policy: PolicyName;
  rtPriority?: number;
  nice?: number;
  dl?: DlParams;
}

/** __sched_setscheduler(): validation, deadline admission, and the class change. */
export function schedSetscheduler(k: Kernel, p: Task, attr: SchedAttr): string | null {
  const policy = POLICY_BY_NAME[attr.policy];
  const rtPrio = attr.rtPriority ?? 0;
  const rq = rqOf(k, p);
  if (p === rq.stop || p.schedClass === k.classes.stop) return 'EINVAL';
  if (policy === 1 || policy === 2) {
    if (!Number.isInteger(rtPrio) || rtPrio < 1 || rtPrio > 99) return 'EINVAL';
  } else if (rtPrio !== 0) {
    return 'EINVAL';
  }
  if (attr.nice !== undefined && (!Number.isInteger(attr.nice) || attr.nice < -20 || attr.nice > 19)) return 'EINVAL';
  if (policy === SCHED_DEADLINE) {
    if (attr.dl === undefined) return 'EINVAL';
    const e = checkParamDl(attr.dl, k.sysctl.dlPeriodMinUs, k.sysctl.dlPeriodMaxUs);
    if (e !== null) return e;
    // A DL task's affinity must span the root domain.
    if (p.cpusAllowed.weight !== k.rqs.filter((r) => r.online).length) return 'EPERM';
  }
  // Admission control (sched_dl_overflow) for entering, changing or leaving SCHED_DEADLINE.
  const dlErr = k.classes.dl.admit(p, policy === SCHED_DEADLINE ? (attr.dl as DlParams) : null);
  if (dlErr !== null) return dlErr;

  const prevClass = p.schedClass;
  const oldPrio = p.prio;
  if (prevClass === k.classes.fair && p.se.schedDelayed) finishDelayedDequeue(k, rq, p);
  if (prevClass !== k.classForPolicy(policy)) prevClass.switchedFrom?.(rq, p);
  withTaskDequeued(
    k,
    p,
    () => {
      p.policy = policy;
      p.rtPriority = rtPrio;
      if (attr.nice !== undefined) {
        p.staticPrio = 120 + attr.nice;
      }
      if (policy === SCHED_DEADLINE) k.classes.dl.setParams(p, attr.dl as DlParams);
      setLoadWeight(k, p);
      p.prio = p.normalPrio;
      p.schedClass = k.classForPolicy(policy);
    },
  );
  if (prevClass !== p.schedClass) {
    p.schedClass.switchedTo?.(rq, p);
    if (p.onRq !== 0) {
      if (rq.curr === p) reschedCurr(k, rq);
      else wakeupPreempt(k, rq, p, 0);
    }
  } else if (oldPrio !== p.prio || policy === SCHED_DEADLINE) {
    p.schedClass.prioChanged?.(rq, p, oldPrio);
  }
  return null;
}

/**
 * __set_cpus_allowed_ptr(): a new affinity. A queued task on a now-forbidden CPU moves at once; a running one
 * is moved by that CPU's stopper (migration/N); a sleeping one moves when it wakes.
 */
export function setCpusAllowed(k: Kernel, p: Task, cpus: readonly number[]): string | null {
  if (cpus.length === 0) return 'EINVAL';
  for (const c of cpus) if (!Number.isInteger(c) || c < 0 || c >= k.nrCpus) return 'EINVAL';
  if (p.flags & PF_NO_SETAFFINITY) return 'EINVAL';
  const mask = cpus.length === k.nrCpus ? k.cpuMaskAll : new CpuMask(k.nrCpus, cpus);
  if (!mask.cpus.some((c) => (k.rqs[c] as Rq).online)) return 'EINVAL';
  if (p.policy === SCHED_DEADLINE && k.sysctl.rtRuntimeUs >= 0 && mask.weight !== k.rqs.filter((r) => r.online).length) return 'EBUSY';
  if (mask.equals(p.cpusAllowed)) return null;
  const rq = rqOf(k, p);
  withTaskDequeued(k, p, () => {
    p.cpusAllowed = mask;
  });
  if (mask.has(p.cpu)) return null;
  const dest = pickDest(k, mask);
  if (rq.curr === p) {
    k.stopOneCpu(rq.cpu, () => {
      // migration_cpu_stop(): p was preempted by the stopper, so it is queued (or asleep) now.
      if (p.exitState !== 0 || p.cpusAllowed.has(p.cpu)) return;
      if (p.onRq !== 0) {
        if (p.se.schedDelayed) finishDelayedDequeue(k, rq, p);
        else moveQueuedTask(k, rq, p, pickDest(k, p.cpusAllowed));
      }
    });
  } else if (p.onRq !== 0) {
    moveQueuedTask(k, rq, p, dest);
  }
  return null;
}

/** cpumask_any_and_distribute() stand-in: the least loaded online CPU of the mask, lowest id on ties. */
function pickDest(k: Kernel, mask: CpuMask): number {
  let best = -1;
  let bestNr = Number.MAX_SAFE_INTEGER;
  for (const c of mask.cpus) {
    const r = k.rqs[c] as Rq;
    if (!r.online) continue;
    if (r.nrRunning < bestNr) {
      best = c;
      bestNr = r.nrRunning;
    }
  }
  return best < 0 ? (mask.first as number) : best;
}

