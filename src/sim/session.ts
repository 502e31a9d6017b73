/**
 * A simulation session: a booted machine running a scenario - its tasks spawned at their start times and its
 * timed actions applied - plus the commands a person or a journal feeds in. Used by the headless CLI, the
 * dashboard's runtime and replay alike, so all three run the very same code.
 */
import { EventPrio } from '../kernel/core/engine.js';
import {
  bootKernel,
  chrtTask,
  ERRNO_TEXT,
  killTask,
  reniceTask,
  spawnTask,
  tasksByComm,
  tasksetTask,
  type Kernel,
} from '../kernel/index.js';
import { parseSignal } from '../kernel/task/signal.js';
import { ScenarioError, type ActionIn, type ScenarioIn } from '../workload/scenario.js';
import { dlParams, spawnSpecFrom } from './spawn-spec.js';
import type { FollowUp } from '../shell/context.js';
import { formatDmesg } from '../shell/dmesg.js';
import { expandList, kernelConfigFrom, type LoadedScenario } from './config.js';

export interface ActionRecord {
  /** Virtual time it was applied, ns. */
  t: number;
  /** What was done, as text ("renice comm=web nice=10", "sysrq t", "sh echo 1 > ..."). */
  action: string;
  /** Tasks it applied to. */
  pids: number[];
  /** errno name of the first failure, or null. */
  error: string | null;
  /** Output of sh/sysrq commands. */
  output?: string;
  /** Where it came from: the scenario's "at" list, a command (UI or journal). */
  source: 'scenario' | 'command';
  /**
   * An interval command (vmstat 1): its job number. Its later reports come through Session.onJobOutput and are
   * appended to the session's copy of this record (the headless report shows them all).
   */
  job?: number;
  /** That command's reports are whole screens, each replacing the last (watch). */
  jobScreens?: boolean;
}

/** A later report of an interval command, or its end (done; text is what it printed on the way out). */
export interface JobOutput {
  job: number;
  text: string;
  done: boolean;
  /** The text is a whole new screen (watch), not lines that follow the last. */
  replace: boolean;
}

/** At most this much of an interval command's output is kept in its record; then a note says the rest was not. */
const JOB_RECORD_MAX = 1 << 20;
const JOB_RECORD_FULL = '[later reports not kept: the record holds 1 MiB]\n';

/** An interval command reporting on: the session runs the machine to each report's instant. */
interface Job {
  id: number;
  record: ActionRecord;
  follow: FollowUp;
  nextNs: number;
  left: number;
}

/** Commands from outside (dashboard keys, command line, journal): the only way into a running machine. */
export type Command = { kind: 'sh'; line: string } | { kind: 'sysrq'; key: string } | { kind: 'mark'; label: string } | { kind: 'jobstop'; job: number };

/** Runs a command line on the machine (the shell module); set up by the composition. */
export type ShellRunner = (k: Kernel, line: string, opts: { asTask: number | null; wait?: boolean }) => { output: string; error: string | null; exitStatus: number; follow?: FollowUp };
export type SysrqRunner = (k: Kernel, key: string, viaTrigger: boolean) => void;

export interface SessionOptions {
  seed?: number;
  shell?: ShellRunner;
  sysrq?: SysrqRunner;
}

export class Session {
  /** The running machine; replaced by a fresh boot when it reboots (SysRq-b). */
  k: Kernel;
  /** Boots so far (1 + reboots). */
  boots = 1;
  readonly scenario: ScenarioIn;
  readonly file: string;
  readonly text: string;
  readonly seed: number;
  readonly actions: ActionRecord[] = [];
  /** Listeners for applied actions and commands (markers in recordings, the journal); each gets its own copy. */
  onAction: ((r: ActionRecord) => void) | null = null;
  /** Listener for the later reports of interval commands. */
  onJobOutput: ((o: JobOutput) => void) | null = null;
  /** Interval commands still reporting, in the order they started. */
  private jobs: Job[] = [];
  private jobSeq = 0;
  private readonly shell: ShellRunner | null;
  private readonly sysrq: SysrqRunner | null;

