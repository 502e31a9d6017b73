/**
 * perf sched record / latency / map / timehist (tools/perf/builtin-sched.c), from the sched_switch and sched_wakeup
 * tracepoints by perf's own bookkeeping: latency's work atoms (a task switched out runnable, or woken, waits for
 * the CPU from then until it is switched in) and timehist's per-task runtimes (each switch-out is a line: the
 * time off the CPU before this run, the wait from wakeup to run, the run). `record` starts a recording on the
 * machine (or restarts it) that goes on until the next one, or, as `perf sched record -- sleep N`, for N seconds
 * of virtual time (an interval command: Ctrl-C ends it early); the reports read what was recorded so far
 * (timehist the last TIMEHIST_ROWS switches). A reboot ends the recording.
 */
import { fmtSecUsec } from '../kernel/core/time.js';
import type { Kernel, KernelEvent, TraceSink } from '../kernel/index.js';
import { Ring } from '../lib/ring.js';
import { fail, ok, parseSecondsArg, type Command } from './context.js';

/** enum thread_state, for the last atom of a task. */
const AtomState = { Sleeping: 0, WaitCpu: 1, SchedIn: 2 } as const;
type AtomState = (typeof AtomState)[keyof typeof AtomState];

/** struct work_atoms: one task's record, with its last atom's state inline (only the last one is ever used). */
interface WorkAtoms {
  pid: number;
  comm: string;
  state: AtomState;
  wakeUpNs: number;
  totalRuntimeNs: number;
  totalLatNs: number;
  nbAtoms: number;
  maxLatNs: number;
  maxLatStartNs: number;
  maxLatEndNs: number;
  merged: number;
  /* struct thread_runtime (timehist): the last sched-out, its state, and when the task became ready to run. */
  lastTimeNs: number;
  readyToRunNs: number;
}

/** One switch: timehist's line (the task switched out), and the task switched in (map's line). */
interface TimehistRow {
  tNs: number;
  cpu: number;
  pid: number;
  comm: string;
  waitNs: number;
  delayNs: number;
  runNs: number;
  nextPid: number;
  nextComm: string;
}

const TIMEHIST_ROWS = 20_000;

class LatencyRecorder implements TraceSink {
  readonly atoms = new Map<number, WorkAtoms>();
  private readonly cpuLastSwitched: number[] = [];
  switches = 0;
  /** timehist's lines, the last TIMEHIST_ROWS of them. */
  readonly rows = new Ring<TimehistRow>(TIMEHIST_ROWS);

  private find(pid: number, comm: string, outState: AtomState, tNs: number): WorkAtoms {
    let a = this.atoms.get(pid);
    if (a === undefined) {
      a = { pid, comm, state: outState, wakeUpNs: tNs, totalRuntimeNs: 0, totalLatNs: 0, nbAtoms: 0, maxLatNs: 0, maxLatStartNs: 0, maxLatEndNs: 0, merged: 1, lastTimeNs: 0, readyToRunNs: 0 };
      this.atoms.set(pid, a);
    }
    a.comm = comm;
    return a;
  }

  /** latency_switch_event(). */
  schedSwitch(_seq: number, tNs: number, cpu: number, prevPid: number, prevComm: string, _prevPrio: number, prevState: string, nextPid: number, nextComm: string): void {
    this.switches++;
    const t0 = this.cpuLastSwitched[cpu];
    this.cpuLastSwitched[cpu] = tNs;
    const delta = t0 !== undefined ? tNs - t0 : 0;
    // add_sched_out_event() + add_runtime_event(): a preempted task waits for the CPU from now.
    const out = this.find(prevPid, prevComm, AtomState.Sleeping, tNs);
    this.timehistOut(out, tNs, cpu, t0, prevState, nextPid, nextComm);
    if (prevState.startsWith('R')) {
      out.state = AtomState.WaitCpu;
      out.wakeUpNs = tNs;
    } else out.state = AtomState.Sleeping;
    out.totalRuntimeNs += delta;
    // add_sched_in_event(): a task seen for the first time here is taken as runnable until now.
    const inn = this.find(nextPid, nextComm, AtomState.WaitCpu, tNs);
    if (inn.state !== AtomState.WaitCpu) return;
    inn.state = AtomState.SchedIn;
    const lat = tNs - inn.wakeUpNs;
    inn.totalLatNs += lat;
    if (lat > inn.maxLatNs) {
      inn.maxLatNs = lat;
      inn.maxLatStartNs = inn.wakeUpNs;
      inn.maxLatEndNs = tNs;
    }
    inn.nbAtoms++;
  }

