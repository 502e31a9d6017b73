/**
 * The machine's command language: parse a line, run its pipelines with the built-in commands, apply
 * redirections to /proc and /sys, and return the combined output, the exit status and the first errno.
 * It never throws on bad input: syntax errors and unknown commands are reported like bash does.
 */
import { spawnTask, type Kernel } from '../kernel/index.js';
import { cat, echo, grep, head, ls, openForWrite, redirectWrite, resolvePath, sync, sysctl, tail, tee, wc } from './cmd-files.js';
import { tr } from './cmd-tr.js';
import { expandGlob, hasGlob, markGlob, unmarkGlob } from './glob.js';
import { stressNg } from './cmd-stress.js';
import { perf } from './perf.js';
import { launchFor } from './launch.js';
import { free, kill, mpstat, nproc, pgrep, pidof, pidstat, pkill, ps, sar, slabtop, uname, uptime, vmstat } from './cmd-procps.js';
import { chrt, dmesg, help, renice, spawn, taskset } from './cmd-sched.js';
import { pmap } from './cmd-pmap.js';
import { swapon } from './cmd-swapon.js';
import { cut, seq, sort, uniq } from './cmd-text.js';
import { printf } from './cmd-printf.js';
import { awk } from './cmd-awk.js';
import { xargs } from './cmd-xargs.js';
import { pstree } from './cmd-pstree.js';
import { top } from './cmd-top.js';
import { bracket, test } from './cmd-test.js';
import { lscpu } from './cmd-lscpu.js';
import { date, machineDate, strftime } from './cmd-date.js';
import { arith, ArithError } from './arith.js';
import { strerror } from '../lib/errno.js';
import { fail, failErrno, ok, parseSecondsArg, type Command, type CommandOutput, type FollowUp, type ShellEnv } from './context.js';
import { ARITH_RE, LAST_STATUS, parse, ParseError, SHELL_PID, SUBST_RE, VAR_RE, type CommandList, type IfClause, type SimpleCommand, type WhileLoop } from './parse.js';

export const COMMANDS: Readonly<Record<string, Command>> = {
  cat,
  echo,
  ls,
  sysctl,
  sync,
  grep,
  head,
  tail,
  wc,
  sort,
  cut,
  uniq,
  seq,
  awk,
  printf,
  pstree,
  // A pager here is the dashboard's own: less and more pass what they read on to it.
  less: cat,
  more: cat,
  tee,
  tr,
  ps,
  free,
  vmstat,
  mpstat,
  pidstat,
  sar,
  top,
  uptime,
  slabtop,
  swapon,
  pmap,
  kill,
  pgrep,
  pkill,
  'stress-ng': stressNg,
  perf,
  pidof,
  uname,
  nproc,
  lscpu,
  date,
  renice,
  chrt,
  taskset,
  dmesg,
  spawn,
  help,
  test,
  '[': bracket,
  true: () => ({ out: '', err: '', status: 0 }),
  // The one user is root.
  whoami: () => ok('root\n'),
  id: () => ok('uid=0(root) gid=0(root) groups=0(root)\n'),
  hostname: (env, argv) => {
    if (argv[1] === undefined) return ok(`${env.k.nodename}\n`);
    // hostname NAME: sethostname(2) refuses more than __NEW_UTS_LEN (64) bytes, where a write to kernel.hostname
    // would cut them; then it sets what kernel.hostname reads.
    if (Buffer.byteLength(argv[1]) > 64) return fail('hostname', 'name too long', 1, 'EINVAL');
    const e = env.k.proc.write('/proc/sys/kernel/hostname', argv[1]);
    return e === null ? ok('') : failErrno('hostname', argv[1], e);
  },
  false: () => ({ out: '', err: '', status: 1 }),
};

/** Every name a command line starts with, for completion: the commands, watch, and nice in front of one. */
export const COMMAND_NAMES: readonly string[] = [...Object.keys(COMMANDS), 'watch', 'nice', 'sleep', 'xargs', 'sudo', 'cd', 'pwd', 'export', 'unset', 'read'].sort();

/** The machine's wall clock, as procps's watch prints it (ctime's "%a %b %e %H:%M:%S %Y", UTC). */
function ctime(k: Kernel): string {
  return strftime('%a %b %e %H:%M:%S %Y', machineDate(k.now), 0);
}

/** watch's screen width: a command line has no terminal of its own; its pager is about this wide. */
const WATCH_COLUMNS = 80;

