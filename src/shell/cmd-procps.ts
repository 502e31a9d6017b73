/** ps, free, vmstat, uptime, slabtop, kill, pgrep, pkill, uname, nproc, mpstat: procps-ng, util-linux and sysstat look-alikes. */
import { killTask, LoadAvg, type Kernel } from '../kernel/index.js';
import { memCounters } from '../kernel/mm/meminfo.js';
import { taskMm } from '../kernel/mm/oom.js';
import { UTS_VERSION } from '../kernel/printk/boot-log.js';
import { machineDate, strftime } from './cmd-date.js';
import { parseSignal, SIGNALS, signalName } from '../kernel/task/signal.js';
import { taskStateLetter, type Task } from '../kernel/task/task.js';
import { strerror } from '../lib/errno.js';
import { fail, getopt, ok, parseIntArg, parseSecondsArg, readPidStat, statusNumber, type Command, type CommandOutput } from './context.js';

const CLS = ['TS', 'FF', 'RR', 'B', 'ISO', 'IDL', 'DLN'];

function cls(t: Task): string {
  return CLS[t.policy] ?? '?';
}

/** ps's STAT: the state letter plus the BSD markers <, N, s, l. */
function stat(t: Task): string {
  let s = taskStateLetter(t);
  if (t.nice < 0) s += '<';
  else if (t.nice > 0) s += 'N';
  if (!t.isKthread && (t.pid === t.tgid && (t.parent === null || t.parent.pid === 1 || t.pid === 1))) s += 's';
  return s;
}

function rssKb(k: Kernel, t: Task): number {
  const m = taskMm(t);
  return m === null ? 0 : m.rss * 4;
}

