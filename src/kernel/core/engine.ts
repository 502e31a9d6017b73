/**
 * The discrete-event engine: one queue of timers ordered by (atNs, prio, seq), a total order with FIFO among
 * equals (SimPy's Environment.schedule/step). The only clock inside the kernel is engine.nowNs.
 * Timers are objects that can be re-armed, like the kernel's struct hrtimer embedded in the structure it
 * serves (rq->hrtick_timer): the per-CPU tick, burst and IPI timers are armed millions of times and allocate
 * nothing after the first. Cancelling removes a timer from the queue at once (it knows where it is).
 *
 * The queue is a calendar, like the kernel's timer wheel (kernel/time/timer.c) with exact ordering: time is cut
 * into buckets of 2^18 ns (262 us); the 256 buckets after the current one hold their timers unsorted (arming
 * and cancelling are O(1)); the current bucket's timers form a sorted run that is consumed from its head; timers
 * further out than the ring (67 ms) wait in a binary heap and move into the ring as it turns. A binary heap of
 * every timer cost two unpredictable comparisons per level of each pop, a sixth of the simulation's time at 64
 * CPUs; here a timer is compared a few times, when its bucket is sorted.
 */
import type { Ns } from './time.js';

export const EventPrio = { Urgent: 0, Normal: 1 } as const;
export type EventPrio = (typeof EventPrio)[keyof typeof EventPrio];

/** Where a timer is queued (Timer.where). */
const NOWHERE = 0;
const IN_FAR = 1;
const IN_RING = 2;
const IN_RUN = 3;

export class Timer {
  atNs: Ns = 0;
  /** Arming order: FIFO among timers due at the same time with the same priority. */
  seq = 0;
  /** NOWHERE, IN_FAR (index: heap slot), IN_RING (index: slot in its bucket) or IN_RUN. */
  where = NOWHERE;
  index = -1;
  /**
   * fire is called with arg: a timer embedded in many objects (each task's sleep timer) shares one handler and
   * names its object in arg, where a closure per object cost a function and its context (some 100 bytes a task).
   */
  constructor(
    readonly kind: string,
    readonly prio: EventPrio,
    readonly fire: (arg: unknown) => void,
    readonly arg: unknown = null,
  ) {}

  /** A timer whose shared handler gets arg. */
  static withArg<A>(kind: string, prio: EventPrio, fire: (arg: A) => void, arg: A): Timer {
    return new Timer(kind, prio, fire as (arg: unknown) => void, arg);
  }
  get pending(): boolean {
    return this.where !== NOWHERE;
  }
}

/** The timer exists and is queued (a nullable field holding an embedded timer that may be idle). */
export function isArmed(t: Timer | null): t is Timer {
  return t !== null && t.where !== NOWHERE;
}

/** Bucket width (2^18 ns); buckets in the ring (a power of two, at least 32: a bit each in 32-bit words). */
const BUCKET_NS = 2 ** 18;
const NR_BUCKETS = 256;
const BUCKET_MASK = NR_BUCKETS - 1;

function bucketOf(atNs: number): number {
  return Math.floor(atNs / BUCKET_NS);
}

/** Runs sorted by insertion before the merge passes. */
const RUN_LEN = 16;

/**
 * Sort a bucket into run order. Insertion sort while it is small; above that, insertion-sorted runs of 16 merged
 * bottom-up through scratch (the 64 ticks of a 64-CPU machine share a bucket; Array.prototype.sort cost a call
 * per compare and allocated its temporary array each time). Keys are unique (seq), so stability is moot.
 */
