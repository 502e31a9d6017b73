/**
 * SMP load balancing of fair tasks (kernel/sched/fair.c: sched_balance_rq & co.) over one scheduling domain
 * spanning all CPUs (an MC/LLC level: groups of one CPU, cache_nice_tries 1, imbalance_pct 117, busy_factor
 * 16). Periodic balancing from the tick with a per-CPU interval that grows when balanced, newidle balancing
 * when a CPU is about to idle, NOHZ idle balancing kicked by busy CPUs for tickless idle ones, and active
 * balancing through migration/N for a running task that must move. Load is the runnable weight (cfs load);
 * the kernel uses PELT averages of it.
 * Shaped so that more levels (LLC, NUMA) are a list of SchedDomain objects walked bottom-up.
 */
import { EventPrio } from '../core/engine.js';
import { POW2 } from '../core/time.js';
import type { Kernel } from '../kernel.js';
import { SCHED_IDLE, type Task } from '../task/task.js';
import { activateTask, deactivateTask, setTaskCpu, wakeupPreempt } from './core.js';
import type { Rq } from './rq.js';

export type IdleType = 'idle' | 'not_idle' | 'newly_idle';

export interface SchedDomain {
  readonly name: string;
  readonly span: readonly number[];
  readonly minIntervalMs: number;
  readonly maxIntervalMs: number;
  readonly busyFactor: number;
  readonly imbalancePct: number;
  readonly cacheNiceTries: number;
}

const MAX_PINNED_INTERVAL_MS = 512;

/** enum cpu_idle_type as 6.10+ numbers it (the order of /proc/schedstat's columns since version 16). */
const IDLE_INDEX: Readonly<Record<IdleType, number>> = { not_idle: 0, idle: 1, newly_idle: 2 };

/**
 * The schedstat counters of one CPU's sched_domain (struct sched_domain under CONFIG_SCHEDSTATS), as
 * /proc/schedstat prints them; the lb_* ones by idle type (IDLE_INDEX). sbe_*, sbf_* and ttwu_move_balance
 * are still printed by the kernel but nothing counts them any more: they are not kept here.
 */
export class SdStats {
  readonly lbCount = [0, 0, 0];
  readonly lbBalanced = [0, 0, 0];
  readonly lbFailed = [0, 0, 0];
  readonly lbImbalanceLoad = [0, 0, 0];
  readonly lbImbalanceUtil = [0, 0, 0];
  readonly lbImbalanceTask = [0, 0, 0];
  readonly lbImbalanceMisfit = [0, 0, 0];
  readonly lbGained = [0, 0, 0];
  readonly lbHotGained = [0, 0, 0];
  readonly lbNobusyq = [0, 0, 0];
  readonly lbNobusyg = [0, 0, 0];
  albCount = 0;
  albFailed = 0;
  albPushed = 0;
  ttwuWakeRemote = 0;
  ttwuMoveAffine = 0;
}

function bump(a: number[], i: number, by = 1): void {
  a[i] = (a[i] as number) + by;
}

export class Balancer {
  readonly domain: SchedDomain;
  /** nohz.next_balance: when a busy CPU should next kick idle balancing. */
  private nohzNextBalanceNs = -0;
  private nohzKickPending = false;
  /** Each CPU's domain counters (/proc/schedstat). */
  readonly sdStats: SdStats[];
  /** Totals for tests. */
  nrBalances = 0;
  nrMigrations = 0;
  nrActiveBalances = 0;

  constructor(private readonly k: Kernel) {
    this.nohzNextBalanceNs = 0; // declared -0: time.ts, zeroTimeFields
    const n = k.nrCpus;
    this.domain = {
      name: 'MC',
      span: Array.from({ length: n }, (_, i) => i),
      minIntervalMs: n,
      maxIntervalMs: 2 * n,
      busyFactor: 16,
      imbalancePct: 117,
      cacheNiceTries: 1,
    };
    for (const rq of k.rqs) rq.balanceIntervalMs = this.domain.minIntervalMs;
    this.sdStats = k.rqs.map(() => new SdStats());
  }