function cputime(ns: number): string {
  const s = Math.floor(ns / 1e9);
  return `${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

type Field = { head: string; width: number; left?: boolean; get: (k: Kernel, t: Task) => string | number };

/** The machine boots at 00:00:00 (uptime's clock): a start time as procps prints one from today, "HH:MM". */
function startClock(ns: number): string {
  const m = Math.floor(ns / 60e9);
  return `${String(Math.floor(m / 60) % 24).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

function pcpu(k: Kernel, t: Task): number {
  return k.now > t.startTimeNs ? (t.sumExecRuntimeNs * 100) / (k.now - t.startTimeNs) : 0;
}

/* Fields ps knows by two names (procps's aliases) are one definition each. */
/** The WCHAN column: /proc/PID/wchan, "-" for "0", cut to the column as procps does. */
function wchanOf(k: Kernel, t: Task): string {
  const r = k.proc.read(`/proc/${t.pid}/wchan`);
  const w = r.ok ? r.text : '0';
  return w === '0' ? '-' : w.slice(0, 6);
}

const MAJFLT: Field = { head: 'MAJFL', width: 5, get: (_k, t) => taskMm(t)?.majflt ?? 0 };
const MINFLT: Field = { head: 'MINFL', width: 5, get: (_k, t) => taskMm(t)?.minflt ?? 0 };
const RSS: Field = { head: 'RSS', width: 5, get: (k, t) => rssKb(k, t) };
const PCPU: Field = { head: '%CPU', width: 4, get: (k, t) => pcpu(k, t).toFixed(1) };
// MemTotal is the managed pages (meminfo.ts): read directly, not a whole meminfo per row.
const PMEM: Field = { head: '%MEM', width: 4, get: (k, t) => ((rssKb(k, t) * 100) / (k.mm.totalRamPages() * 4)).toFixed(1) };
const STATE: Field = { head: 'S', width: 1, get: (_k, t) => taskStateLetter(t) };

/** The F column: bits 6-8 of the task's flags (PF_FORKNOEXEC 1, PF_SUPERPRIV 4), from /proc/PID/stat as procps reads them. */
function psFlag(k: Kernel, t: Task): number {
  return Math.floor((readPidStat({ k }, t.pid)?.num(9) ?? 0) / 64) & 7;
}

const UCMD: Field = { head: 'CMD', width: 15, left: true, get: (_k, t) => t.comm };

const FIELDS: Record<string, Field> = {
  pid: { head: 'PID', width: 7, get: (_k, t) => t.pid },
  spid: { head: 'SPID', width: 7, get: (_k, t) => t.pid },
  f: { head: 'F', width: 1, get: (k, t) => psFlag(k, t) },
  flags: { head: 'F', width: 1, get: (k, t) => psFlag(k, t) },
  class: { head: 'CLS', width: 3, left: true, get: (_k, t) => cls(t) },
  // -l's PRI: 60 + the priority /proc/PID/stat gives (80 for nice 0); pri is 39 minus it (19).
  opri: { head: 'PRI', width: 3, get: (_k, t) => 60 + (t.prio - 100) },
  addr_1: { head: 'ADDR', width: 1, left: true, get: () => '-' },
  // SZ: the core image in pages (VmSize / 4 KiB).
  sz: { head: 'SZ', width: 5, get: (_k, t) => taskMm(t)?.totalVm ?? 0 },
  tname: { head: 'TTY', width: 8, left: true, get: () => '?' },
  ucmd: UCMD,
  ppid: { head: 'PPID', width: 7, get: (_k, t) => t.parent?.pid ?? 0 },
  tid: { head: 'TID', width: 7, get: (_k, t) => t.pid },
  lwp: { head: 'LWP', width: 7, get: (_k, t) => t.pid },
  tgid: { head: 'TGID', width: 7, get: (_k, t) => t.tgid },
  cls: { head: 'CLS', width: 3, get: (_k, t) => cls(t) },
  policy: { head: 'POL', width: 3, get: (_k, t) => cls(t) },
  rtprio: { head: 'RTPRIO', width: 6, get: (_k, t) => (t.policy === 1 || t.policy === 2 ? t.rtPriority : '-') },
  ni: { head: 'NI', width: 3, get: (_k, t) => (t.policy === 1 || t.policy === 2 || t.policy === 6 ? '-' : t.nice) },
  pri: { head: 'PRI', width: 3, get: (_k, t) => 39 - (t.prio - 100) },
  psr: { head: 'PSR', width: 3, get: (_k, t) => t.cpu },
  stat: { head: 'STAT', width: 4, left: true, get: (_k, t) => stat(t) },
  s: STATE,
  state: STATE,
  // procps's widths: RSS 5, VSZ 6 (a wider value widens the column only on its own line, as procps does).
  rss: RSS,
  rssize: RSS,
  vsz: { head: 'VSZ', width: 6, get: (_k, t) => (taskMm(t)?.totalVm ?? 0) * 4 },
  time: { head: 'TIME', width: 8, get: (_k, t) => cputime(t.sumExecRuntimeNs) },
  '%cpu': PCPU,
  pcpu: PCPU,
  c: { head: 'C', width: 2, get: (k, t) => Math.min(99, Math.floor(pcpu(k, t))) },
  '%mem': PMEM,
  pmem: PMEM,
  user: { head: 'USER', width: 8, left: true, get: () => 'root' },
  // uid is the number; -f's UID column (uid_hack) is the user's name.
  uid: { head: 'UID', width: 5, get: () => 0 },
  uid_hack: { head: 'UID', width: 8, left: true, get: () => 'root' },
  tty: { head: 'TT', width: 8, left: true, get: () => '?' },
  start: { head: 'START', width: 5, get: (_k, t) => startClock(t.startTimeNs) },
  stime: { head: 'STIME', width: 5, get: (_k, t) => startClock(t.startTimeNs) },
  bsdtime: { head: 'TIME', width: 6, get: (_k, t) => `${Math.floor(t.sumExecRuntimeNs / 60e9)}:${String(Math.floor(t.sumExecRuntimeNs / 1e9) % 60).padStart(2, '0')}` },
  nlwp: { head: 'NLWP', width: 4, get: (k, t) => [...k.tasks.values()].filter((x) => x.tgid === t.tgid).length },
  // procps reads /proc/PID/wchan ("0" when the task is not blocked) and cuts the name to the column.
  wchan: { head: 'WCHAN', width: 6, left: true, get: (k, t) => wchanOf(k, t) },
  oom: { head: 'OOM', width: 4, get: (k, t) => k.mm.oomScore(t) },
  maj_flt: MAJFLT,
  majflt: MAJFLT,
  min_flt: MINFLT,
  minflt: MINFLT,
  comm: { head: 'COMMAND', width: 15, left: true, get: (_k, t) => t.comm },
  ucomm: { head: 'COMMAND', width: 15, left: true, get: (_k, t) => t.comm },
  cmd: { head: 'CMD', width: 15, left: true, get: (_k, t) => (t.isKthread ? `[${t.comm}]` : t.comm) },
  args: { head: 'COMMAND', width: 15, left: true, get: (_k, t) => (t.isKthread ? `[${t.comm}]` : t.comm) },
};

/** --sort keys whose column is formatted text: the number it shows, to compare (procps sorts on the raw value). */
const SORT_VALUE: Record<string, (k: Kernel, t: Task) => number> = {
  time: (_k, t) => t.sumExecRuntimeNs,
  bsdtime: (_k, t) => t.sumExecRuntimeNs,
  cputime: (_k, t) => t.sumExecRuntimeNs,
  '%cpu': (k, t) => pcpu(k, t),
  pcpu: (k, t) => pcpu(k, t),
  '%mem': (k, t) => rssKb(k, t),
  pmem: (k, t) => rssKb(k, t),
  start: (_k, t) => t.startTimeNs,
  stime: (_k, t) => t.startTimeNs,
  start_time: (_k, t) => t.startTimeNs,
  rtprio: (_k, t) => (t.policy === 1 || t.policy === 2 ? t.rtPriority : -1),
  ni: (_k, t) => t.nice,
  nice: (_k, t) => t.nice,
};

/** A --sort key list ("-%cpu,pid"): each key's column, ascending unless it starts with "-". */
function parseSortSpec(spec: string): { key: string; desc: boolean }[] | string {
  const out: { key: string; desc: boolean }[] = [];
  for (const part of spec.split(',')) {
    const desc = part.startsWith('-');
    const key = part.replace(/^[+-]/, '').toLowerCase();
    if (FIELDS[key] === undefined && SORT_VALUE[key] === undefined) return key;
    out.push({ key, desc });
  }
  return out;
}

/** `ps` alone: this machine's scheduler view (procps's own default, PID TTY TIME CMD, is `ps -e`'s). */
const DEFAULT_FORMAT = ['pid', 'cls', 'rtprio', 'ni', 'pri', 'psr', 'stat', 'rss', 'comm'];
/** `ps aux` (BSD user format), as procps prints it. */
const AUX_FORMAT = ['user', 'pid', '%cpu', '%mem', 'vsz', 'rss', 'tname', 'stat', 'start', 'bsdtime', 'args'];

/** The UNIX options that choose the columns: -f, -F (extra full), -l (long), -y, -c, -L (threads), -T (SPID). */
interface SysvFlags {
  f: boolean;
  F: boolean;
  l: boolean;
  y: boolean;
  c: boolean;
  L: boolean;
  T: boolean;
}

/** procps's generate_sysv_list(): the columns the UNIX options make together, in its order. */
function sysvFormat(o: SysvFlags): string[] {
  const full = o.f || o.F;
  const out: string[] = [];
  if (o.l && !o.y) out.push('f');
  if (o.l) out.push('s');
  if (full) out.push('uid_hack');
  else if (o.l) out.push('uid');
  out.push('pid');
  if (o.T) out.push('spid');
  if (full || o.l) out.push('ppid');
  if (o.L) out.push('lwp');
  if ((full || o.l) && !o.c) out.push('c');
  if (o.L && full) out.push('nlwp');
  if (o.c) out.push('class', 'pri');
  else if (o.l) out.push('opri', 'ni');
  if (o.l) out.push(o.y ? 'rss' : 'addr_1');
  if (o.F || o.l) out.push('sz');
  if (o.l) out.push('wchan');
  if (o.F && !(o.l && o.y)) out.push('rss');
  if (o.F) out.push('psr');
  if (full) out.push('stime');
  out.push('tname', 'time', full ? 'cmd' : 'ucmd');
  return out;
}

/**
 * A line of columns as procps's show_one_proc() spaces it: each column has a nominal place (the widths and one
 * space between), a right-aligned value ends at its place's right edge when it can, and a value wider than its
 * column pushes the rest of the line right only until a later column's slack takes the excess back. Left-aligned
 * values are not padded (the next column's place does that), so a last left-aligned column ends the line.
 */
function psLine(cols: readonly { text: string; width: number; left: boolean }[]): string {
  let out = '';
  let correct = 0;
  let actual = 0;
  cols.forEach((c, i) => {
    const leftpad = c.left ? 0 : Math.max(0, c.width - c.text.length);
    let space = correct - actual + leftpad;
    if (space < 1) space = i === 0 ? 0 : 1;
    out += ' '.repeat(space) + c.text;
    actual += space + c.text.length;
    correct += c.width + 1;
  });
  return out;
}

export const ps: Command = (env, argv) => {
  const k = env.k;
  let format: string[] = [];
  let pids: number[] | null = null;
  let names: string[] | null = null;
  let custom = false;
  let sortBy: { key: string; desc: boolean }[] = [];
  let headers = new Map<number, string>();
  const sysv: SysvFlags = { f: false, F: false, l: false, y: false, c: false, L: false, T: false };
  let bsd = false;
  // A cluster of UNIX options (-eLf) is its letters one by one; o, p or C ends it and takes the next argument.
  const args: string[] = [];
  for (const a of argv.slice(1)) {
    const m = /^-([eAfFlyLTcj]+)([opC]?)$/.exec(a);
    if (m !== null && (m[1] as string).length + (m[2] as string).length > 1) {
      for (const ch of m[1] as string) args.push(`-${ch}`);
      if (m[2] !== '') args.push(`-${m[2]}`);
    } else args.push(a);
  }
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    // Every task is shown with or without -e: there is no terminal whose processes ps alone would pick.
    if (a === '-e' || a === '-A' || a === 'ax' || a === 'aux') {
      if (a === 'aux') {
        format = AUX_FORMAT;
        bsd = true;
      }
    } else if (a === '-f' || a === '-F' || a === '-l' || a === '-y' || a === '-c' || a === '-L' || a === '-T') {
      sysv[a[1] as keyof SysvFlags] = true;
    } else if (a === '-j') {
      return fail('ps', 'error: -j (the sessions and process groups) is not simulated', 1);
    } else if (a === '-o' || a === '--format') {
      custom = true;
      const f = args[++i];
      if (f === undefined) return fail('ps', 'option requires an argument -- o', 1);
      // "pid=PROCESS" renames a column's header; "pid=" empties it, and with every header empty no header line.
      const specs = f.split(',');
      format = specs.map((x) => x.replace(/=.*$/s, '').trim().toLowerCase());
      headers = new Map(specs.flatMap((x, n) => (x.includes('=') ? [[n, x.slice(x.indexOf('=') + 1)] as [number, string]] : [])));
      for (const x of format) if (FIELDS[x] === undefined) return fail('ps', `error: unknown user-defined format specifier "${x}"`, 1);
    } else if (a === '-p' || a === '--pid') {
      const list = args[++i];
      const parsed = (list ?? '').split(',').map((x) => parseIntArg(x));
      if (parsed.some((x) => x === null)) return fail('ps', `error: process ID list syntax error`, 1);
      pids = parsed as number[];
    } else if (a === '-C') {
      // Select by command name (comm, exactly), a comma-separated list.
      const list = args[++i];
      if (list === undefined) return fail('ps', 'error: list of command names must follow -C', 1);
      names = list.split(',').filter((x) => x !== '');
    } else if (a === '--sort' || a.startsWith('--sort=')) {
      const spec = a === '--sort' ? args[++i] : a.slice('--sort='.length);
      if (spec === undefined || spec === '') return fail('ps', 'error: long sort specification must follow --sort', 1);
      const parsed = parseSortSpec(spec);
      if (typeof parsed === 'string') return fail('ps', `error: unknown sort specifier "${parsed}"`, 1);
      sortBy = parsed;
    } else return fail('ps', `error: unsupported option (BSD syntax)\n\nUsage:\n ps [options]`, 1);
  }
  // procps's process_sf_options() checks, in its order and words.
  const usage = (msg: string): CommandOutput => fail('ps', `error: ${msg}\n\nUsage:\n ps [options]`, 1);
  if (sysv.y && !sysv.l) return usage('modifier -y without format -l makes no sense');
  if (custom && (sysv.f || sysv.F || sysv.l)) return usage('conflicting format options');
  if (custom && (sysv.c || sysv.y)) return usage('can not use output modifiers with user-defined output');
  if (!custom && !bsd) format = argv.length === 1 ? DEFAULT_FORMAT : sysvFormat(sysv);
  let tasks = [...k.tasks.values()].filter((t) => t.exitState === 0 || taskStateLetter(t) === 'Z');
  // -p and -C select together: a task either one names.
  const selected = pids !== null || names !== null;
  if (selected) {
    const wantPid = new Set(pids ?? []);
    const wantComm = new Set(names ?? []);
    tasks = tasks.filter((t) => wantPid.has(t.pid) || wantComm.has(t.comm));
  }
  tasks.sort((a, b) => a.pid - b.pid);
  if (sortBy.length > 0) {
    // The keys in order, each a column's raw value; ties keep pid order (procps's sort is stable on the pid list).
    const value = (key: string, t: Task): number | string => {
      const raw = SORT_VALUE[key];
      if (raw !== undefined) return raw(k, t);
      const v = (FIELDS[key] as Field).get(k, t);
      return typeof v === 'number' || !/^-?\d+(\.\d+)?$/.test(v) ? v : Number(v);
    };
    tasks.sort((a, b) => {
      for (const { key, desc } of sortBy) {
        const x = value(key, a);
        const y = value(key, b);
        if (x === y) continue;
        const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : 1;
        return desc ? -c : c;
      }
      return 0;
    });
  }
  const fields = format.map((f) => FIELDS[f] as Field);
  const line = (texts: readonly string[]): string => psLine(fields.map((f, i) => ({ text: texts[i] as string, width: f.width, left: f.left === true })));
  const heads = fields.map((f, i) => headers.get(i) ?? f.head);
  const lines = heads.every((h) => h === '') ? [] : [line(heads)];
  for (const t of tasks) lines.push(line(fields.map((f) => String(f.get(k, t)))));
  return { out: `${lines.join('\n')}\n`, err: '', status: selected && tasks.length === 0 ? 1 : 0 };
};

/**
 * free -h's scale_size() (procps-ng): bytes when that fits in 4 characters ("0B"), else the first unit whose
 * "%.1f" or whole-number form fits in 5 ("3.9Gi", "330Mi").
 */
function human(kb: number): string {
  const bytes = kb * 1024;
  if (`${bytes}B`.length <= 4) return `${bytes}B`;
  for (const [i, u] of ['K', 'M', 'G', 'T', 'P', 'E'].entries()) {
    const v = bytes / 1024 ** (i + 1);
    const one = `${v.toFixed(1)}${u}i`;
    if (one.length <= 5) return one;
    const whole = `${Math.round(v)}${u}i`;
    if (whole.length <= 5) return whole;
  }
  return `${bytes}B`;
}

export const free: Command = (env, argv) => {
  let div = 1;
  let h = false;
  // -w: buffers and cache (Cached + SReclaimable) apart; -t: a Total line of RAM and swap.
  let wide = false;
  let total = false;
  // -s SECONDS and -c COUNT repeat the report (procps's FREE_REPEAT), a blank line after each.
  let seconds: number | null = null;
  let count: number | null = null;
  // getopt_long: the long names are their letters; short ones combine (free -hwt).
  const LONG: Record<string, string> = { '--mebi': '-m', '--gibi': '-g', '--kibi': '-k', '--human': '-h', '--wide': '-w', '--total': '-t', '--seconds': '-s', '--count': '-c' };
  const operands: string[] = [];
  const bad = getopt(
    argv.map((a, i) => (i > 0 ? (LONG[a] ?? a) : a)),
    operands,
    (o, value): CommandOutput | void => {
      if (o === 'm') div = 1024;
      else if (o === 'g') div = 1024 * 1024;
      else if (o === 'k') div = 1;
      else if (o === 'h') h = true;
      else if (o === 'w') wide = true;
      else if (o === 't') total = true;
      else if (o === 's') {
        const v = value() ?? '';
        seconds = parseSecondsArg(v);
        if (seconds === null || seconds <= 0) return fail('free', `seconds argument \`${v}' is not positive number`, 1);
      } else if (o === 'c') {
        const v = value() ?? '';
        count = /^\d+$/.test(v) ? Number(v) : 0;
        if (count < 1) return fail('free', `failed to parse count argument: '${v}'`, 1);
      } else return fail('free', `invalid option -- '${o}'`, 1);
    },
  );
  if (bad !== null) return bad;
  // An operand: free.c prints its usage (optind != argc).
  if (operands.length > 0) return { out: '', err: '\nUsage:\n free [options]\n', status: 1 };
  const report = (): string => {
    const c = memCounters(env.k);
    const kb = (pages: number): number => pages * 4;
    const memTotal = kb(c.memTotal);
    const freeKb = kb(c.memFree);
    const buffCache = kb(c.buffers + c.cached + c.sReclaimable);
    const avail = kb(c.memAvailable);
    // procps-ng 4: used is what is not available (it was total - free - buff/cache before).
    const used = memTotal - avail;
    // print_head_col() pads the row label to 9 columns, then "%11s" and " %11s": each number ends under its heading.
    const fmt = (v: number): string => (h ? human(v) : String(Math.floor(v / div))).padStart(12);
    const swapTotal = kb(c.swapTotal);
    const swapFree = kb(c.swapFree);
    const cache = wide ? `${fmt(kb(c.buffers))}${fmt(kb(c.cached + c.sReclaimable))}` : fmt(buffCache);
    return (
      `               total        used        free      shared${wide ? '     buffers       cache' : '  buff/cache'}   available\n` +
      `Mem:    ${fmt(memTotal)}${fmt(used)}${fmt(freeKb)}${fmt(kb(c.shmem))}${cache}${fmt(avail)}\n` +
      `Swap:   ${fmt(swapTotal)}${fmt(swapTotal - swapFree)}${fmt(swapFree)}\n` +
      (total ? `Total:  ${fmt(memTotal + swapTotal)}${fmt(used + swapTotal - swapFree)}${fmt(freeKb + swapFree)}\n` : '')
    );
  };
  if (seconds === null && count === null) return ok(report());
  // -c alone repeats every second.
  const intervalNs = Math.round((seconds ?? 1) * 1e9);
  const more = count === null ? Infinity : count - 1;
  const out = `${report()}\n`;
  if (more === 0) return ok(out);
  return { out, err: '', status: 0, follow: { intervalNs, count: more, report: () => `${report()}\n` } };
};

/** The machine's wall clock, "HH:MM:SS": it booted at midnight and virtual time has passed since. */
function clockOf(ns: number): string {
  const s = Math.floor(ns / 1e9);
  return `${String(Math.floor(s / 3600) % 24).padStart(2, '0')}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** procps's sprint_uptime(): "HH:MM:SS up ..., N user,  load average: a, b, c" (uptime's line, top's first). */
export function uptimeText(k: Kernel): string {
  const s = Math.floor(k.now / 1e9);
  const clock = clockOf(k.now);
  // "N day(s), " then "%2d:%02d" for hours and minutes, or "%d min" under an hour.
  const days = Math.floor(s / 86400);
  const hours = Math.floor((s % 86400) / 3600);
  const mins = Math.floor((s % 3600) / 60);
  const up = `${days > 0 ? `${days} ${days === 1 ? 'day' : 'days'}, ` : ''}${hours > 0 ? `${String(hours).padStart(2)}:${String(mins).padStart(2, '0')}` : `${mins} min`}`;
  const a = k.loadavg.avenrun;
  return `${clock} up ${up},  1 user,  load average: ${LoadAvg.format(a[0] as number)}, ${LoadAvg.format(a[1] as number)}, ${LoadAvg.format(a[2] as number)}`;
}

/** uptime -p (procps's pretty form): "up" and each non-zero unit, largest first; "up 0 minutes" under a minute. */
function prettyUptime(ns: number): string {
  const secs = Math.floor(ns / 1e9);
  const days = Math.floor(secs / 86400);
  const units: [number, string][] = [
    [Math.floor(days / 3650), 'decade'],
    [Math.floor((days % 3650) / 365), 'year'],
    [Math.floor((days % 365) / 7), 'week'],
    [days % 7, 'day'],
    [Math.floor((secs % 86400) / 3600), 'hour'],
    [Math.floor((secs % 3600) / 60), 'minute'],
  ];
  const parts = units.filter(([n, u]) => n > 0 || (u === 'minute' && secs < 60)).map(([n, u]) => `${n} ${u}${n === 1 ? '' : 's'}`);
  return `up ${parts.join(', ')}`;
}

export const uptime: Command = (env, argv) => {
  const a = argv[1];
  if (a === undefined) return ok(` ${uptimeText(env.k)}\n`);
  if (a === '-p' || a === '--pretty') return ok(`${prettyUptime(env.k.now)}\n`);
  // -s: the boot time (/proc/stat's btime), in the machine's clock (UTC).
  if (a === '-s' || a === '--since') return ok(`${strftime('%F %T', machineDate(0), 0)}\n`);
  return fail('uptime', `invalid option -- '${a.replace(/^-+/, '')}'\n\nUsage:\n uptime [options]`, 1);
};

/** slabtop's sort keys and what they compare. */
export const SLABTOP_SORT: Record<string, (c: { activeObjects: number; totalObjects: number; size: number; nrSlabs: number; objPerSlab: number; pagesPerSlab: number; name: string }) => number | string> = {
  a: (c) => c.activeObjects,
  b: (c) => c.objPerSlab,
  c: (c) => c.nrSlabs * c.pagesPerSlab * 4096,
  l: (c) => c.nrSlabs,
  v: (c) => c.nrSlabs,
  n: (c) => c.name,
  o: (c) => c.totalObjects,
  p: (c) => c.pagesPerSlab,
  s: (c) => c.size,
  u: (c) => (c.totalObjects === 0 ? 0 : c.activeObjects / c.totalObjects),
};

/** slabtop -o: the header block and the table, sorted (default: number of objects). */
export function renderSlabtop(k: Kernel, sortKey = 'o', maxRows = Infinity): string {
  const caches = [...k.mm.slab.caches];
  const key = SLABTOP_SORT[sortKey] ?? SLABTOP_SORT.o;
  caches.sort((a, b) => {
    const x = (key as (c: typeof a) => number | string)(a);
    const y = (key as (c: typeof b) => number | string)(b);
    if (typeof x === 'string' && typeof y === 'string') return x.localeCompare(y);
    return (y as number) - (x as number) || a.name.localeCompare(b.name);
  });
  let objs = 0;
  let active = 0;
  let slabs = 0;
  let activeCaches = 0;
  let totalSize = 0;
  let activeSize = 0;
  let minObj = Infinity;
  let maxObj = 0;
  let sumObj = 0;
  for (const c of caches) {
    objs += c.totalObjects;
    active += c.activeObjects;
    slabs += c.nrSlabs;
    if (c.activeObjects > 0) activeCaches++;
    totalSize += c.totalObjects * c.size;
    activeSize += c.activeObjects * c.size;
    minObj = Math.min(minObj, c.size);
    maxObj = Math.max(maxObj, c.size);
    sumObj += c.size;
  }
  const pct = (a: number, b: number): string => (b === 0 ? '0.0' : ((a * 100) / b).toFixed(1));
  const kbs = (b: number): string => `${(b / 1024).toFixed(2)}K`;
  const lines = [
    ` Active / Total Objects (% used)    : ${active} / ${objs} (${pct(active, objs)}%)`,
    ` Active / Total Slabs (% used)      : ${slabs} / ${slabs} (100.0%)`,
    ` Active / Total Caches (% used)     : ${activeCaches} / ${caches.length} (${pct(activeCaches, caches.length)}%)`,
    ` Active / Total Size (% used)       : ${kbs(activeSize)} / ${kbs(totalSize)} (${pct(activeSize, totalSize)}%)`,
    ` Minimum / Average / Maximum Object : ${kbs(minObj)} / ${kbs(sumObj / Math.max(1, caches.length))} / ${kbs(maxObj)}`,
    '',
    '  OBJS ACTIVE  USE OBJ SIZE  SLABS OBJ/SLAB CACHE SIZE NAME',
  ];
  for (const c of caches.slice(0, maxRows)) {
    const use = c.totalObjects === 0 ? 0 : Math.round((c.activeObjects * 100) / c.totalObjects);
    const cacheKb = c.nrSlabs * c.pagesPerSlab * 4;
    lines.push(
      `${String(c.totalObjects).padStart(6)} ${String(c.activeObjects).padStart(6)} ${String(use).padStart(3)}% ${`${(c.size / 1024).toFixed(2)}K`.padStart(8)} ${String(c.nrSlabs).padStart(6)} ${String(c.objPerSlab).padStart(8)} ${`${cacheKb}K`.padStart(10)} ${c.name}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export const slabtop: Command = (env, argv) => {
  let sortKey = 'o';
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-o' || a === '--once') continue;
    if (a === '-s' || a === '--sort') {
      const s = argv[++i] ?? '';
      if (SLABTOP_SORT[s] === undefined) return fail('slabtop', `invalid sort criteria: ${s}`, 1);
      sortKey = s;
    } else if (a.startsWith('--sort=')) sortKey = a.slice(7);
    else return fail('slabtop', `invalid option -- '${a.replace(/^-+/, '')}'`, 1);
  }
  return ok(renderSlabtop(env.k, sortKey));
};

export const kill: Command = (env, argv) => {
  let sig = 15;
  const pids: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-l' || a === '-L') {
      const n = argv[i + 1];
      if (n !== undefined) {
        const s = parseSignal(n);
        return s === null ? fail('bash: kill', `${n}: invalid signal specification`, 1) : ok(`${/^\d+$/.test(n) ? signalName(s).replace(/^SIG/, '') : s}\n`);
      }
      // bash's table: five to a line, each "%2d) %s" and a tab.
      const cells = Object.entries(SIGNALS).map(([name, v]) => `${String(v).padStart(2)}) ${name}`);
      const rows: string[] = [];
      for (let r = 0; r < cells.length; r += 5) rows.push(cells.slice(r, r + 5).join('\t'));
      return ok(`${rows.join('\n')}\n`);
    }
    if (a === '-s' || a === '-n') {
      const s = parseSignal(argv[++i] ?? '');
      if (s === null) return fail('bash: kill', `${argv[i] ?? ''}: invalid signal specification`, 1);
      sig = s;
    } else if (a === '-0' && pids.length === 0) {
      sig = 0;
    } else if (a.startsWith('-') && pids.length === 0) {
      const s = parseSignal(a.slice(1));
      if (s === null) return fail('bash: kill', `${a.slice(1)}: invalid signal specification`, 1);
      sig = s;
    } else pids.push(a);
  }
  if (pids.length === 0) return fail('kill', 'usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]', 2);
  let err = '';
  let status = 0;
  let errno: string | undefined;
  for (const p of pids) {
    const pid = parseIntArg(p);
    if (pid === null) {
      err += `bash: kill: ${p}: arguments must be process or job IDs\n`;
      status = 1;
      continue;
    }
    const e = killTask(env.k, pid, sig);
    if (e !== null) {
      err += `bash: kill: (${pid}) - ${strerror(e)}\n`;
      status = 1;
      errno ??= e;
    }
  }
  const r: CommandOutput = { out: '', err, status };
  if (errno !== undefined) r.errno = errno;
  return r;
};

