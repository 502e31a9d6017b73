/**
 * Reading scheduler events from trace text as real machines write it: ftrace's trace file (flags of 0, 4 or 5
 * characters, the optional (tgid) column, comms with spaces), `trace-cmd report` (its `cpus=N` line, its own
 * "comm:pid [prio]" layout for sched_switch and wakeups), and `perf script` ("comm pid/tid [cpu] time:
 * sched:event:"). It works on the file's bytes: numbers are read in place and only task names become strings,
 * which is what lets it read more than a million lines a second.
 */

export type TraceEventKind = 'sched_switch' | 'sched_wakeup' | 'sched_wakeup_new' | 'sched_waking' | 'sched_migrate_task' | 'sched_process_fork' | 'sched_process_exit' | 'sched_process_free';

export interface ParsedSwitch {
  kind: 'sched_switch';
  cpu: number;
  tNs: number;
  prevComm: string;
  prevPid: number;
  prevPrio: number;
  prevState: string;
  nextComm: string;
  nextPid: number;
  nextPrio: number;
}

export interface ParsedWake {
  kind: 'sched_wakeup' | 'sched_wakeup_new' | 'sched_waking';
  cpu: number;
  tNs: number;
  comm: string;
  pid: number;
  prio: number;
  targetCpu: number;
}

export interface ParsedMigrate {
  kind: 'sched_migrate_task';
  cpu: number;
  tNs: number;
  comm: string;
  pid: number;
  prio: number;
  origCpu: number;
  destCpu: number;
}

export interface ParsedFork {
  kind: 'sched_process_fork';
  cpu: number;
  tNs: number;
  parentComm: string;
  parentPid: number;
  childComm: string;
  childPid: number;
}

export interface ParsedExit {
  kind: 'sched_process_exit' | 'sched_process_free';
  cpu: number;
  tNs: number;
  comm: string;
  pid: number;
  prio: number;
}

export interface ParsedOther {
  kind: 'other';
  cpu: number;
  tNs: number;
  name: string;
}

export type ParsedEvent = ParsedSwitch | ParsedWake | ParsedMigrate | ParsedFork | ParsedExit | ParsedOther;

/** What a line was: an event, a line to skip silently (headers, comments, blank), or not understood. */
export type LineResult = ParsedEvent | 'skip' | null;

const SP = 0x20;
const COLON = 0x3a;

/** Digits at b[i..end) as a number (NaN if none). */
function intAt(b: Buffer, i: number, end: number): number {
  let j = i;
  let neg = false;
  if (j < end && b[j] === 0x2d) {
    neg = true;
    j++;
  }
  const from = j;
  let v = 0;
  for (; j < end; j++) {
    const c = b[j] as number;
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
  }
  return j === from ? NaN : neg ? -v : v;
}

const KEYS = new Map<string, Uint8Array>();
/** The bytes of a key; keys are a fixed set, so each is made once. */
function keyBytes(k: string): Uint8Array {
  let v = KEYS.get(k);
  if (v === undefined) {
    v = Uint8Array.from(k, (c) => c.charCodeAt(0));
    KEYS.set(k, v);
  }
  return v;
}

const K_ARROW = keyBytes(' ==> ');
const K_ARROW_NEXT_COMM = keyBytes(' ==> next_comm=');
const K_SP_PREV_PRIO = keyBytes(' prev_prio=');
const K_SP_PREV_STATE = keyBytes(' prev_state=');
const K_SP_NEXT_PRIO = keyBytes(' next_prio=');
const K_SP_PRIO = keyBytes(' prio=');
const K_SP_SUCCESS = keyBytes(' success=');
const K_SP_TARGET_CPU = keyBytes(' target_cpu=');
const K_SP_CHILD_COMM = keyBytes(' child_comm=');
const K_SP_CHILD_PID = keyBytes(' child_pid=');
const K_SP_NEXT_PID = keyBytes(' next_pid=');
const K_SP_PID = keyBytes(' pid=');
const K_SP_PREV_PID = keyBytes(' prev_pid=');
const K_CHILD_PID = keyBytes('child_pid=');
const K_COMM = keyBytes('comm=');
const K_DEST_CPU = keyBytes('dest_cpu=');
const K_NEXT_COMM = keyBytes('next_comm=');
const K_NEXT_PID = keyBytes('next_pid=');
const K_NEXT_PRIO = keyBytes('next_prio=');
const K_ORIG_CPU = keyBytes('orig_cpu=');
const K_PREV_COMM = keyBytes('prev_comm=');
const K_PREV_PID = keyBytes('prev_pid=');
const K_PREV_PRIO = keyBytes('prev_prio=');
const K_PREV_STATE = keyBytes('prev_state=');
const K_PRIO = keyBytes('prio=');
const K_TARGET_CPU = keyBytes('target_cpu=');