  /** get_sd_balance_interval(), in ns on the jiffies grid. */
  intervalNs(rq: Rq, busy: boolean): number {
    const hz = this.k.config.hz;
    let ms = rq.balanceIntervalMs;
    if (busy) ms *= this.domain.busyFactor;
    let jiffies = Math.ceil((ms * hz) / 1000);
    if (busy) jiffies -= 1;
    jiffies = Math.max(1, Math.min(jiffies, Math.floor(hz / 10)));
    return jiffies * this.k.tickNs;
  }

  private isBusy(rq: Rq): boolean {
    return !rq.isIdle && !(rq.nrRunning > 0 && rq.nrRunning === rq.cfsNrIdle);
  }

  /** Called from every tick of a busy CPU: periodic balance when due, and the NOHZ idle-balance kick. */
  tick(rq: Rq): void {
    if (this.k.nrCpus === 1) return;
    if (this.k.now >= rq.nextBalanceNs) this.rebalanceDomains(rq, this.isBusy(rq) ? 'not_idle' : 'idle');
    this.nohzBalancerKick(rq);
  }

  /** sched_balance_domains() for one CPU. */
  private rebalanceDomains(rq: Rq, idle: IdleType): void {
    let busy = idle === 'not_idle';
    const moved = this.loadBalance(rq, idle);
    if (moved > 0) busy = this.isBusy(rq);
    rq.nextBalanceNs = this.k.now + this.intervalNs(rq, busy);
  }

  /** nohz_balancer_kick(): a busy CPU with queued work asks an idle CPU to balance for the idle ones. */
  private nohzBalancerKick(rq: Rq): void {
    if (this.nohzKickPending || this.k.now < this.nohzNextBalanceNs || rq.nrRunning < 2 || this.k.nrIdleCpus === 0) return;
    this.nohzKickPending = true;
    // kick_ilb(): a function-call IPI to the first idle CPU (find_new_ilb), which balances for them all.
    const ilb = this.k.rqs.find((r) => r.online && r.isIdle);
    if (ilb !== undefined) ilb.irqCallCount++;
    this.k.engine.at(0, EventPrio.Urgent, 'nohz_balance', () => {
      this.nohzKickPending = false;
      this.nohzIdleBalance();
    });
  }

  /** _nohz_idle_balance(): run the periodic balance of every tickless idle CPU that is due. */
  private nohzIdleBalance(): void {
    let next = Number.MAX_SAFE_INTEGER;
    for (const r of this.k.rqs) {
      if (!r.online || !r.isIdle) continue;
      if (this.k.now >= r.nextBalanceNs) this.k.onCpu(r.cpu, () => this.rebalanceDomains(r, 'idle'));
      if (r.isIdle) next = Math.min(next, r.nextBalanceNs);
    }
    this.nohzNextBalanceNs = next === Number.MAX_SAFE_INTEGER ? this.k.now + this.k.tickNs : next;
  }

  /**
   * sched_balance_newidle(): rq is about to go idle; pull at once if some CPU is overloaded. Returns the
   * number of tasks pulled.
   */
  newidle(rq: Rq): number {
    if (this.k.nrCpus === 1 || !rq.online) return 0;
    let overloaded = false;
    for (const r of this.k.rqs) {
      if (r !== rq && r.nrRunning >= 2) {
        overloaded = true;
        break;
      }
    }
    if (!overloaded) return 0;
    return this.loadBalance(rq, 'newly_idle');
  }

  /** Per-CPU load as the balancer sees it: runnable fair weight, plus a large weight per RT/DL/stop task. */
  private cpuLoad(rq: Rq): number {
    return rq.cfs.loadWeight;
  }