/**
 * watch (procps-ng): run a command line every INTERVAL seconds of virtual time (2 by default, at least 0.1) and
 * show its latest output under a title: "Every 2.0s: CMD" on the left, "host: time" on the right. The command
 * runs for real each time (watch -n 1 'echo 3 > /proc/sys/vm/drop_caches' drops the caches every second).
 */
function watch(env: ShellEnv, argv: string[]): CommandOutput {
  let interval = 2;
  let title = true;
  let i = 1;
  const usage = 'Usage:\n watch [options] command';
  for (; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-n' || a === '--interval' || /^-n./.test(a) || a.startsWith('--interval=')) {
      const v = a === '-n' || a === '--interval' ? argv[++i] : a.startsWith('-n') ? a.slice(2) : a.slice('--interval='.length);
      const n = parseSecondsArg(v);
      if (n === null) return { out: '', err: `watch: failed to parse argument: '${v ?? ''}'\n`, status: 1 };
      interval = Math.max(0.1, n);
    } else if (a === '-t' || a === '--no-title') title = false;
    else if (a === '--') {
      i++;
      break;
    } else if (a.startsWith('-') && a !== '-') return { out: '', err: `watch: invalid option -- '${a.replace(/^-+/, '')}'\n${usage}\n`, status: 1 };
    else break;
  }
  const line = argv.slice(i).join(' ');
  if (line === '') return { out: '', err: `watch: ${usage}\n`, status: 1 };
  const screen = (): string => {
    const r = runShell(env, line, { asTask: null });
    if (!title) return r.output;
    const left = `Every ${interval.toFixed(1)}s: `;
    const right = `${env.k.nodename}: ${ctime(env.k)}`;
    const room = WATCH_COLUMNS - left.length - right.length - 1;
    const cmd = line.length <= room ? line : `${line.slice(0, Math.max(0, room - 3))}...`;
    return `${(left + cmd).padEnd(WATCH_COLUMNS - right.length)}${right}\n\n${r.output}`;
  };
  return { out: screen(), err: '', status: 0, follow: { intervalNs: Math.round(interval * 1e9), count: Infinity, replace: true, report: screen } };
}

const BUILTINS = new Set(['echo', 'kill', 'true', 'false', 'help', 'test', '[']);

export interface ShellResult {
  output: string;
  exitStatus: number;
  /** errno name of the first failure (ENOENT, EINVAL...), 'ENOEXEC' for syntax errors, null on success. */
  error: string | null;
  /** The command reports on at an interval (vmstat 1): the session makes its later reports. */
  follow?: FollowUp;
}

/** The user's login shell, a real (sleeping) task of the machine: it is who "bash (1234)" is in the log. */
function loginShell(k: Kernel): { comm: string; pid: number } {
  const existing = k.loginShellPid;
  const t = existing !== null ? k.tasks.get(existing) : undefined;
  if (t !== undefined && t.exitState === 0) return { comm: t.comm, pid: t.pid };
  const r = spawnTask(k, {
    comm: 'bash',
    policy: 'normal',
    nice: 0,
    rtPriority: 0,
    program: function* () {
      yield { op: 'sleep', ns: Infinity };
    },
  });
  if (r.task === null) return { comm: 'bash', pid: 1 };
  k.loginShellPid = r.task.pid;
  return { comm: 'bash', pid: r.task.pid };
}

/** GNU sleep's NUMBER[SUFFIX]: seconds, or m, h, d; "infinity" (or inf) waits until interrupted. */
const SLEEP_UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** sleep's operands, summed, in ns (coreutils sleep adds them up); or the error it prints. */
export function parseSleep(argv: readonly string[]): number | CommandOutput {
  const usage = "Try 'sleep --help' for more information.";
  const ops = argv.slice(1);
  if (ops[0] === '--') ops.shift();
  if (ops.length === 0) return fail('sleep', `missing operand\n${usage}`);
  let total = 0;
  for (const a of ops) {
    if (/^-[^\d.]/.test(a)) return fail('sleep', `invalid option -- '${a.slice(1, 2)}'\n${usage}`);
    const m = /^(\d+\.?\d*|\.\d+|inf|infinity)([smhd]?)$/i.exec(a);
    if (m === null) return fail('sleep', `invalid time interval '${a}'\n${usage}`);
    const n = /^inf/i.test(m[1] as string) ? Infinity : Number(m[1]);
    total += n * (SLEEP_UNITS[(m[2] as string).toLowerCase()] as number);
  }
  return Number.isFinite(total) ? Math.round(total * 1e9) : Infinity;
}

