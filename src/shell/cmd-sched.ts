/** renice, chrt and taskset (util-linux), dmesg's command line, spawn and help. */
import { chrtTask, reniceTask, tasksetTask } from '../kernel/index.js';
import type { DlParams } from '../kernel/sched/dl/deadline.js';
import { parseCpuList } from '../kernel/sched/topology.js';
import { policyKernelName, SCHED_DEADLINE, type PolicyName } from '../kernel/task/task.js';
import { strerror } from '../lib/errno.js';
import { fail, ok, parseIntArg, type Command, type CommandOutput } from './context.js';
import { formatDmesg, parseLevelList } from './dmesg.js';

export const renice: Command = (env, argv) => {
  const k = env.k;
  let prio: number | null = null;
  const pids: number[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-n' || a === '--priority') prio = parseIntArg(argv[++i]);
    else if (a === '-p' || a === '--pid') continue;
    else if (a === '-g' || a === '-u') return fail('renice', 'only process IDs (-p) are supported here', 1);
    else if (prio === null && pids.length === 0 && /^[-+]?\d+$/.test(a)) prio = Number(a);
    else {
      const p = parseIntArg(a);
      if (p === null) return fail('renice', `bad value ${a}`, 1);
      pids.push(p);
    }
  }
  if (prio === null || pids.length === 0) return fail('renice', 'usage: renice [-n] priority [-p] pid...', 1);
  let out = '';
  let err = '';
  let status = 0;
  let errno: string | undefined;
  for (const pid of pids) {
    const t = k.tasks.get(pid);
    if (t === undefined || t.exitState !== 0) {
      err += `renice: failed to get priority for ${pid} (process ID): No such process\n`;
      status = 1;
      errno ??= 'ESRCH';
      continue;
    }
    const old = t.nice;
    const e = reniceTask(k, pid, prio);
    if (e !== null) {
      err += `renice: failed to set priority for ${pid} (process ID): ${strerror(e)}\n`;
      status = 1;
      errno ??= e;
      continue;
    }
    out += `${pid} (process ID) old priority ${old}, new priority ${t.nice}\n`;
  }
  const r: CommandOutput = { out, err, status };
  if (errno !== undefined) r.errno = errno;
  return r;
};

/** chrt's policy options. */
export const CHRT_POLICY: Readonly<Record<string, PolicyName>> = {
  '-o': 'normal',
  '--other': 'normal',
  '-f': 'fifo',
  '--fifo': 'fifo',
  '-r': 'rr',
  '--rr': 'rr',
  '-b': 'batch',
  '--batch': 'batch',
  '-i': 'idle',
  '--idle': 'idle',
  '-d': 'deadline',
  '--deadline': 'deadline',
};

/** chrt -m (util-linux show_min_max()): sched_get_priority_min/max of each policy. */
const CHRT_MIN_MAX = [
  ['SCHED_OTHER', 0, 0],
  ['SCHED_FIFO', 1, 99],
  ['SCHED_RR', 1, 99],
  ['SCHED_BATCH', 0, 0],
  ['SCHED_IDLE', 0, 0],
  ['SCHED_DEADLINE', 0, 0],
]
  .map(([name, min, max]) => `${name} min/max priority\t: ${min}/${max}\n`)
  .join('');

