/**
 * The task model, after struct task_struct (include/linux/sched.h): identity, scheduling attributes, one
 * scheduling entity per class (se for fair, rt, dl), state bits, and the statistics /proc and the JSON report.
 * A task is created only by fork.ts (or boot) and freed by exit.ts when reaped.
 */
import type { RbNode } from '../../lib/rbtree.js';
import type { Timer } from '../core/engine.js';
import type { LoadWeight } from '../sched/fair/weights.js';
import type { SchedClass } from '../sched/sched-class.js';
import type { CpuMask } from '../sched/topology.js';
import type { UserAction, UserProgram, UserResult } from './user.js';
import { defineRowFields, SE_ROW_FIELDS, TASK_ROW_FIELDS, type TaskRows } from './rows.js';

/** Scheduling policies, as numbered by the uAPI (include/uapi/linux/sched.h). */
export const SCHED_NORMAL = 0;
export const SCHED_FIFO = 1;
export const SCHED_RR = 2;
export const SCHED_BATCH = 3;
export const SCHED_IDLE = 5;
export const SCHED_DEADLINE = 6;

export type PolicyName = 'normal' | 'fifo' | 'rr' | 'batch' | 'idle' | 'deadline';

export const POLICY_BY_NAME: Readonly<Record<PolicyName, number>> = {
  normal: SCHED_NORMAL,
  fifo: SCHED_FIFO,
  rr: SCHED_RR,
  batch: SCHED_BATCH,
  idle: SCHED_IDLE,
  deadline: SCHED_DEADLINE,
};

export function policyName(policy: number): PolicyName {
  switch (policy) {
    case SCHED_FIFO:
      return 'fifo';
    case SCHED_RR:
      return 'rr';
    case SCHED_BATCH:
      return 'batch';
    case SCHED_IDLE:
      return 'idle';
    case SCHED_DEADLINE:
      return 'deadline';
    default:
      return 'normal';
  }
}

/** The kernel's SCHED_* spelling, as chrt prints it. */
export function policyKernelName(policy: number): string {
  return ['SCHED_OTHER', 'SCHED_FIFO', 'SCHED_RR', 'SCHED_BATCH', 'SCHED_ISO', 'SCHED_IDLE', 'SCHED_DEADLINE'][policy] ?? 'SCHED_OTHER';
}

export const MAX_RT_PRIO = 100;
export const MAX_PRIO = 140;
export const DEFAULT_PRIO = 120;
/** Bits of SchedEntity.seFlags. */
const SE_CUSTOM_SLICE = 1;
const SE_REL_DEADLINE = 2;
const SE_SCHED_DELAYED = 4;
/** Bits of Task.bits. */
const T_CONTRIBUTES_TO_LOAD = 1;
const T_IN_IOWAIT = 2;
const T_WAITING_FOR_CHILD = 4;
const T_DEBUG = 8;
const T_IN_MEMSTALL = 16;
const T_MEMSTALL_SLEEP = 32;

/** flags with mask set (on) or cleared. */
function withBit(flags: number, mask: number, on: boolean): number {
  return on ? flags | mask : flags & ~mask;
}

/**
 * The CPU-time pairs of a task that has not run yet: shared, and never written (addCpuTime() replaces it with
 * a new array on the first charge), so that a task costs no array until it runs.
 */
const NO_CPU_TIME: number[] = [];

/** Task state bits (p->__state) and exit states (p->exit_state). */
export const TASK_RUNNING = 0x0;
export const TASK_INTERRUPTIBLE = 0x1;
export const TASK_UNINTERRUPTIBLE = 0x2;
export const TASK_STOPPED = 0x4;
export const TASK_TRACED = 0x8;
export const EXIT_DEAD = 0x10;
export const EXIT_ZOMBIE = 0x20;
export const TASK_PARKED = 0x40;
export const TASK_DEAD = 0x80;
export const TASK_WAKEKILL = 0x100;
export const TASK_NOLOAD = 0x400;
export const TASK_NEW = 0x800;
export const TASK_IDLE = TASK_UNINTERRUPTIBLE | TASK_NOLOAD;
export const TASK_NORMAL = TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE;

/** Task flags (p->flags). */
export const PF_IDLE = 0x00000002;
export const PF_EXITING = 0x00000004;
export const PF_KTHREAD = 0x00200000;
export const PF_NO_SETAFFINITY = 0x04000000;

