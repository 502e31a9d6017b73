/**
 * A machine reconstructed from its scheduler events: who runs on each CPU, who waits where (runqueue depth from
 * wakeups, preemptions and switches), and per task its CPU time, switches (voluntary when it left the CPU not
 * runnable), run delay (from wakeup or preemption to running) and migrations. Memory grows with the trace's
 * tasks and CPUs, never with its length.
 */
import type { ParsedEvent } from './parse.js';

export type ClassName = 'stop' | 'dl' | 'rt' | 'fair' | 'idle';

export function classOfPrio(pid: number, prio: number): ClassName {
  if (pid === 0) return 'idle';
  if (prio < 0) return 'dl';
  if (prio < 100) return 'rt';
  return 'fair';
}

const RANK: Readonly<Record<ClassName, number>> = { stop: 0, dl: 1, rt: 2, fair: 3, idle: 4 };

export interface TraceTask {
  pid: number;
  comm: string;
  ppid: number;
  prio: number;
  cpu: number;
  state: string;
  running: boolean;
  cpuNs: number;
  nvcsw: number;
  nivcsw: number;
  runDelayNs: number;
  maxRunDelayNs: number;
  /** Times switched in. */
  pcount: number;
  waitingSince: number;
  migrations: number;
  /** CPU whose queue holds it (not running), or -1. */
  queuedOn: number;
  firstNs: number;
  exited: boolean;
}

export interface TraceCpu {
  cpu: number;
  curr: number;
  currComm: string;
  currPrio: number;
  sinceNs: number;
  nrSwitches: number;
  busyNsByClass: number[];
  /** Tasks queued here but not running. */
  queued: Set<number>;
}

export class TraceModel {
  readonly cpus: TraceCpu[] = [];
  readonly tasks = new Map<number, TraceTask>();
  /** Events by name; sched_switch, the most frequent by far, counted apart (see eventCounts). */
  readonly counts = new Map<string, number>();
  switches = 0;
  firstNs = -1;
  lastNs = 0;

  cpu(n: number): TraceCpu {
    while (this.cpus.length <= n) {
      const c = this.cpus.length;
      this.cpus.push({ cpu: c, curr: 0, currComm: `swapper/${c}`, currPrio: 120, sinceNs: this.firstNs < 0 ? 0 : this.firstNs, nrSwitches: 0, busyNsByClass: [0, 0, 0, 0, 0], queued: new Set() });
    }
    return this.cpus[n] as TraceCpu;
  }

  task(pid: number, comm: string, prio: number, t: number): TraceTask {
    let x = this.tasks.get(pid);
    if (x === undefined) {
      x = { pid, comm, ppid: 0, prio, cpu: 0, state: 'S', running: false, cpuNs: 0, nvcsw: 0, nivcsw: 0, runDelayNs: 0, maxRunDelayNs: 0, pcount: 0, waitingSince: -1, migrations: 0, queuedOn: -1, firstNs: t, exited: false };
      this.tasks.set(pid, x);
    } else {
      if (comm !== '') x.comm = comm;
      if (!Number.isNaN(prio)) x.prio = prio;
    }
    return x;
  }

  private dequeue(x: TraceTask): void {
    if (x.queuedOn >= 0) this.cpus[x.queuedOn]?.queued.delete(x.pid);
    x.queuedOn = -1;
  }

  private enqueue(x: TraceTask, cpu: number): void {
    this.dequeue(x);
    this.cpu(cpu).queued.add(x.pid);
    x.queuedOn = cpu;
  }

  private setCpu(t: TraceTask, cpu: number): void {
    if (t.cpu !== cpu && t.firstNs !== this.lastNs) t.migrations++;
    t.cpu = cpu;
  }

