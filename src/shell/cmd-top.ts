/**
 * top (procps-ng 4): the summary area and the task list, read from /proc as the real tool reads it (/proc/stat,
 * /proc/meminfo, /proc/PID/stat, /proc/PID/status), in its default fields and formats. A command line has no
 * terminal, so `top` redraws in its pager (each screen replaces the last, every DELAY of virtual time) and
 * `top -b` prints one frame after another, as batch mode does; -n ends it after that many frames.
 */
import { uptimeText } from './cmd-procps.js';
import { fail, getopt, ok, parseIntArg, parseSecondsArg, readPidStat, statusNumber, type Command, type CommandOutput, type ShellEnv } from './context.js';

const USAGE = 'Usage:\n  top -hv | -bcEHiOSs1 -d secs -n max -u|U user -p pid(s) -o field -w [cols]';

/** One task as top reads it. */
interface TopTask {
  pid: number;
  comm: string;
  state: string;
  /** The priority field of /proc/PID/stat: 20 + nice, -1 - rt_priority, or -101 for SCHED_DEADLINE. */
  pr: number;
  ni: number;
  /** utime + stime, in USER_HZ ticks. */
  ticks: number;
  /** When it started, in USER_HZ ticks since boot. */
  startTicks: number;
  virtKb: number;
  resKb: number;
  shrKb: number;
  kthread: boolean;
}

interface Frame {
  ns: number;
  /** /proc/stat's cpu line ("cpu") and per-CPU lines, in ticks. */
  cpus: Map<string, number[]>;
  mem: Map<string, number>;
  tasks: Map<number, TopTask>;
}

/** The sort fields -o takes (top's field names), each with its order: larger first, as top sorts by default. */
const SORTS: Record<string, (t: TopTask, pcpu: number) => number | string> = {
  '%CPU': (_t, pcpu) => pcpu,
  '%MEM': (t) => t.resKb,
  PID: (t) => t.pid,
  'TIME+': (t) => t.ticks,
  TIME: (t) => t.ticks,
  RES: (t) => t.resKb,
  VIRT: (t) => t.virtKb,
  SHR: (t) => t.shrKb,
  PR: (t) => t.pr,
  NI: (t) => t.ni,
  S: (t) => t.state,
  COMMAND: (t) => t.comm,
};

function readTask(env: ShellEnv, pid: number): TopTask | null {
  const stat = readPidStat(env, pid);
  const status = env.k.proc.read(`/proc/${pid}/status`);
  if (stat === null || !status.ok) return null;
  const kb = (name: string): number => statusNumber(status.text, name);
  return {
    pid,
    comm: stat.comm,
    state: stat.field(3) || '?',
    pr: stat.num(18),
    ni: stat.num(19),
    ticks: stat.num(14) + stat.num(15),
    startTicks: stat.num(22),
    virtKb: kb('VmSize'),
    resKb: kb('VmRSS'),
    shrKb: kb('RssFile') + kb('RssShmem'),
    kthread: (stat.num(9) & 0x00200000) !== 0,
  };
}

function readFrame(env: ShellEnv): Frame {
  const k = env.k;
  const cpus = new Map<string, number[]>();
  const stat = k.proc.read('/proc/stat');
  if (stat.ok) for (const m of stat.text.matchAll(/^(cpu\d*)\s+(.*)$/gm)) cpus.set(m[1] as string, (m[2] as string).trim().split(/\s+/).map(Number));
  const mem = new Map<string, number>();
  const meminfo = k.proc.read('/proc/meminfo');
  if (meminfo.ok) for (const m of meminfo.text.matchAll(/^(\w+):\s+(\d+)/gm)) mem.set(m[1] as string, Number(m[2]));
  const tasks = new Map<number, TopTask>();
  // /proc's pid directories: every task but the idle tasks (pid 0), zombies included.
  const pids = [...k.tasks.values()].filter((t) => t.pid !== 0 && !t.isIdleTask).map((t) => t.pid);
  for (const pid of pids.sort((a, b) => a - b)) {
    const t = readTask(env, pid);
    if (t !== null) tasks.set(pid, t);
  }
  return { ns: k.now, cpus, mem, tasks };
}

/** "%#5.1f": one decimal in five columns. */
function pct(v: number): string {
  return v.toFixed(1).padStart(5);
}

/** A CPU line's shares (summary_hlp()): us sy ni id wa hi si st, each of all the ticks between two samples. */
function cpuLine(label: string, prev: number[] | undefined, cur: number[]): string {
  const d = (i: number): number => Math.max(0, (cur[i] ?? 0) - (prev?.[i] ?? 0));
  // user and nice include guest and guest_nice in /proc/stat; top counts them once.
  const us = d(0);
  const ni = d(1);
  const sy = d(2);
  const id = d(3);
  const wa = d(4);
  const hi = d(5);
  const si = d(6);
  const st = d(7);
  const total = us + ni + sy + id + wa + hi + si + st;
  const s = (v: number): string => pct(total === 0 ? 0 : (v * 100) / total);
  const idle = total === 0 ? pct(100) : s(id);
  // STATE_lin2x7_fmt: "%%%s" then "%#5.1f us," etc., the label padded to six columns before its colon.
  return `%${`${label}`.padEnd(6)}:${s(us)} us,${s(sy)} sy,${s(ni)} ni,${idle} id,${s(wa)} wa,${s(hi)} hi,${s(si)} si,${s(st)} st\n`;
}

