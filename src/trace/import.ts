/**
 * `kernsim import`: stream a trace file through the parser into a TraceModel, counting what it could not read.
 * The summary follows the headless JSON contract (tasks with CPU time, switches and run delay; CPUs with busy
 * time by class), so a real machine's numbers can be checked the same way as a simulated one's.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { TraceModel } from './model.js';
import { parseTraceBytes, type LineResult } from './parse.js';
import { fileErrorText, InputError } from '../lib/input-error.js';

export class TraceFileError extends InputError {
  override readonly name = 'TraceFileError';
  constructor(file: string, detail: string) {
    super(file, '', detail);
  }
}

/** Lines of a file as byte ranges of 1 MiB chunks: memory stays flat whatever the file's size. */
export class LineReader {
  private fd: number;
  private buf = Buffer.alloc(1 << 20);
  /** Valid bytes in buf, and where the next line starts. */
  private len = 0;
  private pos = 0;
  private eof = false;
  lineNo = 0;
  bytes = 0;
  /** The current line: buf[start..end). */
  start = 0;
  end = 0;

  constructor(readonly file: string) {
    try {
      this.fd = openSync(file, 'r');
    } catch (e) {
      throw new TraceFileError(file, fileErrorText(e));
    }
  }

  get buffer(): Buffer {
    return this.buf;
  }

  /** Advance to the next line; false at the end of the file. */
  next(): boolean {
    for (;;) {
      const nl = this.buf.indexOf(0x0a, this.pos);
      if (nl >= 0 && nl < this.len) {
        this.start = this.pos;
        this.end = nl;
        this.pos = nl + 1;
        this.lineNo++;
        return true;
      }
      if (this.eof) {
        if (this.pos < this.len) {
          this.start = this.pos;
          this.end = this.len;
          this.pos = this.len;
          this.lineNo++;
          return true;
        }
        return false;
      }
      // Keep the partial line, read more behind it (growing the buffer for a very long line).
      const rest = this.len - this.pos;
      if (rest >= this.buf.length / 2) {
        const bigger = Buffer.alloc(this.buf.length * 2);
        this.buf.copy(bigger, 0, this.pos, this.len);
        this.buf = bigger;
      } else this.buf.copy(this.buf, 0, this.pos, this.len);
      this.len = rest;
      this.pos = 0;
      const n = readSync(this.fd, this.buf, this.len, this.buf.length - this.len, null);
      this.bytes += n;
      this.len += n;
      if (n === 0) this.eof = true;
    }
  }

  text(max = 100): string {
    return this.buf.toString('utf8', this.start, Math.min(this.end, this.start + max));
  }

  close(): void {
    closeSync(this.fd);
  }
}

export interface ImportStats {
  lines: number;
  events: number;
  unparsed: number;
  firstUnparsed: { line: number; text: string }[];
}

/** Feed lines to the model until the file ends or an event after untilNs (then it is returned for later). */
export class TraceFeeder {
  readonly model = new TraceModel();
  readonly stats: ImportStats = { lines: 0, events: 0, unparsed: 0, firstUnparsed: [] };
  private readonly reader: LineReader;
  done = false;
  private held: LineResult = null;

  constructor(readonly file: string) {
    this.reader = new LineReader(file);
  }

  /** Apply every event up to untilNs (relative to the trace's first event when relative is true). */
  feed(untilNs = Infinity, maxLines = Infinity, onEvent?: (e: Exclude<LineResult, null | 'skip'>) => void): void {
    let n = 0;
    if (this.held !== null && this.held !== 'skip') {
      if (this.held.tNs > untilNs) return;
      this.model.apply(this.held);
      onEvent?.(this.held);
      this.held = null;
    }
    const r = this.reader;
    while (n++ < maxLines) {
      if (this.done || !r.next()) {
        if (!this.done) r.close();
        this.done = true;
        return;
      }
      this.stats.lines++;
      const ev = parseTraceBytes(r.buffer, r.start, r.end);
      if (ev === null) {
        this.stats.unparsed++;
        if (this.stats.firstUnparsed.length < 3) this.stats.firstUnparsed.push({ line: r.lineNo, text: r.text() });
        continue;
      }
      if (ev === 'skip') continue;
      this.stats.events++;
      if (ev.tNs > untilNs) {
        // Parsed events may be reused by the parser: keep a copy.
        this.held = { ...ev };
        return;
      }
      this.model.apply(ev);
      onEvent?.(ev);
    }
  }

  /** Time of the event read but not yet applied (feed stopped before it), or null. */
  get heldNs(): number | null {
    return this.held !== null && this.held !== 'skip' ? this.held.tNs : null;
  }

  /** A one-line report of what could not be read, or null. */
  problems(): string | null {
    const s = this.stats;
    if (s.unparsed === 0) return null;
    const first = s.firstUnparsed.map((u) => `line ${u.line}: '${u.text}'`).join('; ');
    return `${this.file}: ${s.unparsed} of ${s.lines} lines not understood (${first})`;
  }

  /** Nothing usable at all is an error. */
  check(): void {
    if (this.stats.events === 0) {
      const u = this.stats.firstUnparsed[0];
      throw new TraceFileError(this.file, `no scheduler events found in ${this.stats.lines} lines${u !== undefined ? ` (line ${u.line}: '${u.text}')` : ''}; expected ftrace text (/sys/kernel/tracing/trace, trace-cmd report) or perf script output`);
    }
  }
}