  constructor(loaded: LoadedScenario, opts: SessionOptions = {}) {
    this.scenario = loaded.scenario;
    this.file = loaded.file;
    this.text = loaded.text;
    const cfg = kernelConfigFrom(loaded.scenario, opts.seed);
    this.seed = cfg.seed;
    this.shell = opts.shell ?? null;
    this.sysrq = opts.sysrq ?? null;
    this.cfg = cfg;
    this.k = this.bootMachine();
  }

  private readonly cfg: ReturnType<typeof kernelConfigFrom>;

  /** Boot the machine and schedule the scenario's tasks and actions. */
  private bootMachine(): Kernel {
    const k = bootKernel(this.cfg);
    this.k = k;
    if (this.shell !== null) {
      const shell = this.shell;
      k.shellHook = (line, task) => {
        const r = shell(k, line, { asTask: task?.pid ?? null });
        return r.error === null ? { ok: true, text: r.output } : { ok: false, errno: r.error, text: r.output };
      };
    }
    this.applySysctls();
    this.scheduleTasks();
    this.scheduleActions();
    return k;
  }

  private applySysctls(): void {
    for (const [name, value] of Object.entries(this.scenario.sysctl ?? {})) {
      const e = this.k.proc.sysctl.get(name);
      if (e === undefined) throw new ScenarioError(this.file, `sysctl."${name}"`, 'unknown sysctl');
      if (e.write === undefined) throw new ScenarioError(this.file, `sysctl."${name}"`, 'read-only sysctl');
      const err = e.write(this.k, String(value));
      if (err !== null) throw new ScenarioError(this.file, `sysctl."${name}"`, `${ERRNO_TEXT[err] ?? err} (${String(value)})`);
    }
  }

  private at(tNs: number, kind: string, fn: () => void): void {
    this.k.engine.atAbs(Math.max(tNs, this.k.now), EventPrio.Urgent, kind, () => this.k.onCpu(-1, fn));
  }

  private scheduleTasks(): void {
    for (const t of this.scenario.tasks ?? []) {
      const spec = spawnSpecFrom(t);
      this.at(t.start ?? 0, 'spawn', () => {
        for (let i = 0; i < (t.count ?? 1); i++) spawnTask(this.k, spec);
      });
    }
  }

  private scheduleActions(): void {
    for (const a of this.scenario.at ?? []) this.at(a.t, 'scenario_action', () => this.applyAction(a));
  }

  private record(r: Omit<ActionRecord, 't'>): ActionRecord {
    const rec: ActionRecord = { t: this.k.now, ...r };
    this.actions.push(rec);
    this.k.event({ kind: 'action', text: rec.action, error: rec.error });
    this.onAction?.({ ...rec });
    return rec;
  }

  private select(sel: { pid?: number | undefined; comm?: string | undefined }): number[] {
    if (sel.pid !== undefined) return [sel.pid];
    return tasksByComm(this.k, sel.comm ?? '').map((t) => t.pid);
  }

  private forEachSelected(desc: string, sel: { pid?: number | undefined; comm?: string | undefined }, fn: (pid: number) => string | null): void {
    const pids = this.select(sel);
    let error: string | null = pids.length === 0 ? 'ESRCH' : null;
    for (const pid of pids) {
      const e = fn(pid);
      if (e !== null && error === null) error = e;
    }
    this.record({ action: desc, pids, error, source: 'scenario' });
  }