  apply(ev: ParsedEvent): void {
    const t = ev.tNs;
    if (this.firstNs < 0) {
      this.firstNs = t;
      for (const c of this.cpus) c.sinceNs = t;
    }
    if (t > this.lastNs) this.lastNs = t;
    if (ev.kind === 'sched_switch') this.switches++;
    else {
      const key = ev.kind === 'other' ? ev.name : ev.kind;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    }
    switch (ev.kind) {
      case 'sched_switch': {
        const c = this.cpu(ev.cpu);
        const d = Math.max(0, t - c.sinceNs);
        c.busyNsByClass[RANK[classOfPrio(ev.prevPid, ev.prevPrio)]] = (c.busyNsByClass[RANK[classOfPrio(ev.prevPid, ev.prevPrio)]] as number) + d;
        c.nrSwitches++;
        if (ev.prevPid !== 0) {
          const p = this.task(ev.prevPid, ev.prevComm, ev.prevPrio, t);
          p.cpuNs += d;
          p.running = false;
          if (ev.prevState.startsWith('R')) {
            p.nivcsw++;
            p.state = 'R';
            p.waitingSince = t;
            this.enqueue(p, ev.cpu);
          } else {
            p.nvcsw++;
            p.state = ev.prevState.replace(/\+$/, '').split('|')[0] ?? 'S';
            p.waitingSince = -1;
            this.dequeue(p);
          }
          p.cpu = ev.cpu;
        }
        if (ev.nextPid !== 0) {
          const n = this.task(ev.nextPid, ev.nextComm, ev.nextPrio, t);
          if (n.waitingSince >= 0) {
            const delay = t - n.waitingSince;
            n.runDelayNs += delay;
            if (delay > n.maxRunDelayNs) n.maxRunDelayNs = delay;
          }
          n.waitingSince = -1;
          n.pcount++;
          this.dequeue(n);
          this.setCpu(n, ev.cpu);
          n.running = true;
          n.state = 'R';
        }
        c.curr = ev.nextPid;
        c.currComm = ev.nextComm;
        c.currPrio = ev.nextPrio;
        c.sinceNs = t;
        break;
      }
      case 'sched_wakeup':
      case 'sched_wakeup_new':
      case 'sched_waking': {
        this.cpu(Math.max(ev.cpu, ev.targetCpu));
        const x = this.task(ev.pid, ev.comm, ev.prio, t);
        if (x.running) break;
        if (x.waitingSince < 0) x.waitingSince = t;
        x.state = 'R';
        this.enqueue(x, ev.targetCpu);
        this.setCpu(x, ev.targetCpu);
        break;
      }
      case 'sched_migrate_task': {
        this.cpu(Math.max(ev.origCpu, ev.destCpu, ev.cpu));
        const x = this.task(ev.pid, ev.comm, ev.prio, t);
        if (x.queuedOn >= 0) this.enqueue(x, ev.destCpu);
        if (x.cpu !== ev.destCpu) x.migrations++;
        x.cpu = ev.destCpu;
        break;
      }
      case 'sched_process_fork': {
        this.cpu(ev.cpu);
        this.task(ev.parentPid, ev.parentComm, NaN, t);
        const child = this.task(ev.childPid, ev.childComm, NaN, t);
        child.ppid = ev.parentPid;
        break;
      }
      case 'sched_process_exit':
      case 'sched_process_free': {
        const x = this.task(ev.pid, ev.comm, ev.prio, t);
        x.exited = true;
        x.state = ev.kind === 'sched_process_free' ? 'X' : 'Z';
        this.dequeue(x);
        break;
      }
      default:
        this.cpu(ev.cpu);
        break;
    }
  }

  eventCounts(): Map<string, number> {
    const m = new Map(this.counts);
    if (this.switches > 0) m.set('sched_switch', this.switches);
    return m;
  }

  /** CPU time of a task including its current run, up to tNs. */
  cpuNsAt(x: TraceTask, tNs: number): number {
    if (!x.running) return x.cpuNs;
    const c = this.cpus[x.cpu];
    return c !== undefined && c.curr === x.pid ? x.cpuNs + Math.max(0, tNs - c.sinceNs) : x.cpuNs;
  }

  /** Busy time by class of a CPU including its current run, up to tNs. */
  busyAt(c: TraceCpu, tNs: number): number[] {
    const out = [...c.busyNsByClass];
    const r = RANK[classOfPrio(c.curr, c.currPrio)];
    out[r] = (out[r] as number) + Math.max(0, tNs - c.sinceNs);
    return out;
  }
}
