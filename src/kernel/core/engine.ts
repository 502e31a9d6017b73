/**
 * The discrete-event engine: one queue of timers ordered by (atNs, prio, seq), a total order with FIFO among
 * equals (SimPy's Environment.schedule/step). The only clock inside the kernel is engine.nowNs.
 * Timers are objects that can be re-armed, like the kernel's struct hrtimer embedded in the structure it
 * serves (rq->hrtick_timer): the per-CPU tick, burst and IPI timers are armed millions of times and allocate
 * nothing after the first. Cancelling removes a timer from the queue at once (it knows its heap slot).
 */
import type { Ns } from './time.js';

export const EventPrio = { Urgent: 0, Normal: 1 } as const;
export type EventPrio = (typeof EventPrio)[keyof typeof EventPrio];

export class Timer {
  atNs: Ns = 0;
  /** Arming order: FIFO among timers due at the same time with the same priority. */
  seq = 0;
  /** Slot in the engine's heap, -1 while not queued. */
  index = -1;
  constructor(
    readonly kind: string,
    readonly prio: EventPrio,
    readonly fire: () => void,
  ) {}
  get pending(): boolean {
    return this.index >= 0;
  }
}

/** The timer exists and is queued (a nullable field holding an embedded timer that may be idle). */
export function isArmed(t: Timer | null): t is Timer {
  return t !== null && t.index >= 0;
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
  /** Binary min-heap of the queued timers under timerLess; each timer's index is its slot. */
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
    if (t.index >= 0) this.remove(t);
    t.atNs = atNs;
    t.seq = this.seq++;
    this.push(t);
  }

  cancel(t: Timer | null): void {
    if (t !== null && t.index >= 0) this.remove(t);
  }

  /** Time of the next event, or null. */
  peekNs(): Ns | null {
    const t = this.heap[0];
    return t === undefined ? null : t.atNs;
  }

  /** Fire the next event if it is due at or before targetNs. Returns false if none was. */
  step(targetNs: Ns = Number.MAX_SAFE_INTEGER): boolean {
    const t = this.heap[0];
    if (t === undefined || t.atNs > targetNs || this.halted) return false;
    this.remove(t);
    this.nowNs = t.atNs;
    this.processed++;
    t.fire();
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
    let n = 0;
    while (n < maxEvents && this.step(targetNs)) n++;
    const next = this.peekNs();
    const reached = !this.halted && (next === null || next > targetNs);
    if (reached && targetNs > this.nowNs) this.nowNs = targetNs;
    return { reached, processed: n };
  }

  get pendingCount(): number {
    return this.heap.length;
  }

  private push(t: Timer): void {
    this.heap.push(t);
    this.siftUp(this.heap.length - 1);
  }

  /** Take t out of the heap: the last timer fills its slot and sifts whichever way restores the order. */
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
