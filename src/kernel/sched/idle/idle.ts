/**
 * The idle class (kernel/sched/idle.c): one task per CPU, swapper/N (pid 0), runs only when every other class
 * is empty. pick_task_idle never fails; that is what lets the core assert that some class returns a task.
 */
import type { Kernel } from '../../kernel.js';
import type { Task } from '../../task/task.js';
import { reschedCurr } from '../core.js';
import type { Rq } from '../rq.js';
import type { SchedClass } from '../sched-class.js';

export class IdleClass implements SchedClass {
  readonly name = 'idle' as const;
  readonly rank = 4;
  constructor(private readonly k: Kernel) {}

  enqueueTask(_rq: Rq, p: Task): void {
    throw this.k.bug(`enqueue of idle task ${p.comm}`);
  }
  dequeueTask(_rq: Rq, p: Task): boolean {
    throw this.k.bug(`dequeue of idle task ${p.comm}`);
  }
  yieldTask(): void {}
  /** Anything waking on an idle CPU preempts the idle task (wakeup_preempt_idle). */
  wakeupPreempt(rq: Rq): void {
    reschedCurr(this.k, rq);
  }
  pickTask(rq: Rq): Task {
    return rq.idle;
  }
  putPrevTask(): void {}
  setNextTask(rq: Rq, p: Task): void {
    p.se.execStartNs = this.k.now;
    void rq;
  }
  selectTaskRq(p: Task): number {
    return p.cpu;
  }
  taskTick(): void {}
  updateCurr(): void {}
  nrRunnable(): number {
    return 0;
  }
}
