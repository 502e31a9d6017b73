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