/** Where key starts in b[from..end), or -1. A plain scan: the keys are a few bytes ahead (Buffer.indexOf with a
 * string needle costs more than the whole parse). */
function seek(b: Buffer, from: number, end: number, k: Uint8Array): number {
  const k0 = k[0] as number;
  const n = k.length;
  outer: for (let i = from; i + n <= end; i++) {
    if (b[i] !== k0) continue;
    for (let j = 1; j < n; j++) if (b[i + j] !== k[j]) continue outer;
    return i;
  }
  return -1;
}

/** Offset just after `key=` in b[from..end), or -1. */
function keyAt(b: Buffer, key: Uint8Array, from: number, end: number): number {
  const i = seek(b, from, end, key);
  return i < 0 ? -1 : i + key.length;
}

function startsAt(b: Buffer, p: number, end: number, k: Uint8Array): boolean {
  if (p + k.length > end) return false;
  for (let j = 0; j < k.length; j++) if (b[p + j] !== k[j]) return false;
  return true;
}

/** The text of a value starting at v: up to ` nextKey` when given (values may hold spaces), else the next space. */
function textAt(b: Buffer, v: number, end: number, nextKey: Uint8Array | null): string {
  let e = -1;
  if (nextKey !== null) e = seek(b, v, end, nextKey);
  if (e < 0) {
    e = v;
    while (e < end && b[e] !== SP) e++;
  }
  return b.toString('utf8', v, e);
}

function num(b: Buffer, key: Uint8Array, from: number, end: number): number {
  const v = keyAt(b, key, from, end);
  return v < 0 ? NaN : intAt(b, v, end);
}

/** One-letter task states as interned strings. */
const STATE1: (string | undefined)[] = [];
const STATE2: (string | undefined)[] = [];
for (const ch of 'RSDTtXZPIKWN') {
  STATE1[ch.charCodeAt(0)] = ch;
  STATE2[ch.charCodeAt(0)] = `${ch}+`;
}

/**
 * Task names seen per pid: a name that did not change (the usual case) is reused instead of decoded again.
 * Bounded: cleared when it grows past 65536 pids.
 */
const COMMS = new Map<number, string>();
function commOf(pid: number, b: Buffer, from: number, to: number): string {
  const have = COMMS.get(pid);
  const len = to - from;
  if (have !== undefined && have.length === len) {
    let same = true;
    for (let i = 0; i < len && same; i++) same = have.charCodeAt(i) === b[from + i];
    if (same) return have;
  }
  const name = b.toString('utf8', from, to);
  if (COMMS.size > 65536) COMMS.clear();
  COMMS.set(pid, name);
  return name;
}

/**
 * The kernel's own layout, read front to back: "prev_comm=C prev_pid=N prev_prio=N prev_state=S ==> next_comm=C
 * next_pid=N next_prio=N". Only the comms need a search (they may contain spaces); null if the layout differs.
 */
