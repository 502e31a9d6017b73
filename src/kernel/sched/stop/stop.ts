/**
 * The stop class (kernel/sched/stop_task.c): the per-CPU stopper thread migration/N, above every other class.
 * It runs queued stop work (migrating a running task off its CPU: affinity changes, active balancing) and
 * preempts anything, deadline tasks included.
 */
import type { Kernel } from '../../kernel.js';
import type { Task } from '../../task/task.js';
import { updateCurrCommon } from '../core.js';
import type { Rq } from '../rq.js';
import type { SchedClass } from '../sched-class.js';

export class StopClass implements SchedClass {
  readonly name = 'stop' as const;
  readonly rank = 0;
  constructor(private readonly k: Kernel) {}

  enqueueTask(rq: Rq, p: Task): void {
    if (rq.stop !== p) throw this.k.bug(`${p.comm} is not cpu ${rq.cpu}'s stopper`);
    rq.nrRunning++;
  }
  dequeueTask(rq: Rq): boolean {
    rq.nrRunning--;
    return true;
  }
  yieldTask(): void {}
  /** Nothing preempts the stopper: it is the only task of its class on its CPU. */
  wakeupPreempt(): void {}
  pickTask(rq: Rq): Task | null {
    const s = rq.stop;
    return s !== null && s.onRq !== 0 ? s : null;
  }
  putPrevTask(rq: Rq, prev: Task): void {
    this.updateCurr(rq);
    void prev;
  }
  setNextTask(_rq: Rq, p: Task): void {
    p.se.execStartNs = this.k.now;
  }
  /** The stopper never migrates. */
  selectTaskRq(p: Task): number {
    return p.cpu;
  }
  taskTick(): void {}
  updateCurr(rq: Rq): void {
    if (rq.curr.schedClass === this) updateCurrCommon(this.k, rq, rq.curr);
  }
  nrRunnable(rq: Rq): number {
    return rq.stop !== null && rq.stop.onRq !== 0 ? 1 : 0;
  }
}