  /** Apply one scenario action now. */
  applyAction(a: ActionIn): void {
    const k = this.k;
    const who = (s: { pid?: number | undefined; comm?: string | undefined }): string => (s.pid !== undefined ? `pid=${s.pid}` : `comm=${s.comm ?? ''}`);
    if ('renice' in a) {
      this.forEachSelected(`renice ${who(a.renice)} nice=${a.renice.nice}`, a.renice, (pid) => reniceTask(k, pid, a.renice.nice));
    } else if ('chrt' in a) {
      const c = a.chrt;
      this.forEachSelected(`chrt ${who(c)} policy=${c.policy}${c.rtPriority !== undefined ? ` rtPriority=${c.rtPriority}` : ''}`, c, (pid) =>
        chrtTask(k, pid, c.policy, c.rtPriority ?? 0, dlParams(c.dl)),
      );
    } else if ('taskset' in a) {
      const cpus = typeof a.taskset.cpus === 'string' ? expandList(a.taskset.cpus) : a.taskset.cpus;
      this.forEachSelected(`taskset ${who(a.taskset)} cpus=${cpus.join(',')}`, a.taskset, (pid) => tasksetTask(k, pid, cpus));
    } else if ('kill' in a) {
      const sig = parseSignal(String(a.kill.signal ?? 'SIGTERM'));
      this.forEachSelected(`kill ${who(a.kill)} signal=${a.kill.signal ?? 'SIGTERM'}`, a.kill, (pid) => (sig === null ? 'EINVAL' : killTask(k, pid, sig)));
    } else if ('spawn' in a) {
      const spec = spawnSpecFrom(a.spawn);
      const pids: number[] = [];
      let error: string | null = null;
      for (let i = 0; i < (a.spawn.count ?? 1); i++) {
        const r = spawnTask(k, spec);
        if (r.task !== null) pids.push(r.task.pid);
        if (r.error !== null && error === null) error = r.error;
      }
      this.record({ action: `spawn comm=${a.spawn.comm}${(a.spawn.count ?? 1) > 1 ? ` count=${a.spawn.count}` : ''}`, pids, error, source: 'scenario' });
    } else if ('sysrq' in a) {
      this.runSysrq(a.sysrq, 'scenario');
    } else if ('sh' in a) {
      this.runSh(a.sh, 'scenario');
    } else if ('mark' in a) {
      this.record({ action: `mark ${a.mark}`, pids: [], error: null, source: 'scenario' });
    }
  }

  private runSysrq(key: string, source: ActionRecord['source']): void {
    const before = this.k.printkRing.nextSeq;
    if (this.sysrq === null) {
      this.record({ action: `sysrq ${key}`, pids: [], error: 'ENOSYS', source });
      return;
    }
    this.sysrq(this.k, key, false);
    const output = this.k.printkRing
      .since(before)
      .map((r) => r.text)
      .join('\n');
    this.record({ action: `sysrq ${key}`, pids: [], error: null, output, source });
  }

  private runSh(line: string, source: ActionRecord['source']): void {
    if (this.shell === null) {
      this.record({ action: `sh ${line}`, pids: [], error: 'ENOSYS', source });
      return;
    }
    // The session runs the machine on: a sleep in the line waits for it.
    const r = this.shell(this.k, line, { asTask: null, wait: true });
    const f = r.follow;
    const job = f !== undefined && f.count > 0 ? ++this.jobSeq : undefined;
    const rec = this.record({ action: `sh ${line}`, pids: [], error: r.error, output: r.output, source, ...(job !== undefined ? { job, ...(f?.replace === true ? { jobScreens: true } : {}) } : {}) });
    if (f !== undefined && job !== undefined) {
      const nextNs = this.k.now + f.intervalNs;
      this.jobs.push({ id: job, record: rec, follow: f, nextNs, left: f.count });
      // Started by an event in the middle of a run: that run must stop at the first report too.
      this.k.engine.limitRun(nextNs);
    }
  }

  /** Interval commands still reporting. */
  get runningJobs(): number[] {
    return this.jobs.map((j) => j.id);
  }

  private nextJobNs(): number {
    let t = Infinity;
    for (const j of this.jobs) if (j.nextNs < t) t = j.nextNs;
    return t;
  }

  private jobOutput(j: Job, text: string, done: boolean): void {
    // The record (what a headless run reports) is bounded: an endless vmstat 1 must not grow without limit.
    const kept = j.record.output ?? '';
    if (kept.length + text.length <= JOB_RECORD_MAX) j.record.output = kept + text;
    else if (!kept.endsWith(JOB_RECORD_FULL)) j.record.output = kept + JOB_RECORD_FULL;
    if (done) this.jobs = this.jobs.filter((x) => x !== j);
    // A report with nothing new (dmesg -w between records) is not news for the viewer.
    if (text !== '' || done) this.onJobOutput?.({ job: j.id, text, done, replace: j.follow.replace === true && text !== '' });
  }