function switchFast(b: Buffer, p: number, end: number, cpu: number, tNs: number): ParsedSwitch | null {
  const c1 = p + K_PREV_COMM.length;
  const pp = seek(b, c1, end, K_SP_PREV_PID);
  if (pp < 0) return null;
  let i = pp + K_SP_PREV_PID.length;
  const prevPid = intAt(b, i, end);
  while (i < end && b[i] !== SP) i++;
  if (!startsAt(b, i, end, K_SP_PREV_PRIO)) return null;
  i += K_SP_PREV_PRIO.length;
  const prevPrio = intAt(b, i, end);
  while (i < end && b[i] !== SP) i++;
  if (!startsAt(b, i, end, K_SP_PREV_STATE)) return null;
  i += K_SP_PREV_STATE.length;
  const st = i;
  while (i < end && b[i] !== SP) i++;
  const sl = i - st;
  const prevState =
    sl === 1 ? (STATE1[b[st] as number] ?? b.toString('latin1', st, i)) : sl === 2 && b[st + 1] === 0x2b ? (STATE2[b[st] as number] ?? b.toString('latin1', st, i)) : b.toString('latin1', st, i);
  if (!startsAt(b, i, end, K_ARROW_NEXT_COMM)) return null;
  const c2 = i + K_ARROW_NEXT_COMM.length;
  const np = seek(b, c2, end, K_SP_NEXT_PID);
  if (np < 0) return null;
  i = np + K_SP_NEXT_PID.length;
  const nextPid = intAt(b, i, end);
  while (i < end && b[i] !== SP) i++;
  if (!startsAt(b, i, end, K_SP_NEXT_PRIO)) return null;
  const nextPrio = intAt(b, i + K_SP_NEXT_PRIO.length, end);
  if (Number.isNaN(prevPid) || Number.isNaN(nextPid)) return null;
  // One reused object: callers use an event before reading the next line (the feeder copies one it holds).
  const e = SWITCH;
  e.cpu = cpu;
  e.tNs = tNs;
  e.prevComm = commOf(prevPid, b, c1, pp);
  e.prevPid = prevPid;
  e.prevPrio = prevPrio;
  e.prevState = prevState;
  e.nextComm = commOf(nextPid, b, c2, np);
  e.nextPid = nextPid;
  e.nextPrio = nextPrio;
  return e;
}

const SWITCH: ParsedSwitch = { kind: 'sched_switch', cpu: 0, tNs: 0, prevComm: '', prevPid: 0, prevPrio: 0, prevState: '', nextComm: '', nextPid: 0, nextPrio: 0 };

function parseSwitch(b: Buffer, p: number, end: number, cpu: number, tNs: number): ParsedSwitch | null {
  if (startsAt(b, p, end, K_PREV_COMM)) {
    const fast = switchFast(b, p, end, cpu, tNs);
    if (fast !== null) return fast;
  }
  const arrow = seek(b, p, end, K_ARROW);
  if (arrow < 0) return null;
  if (startsAt(b, p, end, K_PREV_COMM)) {
    const e: ParsedSwitch = {
      kind: 'sched_switch',
      cpu,
      tNs,
      prevComm: textAt(b, p + 10, arrow, K_SP_PREV_PID),
      prevPid: num(b, K_PREV_PID, p, arrow),
      prevPrio: num(b, K_PREV_PRIO, p, arrow),
      prevState: (() => {
        const v = keyAt(b, K_PREV_STATE, p, arrow);
        return v < 0 ? 'R' : textAt(b, v, arrow, null);
      })(),
      nextComm: (() => {
        const v = keyAt(b, K_NEXT_COMM, arrow, end);
        return v < 0 ? '' : textAt(b, v, end, K_SP_NEXT_PID);
      })(),
      nextPid: num(b, K_NEXT_PID, arrow, end),
      nextPrio: num(b, K_NEXT_PRIO, arrow, end),
    };
    return Number.isNaN(e.prevPid) || Number.isNaN(e.nextPid) ? null : e;
  }
  // trace-cmd's sched plugin: "prev:123 [120] S ==> next:456 [120]"
  const m = /^(.*):(\d+) \[(-?\d+)\] (\S+) ==> (.*):(\d+) \[(-?\d+)\]/.exec(b.toString('utf8', p, end));
  if (m === null) return null;
  return { kind: 'sched_switch', cpu, tNs, prevComm: m[1] as string, prevPid: Number(m[2]), prevPrio: Number(m[3]), prevState: m[4] as string, nextComm: m[5] as string, nextPid: Number(m[6]), nextPrio: Number(m[7]) };
}

