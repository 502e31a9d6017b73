/**
 * What a command sees: the machine, its own name for error messages, stdin, and helpers to print like the
 * real tools ("cat: /x: No such file or directory").
 */
import type { Kernel } from '../kernel/index.js';
import { strerror } from '../lib/errno.js';

export interface CommandOutput {
  out: string;
  err: string;
  status: number;
  /** errno name of the failure, when there was one. */
  errno?: string;
  /** More output to come as virtual time passes (vmstat 1, mpstat 1 5); `out` is what it prints at once. */
  follow?: FollowUp;
}

/**
 * A command that reports at an interval, as `vmstat 1` does. A command line runs at one instant of virtual time;
 * its later reports are made by whoever runs the machine on (the session), at exact multiples of the interval.
 */
export interface FollowUp {
  intervalNs: number;
  /** Reports still to come; Infinity: until interrupted. */
  count: number;
  /** The next report, read from the machine at its instant; `last`: none follows it. */
  report(last: boolean): string;
  /** What it prints when interrupted (Ctrl-C): mpstat's averages. */
  interrupt?(): string;
  /** Each report is a whole screen that replaces the last (watch), not lines that follow it. */
  replace?: boolean;
  /**
   * The first output stands on its own (cat trace_pipe: what is there now): piped, redirected or in a list the
   * command runs once instead of being refused.
   */
  optional?: boolean;
  /**
   * A command line asleep (`cmd; sleep 1; cmd`): each report runs it on to its next sleep, whose length it puts
   * in intervalNs, or to its end, after which ended() is true. count does not apply.
   */
  ended?(): boolean;
}

export interface SpawnRequest {
  preset: string | null;
  json: string | null;
  comm?: string;
  nice?: number;
  policy?: string;
  rtPriority?: number;
  count?: number;
  cpus?: number[];
}

export interface ShellEnv {
  k: Kernel;
  /** The shell's working directory (cd), against which relative paths resolve; "/" when absent. */
  cwd?: string;
  /** spawn: provided by the composition (presets are workload programs). */
  spawn?: (req: SpawnRequest) => { pids: number[]; error: string | null; message?: string };
  presets?: readonly string[];
}

export type Command = (env: ShellEnv, argv: string[], stdin: string) => CommandOutput;

export function ok(out: string): CommandOutput {
  return { out, err: '', status: 0 };
}

export function fail(name: string, message: string, status = 1, errno?: string): CommandOutput {
  const r: CommandOutput = { out: '', err: `${name}: ${message}\n`, status };
  if (errno !== undefined) r.errno = errno;
  return r;
}

export function failErrno(name: string, what: string, errno: string, status = 1): CommandOutput {
  return fail(name, `${what}: ${strerror(errno)}`, status, errno);
}

/** A number of seconds as the procps tools take one ("2", "0.5", ".5"), or null. */
export function parseSecondsArg(s: string | undefined): number | null {
  return s !== undefined && /^\d+(\.\d+)?$|^\.\d+$/.test(s) ? Number(s) : null;
}

/** Parse an integer argument strictly ("12", "-3"); null otherwise. */
export function parseIntArg(s: string | undefined): number | null {
  if (s === undefined || !/^[-+]?\d+$/.test(s)) return null;
  const v = Number(s);
  return Number.isSafeInteger(v) ? v : null;
}

/**
 * getopt(3) over argv[1..]: words that are not options (and "-") are operands, pushed to `operands`; each letter of
 * an option word (-abc is -a -b -c) goes to onOpt, whose value() takes the option's argument: the rest of the word
 * or the next word (undefined if there is none). onOpt returns a failure to stop there; getopt returns it.
 * "--" ends the options. inOrder: the first operand ends them too (POSIX's order, for a command that runs another
 * command or takes a program: xargs, awk). long: GNU long options as the letter they stand for ("--max-args=2"
 * as -n 2); a long option not named there goes to onOpt whole ("--foo").
 */
export function getopt(
  argv: readonly string[],
  operands: string[],
  onOpt: (c: string, value: () => string | undefined) => CommandOutput | void,
  opts: { inOrder?: boolean; long?: Readonly<Record<string, string>> } = {},
): CommandOutput | null {
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      operands.push(...argv.slice(i + 1));
      return null;
    }
    if (!a.startsWith('-') || a === '-') {
      if (opts.inOrder === true) {
        operands.push(...argv.slice(i));
        return null;
      }
      operands.push(a);
      continue;
    }
    if (a.startsWith('--') && opts.long !== undefined) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const letter = opts.long[name];
      const r = onOpt(letter ?? `--${name}`, () => (eq >= 0 ? a.slice(eq + 1) : argv[++i]));
      if (r !== undefined) return r;
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const value = (): string | undefined => {
        const rest = a.slice(j + 1);
        j = a.length;
        return rest !== '' ? rest : argv[++i];
      };
      const r = onOpt(a[j] as string, value);
      if (r !== undefined) return r;
    }
  }
  return null;
}

/**
 * /proc/PID/stat as procps and sysstat read it: the comm between the parentheses (it may hold spaces and
 * parentheses itself), and the fields after it by their number in proc(5) (3 is the state).
 */
export interface PidStat {
  comm: string;
  field(n: number): string;
  num(n: number): number;
}

export function readPidStat(env: ShellEnv, pid: number): PidStat | null {
  const r = env.k.proc.read(`/proc/${pid}/stat`);
  if (!r.ok) return null;
  const close = r.text.lastIndexOf(')');
  const f = r.text.slice(close + 2).trim().split(' ');
  const field = (n: number): string => f[n - 3] ?? '';
  return { comm: r.text.slice(r.text.indexOf('(') + 1, close), field, num: (n) => Number(field(n) || 0) };
}

/** A "Name:   value" line of a /proc/PID/status text, as a number (kB for the Vm* and Rss* lines); 0 if absent. */
export function statusNumber(statusText: string, name: string): number {
  return Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(statusText)?.[1] ?? 0);
}