export const chrt: Command = (env, argv) => {
  const k = env.k;
  let policy: PolicyName | null = null;
  let pidMode = false;
  const dl = { runtime: 0, deadline: 0, period: 0 };
  const rest: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (CHRT_POLICY[a] !== undefined) policy = CHRT_POLICY[a] as PolicyName;
    else if (a === '-p' || a === '--pid') pidMode = true;
    else if (a === '-T' || a === '--sched-runtime') dl.runtime = parseIntArg(argv[++i]) ?? -1;
    else if (a === '-D' || a === '--sched-deadline') dl.deadline = parseIntArg(argv[++i]) ?? -1;
    else if (a === '-P' || a === '--sched-period') dl.period = parseIntArg(argv[++i]) ?? -1;
    else if (a === '-m' || a === '--max') return ok(CHRT_MIN_MAX);
    else if (a === '-a' || a === '--all-tasks' || a === '-R' || a === '--reset-on-fork' || a === '-v') continue;
    else if (a.startsWith('-') && !/^-\d+$/.test(a)) return fail('chrt', `unrecognized option '${a}'`, 1);
    else rest.push(a);
  }
  if (!pidMode) return fail('chrt', 'only the -p PID form is supported on the simulated machine', 1);
  const pidArg = rest[rest.length - 1];
  const pid = parseIntArg(pidArg);
  if (pid === null) return fail('chrt', `invalid PID argument: '${pidArg ?? ''}'`, 1);
  const t = k.tasks.get(pid);
  if (policy === null && rest.length === 1) {
    if (t === undefined || t.exitState !== 0) return fail('chrt', `failed to get pid ${pid}'s policy: No such process`, 1, 'ESRCH');
    // util-linux chrt shows a deadline task's parameters too (sched_getattr).
    const dl = t.policy === SCHED_DEADLINE ? `pid ${pid}'s current runtime/deadline/period parameters: ${t.dl.dlRuntimeNs}/${t.dl.dlDeadlineNs}/${t.dl.dlPeriodNs}\n` : '';
    return ok(`pid ${pid}'s current scheduling policy: ${policyKernelName(t.policy)}\npid ${pid}'s current scheduling priority: ${t.rtPriority}\n${dl}`);
  }
  const prio = parseIntArg(rest[0]);
  if (prio === null || rest.length !== 2) return fail('chrt', 'usage: chrt [options] -p [prio] pid', 1);
  const pol = policy ?? 'rr';
  let params: DlParams | undefined;
  if (pol === 'deadline') params = { runtimeNs: dl.runtime, deadlineNs: dl.deadline, periodNs: dl.period };
  if (t === undefined || t.exitState !== 0) return fail('chrt', `failed to set pid ${pid}'s policy: No such process`, 1, 'ESRCH');
  const e = chrtTask(k, pid, pol, prio, params);
  if (e !== null) return fail('chrt', `failed to set pid ${pid}'s policy: ${strerror(e)}`, 1, e);
  return ok('');
};

/** taskset's CPU argument: a hex mask, or with -c a list ("0,2-3"); null if it does not parse. */
export function parseTasksetCpus(spec: string, list: boolean, nrCpus: number): number[] | null {
  try {
    if (list) return parseCpuList(spec, nrCpus);
    const mask = BigInt(`0x${spec.replace(/^0x/, '')}`);
    const cpus: number[] = [];
    for (let c = 0; c < nrCpus; c++) if ((mask >> BigInt(c)) & 1n) cpus.push(c);
    return cpus;
  } catch {
    return null;
  }
}

export const taskset: Command = (env, argv) => {
  const k = env.k;
  let list = false;
  let pidMode = false;
  const rest: string[] = [];
  for (const a of argv.slice(1)) {
    if (a === '-c' || a === '--cpu-list') list = true;
    else if (a === '-p' || a === '--pid') pidMode = true;
    else if (a === '-pc' || a === '-cp') {
      list = true;
      pidMode = true;
    } else if (a === '-a' || a === '--all-tasks') continue;
    else if (a.startsWith('-')) return fail('taskset', `invalid option -- '${a.replace(/^-+/, '')}'`, 1);
    else rest.push(a);
  }
  if (!pidMode) return fail('taskset', 'only the -p PID form is supported on the simulated machine', 1);
  const pid = parseIntArg(rest[rest.length - 1]);
  if (pid === null) return fail('taskset', `invalid PID argument: '${rest[rest.length - 1] ?? ''}'`, 1);
  const t = k.tasks.get(pid);
  if (t === undefined || t.exitState !== 0) return fail('taskset', `failed to get pid ${pid}'s affinity: No such process`, 1, 'ESRCH');
  const show = (): string => (list ? `pid ${pid}'s current affinity list: ${t.cpusAllowed.toList()}\n` : `pid ${pid}'s current affinity mask: ${t.cpusAllowed.toHex().replace(/^0+(?=.)/, '')}\n`);
  if (rest.length === 1) return ok(show());
  const spec = rest[0] as string;
  const cpus = parseTasksetCpus(spec, list, k.nrCpus);
  if (cpus === null) return fail('taskset', `failed to parse ${list ? 'CPU list' : 'CPU mask'}: ${spec}`, 1, 'EINVAL');
  const before = show();
  const e = tasksetTask(k, pid, cpus);
  if (e !== null) return { out: before, err: `taskset: failed to set pid ${pid}'s affinity: ${strerror(e)}\n`, status: 1, errno: e };
  return ok(before + (list ? `pid ${pid}'s new affinity list: ${t.cpusAllowed.toList()}\n` : `pid ${pid}'s new affinity mask: ${t.cpusAllowed.toHex().replace(/^0+(?=.)/, '')}\n`));
};