/** "comm=C pid=N prio=N target_cpu=NNN" front to back (older kernels add "success=1" before target_cpu). */
function wakeFast(kind: ParsedWake['kind'], b: Buffer, p: number, end: number, cpu: number, tNs: number): ParsedWake | null {
  const c = p + K_COMM.length;
  const pp = seek(b, c, end, K_SP_PID);
  if (pp < 0) return null;
  let i = pp + K_SP_PID.length;
  const pid = intAt(b, i, end);
  while (i < end && b[i] !== SP) i++;
  if (!startsAt(b, i, end, K_SP_PRIO)) return null;
  i += K_SP_PRIO.length;
  const prio = intAt(b, i, end);
  while (i < end && b[i] !== SP) i++;
  if (startsAt(b, i, end, K_SP_SUCCESS)) {
    i += K_SP_SUCCESS.length;
    while (i < end && b[i] !== SP) i++;
  }
  if (!startsAt(b, i, end, K_SP_TARGET_CPU)) return null;
  const targetCpu = intAt(b, i + K_SP_TARGET_CPU.length, end);
  if (Number.isNaN(pid) || Number.isNaN(targetCpu)) return null;
  const e = WAKE;
  e.kind = kind;
  e.cpu = cpu;
  e.tNs = tNs;
  e.comm = commOf(pid, b, c, pp);
  e.pid = pid;
  e.prio = prio;
  e.targetCpu = targetCpu;
  return e;
}

const WAKE: ParsedWake = { kind: 'sched_wakeup', cpu: 0, tNs: 0, comm: '', pid: 0, prio: 0, targetCpu: 0 };

function parseWake(kind: ParsedWake['kind'], b: Buffer, p: number, end: number, cpu: number, tNs: number): ParsedWake | null {
  if (startsAt(b, p, end, K_COMM)) {
    const fast = wakeFast(kind, b, p, end, cpu, tNs);
    if (fast !== null) return fast;
    const pid = num(b, K_SP_PID, p, end);
    if (Number.isNaN(pid)) return null;
    const tc = num(b, K_TARGET_CPU, p, end);
    return { kind, cpu, tNs, comm: textAt(b, p + 5, end, K_SP_PID), pid, prio: num(b, K_PRIO, p, end), targetCpu: Number.isNaN(tc) ? cpu : tc };
  }
  // trace-cmd: "comm:pid [prio] CPU:001" (success field optional)
  const m = /^(.*):(\d+) \[(-?\d+)\](?: success=\d)? CPU:(\d+)/.exec(b.toString('utf8', p, end));
  if (m === null) return null;
  return { kind, cpu, tNs, comm: m[1] as string, pid: Number(m[2]), prio: Number(m[3]), targetCpu: Number(m[4]) };
}

function parseBody(name: string, b: Buffer, p: number, end: number, cpu: number, tNs: number): ParsedEvent | null {
  switch (name) {
    case 'sched_switch':
      return parseSwitch(b, p, end, cpu, tNs);
    case 'sched_wakeup':
    case 'sched_wakeup_new':
    case 'sched_waking':
      return parseWake(name, b, p, end, cpu, tNs);
    case 'sched_migrate_task': {
      const pid = num(b, K_SP_PID, p, end);
      if (Number.isNaN(pid)) return null;
      return { kind: name, cpu, tNs, comm: textAt(b, p + 5, end, K_SP_PID), pid, prio: num(b, K_PRIO, p, end), origCpu: num(b, K_ORIG_CPU, p, end), destCpu: num(b, K_DEST_CPU, p, end) };
    }
    case 'sched_process_fork': {
      const child = keyAt(b, K_SP_CHILD_COMM, p, end);
      const parentPid = num(b, K_SP_PID, p, child < 0 ? end : child);
      const childPid = num(b, K_CHILD_PID, p, end);
      if (Number.isNaN(parentPid) || Number.isNaN(childPid) || child < 0) return null;
      return { kind: name, cpu, tNs, parentComm: textAt(b, p + 5, end, K_SP_PID), parentPid, childComm: textAt(b, child, end, K_SP_CHILD_PID), childPid };
    }
    case 'sched_process_exit':
    case 'sched_process_free': {
      const pid = num(b, K_SP_PID, p, end);
      if (Number.isNaN(pid)) return null;
      return { kind: name, cpu, tNs, comm: textAt(b, p + 5, end, K_SP_PID), pid, prio: num(b, K_PRIO, p, end) };
    }
    default:
      return { kind: 'other', cpu, tNs, name };
  }
}