export type StateLetter = 'R' | 'S' | 'D' | 'T' | 't' | 'X' | 'Z' | 'P' | 'I';

/**
 * Per-task schedstats (struct sched_statistics), the fields /proc/PID/sched prints. The ones the simulation
 * does not model (slice_max, nr_wakeups_sync/affine, nr_migrations_cold) are not stored: they print as 0.
 */
export interface SchedStats {
  waitMaxNs: number;
  waitSumNs: number;
  waitCount: number;
  sleepStartNs: number;
  blockStartNs: number;
  sumSleepRuntimeNs: number;
  sumBlockRuntimeNs: number;
  sleepMaxNs: number;
  blockMaxNs: number;
  execMaxNs: number;
  iowaitSumNs: number;
  iowaitCount: number;
  nrFailedMigrationsAffine: number;
  nrFailedMigrationsRunning: number;
  nrFailedMigrationsHot: number;
  nrForcedMigrations: number;
  readonly nrWakeups: number;
  nrWakeupsMigrate: number;
  nrWakeupsLocal: number;
  nrWakeupsRemote: number;
  nrWakeupsIdle: number;
}

/** memset(&p->stats, 0): what a write to /proc/PID/sched does (proc_sched_set_task()). */
export function resetSchedStats(s: SchedStats & { nrWakeupsLocal: number; nrWakeupsRemote: number }): void {
  s.waitMaxNs = 0;
  s.waitSumNs = 0;
  s.waitCount = 0;
  s.sleepStartNs = 0;
  s.blockStartNs = 0;
  s.sumSleepRuntimeNs = 0;
  s.sumBlockRuntimeNs = 0;
  s.sleepMaxNs = 0;
  s.blockMaxNs = 0;
  s.execMaxNs = 0;
  s.iowaitSumNs = 0;
  s.iowaitCount = 0;
  s.nrFailedMigrationsAffine = 0;
  s.nrFailedMigrationsRunning = 0;
  s.nrFailedMigrationsHot = 0;
  s.nrForcedMigrations = 0;
  s.nrWakeupsMigrate = 0;
  s.nrWakeupsLocal = 0;
  s.nrWakeupsRemote = 0;
  s.nrWakeupsIdle = 0;
}

/**
 * Fair scheduling entity (struct sched_entity); also the fair tree's node. The schedstats are part of it, as
 * se.statistics was in Linux before 5.19, rather than an object of their own (32 B a task). The fields in
 * nanoseconds (`declare`d here) live in the task's row (rows.ts): the tree keys share a cache line there, and
 * the tree links stay first in the object, so a tree walk touches two lines per node it passes.
 */
export class SchedEntity implements RbNode<SchedEntity>, SchedStats {
  rbParent: SchedEntity | null = null;
  rbLeft: SchedEntity | null = null;
  rbRight: SchedEntity | null = null;
  rbRed = false;
  rbOnTree = false;
  /** The row holding this entity's nanosecond fields (rows.ts), shared with its task. */
  buf!: Float64Array;
  off = 0;
  /** Augmented subtree minimum of vruntime and of slice (EEVDF). */
  declare minVruntime: number;
  minSlice = 0;
  declare vruntime: number;
  declare deadline: number;
  sliceNs: number;

  /** Shared per nice level (weights.ts): replaced, never written through. */
  load: LoadWeight;
  /** On a cfs_rq (queued or curr), including delayed. */
  onRq = false;
  /** Saved lag V - v in virtual ns (EEVDF), clamped at dequeue. */
  declare vlag: number;
  /** Slice protection limit (vprot, 6.16+). */
  declare vprot: number;
  /** custom_slice, rel_deadline and sched_delayed: one bit each (SE_*), one field for the three. */
  private seFlags = 0;
  declare execStartNs: number;
  declare prevSumExecRuntimeNs: number;
  nrMigrations = 0;

  /* The schedstats (SchedStats). */
  declare waitMaxNs: number;
  declare waitSumNs: number;
  waitCount = 0;
  declare sleepStartNs: number;
  declare blockStartNs: number;
  declare sumSleepRuntimeNs: number;
  declare sumBlockRuntimeNs: number;
  declare sleepMaxNs: number;
  declare blockMaxNs: number;
  declare execMaxNs: number;
  declare iowaitSumNs: number;
  iowaitCount = 0;
  nrFailedMigrationsAffine = 0;
  nrFailedMigrationsRunning = 0;
  nrFailedMigrationsHot = 0;
  nrForcedMigrations = 0;
  nrWakeupsMigrate = 0;
  nrWakeupsLocal = 0;
  nrWakeupsRemote = 0;
  nrWakeupsIdle = 0;

