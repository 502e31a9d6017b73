/**
 * The simulated machine: owns the engine, the PRNG, the runqueues and classes, the task table, the tunables,
 * the log and the memory manager, and is the single context object every kernel module receives (the
 * simulation's "global kernel state"). Logic lives in the modules; this class wires them and offers the small
 * services they share (printk, tracing, the current CPU, pid allocation).
 */
import { Deque } from '../lib/deque.js';
import { KernelBug } from '../lib/assert.js';
import { Engine, EventPrio, Timer } from './core/engine.js';
import { Xoshiro128, type Rng } from './core/rng.js';
import { NSEC_PER_SEC } from './core/time.js';
import { EventCounts, type KernelEvent, type KernelEventBody, type TraceSink } from './core/trace.js';
import type { KernelConfig } from './config.js';
import { MemoryManager } from './mm/mm.js';
import { PrintkRing, type PrintkRecord } from './printk/printk.js';
import { TraceFs } from './trace/tracefs.js';
import { ProcFs } from './proc/procfs.js';
import { Balancer } from './sched/balance.js';
import { rqOf, tryToWakeUp } from './sched/core.js';
import { DlClass } from './sched/dl/deadline.js';
import { FairClass } from './sched/fair/fair.js';
import { weightOfNice } from './sched/fair/weights.js';
import { makeTunables, type SchedTunables } from './sched/features.js';
import { IdleClass } from './sched/idle/idle.js';
import { LoadAvg } from './sched/loadavg.js';
import { PsiGroup } from './sched/psi.js';
import { RtClass } from './sched/rt/rt.js';
import { Rq } from './sched/rq.js';
import type { SchedClass } from './sched/sched-class.js';
import { StopClass } from './sched/stop/stop.js';
import { CpuMask } from './sched/topology.js';
import { SysctlValues } from './sysctl.js';
import { cancelSleep, interruptUserBurst } from './task/exec.js';
import {
  PF_IDLE,
  PF_KTHREAD,
  SCHED_DEADLINE,
  SCHED_FIFO,
  SCHED_RR,
  TASK_INTERRUPTIBLE,
  Task,
} from './task/task.js';
import type { MemCall, UserResult } from './task/user.js';
import { sendSignal, signalName } from './task/signal.js';
import type { Rq as RqType } from './sched/rq.js';
import { TaskRows } from './task/rows.js';

export interface SchedClasses {
  stop: StopClass;
  dl: DlClass;
  rt: RtClass;
  fair: FairClass;
  idle: IdleClass;
}

/** INITIAL_JIFFIES on 64-bit: (unsigned int)(-300*HZ), so that jiffies wrap bugs show within 5 minutes. */
export function initialJiffies(hz: number): number {
  return 2 ** 32 - 300 * hz;
}

export interface PrintkOpts {
  pid?: number;
  cpu?: number;
  facility?: number;
  forceConsole?: boolean;
  /** printk_deferred(): same record, printed from a safe context; no difference here. */
  deferred?: boolean;
}

/** Called for lines a task run by the machine writes with `sh` steps; set by the composition root. */
export type ShellHook = (line: string, task: Task | null) => UserResult;

export class Kernel {
  readonly config: KernelConfig;
  readonly engine = new Engine();
  readonly rng: Rng;
  readonly nrCpus: number;
  readonly tickNs: number;
  readonly tunables: SchedTunables;
  readonly sysctl: SysctlValues;
  readonly classes: SchedClasses;
  /** The classes in priority order: stop, dl, rt, fair, idle. */
  readonly classOrder: readonly SchedClass[];
  readonly rqs: Rq[] = [];
  readonly cpuMaskAll: CpuMask;
  readonly balancer: Balancer;
  readonly loadavg = new LoadAvg();
  /** psi_system: pressure stall totals and averages (/proc/pressure/*). */
  readonly psi: PsiGroup;
  readonly printkRing: PrintkRing;
  readonly mm: MemoryManager;
  readonly proc: ProcFs;
  /** /sys/kernel/tracing's ring buffer of sched events. */
  readonly tracefs: TraceFs;
  /** init_uts_ns.name.nodename: the host name, which root may change (kernel.hostname); starts as the config's. */
  nodename: string;

