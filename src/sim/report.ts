/**
 * The end-of-run summary: the headless JSON contract (scenario, seed, simTimeNs, sched, cpus, tasks,
 * eventCounts, actions, files, and the memory and log sections) and its human-readable table.
 * Field names are a contract scripts rely on: add fields, never rename them.
 */
import type { Kernel } from '../kernel/index.js';
import { accountRq } from '../kernel/sched/tick.js';
import { policyName, taskStateLetter, type Task } from '../kernel/task/task.js';
import type { Session } from './session.js';

export interface TaskRow {
  pid: number;
  ppid: number;
  comm: string;
  kthread: boolean;
  policy: string;
  nice: number;
  rtPriority: number;
  prio: number;
  state: string;
  cpu: number;
  cpuTimeNs: number;
  cpuTimeByCpuNs: number[];
  systemTimeNs: number;
  nrSwitches: number;
  nrVoluntarySwitches: number;
  nrInvoluntarySwitches: number;
  nrMigrations: number;
  runDelayNs: number;
  maxRunDelayNs: number;
  startNs: number;
  exitNs?: number;
  exitReason?: string;
  exitCode?: number;
  dlMisses?: number;
  dlMaxOverrunNs?: number;
  error?: string;
  [extra: string]: unknown;
}

export interface CpuRow {
  cpu: number;
  busyNs: number;
  idleNs: number;
  nrSwitches: number;
  busyNsByClass: { stop: number; dl: number; rt: number; fair: number };
  [extra: string]: unknown;
}

export function taskRow(k: Kernel, t: Task): TaskRow {
  const byCpu = new Array<number>(k.nrCpus).fill(0);
  for (const [c, ns] of t.cpuTimes()) byCpu[c] = ns;
  const row: TaskRow = {
    pid: t.pid,
    ppid: t.parent?.pid ?? 0,
    comm: t.comm,
    kthread: t.isKthread,
    policy: policyName(t.policy),
    nice: t.nice,
    rtPriority: t.rtPriority,
    prio: t.prio,
    state: taskStateLetter(t),
    cpu: t.cpu,
    cpuTimeNs: t.sumExecRuntimeNs,
    cpuTimeByCpuNs: byCpu,
    systemTimeNs: t.systemTimeNs,
    nrSwitches: t.nvcsw + t.nivcsw,
    nrVoluntarySwitches: t.nvcsw,
    nrInvoluntarySwitches: t.nivcsw,
    nrMigrations: t.se.nrMigrations,
    runDelayNs: t.runDelayNs,
    maxRunDelayNs: t.maxRunDelayNs,
    startNs: t.startTimeNs,
  };
  if (t.exitTimeNs >= 0) {
    row.exitNs = t.exitTimeNs;
    row.exitReason = t.exitReason ?? 'exit';
    row.exitCode = t.exitCode;
  }
  if (t.policy === 6 || t.dl.nrMisses > 0) {
    row.dlMisses = t.dl.nrMisses;
    row.dlMaxOverrunNs = t.dl.maxOverrunNs;
  }
  if (t.error !== null) row.error = t.error;
  Object.assign(row, t.isKthread ? {} : k.mm.taskReport(t));
  if (t.stderr !== null) row.stderr = t.stderr.join('\n');
  return row;
}

export function allTasks(k: Kernel): Task[] {
  const list = [...k.exited, ...k.tasks.values()];
  return list.sort((a, b) => a.pid - b.pid || a.startTimeNs - b.startTimeNs);
}

export function cpuRows(k: Kernel): CpuRow[] {
  return k.rqs.map((rq) => {
    accountRq(k, rq);
    const b = rq.busyNsByClass;
    const busy = (b[0] as number) + (b[1] as number) + (b[2] as number) + (b[3] as number);
    return {
      cpu: rq.cpu,
      busyNs: busy,
      idleNs: b[4] as number,
      nrSwitches: rq.nrSwitches,
      busyNsByClass: { stop: b[0] as number, dl: b[1] as number, rt: b[2] as number, fair: b[3] as number },
    };
  });
}

export interface SummaryJson {
  scenario: string;
  seed: number;
  simTimeNs: number;
  sched: Record<string, unknown>;
  cpus: CpuRow[];
  tasks: TaskRow[];
  eventCounts: Record<string, number>;
  actions: unknown[];
  files: Record<string, string>;
  [extra: string]: unknown;
}

export function buildSummary(s: Session, files: Record<string, string>, extra: Record<string, unknown> = {}): SummaryJson {
  const k = s.k;
  const counts: Record<string, number> = {};
  for (const key of k.eventCounts.kinds()) counts[key] = k.eventCounts.get(key);
  return {
    scenario: s.scenario.name,
    seed: s.seed,
    simTimeNs: k.now,
    sched: {
      mode: k.tunables.mode,
      hz: k.config.hz,
      preempt: k.tunables.preempt,
      rtStarvation: k.tunables.rtStarvation,
      baseSliceNs: k.tunables.baseSliceNs,
      cpus: k.nrCpus,
      ...(k.tunables.mode === 'cfs' ? { latencyNs: k.tunables.latencyNs, minGranularityNs: k.tunables.minGranNs, wakeupGranularityNs: k.tunables.wakeupGranNs } : {}),
      balance: { nrBalances: k.balancer.nrBalances, nrMigrations: k.balancer.nrMigrations, nrActiveBalances: k.balancer.nrActiveBalances },
    },
    cpus: cpuRows(k),
    tasks: allTasks(k).map((t) => taskRow(k, t)),
    eventCounts: counts,
    actions: s.actions.map((a) => {
      const o: Record<string, unknown> = { t: a.t, action: a.action, pids: a.pids, error: a.error, source: a.source };
      if (a.output !== undefined) o.output = a.output;
      return o;
    }),
    ...k.mm.summary(),
    ...extra,
    files,
  };
}