function policyOf(prio: number): { policy: string; nice: number } {
  if (prio < 0) return { policy: 'deadline', nice: 0 };
  if (prio < 100) return { policy: 'fifo', nice: 0 };
  return { policy: 'normal', nice: Number.isNaN(prio) ? 0 : prio - 120 };
}

/** The headless contract from a fully read trace. */
export function importSummary(f: TraceFeeder): Record<string, unknown> {
  const m = f.model;
  const end = m.lastNs;
  const span = Math.max(0, end - Math.max(0, m.firstNs));
  const tasks = [...m.tasks.values()]
    .sort((a, b) => a.pid - b.pid)
    .map((x) => {
      const p = policyOf(x.prio);
      return {
        pid: x.pid,
        ppid: x.ppid,
        comm: x.comm,
        policy: p.policy,
        nice: p.nice,
        prio: x.prio,
        state: x.state,
        cpu: x.cpu,
        cpuTimeNs: m.cpuNsAt(x, end),
        nrSwitches: x.nvcsw + x.nivcsw,
        nrVoluntarySwitches: x.nvcsw,
        nrInvoluntarySwitches: x.nivcsw,
        nrMigrations: x.migrations,
        runDelayNs: x.runDelayNs,
        maxRunDelayNs: x.maxRunDelayNs,
      };
    });
  const cpus = m.cpus.map((c) => {
    const b = m.busyAt(c, end);
    const busy = (b[0] as number) + (b[1] as number) + (b[2] as number) + (b[3] as number);
    return { cpu: c.cpu, busyNs: busy, idleNs: Math.max(0, span - busy), nrSwitches: c.nrSwitches, busyNsByClass: { stop: b[0], dl: b[1], rt: b[2], fair: b[3] } };
  });
  const counts: Record<string, number> = {};
  const ec = m.eventCounts();
  for (const k of [...ec.keys()].sort()) counts[k] = ec.get(k) as number;
  return {
    scenario: basename(f.file),
    source: 'trace',
    firstNs: m.firstNs,
    simTimeNs: span,
    cpus,
    tasks,
    eventCounts: counts,
    lines: f.stats.lines,
    unparsed: { count: f.stats.unparsed, first: f.stats.firstUnparsed },
  };
}

const ms = (ns: number): string => (ns / 1e6).toFixed(3);

export function formatImportSummary(j: Record<string, unknown>): string {
  const out: string[] = [];
  const tasks = j.tasks as { pid: number; comm: string; policy: string; prio: number; state: string; cpuTimeNs: number; nrSwitches: number; nrVoluntarySwitches: number; nrInvoluntarySwitches: number; nrMigrations: number; runDelayNs: number; maxRunDelayNs: number }[];
  const cpus = j.cpus as { cpu: number; busyNs: number; idleNs: number; nrSwitches: number; busyNsByClass: Record<string, number> }[];
  const span = j.simTimeNs as number;
  out.push(`kernsim import: ${String(j.scenario)} - ${(span / 1e9).toFixed(6)} s of trace, ${cpus.length} CPU${cpus.length === 1 ? '' : 's'}, ${tasks.length} tasks, ${String(j.lines)} lines`);
  out.push('');
  out.push('    PID COMM            POLICY    PRI S   CPU-TIME(ms)   %CPU  SWITCHES(vol/invol)  MIGR  RUN-DELAY(ms)  MAX-DELAY(ms)');
  for (const t of [...tasks].sort((a, b) => b.cpuTimeNs - a.cpuTimeNs || a.pid - b.pid)) {
    const sw = `${t.nrSwitches} (${t.nrVoluntarySwitches}/${t.nrInvoluntarySwitches})`;
    out.push(
      `${String(t.pid).padStart(7)} ${t.comm.slice(0, 15).padEnd(15)} ${t.policy.padEnd(8)} ${String(Number.isNaN(t.prio) ? '-' : t.prio).padStart(4)} ${t.state.padEnd(1)} ${ms(t.cpuTimeNs).padStart(14)} ${(span > 0 ? (t.cpuTimeNs * 100) / span : 0).toFixed(1).padStart(6)}  ${sw.padStart(19)} ${String(t.nrMigrations).padStart(5)} ${ms(t.runDelayNs).padStart(14)} ${ms(t.maxRunDelayNs).padStart(14)}`,
    );
  }
  out.push('');
  out.push('CPU   BUSY(ms)  IDLE(ms)  UTIL   SWITCHES    dl(ms)    rt(ms)  fair(ms)');
  for (const c of cpus) {
    out.push(
      `${String(c.cpu).padStart(3)} ${ms(c.busyNs).padStart(10)} ${ms(c.idleNs).padStart(9)} ${(span > 0 ? (c.busyNs * 100) / span : 0).toFixed(1).padStart(5)}% ${String(c.nrSwitches).padStart(10)} ${ms(c.busyNsByClass.dl ?? 0).padStart(9)} ${ms(c.busyNsByClass.rt ?? 0).padStart(9)} ${ms(c.busyNsByClass.fair ?? 0).padStart(9)}`,
    );
  }
  return `${out.join('\n')}\n`;
}