  /** Live tasks (running, sleeping, zombies) by pid; the idle tasks (pid 0) are rqs[n].idle. */
  readonly tasks = new Map<number, Task>();
  /** Rows of the tasks' nanosecond fields (task/rows.ts). */
  readonly taskRows = new TaskRows();
  /** Reaped tasks, oldest first, for reports: at most maxExited (a dashboard keeps few, a report many). */
  readonly exited = new Deque<Task>();
  maxExited = 100_000;
  exitedDropped = 0;
  /** CPU time of the reaped tasks dropped from `exited` (so CPU time still adds up). */
  exitedDroppedCpuNs = -0;
  private lastPid = 0;
  /** Tasks created per comm, for stable per-task random streams. */
  readonly commInstances = new Map<string, number>();

  /** Online CPUs running their idle task (kept by the context switch; nohz.nr_cpus / SIS). */
  nrIdleCpus = 0;
  /** Runqueues with two or more RT tasks (the root domain's rto_mask count). */
  nrRtOverloaded = 0;
  /** CPU whose event is being handled (-1: none, e.g. a timer with no CPU). */
  currentCpu = -1;
  /** Trace sinks; when none is attached, events are only counted. */
  private readonly sinks: TraceSink[] = [];
  tracing = false;
  /** Emit the (high-rate) wakeup events to the sinks; a viewer that only draws switches turns them off. */
  traceWakeups = true;
  /** Sinks that need the wakeups whatever the viewer set (a perf sched recording): they count themselves in. */
  wakeupListeners = 0;
  private traceSeq = 0;
  readonly eventCounts = new EventCounts();
  /** Set while a CPU burst's completion is being accounted (see DlClass.updateCurr). */
  atBurstEnd = false;
  /**
   * The CPU whose wakeup is being queued on its wake list (ttwu_queue_wakelist): the function-call IPI that
   * carries it is counted, and the resched that follows runs on that CPU, so it sends no IPI of its own.
   */
  wakelistCpu = -1;
  /** Set when the machine panicked, powered off or is rebooting: nothing runs after that. */
  halted: 'panic' | 'poweroff' | 'reboot' | null = null;
  panicText: string | null = null;
  /** Who is making the current request from user space (for messages like "bash (1234): drop_caches: 3"). */
  caller: { comm: string; pid: number } = { comm: 'sh', pid: 1 };
  /** The user's login shell task (created when the first command runs). */
  loginShellPid: number | null = null;
  /** Boot option sysrq_always_enabled. */
  sysrqAlwaysEnabled = false;
  /** Hook for `sh` program steps (the shell lives outside the kernel). */
  shellHook: ShellHook | null = null;

  constructor(config: KernelConfig) {
    this.exitedDroppedCpuNs = 0; // declared -0: time.ts, zeroTimeFields
    this.config = config;
    this.nodename = config.hostname;
    this.rng = new Xoshiro128(config.seed);
    this.nrCpus = config.nrCpus;
    this.tickNs = Math.floor((NSEC_PER_SEC + Math.floor(config.hz / 2)) / config.hz);
    // psi_period: PSI_FREQ = 2*HZ+1 jiffies.
    this.psi = new PsiGroup((2 * config.hz + 1) * this.tickNs, this.tickNs);
    const topts: Parameters<typeof makeTunables>[0] = {
      mode: config.fairMode,
      onlineCpus: config.nrCpus,
      preempt: config.preempt,
    };
    if (config.rtStarvation !== undefined) topts.rtStarvation = config.rtStarvation;
    if (config.baseSliceNs !== undefined) topts.baseSliceNs = config.baseSliceNs;
    if (config.features !== undefined) topts.features = config.features;
    this.tunables = makeTunables(topts);
    this.sysctl = new SysctlValues(config.hz, config.nrCpus);
    this.cpuMaskAll = CpuMask.all(config.nrCpus);
    this.classes = {
      stop: new StopClass(this),
      dl: new DlClass(this),
      rt: new RtClass(this),
      fair: new FairClass(this),
      idle: new IdleClass(this),
    };
    this.classOrder = [this.classes.stop, this.classes.dl, this.classes.rt, this.classes.fair, this.classes.idle];
    this.printkRing = new PrintkRing({ settings: { consoleLoglevel: 7, defaultMessageLoglevel: 4, minimumConsoleLoglevel: 1, defaultConsoleLoglevel: 7 } });
    for (let cpu = 0; cpu < config.nrCpus; cpu++) {
      const idle = new Task({
        pid: 0,
        comm: `swapper/${cpu}`,
        flags: PF_IDLE | PF_KTHREAD,
        cpusAllowed: new CpuMask(config.nrCpus, [cpu]),
        cpu,
        nowNs: 0,
        load: weightOfNice(0),
        sliceNs: this.tunables.baseSliceNs,
        rows: this.taskRows,
      });
      idle.schedClass = this.classes.idle;
      idle.onCpu = true;
      const rq = new Rq(cpu, idle, config.fairMode, this.tunables.migrationCostNs);
      this.rqs.push(rq);
      if (this.tunables.rtStarvation === 'fair-server') this.classes.dl.initServer(rq);
    }
    this.nrIdleCpus = config.nrCpus;
    this.balancer = new Balancer(this);
    this.mm = new MemoryManager(this);
    this.tracefs = new TraceFs(this);
    this.proc = new ProcFs(this);
    this.mm.registerProc();
  }