  /**
   * timehist_sched_switch_event() for the task leaving the CPU at t, which it got at tprev (the CPU's previous
   * switch): its run, its wait from ready to run, and its time off the CPU before that (timehist_update_runtime_stats).
   */
  private timehistOut(r: WorkAtoms, t: number, cpu: number, tprev: number | undefined, state: string, nextPid: number, nextComm: string): void {
    let runNs = 0;
    let delayNs = 0;
    let waitNs = 0;
    if (tprev !== undefined) {
      runNs = t - tprev;
      if (r.readyToRunNs !== 0 && r.readyToRunNs <= tprev) delayNs = tprev - r.readyToRunNs;
      if (r.lastTimeNs !== 0 && r.lastTimeNs <= tprev) waitNs = tprev - r.lastTimeNs;
    }
    this.rows.push({ tNs: t, cpu, pid: r.pid, comm: r.pid === 0 ? '<idle>' : r.comm, waitNs, delayNs, runNs, nextPid, nextComm });
    r.lastTimeNs = t;
    // A preempted task is ready to run again at once; a sleeper when it is woken.
    r.readyToRunNs = state.startsWith('R') ? t : 0;
  }

  /** latency_wakeup_event(): only a sleeping task starts to wait (a wakeup of a queued one changes nothing). */
  emit(ev: KernelEvent): void {
    if (ev.kind !== 'sched_wakeup' && ev.kind !== 'sched_wakeup_new') return;
    const a = this.find(ev.pid, ev.comm, AtomState.Sleeping, ev.tNs);
    // timehist_sched_wakeup_event(): the first wakeup since the last run marks it ready.
    if (a.readyToRunNs === 0) a.readyToRunNs = ev.tNs;
    if (a.state !== AtomState.Sleeping) return;
    a.state = AtomState.WaitCpu;
    a.wakeUpNs = ev.tNs;
  }
}

const recordings = new WeakMap<Kernel, { rec: LatencyRecorder; stop: () => void }>();

/** The recording on this machine, if it saw a switch. */
function recorded(k: Kernel): { rec: LatencyRecorder } | null {
  const r = recordings.get(k);
  return r === undefined || r.rec.switches === 0 ? null : r;
}

const nothingRecorded = (): ReturnType<Command> => fail('perf', "No sched_switch events found. Have you run 'perf sched record'?", 1);

/** The line that says how many of the first switches the bounded history dropped (empty if none). */
function notShown(rec: LatencyRecorder): string {
  const dropped = rec.switches - rec.rows.length;
  return dropped > 0 ? `  INFO: the first ${dropped} of ${rec.switches} switches are not shown: the recording keeps the last ${TIMEHIST_ROWS}\n` : '';
}

/** timestamp__scnprintf_usec(): seconds with microseconds, unpadded. */
function usec(ns: number): string {
  return fmtSecUsec(ns, 0);
}

const SORT_KEYS = ['runtime', 'switch', 'avg', 'max', 'pid'] as const;
type SortKey = (typeof SORT_KEYS)[number];

function cmp(key: SortKey, l: WorkAtoms, r: WorkAtoms): number {
  const avg = (a: WorkAtoms): number => (a.nbAtoms === 0 ? 0 : Math.floor(a.totalLatNs / a.nbAtoms));
  switch (key) {
    case 'runtime':
      return l.totalRuntimeNs - r.totalRuntimeNs;
    case 'switch':
      return l.nbAtoms - r.nbAtoms;
    case 'avg':
      return avg(l) - avg(r);
    case 'max':
      return l.maxLatNs - r.maxLatNs;
    case 'pid':
      return l.pid - r.pid;
  }
}