function runSimple(env: ShellEnv, argv: string[], stdin: string): CommandOutput {
  // nice, chrt and taskset in front of a command: run it with their attributes for what it starts.
  const launch = launchFor(env, argv);
  if (launch !== null) return 'argv' in launch ? runSimple(launch.env, launch.argv, stdin) : launch;
  const name = argv[0] as string;
  // sudo CMD: the shell is root's already, so CMD runs as it is (sudo's own options before it are taken and
  // ignored: -E, -H, -n, -u root).
  if (name === 'sudo') {
    let i = 1;
    while (i < argv.length && (argv[i] as string).startsWith('-')) {
      if (argv[i] === '-u') {
        // The machine has one user.
        const user = argv[i + 1] ?? '';
        if (user !== 'root' && user !== '#0') return fail('sudo', `unknown user ${user}`, 1);
        i += 2;
      } else i++;
    }
    if (i >= argv.length) return fail('sudo', 'a command to run is needed here (sudo -i, -s and -l are not simulated)', 1);
    return runSimple(env, argv.slice(i), stdin);
  }
  if (name === 'watch') return watch(env, argv);
  if (name === 'xargs') {
    return xargs(argv, stdin, (args, input) => {
      const r = runSimple(env, args, input);
      // What reports on at an interval cannot, under xargs: only a command of its own on the line goes on.
      if (r.follow !== undefined && r.follow.optional !== true) return { out: r.out, err: `xargs: ${args[0]}: with an interval it must run on its own\n`, status: 1 };
      return r;
    });
  }
  if (name === 'sleep') {
    const r = parseSleep(argv);
    return typeof r !== 'number' ? r : fail('sleep', 'cannot wait here: only a command line of its own waits');
  }
  const cmd = COMMANDS[name];
  if (cmd === undefined) return { out: '', err: `bash: ${name}: command not found\n`, status: 127, errno: 'ENOENT' };
  try {
    return cmd(env, argv, stdin);
  } catch (e) {
    return { out: '', err: `${name}: ${(e as Error).message}\n`, status: 1, errno: 'EIO' };
  }
}

/** while/until turns a line may take without sleeping before it is stopped: each turn holds the machine (and a
 * dashboard) at one instant, and a thousand turns of the heaviest reads take a few tenths of a second. */
export const MAX_TURNS_AWAKE = 1000;

/** How deep $(...) may nest (a runaway `$(... $(...))` is an error, not a hang). */
const MAX_SUBST_DEPTH = 8;

/**
 * Shell variables (NAME=value, then $NAME), per machine and per shell: the login shell's persist from one command
 * line to the next, as in a terminal; a task's "sh" steps have their own. A reboot starts them afresh.
 */
const SHELL_VARS = new WeakMap<Kernel, Map<number, Map<string, string>>>();
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=/;

function shellVars(k: Kernel, pid: number): Map<string, string> {
  let byPid = SHELL_VARS.get(k);
  if (byPid === undefined) SHELL_VARS.set(k, (byPid = new Map()));
  let vars = byPid.get(pid);
  if (vars === undefined) byPid.set(pid, (vars = new Map()));
  return vars;
}

/**
 * The builtins that change the shell itself: cd (and pwd) move the working directory, kept in PWD and OLDPWD as
 * bash keeps them; export sets variables (nothing here reads an environment, so exporting is setting), unset
 * removes them. Their messages are bash's.
 */
