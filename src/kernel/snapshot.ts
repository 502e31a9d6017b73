/**
 * A plain-data picture of the machine at one instant, for the dashboard (design.md: KernelSnapshot). Copies
 * only - no live kernel object leaves through here, and taking a snapshot never changes the kernel (no
 * update_curr, no buddy clearing), so a dashboard watching the machine cannot perturb what it watches.
 */
import type { PsiView } from './sched/psi.js';
import type { Kernel } from './kernel.js';
import { memCounters, type MemCounters } from './mm/meminfo.js';
import { oomBadness, oomScoreFromBadness, taskMm } from './mm/oom.js';
import { pickEevdf } from './sched/fair/eevdf.js';
import type { ClassName } from './sched/sched-class.js';
import { policyName, taskStateLetter, type PolicyName, type SchedEntity, type StateLetter, type Task } from './task/task.js';

export interface CpuSnapshot {
  cpu: number;
  currPid: number;
  currComm: string;
  currClass: ClassName;
  /** rq->nr_running and its split by class (fair counts delayed entities, as h_nr_queued). */
  nrRunning: number;
  nrDl: number;
  nrRt: number;
  nrFair: number;
  nrSwitches: number;
  /** Busy time by class rank (stop, dl, rt, fair, idle), ns since boot. */
  busyNsByClass: readonly number[];
  rtThrottled: boolean;
}

export interface TaskSnapshot {
  pid: number;
  ppid: number;
  comm: string;
  state: StateLetter;
  policy: PolicyName;
  cls: ClassName;
  /** Kernel prio (0..139, -1 for deadline), nice and rt_priority. */
  prio: number;
  nice: number;
  rtPriority: number;
  cpu: number;
  onCpu: boolean;
  kthread: boolean;
  cpuNs: number;
  vruntime: number;
  deadline: number;
  rssKb: number;
  oomScore: number;
  oomScoreAdj: number;
  nvcsw: number;
  nivcsw: number;
  runDelayNs: number;
  /** Largest single run delay, and the number of times the task was switched in (sched_info pcount). */
  maxRunDelayNs: number;
  pcount: number;
  startNs: number;
  lastOp: string;
}

export interface FairNode {
  pid: number;
  comm: string;
  red: boolean;
  /** Index of the children in FairRqSnapshot.nodes, -1 for none, -2 for a child cut off by the node limit. */
  left: number;
  right: number;
  vruntime: number;
  deadline: number;
  sliceNs: number;
  weight: number;
  /** EEVDF lag V - v in virtual ns, and whether v <= V. */
  lag: number;
  eligible: boolean;
  delayed: boolean;
}

export interface FairRqSnapshot {
  cpu: number;
  mode: 'eevdf' | 'cfs';
  nrQueued: number;
  loadWeight: number;
  minVruntime: number;
  avgVruntime: number;
  /** The tree in breadth-first order from the root (index 0), at most maxNodes nodes. */
  nodes: FairNode[];
  treeSize: number;
  /** Entities in key order (leftmost first), at most maxNodes. */
  ordered: FairNode[];
  curr: FairNode | null;
  leftmostPid: number | null;
  /** What pick_next_entity would choose now (EEVDF: earliest eligible deadline, curr's protection honoured). */
  nextPid: number | null;
  buddies: { next: number | null; last: number | null; skip: number | null };
}

export interface ZoneSnapshot {
  name: string;
  freePages: number;
  managedPages: number;
  min: number;
  low: number;
  high: number;
  /** Free blocks per order (buddyinfo). */
  nrFree: readonly number[];
}

export interface SlabSnapshot {
  name: string;
  objs: number;
  active: number;
  objSize: number;
  slabs: number;
  objPerSlab: number;
  pagesPerSlab: number;
  reclaimable: boolean;
}

export interface OomSnapshot {
  tNs: number;
  victimPid: number;
  victimComm: string;
  badnessPages: number;
  totalPages: number;
  trigger: string;
  candidates: { pid: number; comm: string; points: number; rssPages: number; oomScoreAdj: number }[];
}

export interface KernelSnapshot {
  /** 'trace': rebuilt from an imported trace, which carries no memory, tree or log state. */
  source?: 'sim' | 'trace';
  nowNs: number;
  hostname: string;
  release: string;
  nrCpus: number;
  hz: number;
  schedMode: 'eevdf' | 'cfs';
  preempt: string;
  halted: 'panic' | 'poweroff' | 'reboot' | null;
  panicText: string | null;
  loadavg: [number, number, number];
  lastPid: number;
  cpus: CpuSnapshot[];
  tasks: TaskSnapshot[];
  fair: FairRqSnapshot | null;
  mem: MemCounters;
  zones: ZoneSnapshot[];
  swapTotalPages: number;
  swapUsedPages: number;
  slabs: SlabSnapshot[];
  oomKills: OomSnapshot[];
  oomKillsTotal: number;
  /** Reclaim counters since boot (pages): what kswapd and direct reclaim freed, slab objects shrunk. */
  reclaim: { kswapdReclaimed: number; directReclaimed: number; kswapdScanned: number; directScanned: number; slabFreed: number; allocstall: number; swappedOut: number; swappedIn: number };
  /** Pressure stall averages (/proc/pressure/*); null for a scheduler trace. */
  psi: PsiView | null;
  overcommitMemory: number;
  printk: { nextSeq: number; consoleLoglevel: number; defaultMessageLoglevel: number; ignoreLoglevel: boolean };
  sysrqMask: number;
  eventsProcessed: number;
}