function latency(k: Kernel, argv: string[]): ReturnType<Command> {
  let keys: SortKey[] = ['avg', 'max', 'switch', 'runtime'];
  let perPid = false;
  for (let i = 3; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-p' || a === '--pids') perPid = true;
    else if (a === '-s' || a === '--sort') {
      const v = (argv[++i] ?? '').split(/[, ]+/).filter((x) => x !== '');
      const bad = v.find((x) => !(SORT_KEYS as readonly string[]).includes(x));
      if (v.length === 0 || bad !== undefined) return fail('perf sched latency', `Unknown --sort key: \`${bad ?? ''}'`, 129);
      keys = v as SortKey[];
    } else return fail('perf sched latency', `unknown option '${a}'\n usage: perf sched latency [-p] [-s runtime,switch,avg,max]`, 129);
  }
  const r = recorded(k);
  if (r === null) return nothingRecorded();
  // perf_sched__merge_lat(): by command name unless -p.
  let rows: WorkAtoms[] = [...r.rec.atoms.values()].filter((a) => a.pid !== 0).map((a) => ({ ...a }));
  if (!perPid) {
    const byComm = new Map<string, WorkAtoms>();
    for (const a of rows.sort((x, y) => x.pid - y.pid)) {
      const m = byComm.get(a.comm);
      if (m === undefined) byComm.set(a.comm, a);
      else {
        m.merged++;
        m.totalRuntimeNs += a.totalRuntimeNs;
        m.nbAtoms += a.nbAtoms;
        m.totalLatNs += a.totalLatNs;
        if (m.maxLatNs < a.maxLatNs) {
          m.maxLatNs = a.maxLatNs;
          m.maxLatStartNs = a.maxLatStartNs;
          m.maxLatEndNs = a.maxLatEndNs;
        }
      }
    }
    rows = [...byComm.values()];
  }
  // The largest first, by each key in turn, then by pid.
  rows.sort((x, y) => {
    for (const key of [...keys, 'pid' as const]) {
      const c = cmp(key, y, x);
      if (c !== 0) return c;
    }
    return 0;
  });
  let out = `\n ${'-'.repeat(139)}\n`;
  out += '  Task                  |   Runtime ms  | Switches | Avg delay ms    | Max delay ms    | Max delay start           | Max delay end          |\n';
  out += ` ${'-'.repeat(139)}\n`;
  let allRuntime = 0;
  let allCount = 0;
  for (const a of rows) {
    if (a.nbAtoms === 0) continue;
    allRuntime += a.totalRuntimeNs;
    allCount += a.nbAtoms;
    const name = a.merged > 1 ? `  ${a.comm}:(${a.merged}) ` : `  ${a.comm}:${a.pid} `;
    const avg = Math.floor(a.totalLatNs / a.nbAtoms);
    out += `${name.padEnd(24)}|${(a.totalRuntimeNs / 1e6).toFixed(3).padStart(11)} ms |${String(a.nbAtoms).padStart(9)} | avg:${(avg / 1e6).toFixed(3).padStart(8)} ms | max:${(a.maxLatNs / 1e6).toFixed(3).padStart(8)} ms | max start: ${usec(a.maxLatStartNs).padStart(12)} s | max end: ${usec(a.maxLatEndNs).padStart(12)} s\n`;
  }
  out += ` ${'-'.repeat(113)}\n`;
  out += `  TOTAL:                |${(allRuntime / 1e6).toFixed(3).padStart(11)} ms |${String(allCount).padStart(9)} |\n`;
  out += ` ${'-'.repeat(51)}\n\n`;
  return ok(out);
}

/** print_sched_time(): msecs.usecs. */
function schedTime(ns: number, width: number): string {
  const ms = Math.floor(ns / 1e6);
  const us = Math.floor((ns - ms * 1e6) / 1000);
  return `${String(ms).padStart(width)}.${String(us).padStart(3, '0')}`;
}

function timehist(k: Kernel, argv: string[]): ReturnType<Command> {
  if (argv.length > 3) return fail('perf sched timehist', `unknown option '${argv[3] ?? ''}'\n usage: perf sched timehist`, 129);
  const r = recorded(k);
  if (r === null) return nothingRecorded();
  const rec = r.rec;
  const dash = '-'.repeat(30);
  let out = `${'time'.padStart(15)} ${'cpu'.padStart(6)}  ${'task name'.padEnd(30)}  ${'wait time'.padStart(9)}  ${'sch delay'.padStart(9)}  ${'run time'.padStart(9)}\n`;
  out += `${''.padStart(15)} ${''.padEnd(6)}  ${'[tid/pid]'.padEnd(30)}  ${'(msec)'.padStart(9)}  ${'(msec)'.padStart(9)}  ${'(msec)'.padStart(9)}\n`;
  out += `${dash.slice(0, 15)} ${dash.slice(0, 6)}  ${dash}  ${dash.slice(0, 9)}  ${dash.slice(0, 9)}  ${dash.slice(0, 9)}\n`;
  const n = rec.rows.length;
  for (let i = 0; i < n; i++) {
    const row = rec.rows.at(i) as TimehistRow;
    const name = row.pid === 0 ? row.comm : `${row.comm}[${row.pid}]`;
    // timehist_print_sample(): "%15s [%04d] ", " %-30s ", then print_sched_time()'s "%6lu.%03lu " three times.
    out += `${usec(row.tNs).padStart(15)} [${String(row.cpu).padStart(4, '0')}]  ${name.padEnd(30)} ${schedTime(row.waitNs, 6)} ${schedTime(row.delayNs, 6)} ${schedTime(row.runNs, 6)} \n`;
  }
  out += notShown(rec);
  return ok(out);
}

