/**
 * Turns each CPU's sched_switch events into run spans (who held the CPU from when to when), so the timeline
 * gets a few spans per CPU per frame instead of every event (scxtop aggregates per dispatch queue the same way).
 * Bounded: at most maxSpansPerCpu spans per CPU per drain; beyond that, short spans are merged into the last.
 *
 * A switch only writes numbers into its CPU's columns (no object per switch: at 64 CPUs that is some 23 000
 * objects a second, each living until the frame drains them, and the garbage collector copying them was a
 * third of the simulation's cost), and a drain hands each CPU's columns over as one SpanBatch.
 */
import type { KernelEvent } from '../kernel/index.js';
import type { SpanBatch } from './frame.js';

/** `to` with `from` copied into its start. */
function copied<A extends Int32Array | Float64Array>(to: A, from: A): A {
  to.set(from);
  return to;
}

/** One CPU: its open span and the closed spans since the last drain, column by column. */
class Lane {
  pid: number;
  comm: string;
  prio: number;
  startNs: number;
  n = 0;
  pids = new Int32Array(16);
  prios = new Int32Array(16);
  starts = new Float64Array(16);
  ends = new Float64Array(16);
  comms: string[] = [];

  constructor(pid: number, comm: string, prio: number, startNs: number) {
    this.pid = pid;
    this.comm = comm;
    this.prio = prio;
    this.startNs = startNs;
  }

  /** Close a span; merged into the previous one when the same task continues, or when the lane is full. */
  add(pid: number, comm: string, prio: number, startNs: number, endNs: number, max: number): void {
    const n = this.n;
    if (n > 0 && (n >= max || (this.pids[n - 1] === pid && this.ends[n - 1] === startNs))) {
      // Over budget: the remainder of this frame is credited to the last span (the UI draws coarser).
      this.ends[n - 1] = endNs;
      return;
    }
    if (n === this.pids.length) this.grow();
    this.pids[n] = pid;
    this.prios[n] = prio;
    this.starts[n] = startNs;
    this.ends[n] = endNs;
    this.comms[n] = comm;
    this.n = n + 1;
  }

  private grow(): void {
    const c = 2 * this.pids.length;
    this.pids = copied(new Int32Array(c), this.pids);
    this.prios = copied(new Int32Array(c), this.prios);
    this.starts = copied(new Float64Array(c), this.starts);
    this.ends = copied(new Float64Array(c), this.ends);
  }

  /** The closed spans as a batch of their own (copies: the lane's columns are reused). */
  take(): SpanBatch {
    const n = this.n;
    this.n = 0;
    const pids = new Array<number>(n);
    const prios = new Array<number>(n);
    const starts = new Array<number>(n);
    const ends = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      pids[i] = this.pids[i] as number;
      prios[i] = this.prios[i] as number;
      starts[i] = this.starts[i] as number;
      ends[i] = this.ends[i] as number;
    }
    return { length: n, pids, prios, starts, ends, comms: this.comms.slice(0, n) };
  }
}

export class LaneBuilder {
  private readonly lanes: Lane[] = [];

  constructor(
    nrCpus: number,
    initial: (cpu: number) => { pid: number; comm: string; prio: number },
    startNs: number,
    private readonly maxSpansPerCpu = 2048,
  ) {
    for (let c = 0; c < nrCpus; c++) {
      const i = initial(c);
      this.lanes.push(new Lane(i.pid, i.comm, i.prio, startNs));
    }
  }

  /** Grow to n CPUs (a trace reveals its CPUs as it is read); new CPUs start idle at startNs. */
  ensure(n: number, startNs: number): void {
    while (this.lanes.length < n) this.lanes.push(new Lane(0, 'swapper', 120, startNs));
  }

  /** A TraceSink's emit: only sched_switch matters here. */
  emit(ev: KernelEvent): void {
    if (ev.kind !== 'sched_switch') return;
    const l = this.lanes[ev.cpu];
    if (l === undefined) return;
    if (ev.tNs > l.startNs) l.add(l.pid, l.comm, l.prio, l.startNs, ev.tNs, this.maxSpansPerCpu);
    l.pid = ev.nextPid;
    l.comm = ev.nextComm;
    l.prio = ev.nextPrio;
    l.startNs = ev.tNs;
  }

  /** The spans since the last drain, each CPU's open span cut at nowNs (and continued from there). */
  drain(nowNs: number): SpanBatch[] {
    const out: SpanBatch[] = [];
    for (const l of this.lanes) {
      if (nowNs > l.startNs) {
        l.add(l.pid, l.comm, l.prio, l.startNs, nowNs, this.maxSpansPerCpu);
        l.startNs = nowNs;
      }
      out.push(l.take());
    }
    return out;
  }
}