  constructor(
    readonly task: Task,
    load: LoadWeight,
    sliceNs: number,
    rows: TaskRows,
  ) {
    this.load = load;
    this.sliceNs = sliceNs;
    rows.place(this);
  }

  /** Every wakeup is counted as local or remote (ttwu_stat()), so their sum is nr_wakeups. */
  get nrWakeups(): number {
    return this.nrWakeupsLocal + this.nrWakeupsRemote;
  }

  /** The slice was set by sched_setattr() (sched_attr.sched_runtime), not the default. */
  get customSlice(): boolean {
    return (this.seFlags & SE_CUSTOM_SLICE) !== 0;
  }
  set customSlice(v: boolean) {
    this.seFlags = withBit(this.seFlags, SE_CUSTOM_SLICE, v);
  }
  /** rel_deadline: the deadline is kept relative to vruntime while off a queue (PLACE_REL_DEADLINE). */
  get relDeadline(): boolean {
    return (this.seFlags & SE_REL_DEADLINE) !== 0;
  }
  set relDeadline(v: boolean) {
    this.seFlags = withBit(this.seFlags, SE_REL_DEADLINE, v);
  }
  /** DELAY_DEQUEUE: still queued after going to sleep while not eligible. */
  get schedDelayed(): boolean {
    return (this.seFlags & SE_SCHED_DELAYED) !== 0;
  }
  set schedDelayed(v: boolean) {
    this.seFlags = withBit(this.seFlags, SE_SCHED_DELAYED, v);
  }
}

/** RT scheduling entity (struct sched_rt_entity): a node in one of 100 per-priority lists. */
export class RtEntity {
  prev: RtEntity | null = null;
  next: RtEntity | null = null;
  onList = false;
  /** RR timeslice left, in ticks. */
  timeSliceTicks = 0;
  constructor(readonly task: Task) {}
}

/** Deadline scheduling entity (struct sched_dl_entity): also a node of the dl_rq's EDF tree. */
export class DlEntity implements RbNode<DlEntity> {
  rbParent: DlEntity | null = null;
  rbLeft: DlEntity | null = null;
  rbRight: DlEntity | null = null;
  rbRed = false;
  rbOnTree = false;
  dlRuntimeNs = 0;
  dlDeadlineNs = 0;
  dlPeriodNs = 0;
  dlBw = 0;
  dlDensity = 0;
  /** Remaining runtime in this instance (may go negative on overrun). */
  runtimeNs = 0;
  /** Absolute deadline of the current instance. */
  deadlineNs = 0;
  throttled = false;
  /** Throttled with work left in its job (a budget overrun). */
  overran = false;
  /** Waiting for the replenishment timer (dl_timer). */
  timer: Timer | null = null;
  /** Number of instances that ended after their absolute deadline (deadline misses). */
  nrMisses = 0;
  /** Largest overrun of runtime seen (ns past zero). */
  maxOverrunNs = 0;
  /** Admitted into the root domain's bandwidth. */
  admitted = false;
  /** Start of the current instance's period (for the overrun / miss bookkeeping). */
  periodStartNs = 0;
  /**
   * task is null for a per-CPU dl_server (the 6.12+ fair server), which has no task of its own: when
   * picked it runs the fair class's pick on its CPU.
   */
  constructor(
    readonly task: Task | null,
    readonly serverCpu = -1,
  ) {}
  /** Tie-break key for the EDF tree: the pid, or a negative id for servers. */
  get key(): number {
    return this.task !== null ? this.task.pid : -1 - this.serverCpu;
  }
}

/** What a task is doing on the CPU right now: a burst of CPU it still needs before its next step. */
export interface Burst {
  /**
   * CPU time still needed, and the whole (0 for a burst that runs until preempted or killed: those are flagged
   * forever, not Infinity, because one non-integer ever stored in the field makes V8 box it in every burst).
   */
  remainingNs: number;
  forever: boolean;
  kernel: boolean;
  /** The syscall or step this burst belongs to ("run", "fork", "touch", ...), for backtraces. */
  what: string;
  /** A memory stall section (psi_memstall_enter at its start, leave at its end). */
  memstall: boolean;
  /** Runs when the burst completes (the effect of a syscall); returns what the program gets back. */
  onDone: (() => UserResult) | null;
  totalNs: number;
}


