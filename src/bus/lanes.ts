/**
 * Turns each CPU's sched_switch events into run spans (who held the CPU from when to when), so the timeline
 * gets a few spans per CPU per frame instead of every event (scxtop aggregates per dispatch queue the same way).
 * Bounded: at most maxSpansPerCpu spans per CPU per drain; beyond that, short spans are merged into the last.
 *
 * A switch only appends to its CPU's columns (no object per switch: at 64 CPUs that is some 23 000 objects a
 * second, each living until the frame drains them, and the garbage collector copying them was a third of the
 * simulation's cost), and a drain hands each CPU's columns over as one SpanBatch.
 */
import type { SpanBatch } from './frame.js';

/** One CPU: its open span and the closed spans since the last drain, column by column. */
class Lane {
  pid: number;
  comm: string;
  prio: number;
  startNs: number;
  private pids: number[] = [];
  private prios: number[] = [];
  private starts: number[] = [];
  private ends: number[] = [];
  private comms: string[] = [];

  constructor(pid: number, comm: string, prio: number, startNs: number) {
    this.pid = pid;
    this.comm = comm;
    this.prio = prio;
    this.startNs = startNs;
  }

  /** Close a span; merged into the previous one when the same task continues, or when the lane is full. */
  add(pid: number, comm: string, prio: number, startNs: number, endNs: number, max: number): void {
    const n = this.pids.length;
    if (n > 0 && (n >= max || (this.pids[n - 1] === pid && this.ends[n - 1] === startNs))) {
      // Over budget: the remainder of this frame is credited to the last span (the UI draws coarser).
      this.ends[n - 1] = endNs;
      return;
    }
    this.pids.push(pid);
    this.prios.push(prio);
    this.starts.push(startNs);
    this.ends.push(endNs);
    this.comms.push(comm);
  }

  /** The closed spans, handed over as they are; the lane starts new columns. */
  take(): SpanBatch {
    const b: SpanBatch = { pids: this.pids, prios: this.prios, starts: this.starts, ends: this.ends, comms: this.comms };
    this.pids = [];
    this.prios = [];
    this.starts = [];
    this.ends = [];
    this.comms = [];
    return b;
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

  /** A sched_switch on cpu at tNs: the running span ends, next's begins. */
  switchTo(cpu: number, tNs: number, nextPid: number, nextComm: string, nextPrio: number): void {
    const l = this.lanes[cpu];
    if (l === undefined) return;
    if (tNs > l.startNs) l.add(l.pid, l.comm, l.prio, l.startNs, tNs, this.maxSpansPerCpu);
    l.pid = nextPid;
    l.comm = nextComm;
    l.prio = nextPrio;
    l.startNs = tNs;
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