/**
 * pgrep and pkill (procps-ng): select tasks by a regular expression on the name (-x: the whole name) and/or by
 * parent (-P ppid,...); pgrep lists them (-l/-a with the name), pkill signals them (-SIGNAL, --signal SIG; -e
 * echoes each). Status 0 if something matched, 1 if nothing did, 2 for a usage error.
 */
function procSelect(name: 'pgrep' | 'pkill', env: Parameters<Command>[0], argv: string[]): { tasks: Task[]; sig: number; withName: boolean; echo: boolean; count: boolean; delim: string } | CommandOutput {
  let withName = false;
  // pgrep -d DELIM: one line, the matches between delimiters (ps -p $(pgrep -d, name)).
  let delim = '\n';
  let echo = false;
  let exact = false;
  let count = false;
  let pick: 'newest' | 'oldest' | null = null;
  let sig = 15;
  let parents: Set<number> | null = null;
  const rest: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (name === 'pgrep' && (a === '-l' || a === '--list-name' || a === '-a' || a === '--list-full')) withName = true;
    else if (name === 'pgrep' && (a === '-d' || a === '--delimiter' || /^-d./.test(a) || a.startsWith('--delimiter='))) {
      const v = a === '-d' || a === '--delimiter' ? argv[++i] : a.startsWith('-d') ? a.slice(2) : a.slice('--delimiter='.length);
      if (v === undefined) return fail(name, "option requires an argument -- 'd'", 2);
      delim = v;
    }
    else if (name === 'pkill' && (a === '-e' || a === '--echo')) echo = true;
    else if (a === '-x' || a === '--exact') exact = true;
    else if (a === '-c' || a === '--count') count = true;
    else if (a === '-n' || a === '--newest') pick = 'newest';
    else if (a === '-o' || a === '--oldest') pick = 'oldest';
    else if (a === '-P' || a === '--parent' || /^-P\d/.test(a)) {
      const v = a.length > 2 && a.startsWith('-P') ? a.slice(2) : argv[++i];
      const ids = (v ?? '').split(',').map((x) => parseIntArg(x));
      if (v === undefined || ids.some((x) => x === null)) return fail(name, `invalid argument for option 'P': ${v ?? ''}`, 2);
      parents = new Set(ids as number[]);
    } else if (name === 'pkill' && (a === '--signal' || a === '-s')) {
      const s = parseSignal(argv[++i] ?? '');
      if (s === null) return fail(name, `Unknown signal "${argv[i] ?? ''}".`, 2);
      sig = s;
    } else if (name === 'pkill' && /^-[A-Za-z0-9]+$/.test(a) && parseSignal(a.slice(1)) !== null) sig = parseSignal(a.slice(1)) as number;
    else if (a.startsWith('-') && a !== '-') return fail(name, `invalid option -- '${a.replace(/^-+/, '')}'`, 2);
    else rest.push(a);
  }
  if (rest.length > 1) return fail(name, `only one pattern can be provided`, 2);
  const pat = rest[0];
  if (pat === undefined && parents === null) return fail(name, 'no matching criteria specified', 2);
  let re: RegExp | null = null;
  if (pat !== undefined) {
    try {
      re = new RegExp(exact ? `^(?:${pat})$` : pat);
    } catch {
      return fail(name, `invalid pattern: ${pat}`, 2);
    }
  }
  let tasks = [...env.k.tasks.values()]
    .filter((t) => t.exitState === 0 && !t.isIdleTask && (re === null || re.test(t.comm)) && (parents === null || parents.has(t.parent?.pid ?? 0)))
    .sort((a, b) => a.pid - b.pid);
  // -n / -o: only the most recently / least recently started of them (the start time, then the pid).
  if (pick !== null && tasks.length > 1) {
    const order = [...tasks].sort((a, b) => a.startTimeNs - b.startTimeNs || a.pid - b.pid);
    tasks = [(pick === 'newest' ? order[order.length - 1] : order[0]) as Task];
  }
  return { tasks, sig, withName, echo, count, delim };
}