export const dmesg: Command = (env, argv) => {
  const ring = env.k.printkRing;
  const o: Parameters<typeof formatDmesg>[1] = { callerInfo: ring.callerInfo };
  let clear = false;
  let read = true;
  let follow: 'all' | 'new' | null = null;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-x' || a === '--decode') o.decode = true;
    else if (a === '-T' || a === '--ctime') o.ctime = true;
    else if (a === '-r' || a === '--raw') o.raw = true;
    else if (a === '-t' || a === '--notime') o.noTime = true;
    else if (a === '-k' || a === '--kernel' || a === '-L' || a === '--color' || a === '-H' || a === '--human' || a === '-P' || a === '--nopager') continue;
    else if (a === '-c' || a === '--read-clear') clear = true;
    else if (a === '-C' || a === '--clear') {
      clear = true;
      read = false;
    } else if (a === '-l' || a === '--level' || a.startsWith('--level=')) {
      const v = a.startsWith('--level=') ? a.slice(8) : argv[++i];
      const lv = parseLevelList(v ?? '');
      if (lv === null) return fail('dmesg', `unknown level '${v ?? ''}'`, 1);
      o.levels = lv;
    } else if (a === '-n' || a === '--console-level' || a.startsWith('--console-level=')) {
      const v = a.startsWith('--console-level=') ? a.slice(16) : argv[++i];
      let level = parseIntArg(v);
      if (level === null && v !== undefined) {
        const lv = parseLevelList(v);
        if (lv !== null && lv.size === 1) level = ([...lv][0] as number) + 1;
      }
      if (level === null || level < 1 || level > 8) return fail('dmesg', `unknown level '${v ?? ''}'`, 1);
      const s = ring.settings;
      s.consoleLoglevel = Math.max(level, s.minimumConsoleLoglevel);
      return ok('');
    } else if (a === '-w' || a === '--follow') follow = 'all';
    else if (a === '-W' || a === '--follow-new') follow = 'new';
    else return fail('dmesg', `invalid option -- '${a.replace(/^-+/, '')}'`, 1);
  }
  const text = read && follow !== 'new' ? formatDmesg(ring.all(), o) : '';
  if (clear) ring.clear();
  if (follow === null) return ok(text);
  // -w/-W: the records as they come, read every 100 ms of virtual time (each line keeps its own timestamp).
  let seq = ring.nextSeq;
  const report = (): string => {
    const recs = ring.since(seq);
    seq = ring.nextSeq;
    return formatDmesg(recs, o);
  };
  return { out: text, err: '', status: 0, follow: { intervalNs: 100_000_000, count: Infinity, report } };
};