  /**
   * sched_balance_rq(): find the busiest CPU, compute the imbalance, detach and attach tasks. Returns the
   * number moved. Escalates to active balance after repeated failures.
   */
  loadBalance(dst: Rq, idle: IdleType): number {
    this.nrBalances++;
    const d = this.domain;
    const st = this.sdStats[dst.cpu] as SdStats;
    const ix = IDLE_INDEX[idle];
    bump(st.lbCount, ix);
    const local = { nr: dst.cfs.hNrRunnable, load: this.cpuLoad(dst), idle: dst.isIdle && dst.nrRunning === 0 };
    // find_busiest_queue(): the CPU with the largest load among those with more than one runnable task,
    // or (for an idle dst) the one with the most runnable tasks.
    let busiest: Rq | null = null;
    let busiestLoad = -1;
    let busiestNr = 0;
    let totalLoad = 0;
    let nrCpus = 0;
    for (const r of this.k.rqs) {
      if (!r.online) continue;
      nrCpus++;
      const load = this.cpuLoad(r);
      totalLoad += load;
      if (r === dst) continue;
      const nr = r.cfs.hNrRunnable;
      if (nr < 1) continue;
      if (r.nrRunning < 2) continue; // nothing to take without leaving it idle
      const key = local.idle ? nr * 1e9 + load : load;
      const best = local.idle ? busiestNr * 1e9 + busiestLoad : busiestLoad;
      if (busiest === null || key > best) {
        busiest = r;
        busiestLoad = load;
        busiestNr = nr;
      }
    }
    if (busiest === null) return this.noBusiestGroup(dst, idle);

    let mode: 'task' | 'load';
    let imbalance: number;
    if (local.idle || local.nr === 0) {
      // migrate_task: the local CPU has spare capacity; even out the number of tasks.
      mode = 'task';
      imbalance = Math.max(1, Math.floor((busiestNr - local.nr) / 2));
    } else {
      // migrate_load: both busy; move weight if busiest exceeds local by more than imbalance_pct.
      if (busiestLoad * 100 <= local.load * d.imbalancePct) return this.noBusiestGroup(dst, idle);
      const avg = Math.floor(totalLoad / nrCpus);
      imbalance = Math.min(busiestLoad - avg, avg - local.load);
      if (imbalance <= 0) return this.noBusiestGroup(dst, idle);
      mode = 'load';
    }

    bump(mode === 'load' ? st.lbImbalanceLoad : st.lbImbalanceTask, ix, imbalance);
    const moved = this.detachAttach(busiest, dst, mode, imbalance, idle);
    bump(st.lbGained, ix, moved);
    if (moved === 0) bump(st.lbFailed, ix);
    if (moved > 0) {
      dst.nrBalanceFailed = 0;
      dst.balanceIntervalMs = d.minIntervalMs;
      return moved;
    }
    if (idle !== 'newly_idle') {
      dst.nrBalanceFailed++;
      if (dst.nrBalanceFailed > d.cacheNiceTries + 2 && this.activeBalance(busiest, dst)) {
        dst.nrBalanceFailed = d.cacheNiceTries + 1;
        dst.balanceIntervalMs = d.minIntervalMs;
        return 0;
      }
      if (dst.balanceIntervalMs < d.maxIntervalMs || (this.allPinned && dst.balanceIntervalMs < MAX_PINNED_INTERVAL_MS)) {
        dst.balanceIntervalMs *= 2;
      }
    }
    return 0;
  }

  private allPinned = false;

  /**
   * find_busiest_group() found nothing to take (with groups of one CPU, it decides what
   * find_busiest_queue() would): lb_nobusyg, then out_balanced.
   */
  private noBusiestGroup(dst: Rq, idle: IdleType): number {
    bump((this.sdStats[dst.cpu] as SdStats).lbNobusyg, IDLE_INDEX[idle]);
    return this.balanced(dst, idle);
  }

  private balanced(dst: Rq, idle: IdleType): number {
    bump((this.sdStats[dst.cpu] as SdStats).lbBalanced, IDLE_INDEX[idle]);
    dst.nrBalanceFailed = 0;
    if (idle !== 'newly_idle' && dst.balanceIntervalMs < this.domain.maxIntervalMs) dst.balanceIntervalMs *= 2;
    return 0;
  }

  /** task_hot(): ran within migration_cost on its CPU (SCHED_IDLE tasks are never hot). */
  taskHot(p: Task, src: Rq): boolean {
    if (p.policy === SCHED_IDLE) return false;
    const cost = this.k.tunables.migrationCostNs;
    if (cost === 0) return false;
    if (cost < 0) return true;
    return this.k.now - p.se.execStartNs < cost;
    void src;
  }