const SHELL_BUILTINS: Readonly<Record<string, (vars: Map<string, string>, argv: string[], k: Kernel) => CommandOutput>> = {
  cd: (vars, argv, k) => {
    const args = argv.slice(1).filter((a, i) => !(i === 0 && (a === '-L' || a === '-P')));
    if (args.length > 1) return fail('bash: cd', 'too many arguments', 1);
    const here = vars.get('PWD') ?? '/';
    const to = args[0] ?? vars.get('HOME') ?? defaultVar(k, 'HOME');
    if (to === '-' && !vars.has('OLDPWD')) return fail('bash: cd', 'OLDPWD not set', 1);
    const target = to === '-' ? (vars.get('OLDPWD') as string) : to;
    const path = resolvePath(target, here);
    if (!k.proc.isDir(path)) return failErrno('bash: cd', target, k.proc.exists(path) ? 'ENOTDIR' : 'ENOENT');
    vars.set('OLDPWD', here);
    vars.set('PWD', path);
    return ok(to === '-' ? `${path}\n` : '');
  },
  pwd: (vars) => ok(`${vars.get('PWD') ?? '/'}\n`),
  export: (vars, argv, k) => {
    const args = argv.slice(1).filter((a) => a !== '-p' && a !== '--');
    if (args.length === 0) {
      const names = new Set([...['HOME', 'HOSTNAME', 'LOGNAME', 'PWD', 'SHELL', 'USER'], ...vars.keys()]);
      return ok([...names].sort().map((n) => `declare -x ${n}="${vars.get(n) ?? defaultVar(k, n)}"\n`).join(''));
    }
    for (const a of args) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/s.exec(a);
      if (m === null) return fail('bash: export', `\`${a}': not a valid identifier`, 1);
      if (m[2] !== undefined) vars.set(m[1] as string, m[2]);
    }
    return ok('');
  },
  unset: (vars, argv) => {
    for (const a of argv.slice(1).filter((x) => x !== '-v')) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(a)) return fail('bash: unset', `\`${a}': not a valid identifier`, 1);
      vars.delete(a);
    }
    return ok('');
  },
};

/** The login shell's working directory (Tab completion resolves relative paths from it). */
export function loginShellCwd(k: Kernel): string {
  return k.loginShellPid === null ? '/' : (shellVars(k, k.loginShellPid).get('PWD') ?? '/');
}

/** What a login shell's environment has before anything is set (the simulated user is root). */
function defaultVar(k: Kernel, name: string): string {
  return ({ HOME: '/root', USER: 'root', LOGNAME: 'root', SHELL: '/bin/bash', PWD: '/', HOSTNAME: k.nodename, 0: 'bash' } as Record<string, string>)[name] ?? '';
}

/**
 * How a command line runs: as `asTask` (a task's `sh` step) or as the login shell (null); `wait`: the caller
 * runs the machine on after the line returns, so `sleep` may wait (the session's command lines) rather than
 * fail (watch's command, a task's step, a substitution).
 */
export interface ShellOpts {
  asTask: number | null;
  wait?: boolean;
}

/** Run one command line as `asTask` (a task running a `sh` step) or as the user's login shell. */
export function runShell(env: ShellEnv, line: string, opts: ShellOpts = { asTask: null }): ShellResult {
  const { stdout: _out, stderr: _err, ...r } = runLine(env, line, opts, 0);
  return r;
}

type LineResult = ShellResult & { stdout: string; stderr: string };

/** runShell, and what the line wrote to its standard output alone (what a $(...) of it is replaced with). */
function runLine(env: ShellEnv, line: string, opts: ShellOpts, depth: number): LineResult {
  const k = env.k;
  let list;
  try {
    list = parse(line);
  } catch (e) {
    if (e instanceof ParseError) return { output: `bash: ${e.message}\n`, stdout: '', stderr: `bash: ${e.message}\n`, exitStatus: 2, error: 'ENOEXEC' };
    throw e;
  }
  const run = new LineRun(env, list, opts, depth);
  const steps = run.runList(list, true);
  // The line runs as its caller until its end or its first sleep; a sleep resumes it as the same caller.
  const resume = (): IteratorResult<number, void> => {
    const prevCaller = k.caller;
    const asTask = opts.asTask !== null ? k.tasks.get(opts.asTask) : undefined;
    k.caller = asTask !== undefined ? { comm: asTask.comm, pid: asTask.pid } : loginShell(k);
    try {
      return steps.next();
    } finally {
      k.caller = prevCaller;
    }
  };
  let step = resume();
  const r: LineResult = { output: run.output, stdout: run.stdout, stderr: run.stderr, exitStatus: run.status, error: run.status === 0 ? null : run.error };
  // A substitution's command reports once: only a command line of its own goes on.
  if (run.follow !== undefined && depth === 0) r.follow = run.follow;
  if (step.done !== true) {
    // Asleep (only a line that may wait yields): the session wakes it when the sleep is over, and again after
    // each later sleep; each time it reports what the line printed since.
    const follow: FollowUp = {
      intervalNs: step.value,
      count: Infinity,
      report: () => {
        const from = run.output.length;
        step = resume();
        if (step.done !== true) follow.intervalNs = step.value;
        return run.output.slice(from);
      },
      ended: () => step.done === true,
    };
    r.follow = follow;
  }
  return r;
}

/** One command line being run: its output so far (all of it, and stdout and stderr apart), $?, and the expansions. */
class LineRun {
  output = '';
  stdout = '';
  stderr = '';
  status = 0;
  error: string | null = null;
  follow: FollowUp | undefined;