export interface SnapshotOptions {
  /** CPU whose fair runqueue is copied as a tree (-1: none). */
  treeCpu: number;
  /** Most tree nodes to copy (the top levels of a big tree). */
  maxTreeNodes: number;
}

function className(p: Task): ClassName {
  return p.schedClass.name;
}

function fairNode(k: Kernel, cpu: number, se: SchedEntity, V: number): FairNode {
  const cfs = k.rqs[cpu]?.cfs;
  return {
    pid: se.task.pid,
    comm: se.task.comm,
    red: se.rbRed,
    left: -1,
    right: -1,
    vruntime: se.vruntime,
    deadline: se.deadline,
    sliceNs: se.sliceNs,
    weight: se.load.weight,
    lag: V - se.vruntime,
    eligible: cfs !== undefined && cfs.entityEligible(se),
    delayed: se.schedDelayed,
  };
}

function fairSnapshot(k: Kernel, cpu: number, maxNodes: number): FairRqSnapshot | null {
  const rq = k.rqs[cpu];
  if (rq === undefined) return null;
  const cfs = rq.cfs;
  const V = cfs.avgVruntime();
  const nodes: FairNode[] = [];
  // Breadth-first copy of the top of the tree.
  const queue: { se: SchedEntity; parent: number; side: 'left' | 'right' | null }[] = [];
  if (cfs.tree.root !== null) queue.push({ se: cfs.tree.root, parent: -1, side: null });
  for (let qi = 0; qi < queue.length; qi++) {
    const item = queue[qi] as (typeof queue)[number];
    const parent = item.parent >= 0 ? nodes[item.parent] : undefined;
    if (nodes.length >= maxNodes) {
      if (parent !== undefined && item.side !== null) parent[item.side] = -2;
      continue;
    }
    const idx = nodes.length;
    nodes.push(fairNode(k, cpu, item.se, V));
    if (parent !== undefined && item.side !== null) parent[item.side] = idx;
    if (item.se.rbLeft !== null) queue.push({ se: item.se.rbLeft, parent: idx, side: 'left' });
    if (item.se.rbRight !== null) queue.push({ se: item.se.rbRight, parent: idx, side: 'right' });
  }
  const ordered: FairNode[] = [];
  for (let se = cfs.tree.leftmost; se !== null && ordered.length < maxNodes; se = cfs.tree.next(se)) ordered.push(fairNode(k, cpu, se, V));
  const curr = cfs.curr !== null && cfs.curr.onRq ? fairNode(k, cpu, cfs.curr, V) : null;
  let nextPid: number | null;
  if (cfs.mode === 'eevdf') nextPid = pickEevdf(cfs, true)?.task.pid ?? null;
  else {
    // pick_next_entity() without its side effect (clearing buddies): leftmost or curr, whichever is first.
    const left = cfs.tree.leftmost;
    const c = cfs.curr !== null && cfs.curr.onRq ? cfs.curr : null;
    nextPid = (left === null || (c !== null && cfs.before(c, left)) ? c : left)?.task.pid ?? null;
  }
  return {
    cpu,
    mode: cfs.mode,
    nrQueued: cfs.nrQueued,
    loadWeight: cfs.loadWeight,
    minVruntime: cfs.minVruntime,
    avgVruntime: V,
    nodes,
    treeSize: cfs.tree.size,
    ordered,
    curr,
    leftmostPid: cfs.tree.leftmost?.task.pid ?? null,
    nextPid,
    buddies: { next: cfs.next?.task.pid ?? null, last: cfs.last?.task.pid ?? null, skip: cfs.skip?.task.pid ?? null },
  };
}

/** totalPages: RAM + swap pages, oom_badness()'s denominator (the same for every task of a snapshot). */
function taskSnapshot(k: Kernel, t: Task, totalPages: number): TaskSnapshot {
  const m = taskMm(t);
  // A snapshot reads every task at 10-30 fps: the mm's rss once, for the column and the badness.
  const rss = m === null ? 0 : m.rss;
  return {
    pid: t.pid,
    ppid: t.parent?.pid ?? 0,
    comm: t.comm,
    state: taskStateLetter(t),
    policy: policyName(t.policy),
    cls: className(t),
    prio: t.prio,
    nice: t.nice,
    rtPriority: t.rtPriority,
    cpu: t.cpu,
    onCpu: t.onCpu,
    kthread: t.isKthread,
    cpuNs: t.sumExecRuntimeNs,
    vruntime: t.se.vruntime,
    deadline: t.se.deadline,
    rssKb: rss * 4,
    oomScore: t.exitState === 0 ? oomScoreFromBadness(oomBadness(t, totalPages, rss), totalPages) : 0,
    oomScoreAdj: t.oomScoreAdj,
    nvcsw: t.nvcsw,
    nivcsw: t.nivcsw,
    runDelayNs: t.runDelayNs,
    maxRunDelayNs: t.maxRunDelayNs,
    pcount: t.pcount,
    startNs: t.startTimeNs,
    lastOp: t.lastOp,
  };
}