/**
 * perf sched map (map_switch_event()): a line per switch with a column per CPU, the CPU that switched starred,
 * each column the two-character short name of the task it runs ('.' for idle, blank before the CPU's first
 * switch); a task's name is given ("A0 => comm:pid") the first time it appears and when its comm changed. Short
 * names run A0..Z0, A1..Z9 and then start again, as perf's do.
 */
function map(k: Kernel, argv: string[]): ReturnType<Command> {
  if (argv.length > 3) return fail('perf sched map', `unknown option '${argv[3] ?? ''}'\n usage: perf sched map`, 129);
  const r = recorded(k);
  if (r === null) return nothingRecorded();
  const rec = r.rec;
  const names = new Map<number, { short: string; comm: string }>();
  const curr: (string | undefined)[] = new Array<string | undefined>(k.nrCpus).fill(undefined);
  let n1 = 0;
  let n2 = 0;
  const lines: string[] = [];
  for (let i = 0; i < rec.rows.length; i++) {
    const row = rec.rows.at(i) as TimehistRow;
    let t = names.get(row.nextPid);
    // perf knows the idle tasks as one thread, swapper:0.
    const comm = row.nextPid === 0 ? 'swapper' : row.nextComm;
    let announce = false;
    if (t === undefined) {
      if (row.nextPid === 0) t = { short: '. ', comm };
      else {
        t = { short: String.fromCharCode(65 + n1) + String(n2), comm };
        if (n1 < 25) n1++;
        else {
          n1 = 0;
          n2 = n2 < 9 ? n2 + 1 : 0;
        }
      }
      names.set(row.nextPid, t);
      announce = true;
    } else if (t.comm !== comm) {
      t.comm = comm;
      announce = true;
    }
    curr[row.cpu] = t.short;
    let line = '  ';
    for (let c = 0; c < curr.length; c++) {
      const s = curr[c];
      line += (c === row.cpu ? '*' : ' ') + (s === undefined ? '   ' : `${s.padStart(2)} `);
    }
    line += `  ${usec(row.tNs).padStart(12)} secs `;
    if (announce) line += `${t.short} => ${t.comm}:${row.nextPid}`;
    lines.push(line);
  }
  let out = `${lines.join('\n')}\n`;
  out += notShown(rec);
  return ok(out);
}

export const perf: Command = (env, argv) => {
  const k = env.k;
  if (argv[1] !== 'sched') return fail('perf', `'${argv[1] ?? ''}' is not a perf command here: perf sched record | latency | map | timehist`, 1);
  switch (argv[2]) {
    case 'record': {
      // perf sched record [--] sleep N: record while the workload (sleep) runs, N seconds of virtual time.
      const rest = argv.slice(3);
      if (rest[0] === '--') rest.shift();
      let forNs: number | null = null;
      if (rest.length > 0) {
        const n = rest[0] === 'sleep' && rest.length === 2 ? parseSecondsArg(rest[1]) : null;
        if (n === null || n <= 0) return fail('perf', ` usage: perf sched record [[--] sleep SECONDS]  (the workload here is a sleep: record for that long)`, 129);
        forNs = Math.round(n * 1e9);
      }
      recordings.get(k)?.stop();
      const rec = new LatencyRecorder();
      const detach = k.addSink(rec);
      k.wakeupListeners++;
      let stopped = false;
      const startNs = k.now;
      const stop = (): void => {
        if (stopped) return;
        stopped = true;
        detach();
        k.wakeupListeners--;
      };
      recordings.set(k, { rec, stop });
      // One line that fits an 80-column footer.
      if (forNs === null) return ok(`[ perf sched record: since ${usec(k.now)} s; see perf sched latency, map, timehist ]\n`);
      const done = (): string => {
        stop();
        return `[ perf sched record: ${usec(startNs)} to ${usec(k.now)} s, ${rec.switches} switches; see perf sched latency, map, timehist ]\n`;
      };
      return { out: '', err: '', status: 0, follow: { intervalNs: forNs, count: 1, report: done, interrupt: done } };
    }
    case 'latency':
      return latency(k, argv);
    case 'timehist':
      return timehist(k, argv);
    case 'map':
      return map(k, argv);
    default:
      return fail('perf', ` usage: perf sched record [[--] sleep SECONDS] | perf sched latency [-p] [-s runtime,switch,avg,max] | perf sched map | perf sched timehist`, 129);
  }
};