  constructor(
    private readonly env: ShellEnv,
    private readonly list: CommandList,
    private readonly opts: ShellOpts,
    private readonly depth: number,
  ) {}

  /** The longest sleep of the pipeline just run: the list waits this long before its next item. */
  private sleepNs = 0;
  /** Output being collected for a pipe out of a compound command, or into one (innermost last). */
  private readonly captures: string[] = [];
  /** The lines a loop's `read` takes: a pipe into it or its `< FILE` (innermost last). */
  private readonly readBuffers: string[][] = [];
  /** A break or continue on its way out of the loops it names (break 2 leaves two). */
  private jump: { kind: 'break' | 'continue'; n: number } | null = null;
  private loopDepth = 0;
  /** while/until turns since the line last slept: a loop that never sleeps would hold the machine at one instant. */
  private turns = 0;
  /** A runaway loop was stopped, or an expansion failed: the rest of the line does not run. */
  private halted = false;

  private get k(): Kernel {
    return this.env.k;
  }

  private vars(): Map<string, string> {
    return shellVars(this.k, this.k.caller.pid);
  }

  /** The working directory (PWD, which cd keeps), against which commands resolve relative paths. */
  private cwd(): string {
    return this.vars().get('PWD') ?? '/';
  }

  /** `< FILE` (of a command or a loop): the file's text, or null after bash's message when it cannot be read. */
  private openInput(word: string): string | null {
    const path = this.expandWords(word, false).join('');
    const resolved = resolvePath(path, this.cwd());
    const r = this.k.proc.read(resolved);
    if (r.ok) return r.text;
    const errno = this.k.proc.isDir(resolved) ? 'EISDIR' : r.errno;
    this.err(`bash: ${path}: ${strerror(errno)}\n`);
    if (this.error === null) this.error = errno;
    return null;
  }

  private commandEnv(): ShellEnv {
    return { ...this.env, cwd: this.cwd() };
  }

  private err(text: string): void {
    this.output += text;
    this.stderr += text;
  }

  /** $(...): run when its word is expanded; its errors go where this line's go, its output into the word. */
  private substitute(i: number): string {
    if (this.depth >= MAX_SUBST_DEPTH) {
      this.err('bash: command substitution: nested too deeply\n');
      return '';
    }
    // A subshell, as in bash: what it sets (variables, cd) is gone when it ends.
    const vars = this.vars();
    const saved = new Map(vars);
    const r = runLine(this.env, this.list.subs[i] ?? '', this.opts, this.depth + 1);
    vars.clear();
    for (const [name, value] of saved) vars.set(name, value);
    this.err(r.stderr);
    return r.stdout.replace(/\n+$/, '');
  }

  /**
   * A word as the command sees it: $? (the last status), $$ (the shell's pid), variables and substitutions put
   * in; split into words where an unquoted variable or substitution stood (not for an assignment or a path).
   */
  expandWords(w: string, splitting = true): string[] {
    const words = this.expandVars(w, splitting);
    if (!words.some(hasGlob)) return words;
    // Pathname expansion last, on the words of a command line (not an assignment's value or a redirection).
    return words.flatMap((x) => (splitting ? (expandGlob(this.k, this.cwd(), x) ?? [unmarkGlob(x)]) : [unmarkGlob(x)]));
  }

  private expandVars(w: string, splitting: boolean): string[] {
    let v = w.includes('\u0000') ? w.split(LAST_STATUS).join(String(this.status)).split(SHELL_PID).join(String(this.k.caller.pid)) : w;
    if (!/[\u0001-\u0005]/.test(v)) return [v];
    let split = false;
    v = v.replace(ARITH_RE, (_m, i: string) => {
      // The text between $(( and )) as typed: $? and $$ are put in here.
      const expr = (this.list.subs[Number(i)] ?? '').split('$?').join(String(this.status)).split('$$').join(String(this.k.caller.pid));
      try {
        return String(arith(expr, (name) => this.vars().get(name) ?? defaultVar(this.k, name)));
      } catch (e) {
        if (!(e instanceof ArithError)) throw e;
        this.err(`bash: ${expr.trim()}: ${e.message}\n`);
        // As in bash, an expansion error discards the command and the rest of the line.
        this.halted = true;
        return '';
      }
    });
    // An unquoted expansion's *, ? and [ are patterns too, as bash expands them after splitting.
    v = v.replace(VAR_RE, (_m, mark: string, name: string) => {
      const value = this.vars().get(name) ?? defaultVar(this.k, name);
      if (mark !== '\u0003') return value;
      split = true;
      return markGlob(value);
    });
    v = v.replace(SUBST_RE, (_m, mark: string, i: string) => {
      const out = this.substitute(Number(i));
      if (mark !== '\u0001') return out;
      split = true;
      return markGlob(out);
    });
    return split && splitting ? v.split(/[ \t\n]+/).filter((x) => x !== '') : [v];
  }