export const pgrep: Command = (env, argv) => {
  const r = procSelect('pgrep', env, argv);
  if (!('tasks' in r)) return r;
  // -l adds the name, -a the command line: a task's command line here is its name, and a kernel thread has
  // none, so procps falls back to the name too.
  const line = (t: Task): string => (r.withName ? `${t.pid} ${t.comm}` : `${t.pid}`);
  const status = r.tasks.length > 0 ? 0 : 1;
  if (r.count) return { out: `${r.tasks.length}\n`, err: '', status };
  if (r.tasks.length === 0) return { out: '', err: '', status };
  return { out: `${r.tasks.map(line).join(r.delim)}\n`, err: '', status };
};

export const pkill: Command = (env, argv) => {
  const r = procSelect('pkill', env, argv);
  if (!('tasks' in r)) return r;
  let out = '';
  let err = '';
  let killed = 0;
  for (const t of r.tasks) {
    const e = killTask(env.k, t.pid, r.sig);
    if (e !== null) err += `pkill: killing pid ${t.pid} failed: ${strerror(e)}\n`;
    else {
      killed++;
      if (r.echo) out += `${t.comm} killed (pid ${t.pid})\n`;
    }
  }
  // -c: how many it signalled.
  if (r.count) out += `${killed}\n`;
  return { out, err, status: killed > 0 ? 0 : 1 };
};

