/**
 * Trace export, as a sink on the kernel's event stream. Two files from one run:
 * - ftrace text (formats.md C6): the `# tracer: nop` header, the scheduler events, and counters as
 *   `tracing_mark_write: C|0|name|value` (per-CPU nr_running by class, free memory);
 * - Chrome JSON for Perfetto UI (C5): a slice per run of each task on its thread track, counter tracks for the
 *   runqueues and memory, global instants for printk, SysRq and OOM kills, and the ftrace text embedded as
 *   `systemTraceEvents` so Perfetto builds real CPU tracks (JSON events alone cannot, #880).
 * Streaming: lines go to disk in 64 KiB batches; the ftrace text for the JSON is spooled to a side file and
 * copied in at close. Timestamps stay monotonic across reboots (each boot continues where the last ended).
 */
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import type { Kernel, KernelEvent, TraceSink } from '../kernel/index.js';
import { ftraceHeader, linePrefix, safeComm, safeText, switchBody, wakeBody } from '../kernel/trace/ftrace-format.js';

class BufferedFile {
  private fd: number | null;
  private buf: string[] = [];
  private size = 0;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }
  write(s: string): void {
    this.buf.push(s);
    this.size += s.length;
    if (this.size >= 65536) this.flush();
  }
  flush(): void {
    if (this.fd === null || this.buf.length === 0) return;
    writeSync(this.fd, this.buf.join(''));
    this.buf = [];
    this.size = 0;
  }
  close(): void {
    this.flush();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Pid of the synthetic process that owns the counter tracks in the JSON. */
const COUNTER_PID = 0x7fffff00;

export interface TraceFiles {
  ftrace?: string;
  json?: string;
}

export class TraceExporter implements TraceSink {
  private readonly txt: BufferedFile | null;
  private readonly spool: BufferedFile | null;
  private readonly json: BufferedFile | null;
  private firstJsonEvent = true;
  private k!: Kernel;
  private offsetNs = 0;
  private detachFn: (() => void) | null = null;
  /** Current task per CPU (the context of the next line), and when it was switched in. */
  private curr: { pid: number; comm: string; sinceNs: number }[] = [];
  private readonly named = new Set<number>();
  private lastCounters: string[] = [];
  private lastMemNs = -Infinity;
  private lastMemKb = -1;
  lines = 0;
  private closed = false;

  constructor(readonly files: TraceFiles) {
    this.txt = files.ftrace !== undefined ? new BufferedFile(files.ftrace) : null;
    this.json = files.json !== undefined ? new BufferedFile(files.json) : null;
    this.spool = files.json !== undefined ? new BufferedFile(`${files.json}.ftrace.tmp`) : null;
    if (this.json !== null) {
      this.json.write('{"traceEvents":[\n');
      this.jsonEvent({ name: 'process_name', ph: 'M', pid: COUNTER_PID, tid: COUNTER_PID, args: { name: 'kernsim: runqueues and memory' } });
    }
  }

  /** Start (or, after a reboot, continue) with a kernel. */
  attach(k: Kernel): void {
    this.detachFn?.();
    if (this.k !== undefined) this.offsetNs += this.k.now;
    const first = this.k === undefined;
    this.k = k;
    this.curr = k.rqs.map((rq) => ({ pid: rq.curr.pid, comm: rq.curr.comm, sinceNs: k.now }));
    this.lastCounters = k.rqs.map(() => '');
    if (first) this.ftrace(ftraceHeader(k.nrCpus));
    this.detachFn = k.addSink(this);
  }

  private ftrace(s: string): void {
    this.txt?.write(s);
    this.spool?.write(s);
  }

  private line(pid: number, comm: string, cpu: number, flags: string, tNs: number, body: string): void {
    this.lines++;
    this.ftrace(`${linePrefix(comm, pid, Math.max(0, cpu), flags, tNs + this.offsetNs)}${body}\n`);
  }

  private jsonEvent(e: Record<string, unknown>): void {
    if (this.json === null) return;
    this.json.write(`${this.firstJsonEvent ? '' : ',\n'}${JSON.stringify(e)}`);
    this.firstJsonEvent = false;
  }

  private us(tNs: number): number {
    return Math.round((tNs + this.offsetNs) / 10) / 100;
  }

  private nameThread(pid: number, comm: string): void {
    if (this.json === null || pid === 0 || this.named.has(pid)) return;
    this.named.add(pid);
    this.jsonEvent({ name: 'thread_name', ph: 'M', pid, tid: pid, args: { name: safeText(comm) } });
    this.jsonEvent({ name: 'process_name', ph: 'M', pid, tid: pid, args: { name: safeText(comm) } });
  }

  private ctx(cpu: number): { pid: number; comm: string } {
    return this.curr[Math.max(0, cpu)] ?? { pid: 0, comm: 'swapper' };
  }

  /** Per-CPU runqueue depth counters, written when they change. */
  private counters(cpu: number, tNs: number): void {
    const rq = this.k.rqs[cpu];
    if (rq === undefined) return;
    const v = `${rq.dl.dlNrRunning}|${rq.rt.rtNrRunning}|${rq.cfs.nrQueued}`;
    if (v === this.lastCounters[cpu]) return;
    this.lastCounters[cpu] = v;
    const c = this.ctx(cpu);
    this.line(c.pid, c.comm, cpu, '....', tNs, `tracing_mark_write: C|0|cpu${cpu}_nr_running_dl|${rq.dl.dlNrRunning}`);
    this.line(c.pid, c.comm, cpu, '....', tNs, `tracing_mark_write: C|0|cpu${cpu}_nr_running_rt|${rq.rt.rtNrRunning}`);
    this.line(c.pid, c.comm, cpu, '....', tNs, `tracing_mark_write: C|0|cpu${cpu}_nr_running_fair|${rq.cfs.nrQueued}`);
    this.jsonEvent({ name: `runqueue cpu${cpu}`, ph: 'C', ts: this.us(tNs), pid: COUNTER_PID, tid: COUNTER_PID, args: { dl: rq.dl.dlNrRunning, rt: rq.rt.rtNrRunning, fair: rq.cfs.nrQueued } });
  }

  private memory(tNs: number): void {
    if (tNs - this.lastMemNs < 10_000_000) return;
    this.lastMemNs = tNs;
    const kb = this.k.mm.pages.freePages * 4;
    if (kb === this.lastMemKb) return;
    this.lastMemKb = kb;
    const c = this.ctx(0);
    this.line(c.pid, c.comm, 0, '....', tNs, `tracing_mark_write: C|0|mem_free_kb|${kb}`);
    this.jsonEvent({ name: 'memory', ph: 'C', ts: this.us(tNs), pid: COUNTER_PID, tid: COUNTER_PID, args: { free_kb: kb } });
  }

  emit(ev: KernelEvent): void {
    if (this.closed) return;
    const t = ev.tNs;
    switch (ev.kind) {
      case 'sched_switch': {
        const cur = this.curr[ev.cpu];
        this.line(ev.prevPid, ev.prevComm, ev.cpu, 'd..2', t, switchBody(ev));
        if (cur !== undefined && ev.prevPid !== 0 && t > cur.sinceNs) {
          this.nameThread(ev.prevPid, ev.prevComm);
          this.jsonEvent({ name: safeText(ev.prevComm), cat: 'sched', ph: 'X', ts: this.us(cur.sinceNs), dur: this.us(t) - this.us(cur.sinceNs), pid: ev.prevPid, tid: ev.prevPid, args: { cpu: ev.cpu, prev_state: ev.prevState } });
        }
        this.curr[ev.cpu] = { pid: ev.nextPid, comm: ev.nextComm, sinceNs: t };
        this.counters(ev.cpu, t);
        break;
      }
      case 'sched_waking':
      case 'sched_wakeup':
      case 'sched_wakeup_new': {
        const c = this.ctx(ev.cpu);
        this.line(c.pid, c.comm, ev.cpu, 'd..3', t, wakeBody(ev.kind, ev));
        if (ev.kind !== 'sched_waking') this.counters(ev.targetCpu, t);
        break;
      }
      case 'sched_migrate_task': {
        const c = this.ctx(ev.cpu);
        this.line(c.pid, c.comm, ev.cpu, 'd..2', t, `sched_migrate_task: comm=${safeComm(ev.comm)} pid=${ev.pid} prio=${ev.prio} orig_cpu=${ev.origCpu} dest_cpu=${ev.destCpu}`);
        break;
      }
      case 'sched_process_fork': {
        const c = this.ctx(ev.cpu);
        this.line(c.pid, c.comm, ev.cpu, '....', t, `sched_process_fork: comm=${safeComm(ev.parentComm)} pid=${ev.parentPid} child_comm=${safeComm(ev.childComm)} child_pid=${ev.childPid}`);
        break;
      }
      case 'sched_process_exit':
      case 'sched_process_free': {
        const c = this.ctx(ev.cpu);
        this.line(c.pid, c.comm, ev.cpu, '....', t, `${ev.kind}: comm=${safeComm(ev.comm)} pid=${ev.pid} prio=${ev.prio}`);
        break;
      }
      case 'printk':
        this.jsonEvent({ name: safeText(ev.text.slice(0, 80)), cat: 'printk', ph: 'i', s: 'g', ts: this.us(t), pid: COUNTER_PID, tid: COUNTER_PID, args: { level: ev.level, msg: safeText(ev.text) } });
        break;
      case 'sysrq':
      case 'oom_kill':
      case 'panic': {
        const text = ev.kind === 'sysrq' ? `SysRq ${ev.key}: ${ev.action}` : ev.kind === 'oom_kill' ? `OOM kill ${ev.victimComm} (${ev.victimPid})` : `Kernel panic: ${ev.text}`;
        const c = this.ctx(ev.cpu);
        this.line(c.pid, c.comm, ev.cpu, '....', t, `tracing_mark_write: I|0|${safeText(text).replace(/\|/g, '/')}`);
        this.jsonEvent({ name: safeText(text), cat: ev.kind, ph: 'i', s: 'g', ts: this.us(t), pid: COUNTER_PID, tid: COUNTER_PID });
        break;
      }
      default:
        break;
    }
    this.memory(t);
  }

  /** End the running slices, finish both files. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.detachFn?.();
    if (this.k !== undefined) {
      this.curr.forEach((c, cpu) => {
        if (c.pid !== 0 && this.k.now > c.sinceNs) {
          this.nameThread(c.pid, c.comm);
          this.jsonEvent({ name: safeText(c.comm), cat: 'sched', ph: 'X', ts: this.us(c.sinceNs), dur: this.us(this.k.now) - this.us(c.sinceNs), pid: c.pid, tid: c.pid, args: { cpu } });
        }
      });
    }
    this.txt?.close();
    if (this.json !== null && this.spool !== null) {
      this.spool.close();
      this.json.write('\n],"systemTraceEvents":"');
      // Copy the spooled ftrace text in as one JSON string (ASCII only, so \n is the only escape needed).
      const fd = openSync(this.spool.path, 'r');
      const buf = Buffer.alloc(1 << 20);
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, null);
        if (n === 0) break;
        this.json.write(JSON.stringify(buf.toString('latin1', 0, n)).slice(1, -1));
      }
      closeSync(fd);
      unlinkSync(this.spool.path);
      this.json.write('"}\n');
      this.json.close();
    }
  }
}