  /**
   * A list's items in turn (&& and || look at the last status); a for loop runs its body once per word, while
   * and until as long as their condition succeeds or fails, if the first branch whose condition succeeds. A
   * sleep yields its length in ns: the caller resumes the list when that much virtual time has passed.
   */
  *runList(l: CommandList, top: boolean): Generator<number, void, void> {
    let prevOp: ';' | '&&' | '||' | '|' | null = null;
    // The output of a compound command piped into this item (`done | sort`).
    let pipeIn: string | null = null;
    for (const item of l.items) {
      if (this.jump !== null || this.halted) return;
      if ((prevOp === '&&' && this.status !== 0) || (prevOp === '||' && this.status === 0)) {
        prevOp = item.op;
        continue;
      }
      const input = pipeIn;
      pipeIn = null;
      if (item.op === '|') this.captures.push('');
      const compound = item.loop !== undefined || item.whileLoop !== undefined || item.ifClause !== undefined;
      // A compound command's input: the pipeline before it (`cmd | while read x`), done < FILE, or a compound before.
      let loopInput: string | null = compound ? input : null;
      if (compound && item.pipeline.commands.length > 0) {
        this.captures.push('');
        this.runPipeline(item.pipeline.commands, false, input ?? '');
        loopInput = this.captures.pop() as string;
      }
      if (compound && item.input !== undefined) {
        loopInput = this.openInput(item.input);
        if (loopInput === null) {
          this.status = 1;
          if (item.op === '|') pipeIn = this.captures.pop() as string;
          prevOp = item.op;
          continue;
        }
      }
      if (loopInput !== null) {
        const lines = loopInput.split('\n');
        if (lines[lines.length - 1] === '') lines.pop();
        this.readBuffers.push(lines);
      }
      if (item.loop !== undefined) {
        const loop = item.loop;
        this.status = 0;
        this.loopDepth++;
        for (const w of loop.words.flatMap((x) => this.expandWords(x))) {
          this.vars().set(loop.name, w);
          yield* this.runList(loop.body, false);
          if (this.leaveLoop()) break;
        }
        this.loopDepth--;
      } else if (item.whileLoop !== undefined) {
        yield* this.runWhile(item.whileLoop);
      } else if (item.ifClause !== undefined) {
        yield* this.runIf(item.ifClause);
      } else {
        const alone = top && l.items.length === 1 && item.pipeline.commands.length === 1;
        const last = this.runPipeline(item.pipeline.commands, alone, input ?? '');
        this.status = item.pipeline.negate === true ? (last.status === 0 ? 1 : 0) : last.status;
        // A failure without an errno (grep found nothing, a usage error) is reported by its exit status.
        if (this.status !== 0 && this.error === null) this.error = `exit ${this.status}`;
        if (this.sleepNs > 0) {
          const ns = this.sleepNs;
          this.sleepNs = 0;
          this.turns = 0;
          yield ns;
        }
      }
      if (loopInput !== null) this.readBuffers.pop();
      if (item.op === '|') pipeIn = this.captures.pop() as string;
      prevOp = item.op;
    }
  }

  /** After a loop's body: whether the loop ends here (break, or a jump meant for an outer loop). */
  private leaveLoop(): boolean {
    if (this.halted) return true;
    const j = this.jump;
    if (j === null) return false;
    if (j.n > 1) {
      j.n--;
      return true;
    }
    this.jump = null;
    return j.kind === 'break';
  }

  private *runWhile(w: WhileLoop): Generator<number, void, void> {
    let status = 0;
    this.loopDepth++;
    for (;;) {
      yield* this.runList(w.cond, false);
      if (this.jump !== null || this.halted) {
        if (this.leaveLoop()) break;
        continue;
      }
      if ((this.status === 0) === w.until) break;
      if (++this.turns > MAX_TURNS_AWAKE) {
        this.err(`bash: ${w.until ? 'until' : 'while'}: stopped after ${MAX_TURNS_AWAKE} turns without a sleep (a line runs at one instant of virtual time until it sleeps)\n`);
        status = 1;
        this.halted = true;
        break;
      }
      yield* this.runList(w.body, false);
      status = this.status;
      if (this.leaveLoop()) break;
    }
    this.loopDepth--;
    // The status of the last body run, 0 if none ran (a stopped runaway: 1, and the whole line stops).
    this.status = status;
  }