function sortBucket(a: Timer[], scratch: Timer[]): void {
  const n = a.length;
  for (let lo = 0; lo < n; lo += RUN_LEN) insertionSort(a, lo, Math.min(n, lo + RUN_LEN));
  if (n <= RUN_LEN) return;
  let src = a;
  let dst = scratch;
  for (let width = RUN_LEN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(n, lo + width);
      const hi = Math.min(n, lo + 2 * width);
      let i = lo;
      let j = mid;
      let o = lo;
      while (i < mid && j < hi) dst[o++] = timerLess(src[j] as Timer, src[i] as Timer) ? (src[j++] as Timer) : (src[i++] as Timer);
      while (i < mid) dst[o++] = src[i++] as Timer;
      while (j < hi) dst[o++] = src[j++] as Timer;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src !== a) for (let i = 0; i < n; i++) a[i] = src[i] as Timer;
  // scratch keeps its length (shrinking it would free its store, to be allocated again at the next big bucket);
  // the timers it still points to are at most one bucket's worth.
}

function insertionSort(a: Timer[], lo: number, hi: number): void {
  for (let i = lo + 1; i < hi; i++) {
    const t = a[i] as Timer;
    let j = i - 1;
    while (j >= lo && timerLess(t, a[j] as Timer)) {
      a[j + 1] = a[j] as Timer;
      j--;
    }
    a[j + 1] = t;
  }
}

function timerLess(x: Timer, y: Timer): boolean {
  if (x.atNs !== y.atNs) return x.atNs < y.atNs;
  if (x.prio !== y.prio) return x.prio < y.prio;
  return x.seq < y.seq;
}

export interface RunResult {
  reached: boolean;
  processed: number;
}

export class Engine {
  nowNs: Ns = 0;
  /** Total events fired since boot. */
  processed = 0;
  private seq = 0;
  /** The current bucket: every timer in the run is due in it or before it. */
  private curBucket = 0;
  /** The current bucket's timers in (time, prio, seq) order; the next to fire is run[runHead]. */
  private run: Timer[] = [];
  /** sortBucket's merge buffer. */
  private readonly scratch: Timer[] = [];
  private runHead = 0;
  /** The end of the run in progress: runUntil's target, or earlier if an event asked (limitRun). */
  private runTargetNs = Infinity;
  /** Buckets curBucket+1 .. curBucket+NR_BUCKETS-1, at index bucket & BUCKET_MASK, unsorted. */
  private readonly ring: Timer[][] = Array.from({ length: NR_BUCKETS }, () => []);
  /** One bit per non-empty ring bucket. */
  private readonly ringBits = new Uint32Array(NR_BUCKETS / 32);
  private ringCount = 0;
  /** Binary min-heap under timerLess of the timers beyond the ring; each one's index is its slot. */
  private readonly heap: Timer[] = [];
  /** Set by the kernel: a hook run after every event (debug invariants in tests). */
  afterEvent: (() => void) | null = null;
  /** Set by the kernel: a panic or power-off stops the engine for good. */
  halted = false;

  /** Arm a new one-shot timer delayNs from now. delayNs must be a non-negative integer. */
  at(delayNs: Ns, prio: EventPrio, kind: string, fire: () => void): Timer {
    return this.atAbs(this.nowNs + delayNs, prio, kind, fire);
  }

  atAbs(atNs: Ns, prio: EventPrio, kind: string, fire: () => void): Timer {
    const t = new Timer(kind, prio, fire);
    this.start(t, atNs);
    return t;
  }

  /** hrtimer_start(): (re)arm t to fire at atNs, dequeuing it first if it is queued. */
  start(t: Timer, atNs: Ns): void {
    if (!(atNs >= this.nowNs) || !Number.isSafeInteger(atNs)) {
      throw new RangeError(`engine: timer '${t.kind}' at ${atNs} (now ${this.nowNs})`);
    }
    if (t.where !== NOWHERE) this.cancel(t);
    t.atNs = atNs;
    t.seq = this.seq++;
    this.enqueue(t);
  }

  cancel(t: Timer | null): void {
    if (t === null) return;
    switch (t.where) {
      case IN_RING:
        this.ringRemove(t);
        break;
      case IN_RUN: {
        // Shifted by hand: splice() allocates the array of what it removed.
        const run = this.run;
        const last = run.length - 1;
        for (let i = run.indexOf(t, this.runHead); i < last; i++) run[i] = run[i + 1] as Timer;
        run.pop();
        break;
      }
      case IN_FAR:
        this.remove(t);
        break;
      default:
        return;
    }
    t.where = NOWHERE;
    t.index = -1;
  }