export const spawn: Command = (env, argv) => {
  if (env.spawn === undefined) return fail('spawn', 'not available', 1);
  const req: Parameters<NonNullable<typeof env.spawn>>[0] = { preset: null, json: null };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    const v = argv[i + 1];
    if (a === '--json') {
      req.json = v ?? '';
      i++;
    } else if (a === '--comm') {
      req.comm = v ?? '';
      i++;
    } else if (a === '--nice' || a === '-n') {
      const n = parseIntArg(v);
      if (n === null) return fail('spawn', `bad nice value '${v ?? ''}'`, 2);
      req.nice = n;
      i++;
    } else if (a === '--policy') {
      req.policy = v ?? '';
      i++;
    } else if (a === '--prio' || a === '--rt-priority') {
      const n = parseIntArg(v);
      if (n === null) return fail('spawn', `bad priority '${v ?? ''}'`, 2);
      req.rtPriority = n;
      i++;
    } else if (a === '--count') {
      const n = parseIntArg(v);
      if (n === null || n < 1 || n > 1000) return fail('spawn', `bad count '${v ?? ''}' (1..1000)`, 2);
      req.count = n;
      i++;
    } else if (a === '--cpus') {
      try {
        req.cpus = parseCpuList(v ?? '', env.k.nrCpus);
      } catch (e) {
        return fail('spawn', (e as Error).message, 2);
      }
      i++;
    } else if (a.startsWith('-')) return fail('spawn', `unknown option '${a}'`, 2);
    else req.preset = a;
  }
  if (req.preset === null && req.json === null) {
    return fail('spawn', `usage: spawn PRESET [--comm C] [--nice N] [--policy P] [--prio N] [--count N] [--cpus LIST] | spawn --json '{...task...}'\npresets: ${(env.presets ?? []).join(', ')}`, 2);
  }
  const r = env.spawn(req);
  if (r.error !== null) return fail('spawn', r.message ?? strerror(r.error), 1, r.error);
  return ok(r.pids.map((p) => `[${p}] ${env.k.tasks.get(p)?.comm ?? ''}\n`).join(''));
};