/**
 * pidof NAME...: the pids whose name is exactly NAME, newest first, on one line. Kernel threads have no command
 * line and are left out unless -w, as procps-ng's pidof does.
 */
export const pidof: Command = (env, argv) => {
  const withKthreads = argv.includes('-w');
  const names = new Set(argv.slice(1).filter((a) => !a.startsWith('-')));
  if (names.size === 0) return { out: '', err: '', status: 1 };
  const pids = [...env.k.tasks.values()]
    .filter((t) => t.exitState === 0 && names.has(t.comm) && (withKthreads || !t.isKthread))
    .map((t) => t.pid)
    .sort((a, b) => b - a);
  return { out: pids.length > 0 ? `${pids.join(' ')}\n` : '', err: '', status: pids.length > 0 ? 0 : 1 };
};

export const uname: Command = (env, argv) => {
  const k = env.k;
  // coreutils' order: kernel name, node name, release, version, machine, operating system; -a is all of them.
  const fields: [string, string][] = [
    ['s', 'Linux'],
    ['n', k.nodename],
    ['r', k.config.release],
    ['v', UTS_VERSION],
    ['m', 'x86_64'],
    ['o', 'GNU/Linux'],
  ];
  const want = new Set<string>();
  for (const a of argv.slice(1)) {
    if (!/^-[snrvmoa]+$/.test(a)) return fail('uname', `invalid option -- '${a.replace(/^-+/, '')}'`, 1);
    for (const ch of a.slice(1)) {
      if (ch === 'a') for (const [f] of fields) want.add(f);
      else want.add(ch);
    }
  }
  if (want.size === 0) want.add('s');
  return ok(`${fields.filter(([f]) => want.has(f)).map(([, v]) => v).join(' ')}\n`);
};

export const nproc: Command = (env) => ok(`${env.k.rqs.filter((r) => r.online).length}\n`);

/** The ticks of a /proc/stat cpu line ("cpu" for all of them, "cpu3" for one): user nice system idle iowait ... */
function statTicks(statText: string, name: string): number[] {
  return (new RegExp(`^${name}\\s+(.*)$`, 'm').exec(statText)?.[1] ?? '').trim().split(/\s+/).map(Number);
}

/** A /proc file as name -> number pairs, one per line ("name value" or "Name:   value kB"). */
function procNumbers(env: Parameters<Command>[0], path: string): Map<string, number> {
  const r = env.k.proc.read(path);
  const out = new Map<string, number>();
  if (!r.ok) return out;
  for (const line of r.text.split('\n')) {
    const m = /^([A-Za-z_()0-9]+):?\s+(\d+)/.exec(line);
    if (m !== null) out.set(m[1] as string, Number(m[2]));
  }
  return out;
}

/** What vmstat reads at each report: /proc/stat, /proc/meminfo and /proc/vmstat. */
interface VmSample {
  stat: Map<string, number>;
  ticks: number[];
  mem: Map<string, number>;
  vm: Map<string, number>;
}

function vmSample(env: Parameters<Command>[0]): VmSample {
  const statFile = env.k.proc.read('/proc/stat');
  return {
    stat: procNumbers(env, '/proc/stat'),
    ticks: statFile.ok ? statTicks(statFile.text, 'cpu') : [],
    mem: procNumbers(env, '/proc/meminfo'),
    vm: procNumbers(env, '/proc/vmstat'),
  };
}

/** vmstat's new_header() after getopt: reprinted every (rows - 3) lines, 21 without a terminal (winhi()). */
const VMSTAT_HEADER_EVERY = 21;

/**
 * vmstat -m (slabformat()): each cache of /proc/slabinfo as "%-24s %6u %6u %6u %6u" (name, active objects,
 * objects, object size, and objects per slab under procps's "Pages"), in the file's order; with a delay, the
 * whole table again each time, the header every 21 lines.
 */
function vmstatSlabs(env: Parameters<Command>[0], delay: number, updates: number, moreHeaders: boolean): CommandOutput {
  const header = `${'Cache'.padEnd(24)} ${'Num'.padStart(6)} ${'Total'.padStart(6)} ${'Size'.padStart(6)} ${'Pages'.padStart(6)}\n`;
  const rows = (): string[] | null => {
    const r = env.k.proc.read('/proc/slabinfo');
    if (!r.ok) return null;
    return r.text
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('slabinfo -') && !l.startsWith('#'))
      .map((l) => {
        const [name = '', active = '0', num = '0', size = '0', perSlab = '0'] = l.split(/\s+/);
        return `${name.padEnd(24)} ${active.padStart(6)} ${num.padStart(6)} ${size.padStart(6)} ${perSlab.padStart(6)}\n`;
      });
  };
  let k = 0;
  const table = (lines: string[] | null): string => {
    let out = '';
    for (const row of lines ?? []) {
      if (moreHeaders && k % VMSTAT_HEADER_EVERY === 0) out += header;
      out += row;
      k++;
    }
    return out;
  };
  const now = rows();
  if (now === null) return fail('vmstat', "Your kernel doesn't support slabinfo or your permissions are insufficient.", 1);
  const first = (moreHeaders ? '' : header) + table(now);
  if (updates <= 1) return ok(first);
  return { out: first, err: '', status: 0, follow: { intervalNs: delay * 1_000_000_000, count: updates - 1, report: () => table(rows()) } };
}

/**
 * vmstat (procps-ng 4, new_format()): a first line of averages since boot, read from /proc/stat, /proc/meminfo
 * and /proc/vmstat as the real tool reads them, its quirks included (the since-boot rates divide by the CPU ticks
 * of all CPUs); with a delay, a line per delay of virtual time from the differences (per second), `count` lines
 * in all or until interrupted.
 */