  /** can_migrate_task(). */
  private canMigrate(p: Task, src: Rq, dst: Rq, failed: number, active: boolean, idle: IdleType = 'not_idle'): boolean {
    if (!p.cpusAllowed.has(dst.cpu)) {
      p.stats.nrFailedMigrationsAffine++;
      return false;
    }
    this.allPinned = false;
    if (src.curr === p) {
      p.stats.nrFailedMigrationsRunning++;
      return false;
    }
    if (p.isKthread && p.cpusAllowed.weight === 1) return false;
    if (p.se.schedDelayed) return false;
    if (active) return true;
    const hot = this.taskHot(p, src);
    if (!hot || failed > this.domain.cacheNiceTries) {
      if (hot) {
        p.stats.nrForcedMigrations++;
        bump((this.sdStats[dst.cpu] as SdStats).lbHotGained, IDLE_INDEX[idle]);
      }
      return true;
    }
    p.stats.nrFailedMigrationsHot++;
    return false;
  }

  /** detach_tasks() + attach_tasks(): walk src's fair tasks from the least urgent end. */
  private detachAttach(src: Rq, dst: Rq, mode: 'task' | 'load', imbalance: number, idle: IdleType): number {
    const candidates: Task[] = [];
    let se = src.cfs.tree.last();
    let loops = 0;
    const loopMax = Math.min(src.nrRunning, this.k.tunables.nrMigrate);
    this.allPinned = true;
    while (se !== null && loops < loopMax) {
      loops++;
      const p = se.task;
      se = prevEntity(se);
      if (!this.canMigrate(p, src, dst, dst.nrBalanceFailed, false, idle)) continue;
      if (mode === 'load') {
        const load = p.se.load.weight;
        // Skip a task too heavy to move without overshooting (shr_bound by failures).
        if (Math.floor(load / (POW2[Math.min(dst.nrBalanceFailed, 30)] as number)) > imbalance) continue;
        imbalance -= load;
      } else {
        imbalance -= 1;
      }
      candidates.push(p);
      if (imbalance <= 0) break;
      // A newly idle CPU takes a single task: it will idle-balance again if it needs more.
      if (idle === 'newly_idle') break;
    }
    for (const p of candidates) this.moveTask(src, dst, p);
    return candidates.length;
  }

  private moveTask(src: Rq, dst: Rq, p: Task): void {
    deactivateTask(this.k, src, p, 0);
    setTaskCpu(this.k, p, dst.cpu);
    activateTask(this.k, dst, p, 0);
    wakeupPreempt(this.k, dst, p, 0);
    this.nrMigrations++;
  }

  /**
   * Active balance: ask src's stopper (migration/N) to push a task that could not be pulled (typically the
   * running one) to dst. Returns whether the stop work was queued.
   */
  private activeBalance(src: Rq, dst: Rq): boolean {
    if (src.activeBalance || src.nrRunning < 2) return false;
    const curr = src.curr;
    if (curr.schedClass !== this.k.classes.fair || !curr.cpusAllowed.has(dst.cpu)) return false;
    src.activeBalance = true;
    this.nrActiveBalances++;
    this.k.stopOneCpu(src.cpu, () => {
      src.activeBalance = false;
      // active_load_balance_cpu_stop(): the stopper runs, so every fair task of src is queued now. Its
      // counters are the target's domain's.
      if (!dst.online) return;
      const st = this.sdStats[dst.cpu] as SdStats;
      st.albCount++;
      let se = src.cfs.tree.last();
      while (se !== null) {
        const p = se.task;
        se = prevEntity(se);
        if (this.canMigrate(p, src, dst, 0, true)) {
          this.moveTask(src, dst, p);
          st.albPushed++;
          return;
        }
      }
      st.albFailed++;
    });
    return true;
  }
}

/** In-order predecessor in the fair tree. */
function prevEntity<N extends { rbLeft: N | null; rbRight: N | null; rbParent: N | null }>(n: N): N | null {
  if (n.rbLeft !== null) {
    let c = n.rbLeft;
    while (c.rbRight !== null) c = c.rbRight;
    return c;
  }
  let c = n;
  let p = n.rbParent;
  while (p !== null && c === p.rbLeft) {
    c = p;
    p = p.rbParent;
  }
  return p;
}
