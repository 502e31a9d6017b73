/**
 * tracefs (kernel/trace/trace.c, trace_events.c): the per-CPU ring buffer of the scheduler's trace events, as
 * /sys/kernel/tracing (and /sys/kernel/debug/tracing) shows it: tracing_on, current_tracer (nop, the one tracer
 * here), buffer_size_kb, events/sched/<event>/enable, trace (a read merges the CPUs by time; a write clears) and
 * trace_pipe (a read that consumes). Only the sched events exist. When a CPU's buffer is full its oldest records
 * are overwritten, as the kernel's overwrite mode does, each record taking the bytes its event takes in the ring.
 * SysRq z (ftrace_dump) prints the buffer to the console and turns tracing off.
 */
import type { KernelEvent, TraceSink } from '../core/trace.js';
import type { Kernel } from '../kernel.js';
import { ftraceHeader, linePrefix, safeComm, switchBody, wakeBody } from './ftrace-format.js';

export const SCHED_TRACE_EVENTS = ['sched_switch', 'sched_waking', 'sched_wakeup', 'sched_wakeup_new', 'sched_migrate_task', 'sched_process_fork', 'sched_process_exit', 'sched_process_free'] as const;
export type SchedTraceEvent = (typeof SCHED_TRACE_EVENTS)[number];

/** Bytes a record takes in the ring: the 8-byte event header, the 8 common fields, then the event's own fields. */
const RECORD_BYTES: Record<SchedTraceEvent, number> = {
  sched_switch: 72,
  sched_waking: 44,
  sched_wakeup: 44,
  sched_wakeup_new: 44,
  sched_migrate_task: 48,
  sched_process_fork: 56,
  sched_process_exit: 40,
  sched_process_free: 40,
};

/**
 * buffer_size_kb at boot: the kernel's 1408 per CPU, but a machine keeps at most 16 MiB of records in all (a
 * 64-CPU machine starts at 256 per CPU), so that its buffer fits in this process's memory.
 */
export function defaultBufferKb(nrCpus: number): number {
  return Math.min(1408, Math.floor(16384 / nrCpus));
}

/** A record: the task it is reported for (the CPU's current one, or prev for a switch), its flags and its text. */
interface Record_ {
  tNs: number;
  cpu: number;
  comm: string;
  pid: number;
  flags: string;
  body: string;
  bytes: number;
}

/** trace_find_mark(): the mark a latency-format line gets from the time to the next record. */
function latMark(deltaNs: number): string {
  if (deltaNs > 1e9) return '$';
  if (deltaNs > 1e8) return '@';
  if (deltaNs > 1e7) return '*';
  if (deltaNs > 1e6) return '#';
  if (deltaNs > 1e5) return '!';
  if (deltaNs > 1e4) return '+';
  return ' ';
}

/** One CPU's ring: records in time order, the oldest dropped when a new one does not fit. */
class CpuRing {
  records: Record_[] = [];
  head = 0;
  bytes = 0;
  written = 0;

  add(r: Record_, cap: number): void {
    this.records.push(r);
    this.bytes += r.bytes;
    this.written++;
    while (this.bytes > cap && this.head < this.records.length) {
      this.bytes -= (this.records[this.head] as Record_).bytes;
      this.head++;
    }
    // Compact now and then so the array does not grow with what was dropped.
    if (this.head > 4096 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
  }

  live(): Record_[] {
    return this.records.slice(this.head);
  }

  clear(): void {
    this.records = [];
    this.head = 0;
    this.bytes = 0;
  }
}

export class TraceFs implements TraceSink {
  tracingOn = true;
  bufferKb: number;
  readonly enabled = new Set<SchedTraceEvent>();
  private readonly rings: CpuRing[];
  private detach: (() => void) | null = null;
  private countsWakeups = false;

  constructor(private readonly k: Kernel) {
    this.bufferKb = defaultBufferKb(k.nrCpus);
    this.rings = Array.from({ length: k.nrCpus }, () => new CpuRing());
  }

  /** Attach to the kernel's tracepoints while anything is enabled (and count in as a wakeup listener). */
  private sync(): void {
    const want = this.enabled.size > 0;
    if (want && this.detach === null) this.detach = this.k.addSink(this);
    else if (!want && this.detach !== null) {
      this.detach();
      this.detach = null;
    }
    const wake = this.enabled.has('sched_waking') || this.enabled.has('sched_wakeup') || this.enabled.has('sched_wakeup_new');
    if (wake !== this.countsWakeups) {
      this.k.wakeupListeners += wake ? 1 : -1;
      this.countsWakeups = wake;
    }
  }

  setEnabled(ev: SchedTraceEvent, on: boolean): void {
    if (on) this.enabled.add(ev);
    else this.enabled.delete(ev);
    this.sync();
  }

  /** events/sched/enable: 1 all, 0 none, X some. */
  groupState(): string {
    return this.enabled.size === 0 ? '0' : this.enabled.size === SCHED_TRACE_EVENTS.length ? '1' : 'X';
  }

  /** When the buffer was last reset: the latency format's timestamps count from here. */
  private timeStartNs = 0;