export class Task {
  readonly pid: number;
  tgid: number;
  comm: string;
  parent: Task | null = null;
  /** Created at the first fork: most tasks never have children (a Set costs ~180 bytes). */
  children: Set<Task> | null = null;
  flags: number;

  policy = SCHED_NORMAL;
  staticPrio = DEFAULT_PRIO;
  prio = DEFAULT_PRIO;
  rtPriority = 0;
  schedClass!: SchedClass;

  cpusAllowed: CpuMask;
  /** task_cpu(p): the CPU it runs or last ran / is queued on. */
  cpu: number;
  /** Wake-up target CPU hint (p->wake_cpu). */
  wakeCpu: number;
  state = TASK_RUNNING;
  exitState = 0;
  /** p->on_rq: queued on a runqueue (1) or being migrated (2); 0 when blocked. */
  onRq = 0;
  /** p->on_cpu: it is some rq's curr. */
  onCpu = false;
  /** One-bit flags (T_*), as the kernel keeps them in bitfields: sched_contributes_to_load, in_iowait, ... */
  private bits = 0;

  readonly se: SchedEntity;
  /** The row of nanosecond fields, the same one as se's (rows.ts). */
  buf: Float64Array;
  off: number;
  /** The rt and dl entities are made at first use: most tasks never touch them (256 B each spared). */
  private rtEntity: RtEntity | null = null;
  private dlEntity: DlEntity | null = null;
  /** The task's schedstats, which live in its sched entity. */
  get stats(): SchedStats {
    return this.se;
  }

  declare sumExecRuntimeNs: number;
  /** Nanoseconds spent in kernel mode (the rest of sumExecRuntimeNs is user time). */
  declare systemTimeNs: number;
  nvcsw = 0;
  nivcsw = 0;
  /** sched_info: run delay (runnable but waiting) and when it was last queued. */
  declare runDelayNs: number;
  declare maxRunDelayNs: number;
  declare lastQueuedNs: number;
  pcount = 0;
  /**
   * CPU time per CPU id, as flat [cpu, ns, cpu, ns, ...] pairs in CPU order (for the JSON's cpuTimeByCpuNs): a
   * task runs on few CPUs, and a Map cost ~180 bytes per task. The time on the CPU charged last accumulates in
   * the row (cpuAccNs, for cpuAccCpu) beside sum_exec_runtime and goes into the pairs when the task is charged
   * on another CPU: every accounting touched the array, a cache miss of its own at 10 000 tasks.
   */
  private cpuTimeByCpu: number[] = NO_CPU_TIME;
  /** Index in cpuTimeByCpu of the pair charged last. */
  private cpuTimeHint = 0;
  /** The CPU whose time is in cpuAccNs, -1 for none. */
  private cpuAccCpu = -1;
  declare private cpuAccNs: number;
  declare startTimeNs: number;
  /** How the task ended, and errors: rare, so kept apart (null until one is set). */
  private end: TaskEnd | null = null;

  /** User-space program and its in-flight step. Null for kernel threads that only wait for work. */
  program: UserProgram | null = null;
  /** A system call in progress that runs as a sequence of kernel steps (page faults, reclaim, I/O). */
  syscall: Iterator<UserAction, UserResult, UserResult | undefined> | null = null;
  burst: Burst | null = null;
  /** Result to hand the program when it next runs. */
  pendingResult: UserResult | undefined = undefined;
  /** Wakeup timer of a timed sleep. */
  sleepTimer: Timer | null = null;
  /** Pending signals (bit per signal number). */
  sigPending = 0;
  /** Last action, for sysrq backtraces and the dashboard ("run", "sleep", "fork", ...). */
  lastOp: UserAction['op'] | 'none' = 'none';

  /** Opaque per-subsystem attachments (memory, files) set by their owners. */
  mm: unknown = null;
  kobjs: unknown = null;
  oomScoreAdj = 0;

  /** The task is reaped (or never born): it and its entity keep a private copy of their row, which rows reuses. */
  releaseRow(rows: TaskRows): void {
    rows.release([this, this.se]);
  }