/** busyNsByClass as it will read once the time since the last accounting is charged to curr's class. */
function pendingBusy(k: Kernel, rq: Kernel['rqs'][number]): number[] {
  const out = [...rq.busyNsByClass];
  const rank = rq.curr.schedClass.rank;
  const delta = k.now - rq.accountedNs;
  if (delta > 0 && rank < out.length) out[rank] = (out[rank] as number) + delta;
  return out;
}

/** Copy what the dashboard shows. Pure: reads the kernel, changes nothing. */
export function takeSnapshot(k: Kernel, opts: SnapshotOptions): KernelSnapshot {
  const cpus: CpuSnapshot[] = k.rqs.map((rq) => ({
    cpu: rq.cpu,
    currPid: rq.curr.pid,
    currComm: rq.curr.comm,
    currClass: className(rq.curr),
    nrRunning: rq.nrRunning,
    nrDl: rq.dl.dlNrRunning,
    nrRt: rq.rt.rtNrRunning,
    nrFair: rq.cfs.nrQueued,
    nrSwitches: rq.nrSwitches,
    busyNsByClass: pendingBusy(k, rq),
    rtThrottled: rq.rt.rtThrottled,
  }));
  const tasks: TaskSnapshot[] = [];
  const totalPages = k.mm.totalRamPages() + k.mm.totalSwapPages();
  for (const t of k.tasks.values()) if (t.exitState === 0 && !t.isIdleTask) tasks.push(taskSnapshot(k, t, totalPages));
  const pa = k.mm.pages;
  const ps = k.printkRing.settings;
  return {
    nowNs: k.now,
    hostname: k.nodename,
    release: k.config.release,
    nrCpus: k.nrCpus,
    hz: k.config.hz,
    schedMode: k.tunables.mode,
    preempt: k.tunables.preempt,
    halted: k.halted,
    panicText: k.panicText,
    loadavg: [k.loadavg.value(0), k.loadavg.value(1), k.loadavg.value(2)],
    lastPid: k.lastAllocatedPid,
    cpus,
    tasks,
    fair: opts.treeCpu >= 0 ? fairSnapshot(k, Math.min(opts.treeCpu, k.nrCpus - 1), opts.maxTreeNodes) : null,
    mem: memCounters(k),
    zones: pa.zones.map((z) => ({
      name: z.name,
      freePages: z.freePages,
      managedPages: z.managedPages,
      min: z.wmarkMin,
      low: z.wmarkLow,
      high: z.wmarkHigh,
      nrFree: [...z.nrFree],
    })),
    swapTotalPages: k.mm.totalSwapPages(),
    swapUsedPages: k.mm.swapUsed,
    slabs: k.mm.slab.caches.map((c) => ({
      name: c.name,
      objs: c.totalObjects,
      active: c.activeObjects,
      objSize: c.size,
      slabs: c.nrSlabs,
      objPerSlab: c.objPerSlab,
      pagesPerSlab: c.pagesPerSlab,
      reclaimable: c.reclaimable,
    })),
    oomKills: k.mm.oomKills.slice(-16).map((r) => ({
      tNs: r.t,
      victimPid: r.victimPid,
      victimComm: r.victimComm,
      badnessPages: r.badnessPages,
      totalPages: r.totalPages,
      trigger: r.trigger,
      candidates: r.candidates.slice(0, 16).map((c) => ({ pid: c.pid, comm: c.comm, points: c.points, rssPages: c.rssPages, oomScoreAdj: c.oomScoreAdj })),
    })),
    oomKillsTotal: k.mm.oomKillsTotal,
    reclaim: {
      kswapdReclaimed: k.mm.reclaimStats.kswapdReclaimed,
      directReclaimed: k.mm.reclaimStats.directReclaimed,
      kswapdScanned: k.mm.reclaimStats.kswapdScanned,
      directScanned: k.mm.reclaimStats.directScanned,
      slabFreed: k.mm.reclaimStats.slabFreed,
      allocstall: k.mm.reclaimStats.allocstall,
      swappedOut: k.mm.reclaimStats.swappedOut,
      swappedIn: k.mm.reclaimStats.swappedIn,
    },
    psi: k.psi.view(),
    overcommitMemory: k.sysctl.overcommitMemory,
    printk: {
      nextSeq: k.printkRing.nextSeq,
      consoleLoglevel: ps.consoleLoglevel,
      defaultMessageLoglevel: ps.defaultMessageLoglevel,
      ignoreLoglevel: k.printkRing.ignoreLoglevel,
    },
    sysrqMask: k.sysctl.sysrq,
    eventsProcessed: k.engine.processed,
  };
}