  private record(cpu: number, tNs: number, ev: SchedTraceEvent, who: { pid: number; comm: string }, flags: string, body: string): void {
    const c = Math.max(0, cpu);
    const ring = this.rings[c];
    if (ring === undefined) return;
    ring.add({ tNs, cpu: c, comm: who.comm, pid: who.pid, flags, body, bytes: RECORD_BYTES[ev] }, this.bufferKb * 1024);
  }

  /** Who runs on cpu now: the task a non-switch line is reported for. */
  private ctx(cpu: number): { pid: number; comm: string } {
    const c = this.k.rqs[Math.max(0, cpu)]?.curr;
    return c === undefined || c.pid === 0 ? { pid: 0, comm: '<idle>' } : { pid: c.pid, comm: c.comm };
  }

  emit(ev: KernelEvent): void {
    // tracing_on 0: the ring takes nothing (and no line is formatted for it).
    if (!this.tracingOn) return;
    switch (ev.kind) {
      case 'sched_switch':
        if (this.enabled.has('sched_switch')) this.record(ev.cpu, ev.tNs, 'sched_switch', { pid: ev.prevPid, comm: ev.prevComm }, 'd..2', switchBody(ev));
        break;
      case 'sched_waking':
      case 'sched_wakeup':
      case 'sched_wakeup_new':
        if (this.enabled.has(ev.kind)) this.record(ev.cpu, ev.tNs, ev.kind, this.ctx(ev.cpu), 'd..3', wakeBody(ev.kind, ev));
        break;
      case 'sched_migrate_task':
        if (this.enabled.has(ev.kind)) {
          const body = `sched_migrate_task: comm=${safeComm(ev.comm)} pid=${ev.pid} prio=${ev.prio} orig_cpu=${ev.origCpu} dest_cpu=${ev.destCpu}`;
          this.record(ev.cpu, ev.tNs, ev.kind, this.ctx(ev.cpu), 'd..2', body);
        }
        break;
      case 'sched_process_fork':
        if (this.enabled.has(ev.kind)) {
          const body = `sched_process_fork: comm=${safeComm(ev.parentComm)} pid=${ev.parentPid} child_comm=${safeComm(ev.childComm)} child_pid=${ev.childPid}`;
          this.record(ev.cpu, ev.tNs, ev.kind, this.ctx(ev.cpu), '....', body);
        }
        break;
      case 'sched_process_exit':
      case 'sched_process_free':
        if (this.enabled.has(ev.kind)) this.record(ev.cpu, ev.tNs, ev.kind, this.ctx(ev.cpu), '....', `${ev.kind}: comm=${safeComm(ev.comm)} pid=${ev.pid} prio=${ev.prio}`);
        break;
      default:
        break;
    }
  }

  /** The records of every CPU, merged by time (CPU order breaking ties, as the kernel's iterator does). */
  private merged(): Record_[] {
    const all: { r: Record_; i: number }[] = [];
    for (const ring of this.rings) ring.live().forEach((r, i) => all.push({ r, i }));
    all.sort((a, b) => a.r.tNs - b.r.tNs || a.r.cpu - b.r.cpu || a.i - b.i);
    return all.map((x) => x.r);
  }

  private static line(r: Record_): string {
    return `${linePrefix(r.comm, r.pid, r.cpu, r.flags, r.tNs)}${r.body}\n`;
  }

  /** The trace file: its header (entries in the buffer / ever written, CPUs) and the records. */
  readTrace(): string {
    const recs = this.merged();
    const written = this.rings.reduce((a, r) => a + r.written, 0);
    const head = ftraceHeader(this.k.nrCpus).replace('entries-in-buffer/entries-written: 0/0', `entries-in-buffer/entries-written: ${recs.length}/${written}`);
    return head + recs.map(TraceFs.line).join('');
  }

  /** trace_pipe: what is in the buffer, consumed (a real reader would then block for more). */
  readPipe(): string {
    const recs = this.consume();
    return recs.map(TraceFs.line).join('');
  }

  private consume(): Record_[] {
    const recs = this.merged();
    for (const r of this.rings) r.clear();
    return recs;
  }

  clear(): void {
    for (const r of this.rings) {
      r.clear();
      r.written = 0;
    }
    this.timeStartNs = this.k.now;
  }

  setBufferKb(kb: number): void {
    this.bufferKb = kb;
    this.clear();
  }

  /**
   * ftrace_dump(): tracing off, then the buffer consumed in the latency format (TRACE_FILE_LAT_FMT):
   * "%8.8s-%-7d %3d" comm, pid and CPU, the flags, then microseconds since the buffer was reset and the mark of
   * the gap to the next record (lat_print_timestamp()).
   */
  dumpLines(): string[] {
    this.tracingOn = false;
    const recs = this.consume();
    if (recs.length === 0) return ['   (ftrace buffer empty)'];
    const lines = recs.map((r, i) => {
      const next = recs[i + 1]?.tNs ?? r.tNs;
      const comm = r.pid === 0 ? '<idle>' : safeComm(r.comm);
      const us = Math.floor((r.tNs - this.timeStartNs) / 1000);
      return `${comm.slice(0, 8).padStart(8)}-${String(r.pid).padEnd(7)} ${String(r.cpu).padStart(3)}${r.flags} ${String(us).padStart(4)}us${latMark(next - r.tNs)}: ${r.body}`;
    });
    return ['---------------------------------', ...lines, '---------------------------------'];
  }
}