  /** [cpu, ns] for every CPU the task ran on, in CPU order. */
  cpuTimes(): [number, number][] {
    this.flushCpuTime();
    const out: [number, number][] = [];
    for (let i = 0; i < this.cpuTimeByCpu.length; i += 2) out.push([this.cpuTimeByCpu[i] as number, this.cpuTimeByCpu[i + 1] as number]);
    return out;
  }

  /** Charge ns of CPU time on cpu. */
  addCpuTime(cpu: number, ns: number): void {
    if (cpu === this.cpuAccCpu) {
      this.cpuAccNs += ns;
      return;
    }
    this.flushCpuTime();
    this.cpuAccCpu = cpu;
    this.cpuAccNs = ns;
  }

  /** Move the accumulated time into its CPU's pair. */
  private flushCpuTime(): void {
    const cpu = this.cpuAccCpu;
    if (cpu < 0) return;
    const ns = this.cpuAccNs;
    this.cpuAccCpu = -1;
    this.cpuAccNs = 0;
    const a = this.cpuTimeByCpu;
    let i = this.cpuTimeHint;
    // A binary search of the pairs, which are kept in CPU order: a task that wakes wherever a CPU is idle on a
    // 64-CPU machine has run on most of them.
    if (a[i] !== cpu) {
      let lo = 0;
      let hi = a.length >> 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((a[mid << 1] as number) < cpu) lo = mid + 1;
        else hi = mid;
      }
      i = lo << 1;
      this.cpuTimeHint = i;
      if (a[i] !== cpu) {
        // A new CPU: grow to the exact size, in order.
        this.cpuTimeByCpu = [...a.slice(0, i), cpu, ns, ...a.slice(i)];
        return;
      }
    }
    a[i + 1] = (a[i + 1] as number) + ns;
  }

  constructor(init: {
    pid: number;
    tgid?: number;
    comm: string;
    flags: number;
    cpusAllowed: CpuMask;
    cpu: number;
    nowNs: number;
    load: LoadWeight;
    sliceNs: number;
    rows: TaskRows;
  }) {
    this.pid = init.pid;
    this.tgid = init.tgid ?? init.pid;
    this.comm = init.comm.slice(0, 15);
    this.flags = init.flags;
    this.cpusAllowed = init.cpusAllowed;
    this.cpu = init.cpu;
    this.wakeCpu = init.cpu;
    this.se = new SchedEntity(this, init.load, init.sliceNs, init.rows);
    this.buf = this.se.buf;
    this.off = this.se.off;
    this.startTimeNs = init.nowNs;
    this.lastQueuedNs = -1;
  }

  private get ended(): TaskEnd {
    return (this.end ??= new TaskEnd());
  }
  /** exit_code. */
  get exitCode(): number {
    return this.end?.code ?? 0;
  }
  set exitCode(v: number) {
    this.ended.code = v;
  }
  /** When the task exited (-1: not yet). */
  get exitTimeNs(): number {
    return this.end?.timeNs ?? -1;
  }
  set exitTimeNs(v: number) {
    this.ended.timeNs = v;
  }
  /** Why the task ended: "exit", "signal", "oom-kill", "enomem"... */
  get exitReason(): string | null {
    return this.end?.reason ?? null;
  }
  set exitReason(v: string | null) {
    this.ended.reason = v;
  }
  /** Error given when the task's creation or policy change was refused (EBUSY, EINVAL). */
  get error(): string | null {
    return this.end?.error ?? null;
  }
  set error(v: string | null) {
    this.ended.error = v;
  }
  /** What the program wrote to stderr. */
  get stderr(): string[] | null {
    return this.end?.stderr ?? null;
  }
  set stderr(v: string[] | null) {
    this.ended.stderr = v;
  }

  /** sched_contributes_to_load: a TASK_UNINTERRUPTIBLE sleep that counts toward the load average. */
  get contributesToLoad(): boolean {
    return (this.bits & T_CONTRIBUTES_TO_LOAD) !== 0;
  }
  set contributesToLoad(v: boolean) {
    this.bits = withBit(this.bits, T_CONTRIBUTES_TO_LOAD, v);
  }
  /** in_iowait: sleeping on I/O (iowait time on its CPU). */
  get inIowait(): boolean {
    return (this.bits & T_IN_IOWAIT) !== 0;
  }
  set inIowait(v: boolean) {
    this.bits = withBit(this.bits, T_IN_IOWAIT, v);
  }
  /** in_memstall: inside a psi_memstall_enter/leave section (direct reclaim, kswapd's balance_pgdat). */
  get inMemstall(): boolean {
    return (this.bits & T_IN_MEMSTALL) !== 0;
  }
  set inMemstall(v: boolean) {
    this.bits = withBit(this.bits, T_IN_MEMSTALL, v);
  }
  /** The memory stall is a sleep (a refault's read), which ends at the wakeup. */
  get memstallSleep(): boolean {
    return (this.bits & T_MEMSTALL_SLEEP) !== 0;
  }
  set memstallSleep(v: boolean) {
    this.bits = withBit(this.bits, T_MEMSTALL_SLEEP, v);
  }
  /** Waiting in wait4() for a child. */
  get waitingForChild(): boolean {
    return (this.bits & T_WAITING_FOR_CHILD) !== 0;
  }
  set waitingForChild(v: boolean) {
    this.bits = withBit(this.bits, T_WAITING_FOR_CHILD, v);
  }
  /** The scenario asked for this task's debug output. */
  get debug(): boolean {
    return (this.bits & T_DEBUG) !== 0;
  }
  set debug(v: boolean) {
    this.bits = withBit(this.bits, T_DEBUG, v);
  }

  /** task_nice(): PRIO_TO_NICE(static_prio); the nice value is not stored apart from static_prio. */
  get nice(): number {
    return this.staticPrio - DEFAULT_PRIO;
  }

  /** normal_prio(): the priority the policy gives, before any boost (computed, as the kernel does on change). */
  get normalPrio(): number {
    if (this.policy === SCHED_DEADLINE) return -1;
    if (this.policy === SCHED_FIFO || this.policy === SCHED_RR) return MAX_RT_PRIO - 1 - this.rtPriority;
    return this.staticPrio;
  }

  /** Every task runs as root: the simulated user is root (and uid 0 is what /proc and the OOM report show). */
  get uid(): number {
    return 0;
  }

  get rt(): RtEntity {
    return (this.rtEntity ??= new RtEntity(this));
  }

  get dl(): DlEntity {
    return (this.dlEntity ??= new DlEntity(this));
  }

  /** The class entities if the task ever needed them; readers that only look use these, not rt / dl. */
  get rtIfAny(): RtEntity | null {
    return this.rtEntity;
  }

  get dlIfAny(): DlEntity | null {
    return this.dlEntity;
  }

  get isKthread(): boolean {
    return (this.flags & PF_KTHREAD) !== 0;
  }

  get isIdleTask(): boolean {
    return (this.flags & PF_IDLE) !== 0;
  }

  get alive(): boolean {
    return this.exitState === 0;
  }
}

