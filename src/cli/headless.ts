/**
 * `kernsim headless`: run a scenario for a virtual duration as fast as possible, then print the summary (or the
 * JSON document), the requested /proc files, command outputs and the kernel log.
 */
import { ERRNO_TEXT } from '../kernel/api.js';
import { loadScenarioFile } from '../sim/config.js';
import { buildSummary, formatSummary } from '../sim/report.js';
import { Session } from '../sim/session.js';
import { parseDurationNs } from '../workload/units.js';
import { TraceExporter } from '../trace/export.js';
import { UsageError } from './errors.js';
import { machineHooks } from './hooks.js';

export interface HeadlessOptions {
  scenario: string;
  duration?: string;
  seed?: string;
  json?: boolean;
  cat?: string[];
  sh?: string[];
  dmesg?: boolean;
  console?: boolean;
  trace?: string[];
}

interface CatRequest {
  path: string;
  atNs: number | null;
  key: string;
}

export function parseSeed(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) > 2 ** 32 - 1) throw new UsageError(`--seed: expected an integer from 0 to 4294967295, got '${text}'`);
  return Number(text);
}

export function parseDurationArg(flag: string, text: string): number {
  const ns = parseDurationNs(text);
  if (ns === null || ns <= 0) throw new UsageError(`${flag}: expected a duration like "10s", got '${text}'`);
  return ns;
}

function parseCats(list: string[]): CatRequest[] {
  return list.map((spec) => {
    const at = spec.lastIndexOf('@');
    if (at > 0) {
      const path = spec.slice(0, at);
      const t = parseDurationNs(spec.slice(at + 1));
      if (t === null) throw new UsageError(`--cat ${spec}: expected PATH@TIME like /proc/loadavg@5s`);
      return { path, atNs: t, key: spec };
    }
    return { path: spec, atNs: null, key: spec };
  });
}

function checkPath(path: string): void {
  if (!path.startsWith('/proc/') && !path.startsWith('/sys/') && !path.startsWith('/dev/')) {
    throw new UsageError(`--cat ${path}: only /proc, /sys and /dev files exist on the simulated machine`);
  }
}

/** --trace names FILE.json (Perfetto) or FILE.txt (ftrace); checked before anything runs or is written. */
export function checkTraceName(file: string): void {
  if (!file.endsWith('.json') && !file.endsWith('.txt')) throw new UsageError(`--trace ${file}: expected FILE.json (Perfetto) or FILE.txt (ftrace text)`);
}

/** A trace file for --trace. */
export function openTrace(file: string): TraceExporter {
  checkTraceName(file);
  try {
    return new TraceExporter(file.endsWith('.json') ? { json: file } : { ftrace: file });
  } catch (e) {
    throw new UsageError(`--trace ${file}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

export interface HeadlessResult {
  stdout: string;
  exitCode: number;
}

export function runHeadless(o: HeadlessOptions): HeadlessResult {
  const loaded = loadScenarioFile(o.scenario);
  const seed = parseSeed(o.seed);
  const durationNs = o.duration !== undefined ? parseDurationArg('--duration', o.duration) : (loaded.scenario.duration ?? 10_000_000_000);
  const cats = parseCats(o.cat ?? []);
  for (const c of cats) checkPath(c.path);
  const session = new Session(loaded, { ...(seed !== undefined ? { seed } : {}), ...machineHooks() });
  const traces = (o.trace ?? []).map((file) => openTrace(file));
  for (const t of traces) t.attach(session.k);
  if (traces.length > 0) session.onReboot = (k) => traces.forEach((t) => t.attach(k));
  const files: Record<string, string> = {};
  const readOrFail = (c: CatRequest): void => {
    const r = session.k.proc.read(c.path);
    if (!r.ok) throw new UsageError(`--cat ${c.key}: ${ERRNO_TEXT[r.errno] ?? r.errno}`);
    files[c.key] = r.text;
  };
  // Virtual time across reboots (SysRq b restarts the clock at 0 on the new boot).
  let bootOffsetNs = 0;
  const runTo = (totalNs: number): void => {
    for (let guard = 0; guard < 10_000; guard++) {
      const k = session.k;
      const boots = session.boots;
      session.runUntil(Math.max(0, totalNs - bootOffsetNs));
      if (session.boots === boots) return;
      bootOffsetNs += k.now;
    }
  };
  // Timed reads, in time order, then the run to the end.
  const timed = cats.filter((c) => c.atNs !== null).sort((a, b) => (a.atNs as number) - (b.atNs as number));
  for (const c of timed) {
    if ((c.atNs as number) > durationNs) throw new UsageError(`--cat ${c.key}: time is after the end of the run (${o.duration ?? 'the scenario duration'})`);
    runTo(c.atNs as number);
    readOrFail(c);
  }
  runTo(durationNs);
  for (const c of cats) if (c.atNs === null) readOrFail(c);
  const shOut: { command: string; output: string; exitStatus: number }[] = [];
  for (const line of o.sh ?? []) {
    const r = machineHooks().shell(session.k, line, { asTask: null, wait: true });
    // The run has ended: an interval command gets its first report only, a line stops at its first sleep
    // (schedule it in "at" for the rest).
    const note =
      r.follow === undefined
        ? ''
        : r.follow.ended !== undefined
          ? `(sleep: the run has ended, so the line stops at its first sleep: put it in the scenario's "at" list to run it on)\n`
          : `(${line.trim().split(/\s+/)[0] ?? ''}: the run has ended, so no later reports: put the command in the scenario's "at" list to have them)\n`;
    shOut.push({ command: line, output: r.output + note, exitStatus: r.exitStatus });
  }
  for (const t of traces) t.close();
  const extra: Record<string, unknown> = {};
  if (shOut.length > 0) extra.sh = shOut;
  if (o.dmesg === true || o.json === true) extra.dmesg = session.dmesgJson();
  if (o.console === true) extra.console = session.consoleJson();
  const summary = buildSummary(session, files, extra);
  if (o.json === true) return { stdout: `${JSON.stringify(summary)}\n`, exitCode: 0 };
  let text = formatSummary(summary);
  for (const s of shOut) text += `\n$ ${s.command}\n${s.output}${s.output.endsWith('\n') || s.output === '' ? '' : '\n'}`;
  if (o.dmesg === true) text += `\n${session.dmesgText()}`;
  if (o.console === true) text += `\n${session.consoleText()}`;
  return { stdout: text, exitCode: 0 };
}