export const vmstat: Command = (env, argv) => {
  let active = false;
  let wide = false;
  let forks = false;
  let timestamp = false;
  let skipFirst = false;
  let stats = false;
  let slabs = false;
  let moreHeaders = true;
  let unit = 1024;
  let unitName = 'K';
  const rest: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-a' || a === '--active') active = true;
    else if (a === '-w' || a === '--wide') wide = true;
    else if (a === '-f' || a === '--forks') forks = true;
    else if (a === '-t' || a === '--timestamp') timestamp = true;
    else if (a === '-y' || a === '--no-first') skipFirst = true;
    else if (a === '-s' || a === '--stats') stats = true;
    else if (a === '-m' || a === '--slabs') slabs = true;
    else if (a === '-n' || a === '--one-header') moreHeaders = false;
    else if (a === '-S' || a === '--unit' || /^-S./.test(a)) {
      const u = a.length > 2 && a.startsWith('-S') ? a.slice(2) : argv[++i];
      const units: Record<string, number> = { k: 1000, K: 1024, m: 1000 * 1000, M: 1024 * 1024 };
      if (u === undefined || units[u] === undefined) return fail('vmstat', `-S requires k, K, m or M (default is KiB)`, 1);
      unit = units[u];
      unitName = u;
    } else if (a.startsWith('-') && a !== '-') return fail('vmstat', `invalid option -- '${a.replace(/^-+/, '')}'\n\nUsage:\n vmstat [options] [delay [count]]`, 1);
    else rest.push(a);
  }
  if (rest.length > 2) return fail('vmstat', `Usage:\n vmstat [options] [delay [count]]`, 1);
  const num = (a: string): number | null => (/^\+?\d+$/.test(a) ? Number(a) : null);
  let delay = 0;
  let updates = 1;
  let infinite = false;
  if (rest[0] !== undefined) {
    const d = num(rest[0]);
    if (d === null) return fail('vmstat', `failed to parse argument: '${rest[0]}'`, 1);
    if (d < 1) return fail('vmstat', 'delay must be positive integer', 1);
    delay = d;
    infinite = true;
  }
  if (rest[1] !== undefined) {
    const c = num(rest[1]);
    if (c === null) return fail('vmstat', `failed to parse argument: '${rest[1]}'`, 1);
    updates = Math.max(0, c);
    infinite = false;
  }
  if (slabs) return vmstatSlabs(env, delay, infinite ? Infinity : updates, moreHeaders);
  const first = vmSample(env);
  if (forks) return ok(`${String(first.stat.get('processes') ?? 0).padStart(13)} forks\n`);
  const tickOf = (t: number[]) => (i: number): number => t[i] ?? 0;
  if (stats) return ok(vmstatSummary(first.stat, tickOf(first.ticks), first.mem, first.vm, (v) => Math.floor((v * 1024) / unit), unitName));
  const kb = (v: number): number => Math.floor((v * 1024) / unit);
  const widths = wide ? [4, 4, 12, 12, 12, 12, 4, 4, 5, 5, 4, 4, 3, 3, 3, 3, 3, 3] : [2, 2, 6, 6, 6, 6, 4, 4, 5, 5, 4, 4, 2, 2, 2, 2, 2];
  const row = (vals: (string | number)[]): string => widths.map((w, i) => String(vals[i]).padStart(w)).join(' ');
  const names = ['r', 'b', 'swpd', 'free', active ? 'inact' : 'buff', active ? 'active' : 'cache', 'si', 'so', 'bi', 'bo', 'in', 'cs', 'us', 'sy', 'id', 'wa', 'st', 'gu'];
  const header = (): string => {
    let h = wide
      ? '--procs-- -----------------------memory---------------------- ---swap-- -----io---- -system-- ----------cpu----------'
      : 'procs -----------memory---------- ---swap-- -----io---- -system-- ------cpu-----';
    if (timestamp) h += ' -----timestamp-----';
    h += `\n${row(names)}`;
    if (timestamp) h += ` ${'UTC'.padStart(19)}`;
    return `${h}\n`;
  };
  // The machine's clock: it booted at btime (/proc/stat), and the virtual time since then has passed.
  const stamp = (): string => (timestamp ? ` ${new Date((first.stat.get('btime') ?? 0) * 1000 + Math.floor(env.k.now / 1e6)).toISOString().slice(0, 19).replace('T', ' ')}` : '');
  /** The memory columns and r, b: current values. */
  const now = (x: VmSample): number[] => {
    const m = (name: string): number => x.mem.get(name) ?? 0;
    return [
      x.stat.get('procs_running') ?? 0,
      x.stat.get('procs_blocked') ?? 0,
      kb(m('SwapTotal') - m('SwapFree')),
      kb(m('MemFree')),
      kb(active ? m('Inactive') : m('Buffers')),
      kb(active ? m('Active') : m('Cached') + m('SReclaimable')),
    ];
  };
  /** The CPU columns from ticks (since boot, or over the interval); guest is always since boot, as in procps. */
  const cpuCols = (t: (i: number) => number, guest: number): { cols: number[]; div: number } => {
    let use = t(0) + t(1);
    const sys = t(2) + t(5) + t(6);
    let idl = t(3);
    let div = use + sys + idl + t(4) + t(7);
    if (div === 0) {
      div = 1;
      idl = 1;
    }
    const half = Math.floor(div / 2);
    use = use >= guest ? use - guest : 0;
    const pct = (v: number): number => Math.floor((100 * v + half) / div);
    return { cols: [pct(use), pct(sys), pct(idl), pct(t(4)), pct(t(7)), pct(guest)], div };
  };
  const guestOf = (x: VmSample): number => (x.ticks[8] ?? 0) + (x.ticks[9] ?? 0);
  const sinceBoot = (): string => {
    const { cols, div } = cpuCols(tickOf(first.ticks), guestOf(first));
    const half = Math.floor(div / 2);
    const hz = 100;
    const rate = (v: number): number => Math.floor((v * hz + half) / div);
    const vm = (n: string): number => first.vm.get(n) ?? 0;
    const fields = [...now(first), rate(kb(vm('pswpin') * 4)), rate(kb(vm('pswpout') * 4)), rate(vm('pgpgin')), rate(vm('pgpgout')), rate(first.stat.get('intr') ?? 0), rate(first.stat.get('ctxt') ?? 0), ...cols];
    return `${row(fields)}${stamp()}\n`;
  };
  let out = header();
  if (!skipFirst) out += sinceBoot();
  else updates++;
  // The loop: lines i = 1 .. updates-1 (or on until interrupted), each from the differences over the delay.
  if (!infinite && updates <= 1) return ok(out);
  let prev = first;
  let i = 1;
  const follow = {
    intervalNs: delay * 1_000_000_000,
    count: infinite ? Infinity : updates - 1,
    report: (): string => {
      const cur = vmSample(env);
      let text = moreHeaders && i % VMSTAT_HEADER_EVERY === 0 ? header() : '';
      i++;
      const d = (a: Map<string, number>, b: Map<string, number>, n: string): number => (a.get(n) ?? 0) - (b.get(n) ?? 0);
      const dt = (j: number): number => (cur.ticks[j] ?? 0) - (prev.ticks[j] ?? 0);
      const { cols } = cpuCols(dt, guestOf(cur));
      const half = Math.floor(delay / 2);
      const per = (v: number): number => Math.floor((v + half) / delay);
      const fields = [
        ...now(cur),
        per(kb(d(cur.vm, prev.vm, 'pswpin') * 4)),
        per(kb(d(cur.vm, prev.vm, 'pswpout') * 4)),
        per(d(cur.vm, prev.vm, 'pgpgin')),
        per(d(cur.vm, prev.vm, 'pgpgout')),
        per(d(cur.stat, prev.stat, 'intr')),
        per(d(cur.stat, prev.stat, 'ctxt')),
        ...cols,
      ];
      prev = cur;
      text += `${row(fields)}${stamp()}\n`;
      return text;
    },
  };
  return { out, err: '', status: 0, follow };
};

/**
 * vmstat -s (procps-ng 4's sum_format()): the memory figures, the CPU tick counters and the event counters since
 * boot, a "%13lu" column each. "swap cache" is the page cache (Cached + SReclaimable), as procps has always
 * printed it; used memory is total less available.
 */
function vmstatSummary(stat: Map<string, number>, tick: (i: number) => number, mem: Map<string, number>, vm: Map<string, number>, conv: (kb: number) => number, u: string): string {
  const m = (name: string): number => mem.get(name) ?? 0;
  const rows: [number, string][] = [
    [conv(m('MemTotal')), `${u} total memory`],
    [conv(m('MemTotal') - m('MemAvailable')), `${u} used memory`],
    [conv(m('Active')), `${u} active memory`],
    [conv(m('Inactive')), `${u} inactive memory`],
    [conv(m('MemFree')), `${u} free memory`],
    [conv(m('Buffers')), `${u} buffer memory`],
    [conv(m('Cached') + m('SReclaimable')), `${u} swap cache`],
    [conv(m('SwapTotal')), `${u} total swap`],
    [conv(m('SwapTotal') - m('SwapFree')), `${u} used swap`],
    [conv(m('SwapFree')), `${u} free swap`],
    [tick(0), 'non-nice user cpu ticks'],
    [tick(1), 'nice user cpu ticks'],
    [tick(2), 'system cpu ticks'],
    [tick(3), 'idle cpu ticks'],
    [tick(4), 'IO-wait cpu ticks'],
    [tick(5), 'IRQ cpu ticks'],
    [tick(6), 'softirq cpu ticks'],
    [tick(7), 'stolen cpu ticks'],
    [tick(8), 'non-nice guest cpu ticks'],
    [tick(9), 'nice guest cpu ticks'],
    [vm.get('pgpgin') ?? 0, 'K paged in'],
    [vm.get('pgpgout') ?? 0, 'K paged out'],
    [vm.get('pswpin') ?? 0, 'pages swapped in'],
    [vm.get('pswpout') ?? 0, 'pages swapped out'],
    [stat.get('intr') ?? 0, 'interrupts'],
    [stat.get('ctxt') ?? 0, 'CPU context switches'],
    [stat.get('btime') ?? 0, 'boot time'],
    [stat.get('processes') ?? 0, 'forks'],
  ];
  return rows.map(([v, what]) => `${String(v).padStart(13)} ${what}\n`).join('');
}

/** The first line of every sysstat report (print_gal_header()), in the C locale; the machine booted 01/01/26. */
function sysstatBanner(k: Parameters<Command>[0]['k']): string {
  return `Linux ${k.config.release} (${k.nodename}) \t01/01/26 \t_x86_64_\t(${k.nrCpus} CPU)\n`;
}