  /** Time of the next event, or null. */
  peekNs(): Ns | null {
    const t = this.first();
    return t === null ? null : t.atNs;
  }

  /** Fire the next event if it is due at or before targetNs. Returns false if none was. */
  step(targetNs: Ns = Number.MAX_SAFE_INTEGER): boolean {
    const t = this.first();
    if (t === null || t.atNs > targetNs || this.halted) return false;
    this.runHead++;
    t.where = NOWHERE;
    this.nowNs = t.atNs;
    this.processed++;
    t.fire(t.arg);
    if (this.afterEvent !== null) this.afterEvent();
    return true;
  }

  /**
   * Process events with atNs <= targetNs, at most maxEvents. When every due event was processed, the clock
   * advances to targetNs and reached is true; otherwise the clock stays at the last event (the caller lags).
   */
  runUntil(targetNs: Ns, maxEvents = Number.MAX_SAFE_INTEGER): RunResult {
    // A NaN target compares false with everything and would run the machine forever.
    if (Number.isNaN(targetNs)) throw new RangeError('engine: runUntil(NaN)');
    this.runTargetNs = targetNs;
    let n = 0;
    while (n < maxEvents && this.step(this.runTargetNs)) n++;
    const target = this.runTargetNs;
    this.runTargetNs = Infinity;
    const next = this.peekNs();
    const reached = !this.halted && (next === null || next > target);
    if (reached && target > this.nowNs) this.nowNs = target;
    return { reached, processed: n };
  }

  /**
   * Make the run in progress end at atNs at the latest (after every event due then), as if runUntil had been
   * asked for no more: an event that starts something the caller must do at atNs (a timed report) says so here.
   */
  limitRun(atNs: Ns): void {
    if (atNs < this.runTargetNs) this.runTargetNs = atNs;
  }

  get pendingCount(): number {
    return this.run.length - this.runHead + this.ringCount + this.heap.length;
  }

  /** The next timer to fire, at the run's head (turning the ring to the next non-empty bucket if need be). */
  private first(): Timer | null {
    if (this.runHead === this.run.length && !this.advance()) return null;
    return this.run[this.runHead] as Timer;
  }

  private enqueue(t: Timer): void {
    const b = bucketOf(t.atNs);
    if (b <= this.curBucket) this.runInsert(t);
    else if (b < this.curBucket + NR_BUCKETS) this.ringAdd(t, b);
    else {
      t.where = IN_FAR;
      this.push(t);
    }
  }