/** task_state_index() + task_index_to_char(): the one-letter state ps, top and /proc show. */
/** The rare end-of-life fields of a task, apart: every task carried these five (40 B) though few ever set one. */
class TaskEnd {
  code = 0;
  timeNs = -1;
  reason: string | null = null;
  error: string | null = null;
  stderr: string[] | null = null;
}

export function taskStateLetter(p: Task): StateLetter {
  if (p.exitState & EXIT_DEAD) return 'X';
  if (p.exitState & EXIT_ZOMBIE) return 'Z';
  const s = p.state;
  if (s === TASK_IDLE) return 'I';
  if (s & TASK_PARKED) return 'P';
  if (s & TASK_TRACED) return 't';
  if (s & TASK_STOPPED) return 'T';
  if (s & TASK_UNINTERRUPTIBLE) return 'D';
  if (s & TASK_INTERRUPTIBLE) return 'S';
  return 'R';
}

export const STATE_TEXT: Readonly<Record<StateLetter, string>> = {
  R: 'R (running)',
  S: 'S (sleeping)',
  D: 'D (disk sleep)',
  T: 'T (stopped)',
  t: 't (tracing stop)',
  X: 'X (dead)',
  Z: 'Z (zombie)',
  P: 'P (parked)',
  I: 'I (idle)',
};

export function isRtPolicy(policy: number): boolean {
  return policy === SCHED_FIFO || policy === SCHED_RR;
}

export function isFairPolicy(policy: number): boolean {
  return policy === SCHED_NORMAL || policy === SCHED_BATCH || policy === SCHED_IDLE;
}

defineRowFields(SchedEntity.prototype, SE_ROW_FIELDS, 0);
defineRowFields(Task.prototype, TASK_ROW_FIELDS, SE_ROW_FIELDS.length);
