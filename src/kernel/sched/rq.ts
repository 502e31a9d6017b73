/**
 * struct rq: one per CPU, with one sub-runqueue per class (N CPUs => 5N queues: stop is the rq's stop task,
 * dl_rq, rt_rq, cfs_rq, and the idle task). Also the per-CPU accounting /proc/stat and the JSON report need.
 * Invariant: nrRunning == stop runnable + dl + rt + cfs.nrQueued (fair counts delayed entities, as
 * h_nr_queued does in 6.12+).
 */
import type { Timer } from '../core/engine.js';
import type { DlEntity, Task } from '../task/task.js';
import { DlRq } from './dl/dl-rq.js';
import { CfsRq, type FairMode } from './fair/cfs-rq.js';
import { RtRq } from './rt/rt-rq.js';
import { PsiGroupCpu } from './psi.js';
import { zeroTimeFields } from '../core/time.js';

/** /proc/stat columns, accumulated in ns. */
export class CpuStat {
  user = -0;
  nice = -0;
  system = -0;
  idle = -0;
  iowait = -0;
  irq = -0;
  softirq = -0;
  constructor() {
    zeroTimeFields(this, ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq']);
  }
}

export class Rq {
  curr: Task;
  readonly idle: Task;
  /** The stop-class task of this CPU (migration/N); set once the kthread exists. */
  stop: Task | null = null;
  /** Set by stop_one_cpu(): the stopper has work. */
  stopWork: (() => void)[] = [];
  /** queue_balance_callback(): run right after the current scheduling decision (Kernel.balanceCallback). */
  balanceCallbacks: (() => void)[] = [];
  /** The list the next round fills while this one runs (two lists, swapped: no array per round). */
  spareBalanceCallbacks: (() => void)[] = [];

  nrRunning = 0;
  /** Queued SCHED_IDLE-policy fair tasks (cfs h_nr_idle), for sched_idle_cpu(). */
  cfsNrIdle = 0;
  nrSwitches = 0;
  /** May go negative on one CPU, as in the kernel; only the sum over CPUs is meaningful. */
  nrUninterruptible = 0;
  nrIowait = 0;
  /**
   * Pressure stall state of this CPU (psi_system's psi_group_cpu): the state mask, the tasks of this CPU in a
   * memory stall (NR_MEMSTALL: runnable, or asleep on a refault here) and the runnable ones among them
   * (NR_MEMSTALL_RUNNING), and the times.
   */
  psiMask = 0;
  psiNrMemstall = 0;
  psiNrMemstallRunning = 0;
  readonly psi = new PsiGroupCpu();
  needResched = false;
  /** TIF_NEED_RESCHED_LAZY (PREEMPT_LAZY): honoured at the next tick or return to user. */
  needReschedLazy = false;
  online = true;

  /** The 6.12+ fair server of this CPU (a dl_server), when that RT starvation model is on. */
  fairServer: DlEntity | null = null;
  /** dl_server_active: fair work exists, so the server is tracking its budget. */
  serverActive = false;
  /** The running fair task runs on behalf of the server (picked through the DL class). */
  serverRunning = false;

  readonly cfs: CfsRq;
  readonly rt: RtRq;
  readonly dl: DlRq;

  // The per-CPU timers, created on first use and re-armed from then on (see Engine.start).
  /** Periodic tick; not armed while the CPU is idle (NO_HZ_IDLE). */
  tickTimer: Timer | null = null;
  /** Completion of curr's CPU burst. */
  burstTimer: Timer | null = null;
  /** The task whose burst burstTimer ends (curr when it was armed). */
  burstTask: Task | null = null;
  /** Armed while a reschedule IPI is in flight. */
  ipiTimer: Timer | null = null;
  /** Armed at the next voluntary-preemption point of curr's kernel burst. */
  condReschedTimer: Timer | null = null;
  /** Armed (for now) while balance callbacks are queued. */
  balanceTimer: Timer | null = null;

  /** Load balancing state (per CPU, single domain level). */
  nextBalanceNs = -0;
  balanceIntervalMs = 1;
  nrBalanceFailed = 0;
  /** avg_idle and the time the CPU went idle (idle_stamp). */
  avgIdleNs: number;
  idleStampNs = -0;
  /** Active balance in progress (push of the running task by migration/N). */
  activeBalance = false;

  /** Accounting up to accountedNs. busyNsByClass index = class rank (stop, dl, rt, fair, idle). */
  accountedNs = -0;
  readonly busyNsByClass = [0, 0, 0, 0, 0];
  readonly cpustat = new CpuStat();
  /**
   * irq_stat (arch/x86): local APIC timer interrupts (the tick and every hrtimer that expires here: a sleep's
   * wakeup), rescheduling IPIs and function-call IPIs received; and completions on this CPU's virtio-blk request
   * queue, whose MSI-X vector is affine to it. /proc/interrupts and /proc/stat's intr line.
   */
  apicTimerIrqs = 0;
  irqReschedCount = 0;
  irqCallCount = 0;
  blkIrqs = 0;
  /** schedstats of the rq (sched_debug). */
  ttwuCount = 0;
  ttwuLocal = 0;
  yldCount = 0;
  schedCount = 0;
  schedGoidle = 0;
  /** rq_sched_info: the run delay of every task that waited here, and how many times a task arrived. */
  rqRunDelayNs = 0;
  rqPcount = 0;
  /** rq_cpu_time: what the tasks (not idle) ran here, added as each one leaves the CPU. */
  rqCpuTimeNs = 0;
  /** Time the last switch happened (for the timeline). */
  lastSwitchNs = -0;

  constructor(
    readonly cpu: number,
    idle: Task,
    fairMode: FairMode,
    migrationCostNs: number,
  ) {
    this.idle = idle;
    this.curr = idle;
    this.cfs = new CfsRq(fairMode);
    this.rt = new RtRq();
    this.dl = new DlRq();
    this.avgIdleNs = 2 * migrationCostNs;
    zeroTimeFields(this, ['nextBalanceNs', 'idleStampNs', 'accountedNs', 'lastSwitchNs']);
  }

  get isIdle(): boolean {
    return this.curr === this.idle;
  }
}