/**
 * scale_mem(): a memory column in KiB if it fits its width, else in larger units with one decimal and the unit's
 * letter (m, g, t), as top shrinks a number that would overflow its column.
 */
function scaleMem(kb: number, width: number): string {
  const whole = String(kb);
  if (whole.length <= width) return whole.padStart(width);
  let v = kb;
  for (const unit of ['m', 'g', 't', 'p']) {
    v /= 1024;
    const s = `${v.toFixed(1)}${unit}`;
    if (s.length <= width) return s.padStart(width);
    const r = `${Math.round(v)}${unit}`;
    if (r.length <= width) return r.padStart(width);
  }
  return whole.padStart(width);
}

/** TIME+ (scale_tics()): minutes:seconds.hundredths, or minutes:seconds when that is too wide for nine columns. */
function timePlus(ticks: number): string {
  const cs = ticks; // USER_HZ is 100: a tick is a hundredth
  const mins = Math.floor(cs / 6000);
  const secs = Math.floor((cs % 6000) / 100);
  const hund = cs % 100;
  const full = `${mins}:${String(secs).padStart(2, '0')}.${String(hund).padStart(2, '0')}`;
  if (full.length <= 9) return full.padStart(9);
  return `${mins}:${String(secs).padStart(2, '0')}`.padStart(9);
}

/** PR: below -99 (FIFO/RR at priority 99, and every SCHED_DEADLINE task at -101) top prints "rt". */
function prText(pr: number): string {
  return pr < -99 ? 'rt' : String(pr);
}

