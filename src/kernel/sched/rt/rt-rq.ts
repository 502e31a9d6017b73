/**
 * struct rt_rq: 100 FIFO lists, one per RT priority, with a bitmap of the non-empty ones (rt_prio_array).
 * The list nodes are the tasks' RtEntity objects, so queueing allocates nothing.
 * Throttling state (rt_time / rt_throttled) lives here too, as in the kernel's root rt_rq.
 */
import type { RtEntity, Task } from '../../task/task.js';

export const MAX_RT_PRIO = 100;

export class RtRq {
  private readonly heads: (RtEntity | null)[] = new Array<RtEntity | null>(MAX_RT_PRIO).fill(null);
  private readonly tails: (RtEntity | null)[] = new Array<RtEntity | null>(MAX_RT_PRIO).fill(null);
  /** Bitmap of non-empty priority lists (4 x 32 bits: 101 bits in the kernel incl. a delimiter). */
  private readonly bitmap = new Uint32Array(4);
  rtNrRunning = 0;
  /** RT runtime used in the current period, for throttling. */
  rtTimeNs = 0;
  rtThrottled = false;
  /** Number of queued tasks that may run on more than one CPU (rt_nr_migratory). */
  nrMigratory = 0;

  /** Highest (numerically lowest) queued priority, or MAX_RT_PRIO when empty. */
  highestPrio(): number {
    for (let w = 0; w < 4; w++) {
      const b = this.bitmap[w] as number;
      if (b !== 0) return w * 32 + (31 - Math.clz32(b & -b));
    }
    return MAX_RT_PRIO;
  }

  /** Next-highest priority after the head of the best list: the second task in line (for push). */
  head(prio: number): RtEntity | null {
    return this.heads[prio] ?? null;
  }

  enqueue(rt: RtEntity, prio: number, head: boolean): void {
    rt.onList = true;
    if (head) {
      rt.prev = null;
      rt.next = this.heads[prio] ?? null;
      if (rt.next !== null) rt.next.prev = rt;
      else this.tails[prio] = rt;
      this.heads[prio] = rt;
    } else {
      rt.next = null;
      rt.prev = this.tails[prio] ?? null;
      if (rt.prev !== null) rt.prev.next = rt;
      else this.heads[prio] = rt;
      this.tails[prio] = rt;
    }
    (this.bitmap as Uint32Array)[prio >> 5] = ((this.bitmap[prio >> 5] as number) | (1 << (prio & 31))) >>> 0;
  }

  dequeue(rt: RtEntity, prio: number): void {
    if (rt.prev !== null) rt.prev.next = rt.next;
    else this.heads[prio] = rt.next;
    if (rt.next !== null) rt.next.prev = rt.prev;
    else this.tails[prio] = rt.prev;
    rt.prev = rt.next = null;
    rt.onList = false;
    if (this.heads[prio] === null) {
      this.bitmap[prio >> 5] = ((this.bitmap[prio >> 5] as number) & ~(1 << (prio & 31))) >>> 0;
    }
  }

  /** Move to the tail of its list (requeue_task_rt, RR rotation and yield). */
  requeue(rt: RtEntity, prio: number, head: boolean): void {
    this.dequeue(rt, prio);
    this.enqueue(rt, prio, head);
  }

  /**
   * pick_next_pushable_task(): the first queued task, highest priority first and FIFO within a level, that is not
   * curr and may run on another CPU. Walks only the non-empty levels (the bitmap), with no generator: a wakeup
   * of an RT task that cannot preempt asks this every time.
   */
  nextPushable(curr: Task): Task | null {
    for (let w = 0; w < 4; w++) {
      let bits = this.bitmap[w] as number;
      while (bits !== 0) {
        const low = bits & -bits;
        const prio = w * 32 + (31 - Math.clz32(low));
        for (let e = this.heads[prio] ?? null; e !== null; e = e.next) {
          const t = e.task;
          if (t !== curr && t.cpusAllowed.weight > 1) return t;
        }
        bits = (bits & ~low) >>> 0;
      }
    }
    return null;
  }

  /** All queued entities, highest priority first, FIFO within a level. */
  *entities(): Generator<RtEntity> {
    for (let p = 0; p < MAX_RT_PRIO; p++) {
      for (let e = this.heads[p] ?? null; e !== null; e = e.next) yield e;
    }
  }

  verify(): string | null {
    let n = 0;
    for (let p = 0; p < MAX_RT_PRIO; p++) {
      const set = (((this.bitmap[p >> 5] as number) >>> (p & 31)) & 1) === 1;
      const head = this.heads[p] ?? null;
      if (set !== (head !== null)) return `rt bitmap bit ${p} is ${set} but list ${head === null ? 'empty' : 'not empty'}`;
      let prev: RtEntity | null = null;
      for (let e = head; e !== null; e = e.next) {
        if (e.prev !== prev) return `rt list ${p} broken back link`;
        if (e.task.prio !== p) return `task ${e.task.pid} prio ${e.task.prio} on rt list ${p}`;
        prev = e;
        n++;
      }
      if (prev !== (this.tails[p] ?? null)) return `rt list ${p} tail stale`;
    }
    return null;
  }
}