  private *runIf(c: IfClause): Generator<number, void, void> {
    for (const b of c.branches) {
      yield* this.runList(b.cond, false);
      if (this.jump !== null || this.halted) return;
      if (this.status === 0) {
        yield* this.runList(b.body, false);
        return;
      }
    }
    if (c.orElse !== null) yield* this.runList(c.orElse, false);
    else this.status = 0;
  }

  /** break [N] / continue [N]: bash's builtins (outside a loop they say so and do nothing). */
  private loopControl(argv: string[]): CommandOutput {
    const name = argv[0] as 'break' | 'continue';
    if (argv.length > 2) return fail(`bash: ${name}`, 'too many arguments');
    const arg = argv[1];
    const n = arg === undefined ? 1 : /^\d+$/.test(arg) ? Number(arg) : NaN;
    if (Number.isNaN(n)) return fail(`bash: ${name}`, `${arg}: numeric argument required`, 128);
    if (n < 1) return fail(`bash: ${name}`, `${arg}: loop count out of range`);
    if (this.loopDepth === 0) return ok('');
    this.jump = { kind: name, n: Math.min(n, this.loopDepth) };
    return ok('');
  }

  /**
   * sleep DURATION...: the line waits that long in virtual time (the longest sleep of a pipeline) when its
   * caller runs the machine on; elsewhere it cannot wait and says why.
   */
  private sleep(argv: string[]): CommandOutput {
    const r = parseSleep(argv);
    if (typeof r !== 'number') return r;
    if (this.depth > 0) return fail('sleep', 'cannot wait inside $(...): a substitution runs at one instant of virtual time');
    if (this.opts.asTask !== null) return fail('sleep', 'cannot wait in a program\'s "sh" step: use a "sleep" step');
    if (this.opts.wait !== true) return fail('sleep', 'cannot wait here: only a command line of its own waits');
    this.sleepNs = Math.max(this.sleepNs, r);
    return ok('');
  }