const NAMES = ['sched_switch', 'sched_wakeup', 'sched_wakeup_new', 'sched_waking', 'sched_migrate_task', 'sched_process_fork', 'sched_process_exit', 'sched_process_free'].map((n) => ({ n, k: keyBytes(n) }));

/** The event name without decoding the common ones. */
function eventName(b: Buffer, from: number, to: number): string {
  const len = to - from;
  for (const { n, k } of NAMES) if (k.length === len && startsAt(b, from, to, k)) return n;
  return b.toString('latin1', from, to);
}

const SKIP_RE = /^(cpus=\d+|version = |CPU \d+ is empty|TASK-PID)/;

/**
 * One line, b[start..end) (without the newline). Layouts accepted, with any amount of padding:
 *   ftrace:      "<comm>-<pid> [(tgid)] [CPU] [flags] SECS.USECS: event: body"
 *   perf script: "<comm> <pid>[/<tid>] [CPU] SECS.USECS: [sched:]event: body"
 * The task context before the CPU column is not needed: every event used names its tasks in its body.
 */
export function parseTraceBytes(b: Buffer, start: number, end0: number): LineResult {
  let end = end0;
  if (end > start && b[end - 1] === 0x0d) end--;
  if (end === start || b[start] === 0x23 /* # */) return 'skip';
  // The CPU column "[ddd]" preceded by a space: usually the first "] " of the line. Plain loops: the
  // distances are a few dozen bytes, less than the cost of a native indexOf call.
  let close = -1;
  let open = -1;
  for (let q = start; q < end; q++) {
    if (b[q] !== 0x5d) continue;
    if (q + 1 === end || b[q + 1] === SP) {
      let o = q - 1;
      while (o > start && (b[o] as number) >= 48 && (b[o] as number) <= 57) o--;
      if (b[o] === 0x5b && o < q - 1 && o > start && b[o - 1] === SP) {
        open = o;
        close = q;
        break;
      }
    }
  }
  if (close < 0 || close >= end) {
    const t = b.toString('latin1', start, end).trim();
    return t === '' || SKIP_RE.test(t) ? 'skip' : null;
  }
  const cpu = intAt(b, open + 1, close);
  // The timestamp: the token before the first ": " after the bracket (flags may precede it).
  let colon = close + 1;
  while (colon < end && !(b[colon] === COLON && (colon + 1 === end || b[colon + 1] === SP))) colon++;
  if (colon >= end) return null;
  let ts = colon - 1;
  while (ts > close && b[ts] !== SP) ts--;
  ts++;
  let secs = 0;
  let j = ts;
  for (; j < colon && b[j] !== 0x2e; j++) {
    const c = b[j] as number;
    if (c < 48 || c > 57) return null;
    secs = secs * 10 + (c - 48);
  }
  if (j === ts || j >= colon) return null;
  let frac = 0;
  let digits = 0;
  for (j++; j < colon; j++) {
    const c = b[j] as number;
    if (c < 48 || c > 57) return null;
    if (digits < 9) {
      frac = frac * 10 + (c - 48);
      digits++;
    }
  }
  while (digits < 9) {
    frac *= 10;
    digits++;
  }
  const tNs = secs * 1e9 + frac;
  // The event name up to the next ": " (perf writes "sched:sched_switch" and may pad with spaces).
  let n = colon + 1;
  while (n < end && b[n] === SP) n++;
  let c2 = n;
  while (c2 < end && !(b[c2] === COLON && (c2 + 1 === end || b[c2 + 1] === SP))) c2++;
  if (c2 >= end) return null;
  let ns = n;
  for (let q = n; q < c2; q++) if (b[q] === COLON) ns = q + 1;
  const name = eventName(b, ns, c2);
  let p = c2 + 1;
  while (p < end && b[p] === SP) p++;
  return parseBody(name, b, p, end, cpu, tNs);
}

/** One line given as a string (tests, small inputs). */
export function parseTraceLine(line: string): LineResult {
  const b = Buffer.from(line, 'utf8');
  return parseTraceBytes(b, 0, b.length);
}