export const HELP_TEXT = `Commands on the simulated machine (a small POSIX-shell subset: quotes, |, >, >>, ;, &&, ||, !, $?, $$,
  2> FILE, 2>&1, >&2, &> FILE, < FILE, * ? [...], NAME=value then $NAME, $(...), $((EXPR)),
  for NAME in WORDS; do LIST; done, while/until LIST; do LIST; done, if LIST; then LIST; [elif LIST; then LIST;]
  [else LIST;] fi, break [N], continue [N], test/[ ]):
  cd [DIR|-]  pwd         the working directory for relative paths (cd /proc/sys/vm; cat swappiness)
  read [-r] NAME...      a line of a loop's input: ps -eo pid=,comm= | while read p c; do ...; done  (or done < FILE)
  export NAME=VALUE  unset NAME  whoami  id  hostname [NAME]
  cat FILE...            read /proc, /sys and /dev/kmsg files
  echo [-n] TEXT > FILE  write a /proc or /sys file (sysctls, sysrq-trigger, oom_score_adj...)
                         e.g. echo NO_RUN_TO_PARITY > /sys/kernel/debug/sched/features,
                              echo full > /sys/kernel/debug/sched/preempt
  sysctl [-a|-n] KEY[=VALUE]...   read or write kernel tunables
  dmesg [-x] [-T] [-r] [-t] [-l LEVELS] [-n LEVEL] [-c|-C] [-w|-W]   the kernel log (-w/-W: follow it)
  ps [-e|-ef|aux] [-o FIELDS] [-p PIDS]   tasks (pid,cls,rtprio,ni,pri,psr,stat,rss,comm,time,%cpu,oom...)
                         -l long, -F extra full, -c class, -y with -l, -L threads (LWP), -T (SPID): -eLf, -ely
  free [-h|-m] [-w] [-t] [-s SECS] [-c N]  uptime [-p|-s]  slabtop -o [-s KEY]
  swapon [-s|--show[=COLS]] [--bytes]   the swap area      pmap [-x] [-p] PID...   a process's mappings
  vmstat [-a|-w|-t|-n|-y|-s|-f|-m] [DELAY [COUNT]]   mpstat [-P ALL|LIST] [INTERVAL [COUNT]]
  pidstat [-u] [-w] [-p PIDS|ALL] [-C NAME] [INTERVAL [COUNT]]   per task %usr %system %wait %CPU, switches/s
  sar [-u] [-w] [-q] INTERVAL [COUNT]   CPU shares, forks and switches/s, run queue and load averages
                         with an interval they report as virtual time passes (Ctrl-C stops them)
  sleep N[s|m|h|d]...      wait in virtual time, then run on: for i in $(seq 3); do cat /proc/loadavg; sleep 5; done
                         (Ctrl-C stops the line; inside $(...) or watch it cannot wait)
  watch [-n SECS] [-t] CMD   run CMD every SECS (2) of virtual time, showing its latest output
  top [-b] [-n N] [-d SECS] [-1] [-c] [-i] [-H] [-u root] [-p PIDS] [-o FIELD]
                         summary and tasks by %CPU every SECS (3): a new screen, or with -b frame after frame;
                         the first frame is since boot (a task's %CPU: since it started)
  uname [-a]  nproc  lscpu [-e]  date [+FORMAT]  ls [-l] DIR  sync
  renice N -p PID        nice a task
  chrt -m | chrt -p PID | chrt -f|-r|-o|-b|-i|-d [--sched-runtime NS --sched-deadline NS --sched-period NS] -p PRIO PID
  taskset -p [-c] [MASK|LIST] PID
  kill [-SIGNAL] PID...  kill -l
  pgrep [-l|-a] [-d DELIM] [-c] [-n|-o] [-x] [-P PPID] PATTERN
  pkill [-SIGNAL] [-e] [-c] [-n|-o] [-x] [-P PPID] PATTERN
  pidof [-w] NAME...     pstree [-p] [-n] [-A] [PID]   the process tree (init's; pstree 2: the kernel threads)
  stress-ng --cpu N [--io N] [--vm N --vm-bytes SIZE] [--hdd N] [--timeout T]
            [--sched P --sched-prio N] [--taskset LIST]   load workers under a stress-ng parent
  nice [-n N] CMD | chrt [-f|-r|-o|-b|-i] PRIO CMD | taskset [-c] MASK|LIST CMD
                         start CMD's tasks so, e.g. taskset -c 1 nice -n 10 stress-ng --cpu 2
  echo 1 > /sys/kernel/tracing/events/sched/enable; cat /sys/kernel/tracing/trace   ftrace's sched events
  perf sched record [-- sleep N] | perf sched latency [-p] [-s KEYS] | perf sched map | perf sched timehist
                         scheduling latency per task, each CPU's task at each switch, or per switch
  spawn PRESET [options] | spawn --json '{"comm": ..., "program": [...]}'
  grep [-vicEFqwnolLHhsr] [-A|-B|-C N] [-e] PAT [FILE]  head [-n [-]N|-c [-]N]/tail [-n [+]N] [FILE]  wc [-lwcm] [FILE]
  cat [-nbsAETv] FILE...   CMD < FILE                  (grep, head, tail, wc... also as pipeline filters)
  sort [-n] [-r] [-u] [-t SEP] [-k N[,M]] [FILE]  cut -d SEP -f LIST | -c LIST [FILE]  uniq [-c|-d|-u] [FILE]
  seq [-w] [-s SEP] [-f FORMAT] [FIRST [INCREMENT]] LAST   numbers, e.g. for i in $(seq 0 3); do ...; done
  awk [-F FS] [-v V=X] 'PROGRAM' [FILE]...   patterns and actions on fields: awk '/MemFree/ {print $2}' /proc/meminfo
  printf FORMAT [ARG]...   formatted output (%s %d %x %f %e %g %b %q %c, flags, width, precision)
  tr [-cds] SET1 [SET2]  tee [-a] FILE...  sudo CMD (the shell is root's)   e.g. echo 3 | sudo tee /proc/sys/vm/drop_caches
  xargs [-n N] [-I STR] [-r] [-t] [CMD [ARG]...]   run CMD with the input's words, e.g. pgrep hog | xargs renice 5 -p
`;

export const help: Command = (env) => ok(`${HELP_TEXT}${env.presets !== undefined ? `spawn presets: ${env.presets.join(', ')}\n` : ''}`);