  get now(): number {
    return this.engine.nowNs;
  }

  /** The virtual clock as a function: one for every program's context rather than a closure each. */
  readonly clock = (): number => this.engine.nowNs;

  /** jiffies since boot on the 64-bit kernel's scale. */
  get jiffies(): number {
    return initialJiffies(this.config.hz) + Math.floor(this.now / this.tickNs);
  }

  bug(message: string): KernelBug {
    return new KernelBug(message, { nowNs: this.now, seq: this.engine.processed, seed: this.config.seed });
  }

  /** Run fn as code executing on cpu (sets currentCpu for printk callers and wake-affine). */
  onCpu<T>(cpu: number, fn: () => T): T {
    const prev = this.currentCpu;
    this.currentCpu = cpu;
    try {
      return fn();
    } finally {
      this.currentCpu = prev;
    }
  }

  /** A re-armable timer (arm it with engine.start) whose handler runs as code on cpu (-1: none). */
  cpuTimer(cpu: number, kind: string, prio: EventPrio, fn: () => void): Timer {
    return new Timer(kind, prio, () => this.onCpu(cpu, fn));
  }

  /* ------------------------------------------------------------ tracing */

  addSink(s: TraceSink): () => void {
    this.sinks.push(s);
    this.tracing = true;
    return () => {
      const i = this.sinks.indexOf(s);
      if (i >= 0) this.sinks.splice(i, 1);
      this.tracing = this.sinks.length > 0;
    };
  }

  countEvent(kind: string): void {
    this.eventCounts.add(kind);
  }

  /** Emit an already-counted sched_switch: as arguments to the sinks that take them, else as an event. */
  emitSwitch(cpu: number, prev: Task, next: Task, prevState: string): void {
    const seq = this.traceSeq++;
    const tNs = this.now;
    let ev: KernelEvent | null = null;
    for (const s of this.sinks) {
      if (s.schedSwitch !== undefined) s.schedSwitch(seq, tNs, cpu, prev.pid, prev.comm, prev.prio, prevState, next.pid, next.comm, next.prio);
      else {
        ev ??= { kind: 'sched_switch', seq, tNs, cpu, prevPid: prev.pid, prevComm: prev.comm, prevPrio: prev.prio, prevState, nextPid: next.pid, nextComm: next.comm, nextPrio: next.prio };
        s.emit(ev);
      }
    }
  }

  /** Emit an already-counted event; fills in the trace sequence number. */
  emit(ev: KernelEvent): void {
    ev.seq = this.traceSeq++;
    for (const s of this.sinks) s.emit(ev);
  }

  /** Count and emit a low-rate event. */
  event(body: KernelEventBody, cpu = this.currentCpu): void {
    this.countEvent(body.kind);
    if (!this.tracing) return;
    this.emit({ ...body, seq: 0, tNs: this.now, cpu } as KernelEvent);
  }

  traceFork(parent: Task, child: Task): void {
    this.event({ kind: 'sched_process_fork', parentPid: parent.pid, parentComm: parent.comm, childPid: child.pid, childComm: child.comm });
  }

  traceProcessExit(p: Task): void {
    this.event({ kind: 'sched_process_exit', pid: p.pid, comm: p.comm, prio: p.prio, code: p.exitCode });
  }