  /** The commands of a pipeline, each one's output the next one's input; returns the last one's result. */
  private runPipeline(commands: SimpleCommand[], alone: boolean, input = ''): CommandOutput {
    let stdin = input;
    let last: CommandOutput = { out: '', err: '', status: 0 };
    for (const c of commands) {
      // NAME=value words before any command: alone they set shell variables (their values are not split);
      // before a command they would be its environment, which no command here reads.
      let first = 0;
      while (first < c.argv.length && ASSIGNMENT.test(c.argv[first] as string)) first++;
      if (first === c.argv.length && first > 0) {
        for (const a of c.argv) {
          const m = ASSIGNMENT.exec(a) as RegExpExecArray;
          this.vars().set(m[1] as string, this.expandWords(a.slice(m[0].length), false).join(''));
        }
        last = { out: '', err: '', status: this.halted ? 1 : 0 };
        continue;
      }
      const argv = c.argv.slice(first).flatMap((w) => this.expandWords(w));
      if (this.halted) return { out: '', err: '', status: 1 };
      // A command that was only an empty substitution: nothing runs, and it succeeds.
      if (argv.length === 0) {
        last = { out: '', err: '', status: 0 };
        continue;
      }
      const name = argv[0];
      if (c.input !== undefined) {
        // < FILE: bash opens it first; if it cannot, the command does not run.
        const text = this.openInput(c.input);
        if (text === null) {
          last = { out: '', err: '', status: 1 };
          stdin = '';
          continue;
        }
        stdin = text;
      }
      // bash opens > and 2> files before the command runs: one it cannot open, and the command does not run.
      const outPath = c.redirect === null ? null : this.expandWords(c.redirect.path, false).join('');
      const errPath = typeof c.errRedirect === 'object' ? this.expandWords(c.errRedirect.path, false).join('') : null;
      const cannot = [outPath, errPath].flatMap((path) => (path === null ? [] : [{ path, errno: openForWrite(this.k, path, this.cwd()) }])).find((x) => x.errno !== null);
      if (cannot !== undefined) {
        last = { out: '', err: `bash: ${cannot.path}: ${strerror(cannot.errno as string)}\n`, status: 1, errno: cannot.errno as string };
        this.err(last.err);
        if (this.error === null) this.error = cannot.errno;
        stdin = '';
        continue;
      }
      const builtin = SHELL_BUILTINS[name as string];
      const inPipeline = commands.length > 1 || input !== '';
      if (name === 'read') last = this.read(argv, inPipeline || c.input !== undefined ? stdin : null, inPipeline);
      // In a pipeline of several commands each runs in a subshell, as in bash: cd or export there changes nothing.
      else last = name === 'sleep' ? this.sleep(argv) : name === 'break' || name === 'continue' ? this.loopControl(argv) : builtin !== undefined ? builtin(inPipeline ? new Map(this.vars()) : this.vars(), argv, this.k) : runSimple(this.commandEnv(), argv, stdin);
      if (last.follow !== undefined) {
        // Later reports need the machine to run on after this line returns: only a command on its own can.
        if (alone && c.redirect === null && c.errRedirect === undefined && c.outToErr === undefined) this.follow = last.follow;
        else if (last.follow.optional === true) delete last.follow;
        else last = { out: '', err: `${argv[0] ?? ''}: with an interval it must run on its own (not piped, redirected or in a list)\n`, status: 1 };
      }
      // The file descriptor redirections: >&2 sends the output to the errors; 2>&1 puts the errors where the
      // output goes (before it, as they reach the terminal before the output here); 2>FILE writes them there.
      if (c.outToErr === true) last = { ...last, out: '', err: last.err + last.out };
      if (c.errRedirect === 'stdout') last = { ...last, out: last.err + last.out, err: '' };
      else if (c.errRedirect !== undefined && errPath !== null) {
        const name = argv[0] as string;
        const r = redirectWrite(this.k, name, BUILTINS.has(name), errPath, last.err, c.errRedirect.append, this.cwd());
        last = r === null ? { ...last, err: '' } : { ...r, out: last.out };
      }
      this.err(last.err);
      if (last.errno !== undefined && this.error === null && last.status !== 0) this.error = last.errno;
      stdin = last.out;
      if (c.redirect !== null && outPath !== null) {
        const name = argv[0] as string;
        const r = redirectWrite(this.k, name, BUILTINS.has(name), outPath, last.out, c.redirect.append, this.cwd());
        stdin = '';
        if (r !== null) {
          this.err(r.err);
          last = r;
          if (this.error === null) this.error = r.errno ?? `exit ${r.status}`;
        }
      }
    }
    this.emit(stdin);
    return last;
  }

  /** A pipeline's output: into the capture of a `| while ...` or `done | ...` around it, else to the terminal. */
  private emit(text: string): void {
    const n = this.captures.length;
    if (n > 0) this.captures[n - 1] += text;
    else {
      this.output += text;
      this.stdout += text;
    }
  }

  /**
   * read [-r] [NAME...]: a line into the names, split at blanks, the last one taking the rest (REPLY with none);
   * without -r a backslash keeps the next character. The line comes from `from` (its input: < FILE, or a pipe)
   * or, when null, from the loop's input (a pipe into the loop, or done < FILE). Status 1 at the end of the
   * input. In a pipeline read runs in a subshell, as in bash: it reads, and its variables are lost with it.
   */
  private read(argv: string[], from: string | null, subshell: boolean): CommandOutput {
    const raw = argv[1] === '-r';
    const names = argv.slice(raw ? 2 : 1);
    for (const n of names) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) return fail('bash: read', `\`${n}': not a valid identifier`, 1);
    const line = from !== null ? (from === '' ? undefined : from.split('\n')[0]) : this.readBuffers[this.readBuffers.length - 1]?.shift();
    if (line === undefined) return { out: '', err: '', status: 1 };
    const text = raw ? line : line.replace(/\\(.)/g, '$1');
    const vars = subshell ? new Map<string, string>() : this.vars();
    if (names.length === 0) {
      vars.set('REPLY', text);
      return ok('');
    }
    let rest = text.replace(/^[ \t]+/, '');
    names.forEach((n, i) => {
      if (i === names.length - 1) {
        vars.set(n, rest.replace(/[ \t]+$/, ''));
        return;
      }
      const m = /^([^ \t]*)[ \t]*/.exec(rest) as RegExpExecArray;
      vars.set(n, m[1] as string);
      rest = rest.slice(m[0].length);
    });
    return ok('');
  }
}