const MPSTAT_HEADER = '  CPU    %usr   %nice    %sys %iowait    %irq   %soft  %steal  %guest  %gnice   %idle';
const MPSTAT_USAGE = `Usage: mpstat [ options ] [ <interval> [ <count> ] ]\nOptions are:\n[ -P { <cpu> [,...] | ON | ALL } ] [ -u ]`;

/**
 * One mpstat row (write_plain_cpu_stats): the shares of each kind of CPU time between two /proc/stat samples
 * (from zero: since boot). user and nice include guest and guest_nice, which sysstat takes out again; a CPU with
 * no ticks at all in the interval is tickless (100% idle); one with none ever is offline (all zeros).
 */
function mpstatRow(time: string, label: string, prev: number[], cur: number[]): string {
  const c = (i: number): number => cur[i] ?? 0;
  const p = (i: number): number => prev[i] ?? 0;
  const d = (i: number): number => c(i) - p(i);
  let cells: number[];
  if (c(0) + c(1) + c(2) + c(3) + c(4) + c(5) + c(6) + c(7) === 0) cells = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  else {
    const itv = d(0) + d(1) + d(2) + d(3) + d(4) + d(5) + d(6) + d(7);
    const pc = (x: number): number => (Math.max(0, x) * 100) / itv;
    cells = itv === 0 ? [0, 0, 0, 0, 0, 0, 0, 0, 0, 100] : [pc(d(0) - d(8)), pc(d(1) - d(9)), pc(d(2)), pc(d(4)), pc(d(5)), pc(d(6)), pc(d(7)), pc(d(8)), pc(d(9)), pc(d(3))];
  }
  return `${time.padEnd(11)}${label.padStart(5)}${cells.map((x) => x.toFixed(2).padStart(8)).join('')}\n`;
}

/**
 * mpstat (sysstat): CPU utilisation from /proc/stat, for all CPUs together and, with -P, per CPU; in the C
 * locale's formats (24-hour clock, %x date), as LC_ALL=C prints them. Without an interval (or 0), since boot;
 * with one, a report per interval of virtual time (the header once, or before each report with -P), and after
 * `count` reports, or when interrupted, the averages over them all (rw_mpstat_loop()).
 */
export const mpstat: Command = (env, argv) => {
  const k = env.k;
  let which: number[] | null = null;
  let interval = -1;
  let count = 0;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-u') continue;
    if (a === '-P') {
      const v = argv[++i] ?? '';
      if (v === 'ALL' || v === 'ON') which = k.rqs.filter((r) => v === 'ALL' || r.online).map((r) => r.cpu);
      else {
        const ids = v.split(',').map((x) => parseIntArg(x));
        if (v === '' || ids.some((x) => x === null || x < 0 || x >= k.nrCpus)) return fail('mpstat', `Not that many processors!`, 1);
        which = ids as number[];
      }
    } else if (/^\d+$/.test(a) && interval < 0) interval = Number(a);
    else if (/^\d+$/.test(a) && count === 0 && interval > 0 && Number(a) >= 1) count = Number(a);
    else return fail('mpstat', MPSTAT_USAGE, 1);
  }
  const sample = (): { time: string; all: number[]; cpus: number[][] } => {
    const r = k.proc.read('/proc/stat');
    const text = r.ok ? r.text : '';
    return { time: clockOf(k.now), all: statTicks(text, 'cpu'), cpus: (which ?? []).map((c) => statTicks(text, `cpu${c}`)) };
  };
  const rows = (time: string, prev: ReturnType<typeof sample> | null, cur: ReturnType<typeof sample>): string =>
    mpstatRow(time, 'all', prev?.all ?? [], cur.all) + (which ?? []).map((c, i) => mpstatRow(time, String(c), prev?.cpus[i] ?? [], cur.cpus[i] ?? [])).join('');
  const banner = sysstatBanner(k);
  const first = sample();
  if (interval <= 0) return ok(`${banner}\n${first.time.padEnd(11)}${MPSTAT_HEADER}\n${rows(first.time, null, first)}`);
  // With -P the header comes before every report; without, once (no terminal: a window of a day's lines).
  const everyHeader = which !== null;
  let prev = first;
  let reports = 0;
  const average = (): string => `${everyHeader ? `\n${'Average:'.padEnd(11)}${MPSTAT_HEADER}\n` : ''}${rows('Average:', first, prev)}`;
  const follow = {
    intervalNs: interval * 1_000_000_000,
    count: count > 0 ? count : Infinity,
    report: (last: boolean): string => {
      const cur = sample();
      const head = everyHeader || reports === 0 ? `\n${prev.time.padEnd(11)}${MPSTAT_HEADER}\n` : '';
      const text = head + rows(cur.time, prev, cur);
      prev = cur;
      reports++;
      return last ? text + average() : text;
    },
    // SIGINT: a newline past the "^C", then the averages up to the last report (none if none was made).
    interrupt: (): string => (reports === 0 ? '' : `\n${average()}`),
  };
  return { out: banner, err: '', status: 0, follow };
};

/** One task as pidstat reads it: /proc/PID/stat, /proc/PID/schedstat and /proc/PID/status. */
interface PidSample {
  pid: number;
  comm: string;
  utime: number;
  stime: number;
  /** schedstat's run_delay in USER_HZ ticks (read_proc_pid_sched()). */
  wtime: number;
  cpu: number;
  nvcsw: number;
  nivcsw: number;
}

function pidSample(env: Parameters<Command>[0], pid: number): PidSample | null {
  const k = env.k;
  const stat = readPidStat(env, pid);
  const sched = k.proc.read(`/proc/${pid}/schedstat`);
  const status = k.proc.read(`/proc/${pid}/status`);
  if (stat === null || !sched.ok || !status.ok) return null;
  return {
    pid,
    comm: stat.comm,
    utime: stat.num(14),
    stime: stat.num(15),
    wtime: Math.floor((Number(sched.text.split(' ')[1] ?? 0) * 100) / 1e9),
    cpu: stat.num(39),
    nvcsw: statusNumber(status.text, 'voluntary_ctxt_switches'),
    nivcsw: statusNumber(status.text, 'nonvoluntary_ctxt_switches'),
  };
}

const PIDSTAT_USAGE = `Usage: pidstat [ options ] [ <interval> [ <count> ] ]\nOptions are:\n[ -C <command> ] [ -p { <pid> [,...] | SELF | ALL } ] [ -u ] [ -w ]`;

/**
 * pidstat (sysstat): per task, the shares of one CPU it used in user and system mode (%usr, %system, %CPU), the
 * share it spent runnable but waiting for a CPU (%wait, schedstat's run_delay), the CPU it last ran on (-u, the
 * default), and its voluntary and involuntary context switches per second (-w). Without an interval, since boot;
 * with one, a report per interval of virtual time of the tasks active in it, and the averages at the end. Tasks
 * are read from /proc as the real tool reads them, in pid order; every task here is root's (UID 0).
 */