  /* ------------------------------------------------------------ printk */

  printk(level: number, text: string, o: PrintkOpts = {}): PrintkRecord {
    const cpu = o.cpu ?? Math.max(this.currentCpu, 0);
    const rec = this.printkRing.log({
      tsNs: this.now,
      level,
      text,
      pid: o.pid ?? 0,
      cpu,
      ...(o.facility !== undefined ? { facility: o.facility } : {}),
      ...(o.forceConsole !== undefined ? { forceConsole: o.forceConsole } : {}),
    });
    this.event({ kind: 'printk', level: rec.level, recSeq: rec.seq, pid: rec.pid, text }, cpu);
    return rec;
  }

  /* ------------------------------------------------------------ pids and task lifetime */

  /**
   * alloc_pid(): the next free pid after the last one, wrapping at pid_max to 300 (RESERVED_PIDS). A pid is
   * in use while its task is in `tasks` (copy_process() adds it before anything else can fork; release_task()
   * removes it), so no set of used pids is kept beside it.
   */
  allocPid(): number {
    const max = this.sysctl.pidMax;
    let pid = this.lastPid;
    for (let i = 0; i < max; i++) {
      pid++;
      if (pid >= max) pid = 300;
      if (!this.tasks.has(pid)) {
        this.lastPid = pid;
        return pid;
      }
    }
    return -1;
  }

  get lastAllocatedPid(): number {
    return this.lastPid;
  }

  /** finish_task_switch() of a dead task: an auto-reaped one is released now, a zombie waits for its parent. */
  finishDeadTask(p: Task): void {
    if (p.exitState === 0x10) this.releaseTask(p);
  }

  /** release_task(): the task and its pid are gone; its row stays in the report. */
  releaseTask(p: Task): void {
    if (!this.tasks.has(p.pid) || this.tasks.get(p.pid) !== p) return;
    this.tasks.delete(p.pid);
    p.parent?.children?.delete(p);
    this.mm.releaseTask(p);
    this.event({ kind: 'sched_process_free', pid: p.pid, comm: p.comm, prio: p.prio });
    // What a report of a dead task needs stays; what it ran (program, pending syscall, timers) goes.
    p.program = null;
    p.syscall = null;
    p.burst = null;
    p.pendingResult = undefined;
    p.sleepTimer = null;
    p.releaseRow(this.taskRows);
    this.exited.push(p);
    while (this.exited.length > this.maxExited) {
      const old = this.exited.shift() as Task;
      this.exitedDropped++;
      this.exitedDroppedCpuNs += old.sumExecRuntimeNs;
    }
  }

  classForPolicy(policy: number): SchedClass {
    if (policy === SCHED_DEADLINE) return this.classes.dl;
    if (policy === SCHED_FIFO || policy === SCHED_RR) return this.classes.rt;
    return this.classes.fair;
  }

  /* ------------------------------------------------------------ helpers for other modules */

  /** Run fn right after the current scheduling decision on rq (balance callbacks, e.g. RT push). */
  balanceCallback(rq: RqType, fn: () => void): void {
    rq.balanceCallbacks.push(fn);
    if (rq.balanceCallbacks.length > 1) return;
    rq.balanceTimer ??= this.newBalanceTimer(rq);
    this.engine.start(rq.balanceTimer, this.now);
  }

  private newBalanceTimer(rq: RqType): Timer {
    return this.cpuTimer(rq.cpu, 'balance_callback', EventPrio.Urgent, () => this.runBalanceCallbacks(rq));
  }

  /** Callbacks queued while these run go to the other list and the next round, as the kernel's splice does. */
  private runBalanceCallbacks(rq: RqType): void {
    const fns = rq.balanceCallbacks;
    rq.balanceCallbacks = rq.spareBalanceCallbacks;
    for (const f of fns) f();
    fns.length = 0;
    rq.spareBalanceCallbacks = fns;
  }

  /** stop_one_cpu_nowait(): queue work for cpu's stopper (migration/N), which preempts everything there. */
  stopOneCpu(cpu: number, work: () => void): void {
    const rq = this.rqs[cpu] as Rq;
    rq.stopWork.push(work);
    const stopper = rq.stop;
    if (stopper === null) {
      work();
      return;
    }
    tryToWakeUp(this, stopper, TASK_INTERRUPTIBLE, 0);
  }

