/**
 * Turns each CPU's sched_switch events into run spans (who held the CPU from when to when), so the timeline
 * gets a few spans per CPU per frame instead of every event (scxtop aggregates per dispatch queue the same way).
 * Bounded: at most maxSpansPerCpu spans per CPU per drain; beyond that, short spans are merged into the last.
 */
import type { KernelEvent } from '../kernel/index.js';
import type { RunSpan } from './frame.js';

interface Open {
  pid: number;
  comm: string;
  prio: number;
  startNs: number;
}

export class LaneBuilder {
  private readonly open: Open[];
  private pending: RunSpan[][];

  constructor(
    nrCpus: number,
    initial: (cpu: number) => { pid: number; comm: string; prio: number },
    startNs: number,
    private readonly maxSpansPerCpu = 2048,
  ) {
    this.open = [];
    for (let c = 0; c < nrCpus; c++) this.open.push({ ...initial(c), startNs });
    this.pending = this.open.map(() => []);
  }

  /** Grow to n CPUs (a trace reveals its CPUs as it is read); new CPUs start idle at startNs. */
  ensure(n: number, startNs: number): void {
    while (this.open.length < n) {
      this.open.push({ pid: 0, comm: 'swapper', prio: 120, startNs });
      this.pending.push([]);
    }
  }

  /** A TraceSink's emit: only sched_switch matters here. */
  emit(ev: KernelEvent): void {
    if (ev.kind !== 'sched_switch') return;
    const o = this.open[ev.cpu];
    const list = this.pending[ev.cpu];
    if (o === undefined || list === undefined) return;
    if (ev.tNs > o.startNs) this.push(list, { pid: o.pid, comm: o.comm, prio: o.prio, startNs: o.startNs, endNs: ev.tNs });
    o.pid = ev.nextPid;
    o.comm = ev.nextComm;
    o.prio = ev.nextPrio;
    o.startNs = ev.tNs;
  }

  private push(list: RunSpan[], s: RunSpan): void {
    const last = list[list.length - 1];
    if (last !== undefined && last.pid === s.pid && last.endNs === s.startNs) {
      last.endNs = s.endNs;
      return;
    }
    if (list.length >= this.maxSpansPerCpu && last !== undefined) {
      // Over budget: the remainder of this frame is credited to the last span (the UI draws coarser).
      last.endNs = s.endNs;
      return;
    }
    list.push(s);
  }

  /** The spans since the last drain, each CPU's open span cut at nowNs (and continued from there). */
  drain(nowNs: number): RunSpan[][] {
    this.open.forEach((o, cpu) => {
      const list = this.pending[cpu] as RunSpan[];
      if (nowNs > o.startNs) {
        this.push(list, { pid: o.pid, comm: o.comm, prio: o.prio, startNs: o.startNs, endNs: nowNs });
        o.startNs = nowNs;
      }
    });
    const out = this.pending;
    this.pending = this.open.map(() => []);
    return out;
  }
}
