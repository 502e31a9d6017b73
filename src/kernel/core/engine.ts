/**
 * The discrete-event engine: one queue of timers ordered by (atNs, prio, seq), a total order with FIFO among
 * equals (SimPy's Environment.schedule/step). The only clock inside the kernel is engine.nowNs.
 * Cancellation is lazy (a flag); cancelled timers are dropped when popped, and the heap is compacted
 * when they outnumber the live ones.
 */
import { Heap } from '../../lib/heap.js';
import type { Ns } from './time.js';

export const EventPrio = { Urgent: 0, Normal: 1 } as const;
export type EventPrio = (typeof EventPrio)[keyof typeof EventPrio];

export class Timer {
  cancelled = false;
  fired = false;
  constructor(
    readonly atNs: Ns,
    readonly prio: EventPrio,
    readonly seq: number,
    readonly kind: string,
    readonly fire: () => void,
  ) {}
  get pending(): boolean {
    return !this.cancelled && !this.fired;
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
  private cancelledInHeap = 0;
  private readonly heap = new Heap<Timer>(timerLess);
  /** Set by the kernel: a hook run after every event (debug invariants in tests). */
  afterEvent: (() => void) | null = null;
  /** Set by the kernel: a panic or power-off stops the engine for good. */
  halted = false;

  /** Arm a timer delayNs from now. delayNs must be a non-negative integer. */
  at(delayNs: Ns, prio: EventPrio, kind: string, fire: () => void): Timer {
    return this.atAbs(this.nowNs + delayNs, prio, kind, fire);
  }

  atAbs(atNs: Ns, prio: EventPrio, kind: string, fire: () => void): Timer {
    if (!(atNs >= this.nowNs) || !Number.isSafeInteger(atNs)) {
      throw new RangeError(`engine: timer '${kind}' at ${atNs} (now ${this.nowNs})`);
    }
    const t = new Timer(atNs, prio, this.seq++, kind, fire);
    this.heap.push(t);
    return t;
  }

  cancel(t: Timer | null): void {
    if (t === null || !t.pending) return;
    t.cancelled = true;
    this.cancelledInHeap++;
    if (this.cancelledInHeap > 4096 && this.cancelledInHeap * 2 > this.heap.size) {
      this.heap.filter((x) => !x.cancelled);
      this.cancelledInHeap = 0;
    }
  }

  /** Time of the next live event, or null. */
  peekNs(): Ns | null {
    for (;;) {
      const t = this.heap.peek();
      if (t === undefined) return null;
      if (!t.cancelled) return t.atNs;
      this.heap.pop();
      this.cancelledInHeap--;
    }
  }

  /** Fire the next event if it is due at or before targetNs. Returns false if none was. */
  step(targetNs: Ns = Number.MAX_SAFE_INTEGER): boolean {
    const at = this.peekNs();
    if (at === null || at > targetNs || this.halted) return false;
    const t = this.heap.pop() as Timer;
    this.nowNs = t.atNs;
    t.fired = true;
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
    return this.heap.size - this.cancelledInHeap;
  }
}