  /** Wake p from a state in mask (wake_up_state). */
  wakeState(p: Task, mask: number): boolean {
    return tryToWakeUp(this, p, mask, 0);
  }

  /**
   * signal_wake_up(): wake p if it sleeps in a state in mask (cancelling a timed sleep), and kick it if it is
   * running user code so that it handles the signal at once.
   */
  signalWakeUp(p: Task, mask: number): void {
    if (p.state & mask && p.onRq === 0) {
      cancelSleep(this, p);
      p.waitingForChild = false;
      tryToWakeUp(this, p, mask, 0);
      return;
    }
    if (p.state & mask) {
      // Still on its runqueue (delayed dequeue): wake it where it is.
      cancelSleep(this, p);
      tryToWakeUp(this, p, mask, 0);
      return;
    }
    if (p.onCpu) {
      const rq = rqOf(this, p);
      // kick_process(): an IPI; a user-mode task returns to user space and takes the signal now.
      this.engine.at(0, EventPrio.Urgent, 'signal_kick', () => {
        if (rq.curr !== p) return;
        this.onCpu(rq.cpu, () => interruptUserBurst(this, rq, p));
      });
    }
  }

  /** The exit of a task by a signal is logged like a real kernel does for fatal signals it reports. */
  noteSignalExit(p: Task, sig: number): void {
    if (p.exitReason === 'oom-kill') return;
    void signalName(sig);
  }

  /** send_signal() from the kernel (OOM kills, SysRq-e/i). */
  sendSignal(p: Task, sig: number): string | null {
    return sendSignal(this, p, sig);
  }

  /**
   * panic(): print the panic and stop the machine for good (the engine halts; the dashboard shows it).
   */
  panic(msg: string): void {
    if (this.halted !== null) return;
    const cpu = Math.max(0, this.currentCpu);
    const curr = this.rqs[cpu]?.curr;
    this.printk(0, `Kernel panic - not syncing: ${msg}`, { forceConsole: true });
    this.printk(0, `CPU: ${cpu} UID: 0 PID: ${curr?.pid ?? 0} Comm: ${curr?.comm ?? 'swapper'} Not tainted ${this.config.release} #1 PREEMPT(${this.tunables.preempt})`, { forceConsole: true });
    this.printk(0, 'Hardware name: kernsim virtual machine, BIOS 1.0 01/01/2026', { forceConsole: true });
    for (const l of ['Call Trace:', ' <TASK>', ' dump_stack_lvl+0x5d/0x80', ' panic+0x118/0x340', ' </TASK>', 'Kernel Offset: disabled']) this.printk(0, l, { forceConsole: true });
    this.printk(0, `---[ end Kernel panic - not syncing: ${msg} ]---`, { forceConsole: true });
    this.halted = 'panic';
    this.panicText = msg;
    this.engine.halted = true;
    this.event({ kind: 'panic', text: msg });
  }

  /** kernel_restart(): the machine stops; whoever runs it boots a new one from the same scenario. */
  reboot(): void {
    if (this.halted !== null) return;
    this.printk(0, 'reboot: Restarting system', { forceConsole: true });
    this.halted = 'reboot';
    this.engine.halted = true;
    this.event({ kind: 'reboot' });
  }

  /** kernel_power_off(): the simulation ends. */
  powerOff(): void {
    if (this.halted !== null) return;
    this.printk(5, 'reboot: Power down', { forceConsole: true });
    this.halted = 'poweroff';
    this.engine.halted = true;
    this.event({ kind: 'power_off' });
  }

  /* ------------------------------------------------------------ memory (mm/) */

  forkMm(parent: Task, child: Task, thread: boolean): string | null {
    return this.mm.fork(parent, child, thread);
  }

  exitMm(p: Task): void {
    this.mm.exit(p);
  }

  /** A memory call from a program; returns false if the task blocked. */
  memSyscall(rq: Rq, p: Task, call: MemCall): boolean {
    return this.mm.syscall(rq, p, call);
  }

  runShell(line: string, p: Task | null): UserResult {
    if (this.shellHook === null) return { ok: false, errno: 'ENOSYS', text: 'no shell' };
    return this.shellHook(line, p);
  }
}