  /** The reports due now, read from the machine as a command line would (from no CPU). */
  private runJobs(): void {
    for (const j of [...this.jobs]) {
      if (j.nextNs > this.k.now) continue;
      const ended = j.follow.ended;
      if (ended !== undefined) {
        // A command line asleep: it runs on to its next sleep (which sets the interval) or its end.
        let text: string;
        let done: boolean;
        try {
          text = this.k.onCpu(-1, () => j.follow.report(false));
          done = ended();
        } catch (e) {
          text = `bash: ${(e as Error).message}\n`;
          done = true;
        }
        j.nextNs += j.follow.intervalNs;
        this.jobOutput(j, text, done);
        continue;
      }
      j.left--;
      j.nextNs += j.follow.intervalNs;
      let last = j.left <= 0;
      let text: string;
      try {
        text = this.k.onCpu(-1, () => j.follow.report(last));
      } catch (e) {
        // A command's failure is its own (as runShell reports one): it ends, the machine goes on.
        text = `${j.record.action.slice(3).trim().split(/\s+/)[0] ?? ''}: ${(e as Error).message}\n`;
        last = true;
      }
      this.jobOutput(j, text, last);
    }
  }

  /** Interrupt an interval command (Ctrl-C): it prints what it prints on SIGINT and reports no more. */
  stopJob(id: number): void {
    const j = this.jobs.find((x) => x.id === id);
    if (j !== undefined) this.jobOutput(j, j.follow.interrupt?.() ?? '', true);
  }

  /** Apply a command at the current virtual time, as an urgent event (so it is part of the event order). */
  submit(cmd: Command): void {
    // Stopping a report touches nothing in the machine: no event, so it cannot move the machine's own events.
    if (cmd.kind === 'jobstop') {
      this.stopJob(cmd.job);
      return;
    }
    this.k.engine.at(0, EventPrio.Urgent, 'command', () =>
      this.k.onCpu(-1, () => {
        if (cmd.kind === 'sh') this.runSh(cmd.line, 'command');
        else if (cmd.kind === 'sysrq') this.runSysrq(cmd.key, 'command');
        else this.record({ action: `mark ${cmd.label}`, pids: [], error: null, source: 'command' });
      }),
    );
  }

  /** The kernel log as JSON rows. */
  dmesgJson(): { seq: number; tNs: number; level: number; text: string }[] {
    return this.k.printkRing.all().map((r) => ({ seq: r.seq, tNs: r.tsNs, level: r.level, text: r.text }));
  }

  dmesgText(): string {
    return formatDmesg(this.k.printkRing.all(), { callerInfo: this.k.printkRing.callerInfo });
  }

  consoleJson(): { seq: number; tNs: number; level: number; text: string }[] {
    return this.k.printkRing.consoleLog.map((r) => ({ seq: r.seq, tNs: r.tsNs, level: r.level, text: r.text }));
  }

  /** What the console printed (records below console_loglevel at the time, or with ignore_loglevel). */
  consoleText(): string {
    return formatDmesg(this.k.printkRing.consoleLog, { callerInfo: this.k.printkRing.callerInfo });
  }

  /**
   * Run until virtual time tNs (or maxEvents events). A machine that rebooted (SysRq-b) boots again from the
   * same scenario; its clock starts again at 0, as uptime does.
   */
  runUntil(tNs: number, maxEvents = Number.MAX_SAFE_INTEGER): { reached: boolean; processed: number } {
    let processed = 0;
    for (;;) {
      // Interval commands report at exact instants: the run stops there (after every event due then) to read.
      const r = this.k.engine.runUntil(Math.min(tNs, this.nextJobNs()), maxEvents - processed);
      processed += r.processed;
      if (this.k.halted === 'reboot') {
        // The shell and its commands died with the machine.
        for (const j of [...this.jobs]) this.jobOutput(j, '', true);
        this.boots++;
        this.bootMachine();
        this.onReboot?.(this.k);
        return { reached: true, processed };
      }
      if (!r.reached) return { reached: false, processed };
      if (this.k.now >= this.nextJobNs()) this.runJobs();
      if (this.k.now >= tNs) return { reached: true, processed };
    }
  }

  /** Called with the new kernel after a reboot. */
  onReboot: ((k: Kernel) => void) | null = null;
}