export const top: Command = (env, argv): CommandOutput => {
  const k = env.k;
  let batch = false;
  let delaySecs = 3;
  let frames = Infinity;
  let pids: number[] | null = null;
  let sortName = '%CPU';
  let perCpu = false;
  let fullCommand = false;
  let hideIdle = false;
  // Options may be bundled (-bn1, -b1), and -d/-n/-p/-o take the rest of the word or the next one.
  const operands: string[] = [];
  let threadMode = false;
  const bad = getopt(argv, operands, (c, value) => {
    if (c === 'b') batch = true;
    else if (c === '1') perCpu = true;
    else if (c === 'c') fullCommand = true;
    else if (c === 'i') hideIdle = true;
    // -H (threads): every task here is its own thread group, so a thread is a task; the summary says Threads.
    else if (c === 'H') threadMode = true;
    else if (c === 'u' || c === 'U') {
      // Every task is root's: root (or uid 0) shows them all; the machine has no other user.
      const v = value();
      if (v === undefined) return fail('top', `-${c} requires argument\n${USAGE}`, 1);
      if (v !== 'root' && v !== '0') return fail('top', 'Invalid user', 1);
    } else if (c === 'd') {
      const v = value();
      if (v === undefined) return fail('top', `-d requires argument\n${USAGE}`, 1);
      const secs = parseSecondsArg(v);
      if (secs === null || secs <= 0) return fail('top', `bad delay interval '${v}'`, 1);
      delaySecs = secs;
    } else if (c === 'n') {
      const v = value();
      if (v === undefined) return fail('top', `-n requires argument\n${USAGE}`, 1);
      const n = parseIntArg(v);
      if (n === null || n < 1) return fail('top', `bad iterations argument '${v}'`, 1);
      frames = n;
    } else if (c === 'p') {
      const v = value();
      if (v === undefined) return fail('top', `-p requires argument\n${USAGE}`, 1);
      for (const part of v.split(',')) {
        const id = parseIntArg(part);
        if (id === null || id < 1) return fail('top', `bad pid '${part}'`, 1);
        (pids ??= []).push(id);
      }
    } else if (c === 'o') {
      const v = value();
      if (v === undefined) return fail('top', `-o requires argument\n${USAGE}`, 1);
      const name = v.replace(/^[+-]/, '');
      if (SORTS[name] === undefined) return fail('top', `unrecognized field name '${name}'`, 1);
      sortName = name;
    } else return fail('top', `unknown option '${c}'\n${USAGE}`, 1);
    return undefined;
  });
  if (bad !== null) return bad;
  if (operands.length > 0) return fail('top', `inappropriate '${operands[0]}'\n${USAGE}`, 1);
  const sortKey = SORTS[sortName] as (t: TopTask, pcpu: number) => number | string;
  let prev: Frame | null = null;

  const render = (): string => {
    const cur = readFrame(env);
    const secs = (cur.ns - (prev?.ns ?? 0)) / 1e9;
    let out = `top - ${uptimeText(k)}\n`;

    const counts = { total: 0, running: 0, sleeping: 0, stopped: 0, zombie: 0 };
    for (const t of cur.tasks.values()) {
      counts.total++;
      if (t.state === 'R') counts.running++;
      else if (t.state === 'S' || t.state === 'D' || t.state === 'I') counts.sleeping++;
      else if (t.state === 'T' || t.state === 't') counts.stopped++;
      else if (t.state === 'Z') counts.zombie++;
    }
    const c3 = (v: number): string => String(v).padStart(3);
    out += `${threadMode ? 'Threads' : 'Tasks'}: ${c3(counts.total)} total, ${c3(counts.running)} running, ${c3(counts.sleeping)} sleeping, ${c3(counts.stopped)} stopped, ${c3(counts.zombie)} zombie\n`;

    // procps-ng samples twice, 150 ms apart, before its first frame (frame_make()'s priming); a command line runs
    // at one instant, so the first frame's CPU shares are since boot (as vmstat's first line, and top before it
    // primed) and each task's %CPU is over its life so far (as ps shows it). Later frames cover their interval.
    if (perCpu) {
      for (const [name, ticks] of cur.cpus) if (name !== 'cpu') out += cpuLine(`Cpu${name.slice(3)}`, prev?.cpus.get(name), ticks);
    } else out += cpuLine('Cpu(s)', prev?.cpus.get('cpu'), cur.cpus.get('cpu') ?? []);

    const m = (name: string): number => cur.mem.get(name) ?? 0;
    const mib = (kb: number): string => (kb / 1024).toFixed(1).padStart(9);
    const buffCache = m('Buffers') + m('Cached') + m('SReclaimable');
    // procps-ng 4: used is what is not available, as free(1) counts it.
    out += `MiB Mem :${mib(m('MemTotal'))} total,${mib(m('MemFree'))} free,${mib(m('MemTotal') - m('MemAvailable'))} used,${mib(buffCache)} buff/cache\n`;
    out += `MiB Swap:${mib(m('SwapTotal'))} total,${mib(m('SwapFree'))} free,${mib(m('SwapTotal') - m('SwapFree'))} used.${mib(m('MemAvailable'))} avail Mem\n`;

    // %CPU: the task's ticks since the last frame over the frame's time (in the first, over its life).
    const rows: { t: TopTask; pcpu: number }[] = [];
    for (const t of cur.tasks.values()) {
      if (pids !== null && !pids.includes(t.pid)) continue;
      let pcpu: number;
      if (prev !== null) {
        const before = prev.tasks.get(t.pid)?.ticks ?? 0;
        pcpu = secs > 0 ? ((t.ticks - before) * 100) / (secs * 100) : 0;
      } else {
        // Its life: the uptime less its start time (field 22, in ticks since boot).
        const life = cur.ns / 1e9 - t.startTicks / 100;
        pcpu = life > 0 ? (t.ticks * 100) / (life * 100) : 0;
      }
      pcpu = Math.min(100, Math.max(0, pcpu));
      // -i: only the tasks that used some CPU since the last frame (window_show()'s isBUSY: pcpu > 0).
      if (hideIdle && !(pcpu > 0)) continue;
      rows.push({ t, pcpu });
    }
    rows.sort((a, b) => {
      const x = sortKey(a.t, a.pcpu);
      const y = sortKey(b.t, b.pcpu);
      // Larger first, as top sorts by default; text in byte order (the C locale), reversed likewise.
      if (x !== y) return typeof x === 'number' && typeof y === 'number' ? y - x : y < x ? -1 : 1;
      return a.t.pid - b.t.pid;
    });
    out += '\n    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND\n';
    const total = m('MemTotal');
    for (const { t, pcpu } of rows) {
      const pmem = total > 0 ? (t.resKb * 100) / total : 0;
      const command = fullCommand && t.kthread ? `[${t.comm}]` : t.comm;
      out +=
        `${String(t.pid).padStart(7)} ${'root'.padEnd(8)} ${prText(t.pr).padStart(3)} ${String(t.ni).padStart(3)} ` +
        `${scaleMem(t.virtKb, 7)} ${scaleMem(t.resKb, 6)} ${scaleMem(t.shrKb, 6)} ${t.state} ${pct(pcpu)} ${pct(pmem)} ${timePlus(t.ticks)} ${command}\n`;
    }
    prev = cur;
    return out;
  };

  const first = render();
  // Batch mode: frames one after another, a blank line between them; else each frame is a new screen.
  if (frames === 1) return ok(first);
  return {
    out: first,
    err: '',
    status: 0,
    follow: {
      intervalNs: Math.round(delaySecs * 1e9),
      count: frames - 1,
      report: () => (batch ? `\n${render()}` : render()),
      replace: !batch,
    },
  };
};