export const pidstat: Command = (env, argv) => {
  const k = env.k;
  let cpuStats = false;
  let ctxStats = false;
  let pids: number[] | null = null;
  let match: string | null = null;
  let interval = -1;
  let count = 0;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-u') cpuStats = true;
    else if (a === '-w') ctxStats = true;
    else if (a === '-uw' || a === '-wu') cpuStats = ctxStats = true;
    else if (a === '-p') {
      const v = argv[++i] ?? '';
      if (v === 'ALL') pids = null;
      else if (v === 'SELF') pids = [k.caller.pid];
      else {
        const ids = v.split(',').map((x) => parseIntArg(x));
        if (v === '' || ids.some((x) => x === null || x < 0)) return fail('pidstat', PIDSTAT_USAGE, 1);
        pids = ids as number[];
      }
    } else if (a === '-C') {
      const v = argv[++i];
      if (v === undefined) return fail('pidstat', PIDSTAT_USAGE, 1);
      match = v;
    } else if (/^\d+$/.test(a) && interval < 0) interval = Number(a);
    else if (/^\d+$/.test(a) && count === 0 && interval > 0 && Number(a) >= 1) count = Number(a);
    else return fail('pidstat', PIDSTAT_USAGE, 1);
  }
  if (!cpuStats && !ctxStats) cpuStats = true;
  const list = (): number[] =>
    (pids ?? [...k.tasks.values()].filter((t) => t.pid !== 0 && t.exitState === 0).map((t) => t.pid)).slice().sort((a, b) => a - b);
  type Sample = { time: string; ns: number; tasks: Map<number, PidSample> };
  const sample = (): Sample => {
    const tasks = new Map<number, PidSample>();
    for (const pid of list()) {
      const s = pidSample(env, pid);
      if (s !== null && (match === null || s.comm.includes(match))) tasks.set(pid, s);
    }
    return { time: clockOf(k.now), ns: k.now, tasks };
  };
  const ZERO: Omit<PidSample, 'pid' | 'comm' | 'cpu'> = { utime: 0, stime: 0, wtime: 0, nvcsw: 0, nivcsw: 0 };
  const idCols = (time: string, pid: number): string => `${time.padEnd(11)} ${'0'.padStart(5)} ${String(pid).padStart(9)}`;
  const f2 = (v: number, w: number): string => ` ${v.toFixed(2).padStart(w)}`;
  /** One report: the tasks active between prev and cur (all since boot when prev is null). */
  const report = (label: string, headTime: string, prev: Sample | null, cur: Sample, average: boolean): string => {
    const secs = (cur.ns - (prev?.ns ?? 0)) / 1e9;
    /**
     * A row per task whose figures moved (get_pid_to_display()'s active tasks); one that started since the last
     * sample is measured from zero, as all it did was in the interval.
     */
    const rows = (moved: (c: PidSample, p: typeof ZERO) => boolean, cells: (c: PidSample, p: typeof ZERO) => string): string => {
      let out = '';
      for (const c of cur.tasks.values()) {
        const p = prev?.tasks.get(c.pid) ?? ZERO;
        if (moved(c, p)) out += `${idCols(label, c.pid)}${cells(c, p)}  ${c.comm}\n`;
      }
      return out;
    };
    let out = '';
    if (cpuStats) {
      const pc = (d: number): string => f2(secs > 0 ? (Math.max(0, d) * 100) / (secs * 100) : 0, 7);
      out += `\n${headTime.padEnd(11)}   UID       PID    %usr %system  %guest   %wait    %CPU   CPU  Command\n`;
      out += rows(
        (c, p) => c.utime !== p.utime || c.stime !== p.stime,
        (c, p) => `${pc(c.utime - p.utime)}${pc(c.stime - p.stime)}${pc(0)}${pc(c.wtime - p.wtime)}${pc(c.utime + c.stime - p.utime - p.stime)}${average ? '     -' : `   ${String(c.cpu).padStart(3)}`}`,
      );
    }
    if (ctxStats) {
      const rate = (d: number): string => f2(secs > 0 ? d / secs : 0, 9);
      out += `\n${headTime.padEnd(11)}   UID       PID   cswch/s nvcswch/s  Command\n`;
      out += rows(
        (c, p) => c.nvcsw !== p.nvcsw || c.nivcsw !== p.nivcsw,
        (c, p) => `${rate(c.nvcsw - p.nvcsw)}${rate(c.nivcsw - p.nivcsw)}`,
      );
    }
    return out;
  };
  const banner = sysstatBanner(k);
  const first = sample();
  if (interval <= 0) return ok(banner + report(first.time, first.time, null, first, false));
  let prev = first;
  const average = (): string => report('Average:', 'Average:', first, prev, true);
  let reports = 0;
  const follow = {
    intervalNs: interval * 1_000_000_000,
    count: count > 0 ? count : Infinity,
    report: (last: boolean): string => {
      const cur = sample();
      const text = report(cur.time, prev.time, prev, cur, false);
      prev = cur;
      reports++;
      return last ? `${text}${average()}` : text;
    },
    interrupt: (): string => (reports === 0 ? '' : average()),
  };
  return { out: banner, err: '', status: 0, follow };
};

/** What sar reads at each sample: /proc/stat (CPU ticks, processes, ctxt, procs_blocked) and /proc/loadavg. */
interface SarSample {
  time: string;
  ns: number;
  ticks: number[];
  processes: number;
  ctxt: number;
  blocked: number;
  runq: number;
  plist: number;
  ldavg: [number, number, number];
}

const SAR_USAGE = `Usage: sar [ options ] [ <interval> [ <count> ] ]\nOptions are:\n[ -q ] [ -u ] [ -w ]`;

/**
 * sar (sysstat) sampling live, as `sar -q 1 5` does when given an interval: -u the CPU shares of all CPUs, -w
 * forks and context switches per second, -q the run queue (runq-sz: tasks runnable now, plist-sz: tasks in all,
 * the load averages, blocked: tasks in uninterruptible sleep). A report per interval of virtual time, then the
 * averages. sar subtracts itself from /proc/loadavg's running count; here no task runs the command, so nothing
 * is subtracted. Without an interval sar would read its daily data file, which this machine does not keep.
 */
export const sar: Command = (env, argv) => {
  const k = env.k;
  const acts = new Set<'u' | 'w' | 'q'>();
  let interval = -1;
  let count = 0;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (/^-[uwq]+$/.test(a)) for (const c of a.slice(1)) acts.add(c as 'u' | 'w' | 'q');
    else if (/^\d+$/.test(a) && interval < 0) interval = Number(a);
    else if (/^\d+$/.test(a) && count === 0 && Number(a) >= 1) count = Number(a);
    else return fail('sar', SAR_USAGE, 1);
  }
  if (interval < 0) return fail('sar', `Cannot open /var/log/sysstat/sa01: No such file or directory\nPlease check if data collecting is enabled`, 1);
  if (interval === 0) return fail('sar', SAR_USAGE, 1);
  if (acts.size === 0) acts.add('u');
  const sample = (): SarSample => {
    const st = procNumbers(env, '/proc/stat');
    const statFile = k.proc.read('/proc/stat');
    const la = k.proc.read('/proc/loadavg');
    const f = (la.ok ? la.text : '').trim().split(/\s+/);
    const [run, all] = (f[3] ?? '0/0').split('/').map(Number) as [number, number];
    return {
      time: clockOf(k.now),
      ns: k.now,
      ticks: statFile.ok ? statTicks(statFile.text, 'cpu') : [],
      processes: st.get('processes') ?? 0,
      ctxt: st.get('ctxt') ?? 0,
      blocked: st.get('procs_blocked') ?? 0,
      runq: run,
      plist: all,
      ldavg: [Number(f[0] ?? 0), Number(f[1] ?? 0), Number(f[2] ?? 0)],
    };
  };
  const f9 = (v: number, d: number): string => ` ${v.toFixed(d).padStart(9)}`;
  const order: ('u' | 'w' | 'q')[] = (['u', 'w', 'q'] as const).filter((a) => acts.has(a));
  const header = (a: 'u' | 'w' | 'q', time: string): string =>
    `\n${time.padEnd(11)}${a === 'u' ? '     CPU     %user     %nice   %system   %iowait    %steal     %idle' : a === 'w' ? '    proc/s   cswch/s' : '   runq-sz  plist-sz   ldavg-1   ldavg-5  ldavg-15   blocked'}\n`;
  /** One activity's row between two samples; for the averages, the queue figures are means of the samples. */
  const row = (a: 'u' | 'w' | 'q', label: string, p: SarSample, c: SarSample, means: SarSample[] | null): string => {
    const secs = (c.ns - p.ns) / 1e9;
    if (a === 'u') {
      const d = (i: number): number => (c.ticks[i] ?? 0) - (p.ticks[i] ?? 0);
      const itv = d(0) + d(1) + d(2) + d(3) + d(4) + d(5) + d(6) + d(7);
      const pc = (x: number): number => (itv > 0 ? (Math.max(0, x) * 100) / itv : 0);
      return `${label.padEnd(11)}     all${[pc(d(0) - d(8)), pc(d(1) - d(9)), pc(d(2) + d(5) + d(6)), pc(d(4)), pc(d(7)), pc(d(3))].map((v) => f9(v, 2)).join('')}\n`;
    }
    if (a === 'w') return `${label.padEnd(11)}${f9((c.processes - p.processes) / secs, 2)}${f9((c.ctxt - p.ctxt) / secs, 2)}\n`;
    if (means === null) return `${label.padEnd(11)}${f9(c.runq, 0)}${f9(c.plist, 0)}${c.ldavg.map((v) => f9(v, 2)).join('')}${f9(c.blocked, 0)}\n`;
    const mean = (g: (s: SarSample) => number): number => means.reduce((x, s) => x + g(s), 0) / means.length;
    return `${label.padEnd(11)}${f9(mean((s) => s.runq), 0)}${f9(mean((s) => s.plist), 0)}${[0, 1, 2].map((j) => f9(mean((s) => s.ldavg[j] as number), 2)).join('')}${f9(mean((s) => s.blocked), 0)}\n`;
  };
  const banner = sysstatBanner(k);
  const first = sample();
  let prev = first;
  const samples: SarSample[] = [];
  // One activity: its header once, a row per report; several: each report a block per activity.
  const single = order.length === 1;
  const average = (): string => order.map((a) => (single ? '' : header(a, 'Average:')) + row(a, 'Average:', first, prev, samples)).join('');
  const follow = {
    intervalNs: interval * 1_000_000_000,
    count: count > 0 ? count : Infinity,
    report: (last: boolean): string => {
      const cur = sample();
      const text = order.map((a) => (single && samples.length > 0 ? '' : header(a, prev.time)) + row(a, cur.time, prev, cur, null)).join('');
      samples.push(cur);
      prev = cur;
      return last ? text + average() : text;
    },
    interrupt: (): string => (samples.length === 0 ? '' : average()),
  };
  return { out: banner, err: '', status: 0, follow };
};