function fmtMs(ns: number): string {
  return (ns / 1e6).toFixed(3);
}

/** The human summary: tasks that used CPU (or are user tasks), per-CPU busy time, then any --cat files. */
export function formatSummary(j: SummaryJson): string {
  const out: string[] = [];
  const secs = j.simTimeNs / 1e9;
  out.push(`kernsim: ${j.scenario} - ${secs.toFixed(3)} s simulated, seed ${j.seed}, ${String(j.sched.mode).toUpperCase()}, HZ=${j.sched.hz}, preempt=${j.sched.preempt}, ${j.cpus.length} CPU${j.cpus.length === 1 ? '' : 's'}`);
  out.push('');
  out.push('    PID COMM            POLICY    NI  PRI S   CPU-TIME(ms)   %CPU  SWITCHES(vol/invol)  RUN-DELAY(ms)  MAX-DELAY(ms)');
  // Tasks that exited normally are folded into one line per name (a build forks hundreds of cc1).
  const folded = new Map<string, { n: number; cpuNs: number }>();
  for (const t of j.tasks) {
    if (t.kthread && t.cpuTimeNs === 0) continue;
    if (t.exitReason === 'exit' && t.error === undefined) {
      const f = folded.get(t.comm) ?? { n: 0, cpuNs: 0 };
      f.n++;
      f.cpuNs += t.cpuTimeNs;
      folded.set(t.comm, f);
      continue;
    }
    const pct = j.simTimeNs > 0 ? (t.cpuTimeNs / j.simTimeNs) * 100 : 0;
    const sw = `${t.nrSwitches} (${t.nrVoluntarySwitches}/${t.nrInvoluntarySwitches})`;
    const note = t.error !== undefined ? `  error=${t.error}` : t.exitReason !== undefined ? `  exit=${t.exitReason}` : '';
    out.push(
      `${String(t.pid).padStart(7)} ${t.comm.padEnd(15)} ${t.policy.padEnd(8)} ${String(t.nice).padStart(3)} ${String(t.prio - 100).padStart(4)} ${t.state} ${fmtMs(t.cpuTimeNs).padStart(14)} ${pct.toFixed(1).padStart(6)}  ${sw.padStart(19)} ${fmtMs(t.runDelayNs).padStart(14)} ${fmtMs(t.maxRunDelayNs).padStart(14)}${note}`,
    );
  }
  for (const [comm, f] of folded) {
    out.push(`${'+'.padStart(7)} ${comm.padEnd(15)} ${f.n} exited normally, ${fmtMs(f.cpuNs)} ms of CPU in all`);
  }
  out.push('');
  out.push('CPU   BUSY(ms)  IDLE(ms)  UTIL   SWITCHES   stop(ms)    dl(ms)    rt(ms)  fair(ms)');
  for (const c of j.cpus) {
    const util = j.simTimeNs > 0 ? (c.busyNs / j.simTimeNs) * 100 : 0;
    const b = c.busyNsByClass;
    out.push(
      `${String(c.cpu).padStart(3)} ${fmtMs(c.busyNs).padStart(10)} ${fmtMs(c.idleNs).padStart(9)} ${util.toFixed(1).padStart(5)}% ${String(c.nrSwitches).padStart(10)} ${fmtMs(b.stop).padStart(10)} ${fmtMs(b.dl).padStart(9)} ${fmtMs(b.rt).padStart(9)} ${fmtMs(b.fair).padStart(9)}`,
    );
  }
  const errs = j.actions.filter((a) => (a as { error: string | null }).error !== null);
  if (j.actions.length > 0) {
    out.push('');
    out.push(`actions: ${j.actions.length} applied, ${errs.length} failed`);
    for (const a of errs.slice(0, 20)) {
      const r = a as { t: number; action: string; error: string };
      out.push(`  at ${(r.t / 1e9).toFixed(3)}s ${r.action}: ${r.error}`);
    }
  }
  // What the scenario's commands printed, as a transcript.
  const shown = j.actions.filter((a) => typeof (a as { output?: unknown }).output === 'string' && (a as { output: string }).output !== '');
  for (const a of shown) {
    const r = a as { t: number; action: string; output: string };
    out.push('');
    out.push(`at ${(r.t / 1e9).toFixed(3)}s ${r.action.startsWith('sh ') ? `$ ${r.action.slice(3)}` : r.action}`);
    out.push(r.output.replace(/\n$/, ''));
  }
  for (const [path, text] of Object.entries(j.files)) {
    out.push('');
    out.push(`==> ${path} <==`);
    out.push(text.replace(/\n$/, ''));
  }
  return `${out.join('\n')}\n`;
}