  /** Into the sorted run: at the head if it goes first (an IPI now), else after a binary search. */
  private runInsert(t: Timer): void {
    t.where = IN_RUN;
    const run = this.run;
    let lo = this.runHead;
    let hi = run.length;
    if (lo === hi || timerLess(t, run[lo] as Timer)) {
      if (lo > 0) {
        run[lo - 1] = t;
        this.runHead = lo - 1;
      } else run.unshift(t);
      return;
    }
    lo++;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (timerLess(t, run[mid] as Timer)) hi = mid;
      else lo = mid + 1;
    }
    // Shifted by hand: splice() allocates the array of what it removed (none here).
    run.push(t);
    for (let i = run.length - 1; i > lo; i--) run[i] = run[i - 1] as Timer;
    run[lo] = t;
  }

  private ringAdd(t: Timer, b: number): void {
    const i = b & BUCKET_MASK;
    const bucket = this.ring[i] as Timer[];
    t.where = IN_RING;
    t.index = bucket.length;
    bucket.push(t);
    if (bucket.length === 1) this.ringBits[i >> 5] = (this.ringBits[i >> 5] as number) | (1 << (i & 31));
    this.ringCount++;
  }

  private ringRemove(t: Timer): void {
    const i = bucketOf(t.atNs) & BUCKET_MASK;
    const bucket = this.ring[i] as Timer[];
    const last = bucket.pop() as Timer;
    if (last !== t) {
      bucket[t.index] = last;
      last.index = t.index;
    }
    if (bucket.length === 0) this.ringBits[i >> 5] = (this.ringBits[i >> 5] as number) & ~(1 << (i & 31));
    this.ringCount--;
  }

  /**
   * The run is used up: make the next non-empty bucket current, after moving into the ring the far timers that
   * it now reaches, and sort it into the run. Returns false if no timer is queued.
   */
  private advance(): boolean {
    const used = this.run;
    // Popping a short array is cheaper than the length setter's builtin call.
    if (used.length > 16) used.length = 0;
    else while (used.length > 0) used.pop();
    this.runHead = 0;
    if (this.ringCount === 0) {
      const far = this.heap[0];
      if (far === undefined) return false;
      this.curBucket = bucketOf(far.atNs);
    } else {
      this.curBucket = this.nextRingBucket();
    }
    const horizon = this.curBucket + NR_BUCKETS;
    for (let far = this.heap[0]; far !== undefined && bucketOf(far.atNs) < horizon; far = this.heap[0]) {
      this.remove(far);
      this.ringAdd(far, bucketOf(far.atNs));
    }
    const i = this.curBucket & BUCKET_MASK;
    const bucket = this.ring[i] as Timer[];
    // The bucket's array becomes the run, and the run's (empty) array the bucket: no copy.
    this.ring[i] = this.run;
    this.run = bucket;
    this.ringBits[i >> 5] = (this.ringBits[i >> 5] as number) & ~(1 << (i & 31));
    this.ringCount -= bucket.length;
    for (const t of bucket) t.where = IN_RUN;
    if (bucket.length > 1) sortBucket(bucket, this.scratch);
    return true;
  }

  /** The first non-empty ring bucket after the current one (the ring is not empty). */
  private nextRingBucket(): number {
    const start = (this.curBucket + 1) & BUCKET_MASK;
    const bits = this.ringBits;
    const words = NR_BUCKETS >> 5;
    // The start word from the start bit on, the other words in ring order, then the start word's lower bits.
    for (let k = 0; k <= words; k++) {
      const w = ((start >> 5) + k) & (words - 1);
      let x = bits[w] as number;
      if (k === 0) x &= ~0 << (start & 31);
      else if (k === words) x &= (1 << (start & 31)) - 1;
      if (x !== 0) {
        const i = (w << 5) | (31 - Math.clz32(x & -x));
        return this.curBucket + 1 + ((i - start) & BUCKET_MASK);
      }
    }
    throw new Error('engine: ring count and bits disagree');
  }

  private push(t: Timer): void {
    this.heap.push(t);
    this.siftUp(this.heap.length - 1);
  }

  /** Take t out of the far heap: the last timer fills its slot and sifts whichever way restores the order. */
  private remove(t: Timer): void {
    const a = this.heap;
    const i = t.index;
    t.index = -1;
    const last = a.pop() as Timer;
    if (last === t) return;
    a[i] = last;
    last.index = i;
    if (i > 0 && timerLess(last, a[(i - 1) >> 1] as Timer)) this.siftUp(i);
    else this.siftDown(i);
  }

  private siftUp(start: number): void {
    const a = this.heap;
    const v = a[start] as Timer;
    let i = start;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = a[p] as Timer;
      if (!timerLess(v, pt)) break;
      a[i] = pt;
      pt.index = i;
      i = p;
    }
    a[i] = v;
    v.index = i;
  }

  private siftDown(start: number): void {
    const a = this.heap;
    const n = a.length;
    const v = a[start] as Timer;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let ct = a[l] as Timer;
      if (r < n && timerLess(a[r] as Timer, ct)) {
        c = r;
        ct = a[r] as Timer;
      }
      if (!timerLess(ct, v)) break;
      a[i] = ct;
      ct.index = i;
      i = c;
    }
    a[i] = v;
    v.index = i;
  }
}
