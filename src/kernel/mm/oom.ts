/**
 * The OOM killer (mm/oom_kill.c): oom_badness(), select_bad_process(), the report it prints (dump_header, the
 * task table, the oom-kill and "Killed process" lines), the kill, the oom_reaper, and /proc/PID/oom_score.
 */
import type { Kernel } from '../kernel.js';
import { SIGKILL } from '../task/signal.js';
import type { Task } from '../task/task.js';
import { renderShowMem } from './meminfo.js';
import type { Mm } from './mm-struct.js';

export const OOM_SCORE_ADJ_MIN = -1000;
export const OOM_REAPER_DELAY_NS = 2_000_000_000;

export interface OomCandidate {
  pid: number;
  comm: string;
  points: number;
  rssPages: number;
  swapPages: number;
  pgtablesPages: number;
  oomScoreAdj: number;
}

export interface OomKillRecord {
  t: number;
  victimPid: number;
  victimComm: string;
  badnessPages: number;
  totalPages: number;
  trigger: string;
  triggerPid: number;
  constraint: string;
  candidates: OomCandidate[];
  reaped: boolean;
}

export interface OomOpts {
  order: number;
  /** Invoked by SysRq-f (moom): no panic, "No task eligible" instead. */
  sysrq: boolean;
  /** The gfp mask text of the failed allocation, e.g. 0xcc0(GFP_KERNEL). */
  gfp: string;
}

/** The Mm of a task (or null for kernel threads). */
export function taskMm(t: Task): Mm | null {
  return (t.mm as Mm | null) ?? null;
}

/**
 * oom_badness(): rss + swap entries + page-table pages, plus oom_score_adj in thousandths of totalpages
 * (integer division first). null means "never" (LONG_MIN): init, kernel threads, no mm, adj -1000, reaped.
 */
export function oomBadness(t: Task, totalPages: number, rss?: number): number | null {
  if (t.pid === 1 || t.isKthread) return null;
  const mm = taskMm(t);
  if (mm === null || t.exitState !== 0) return null;
  if (t.oomScoreAdj === OOM_SCORE_ADJ_MIN || mm.oomSkip) return null;
  const pgtablesBytes = mm.ptPages.length * 4096;
  let points = (rss ?? mm.rss) + mm.swapEnts + Math.floor(pgtablesBytes / 4096);
  points += t.oomScoreAdj * Math.floor(totalPages / 1000);
  return points;
}

/** /proc/PID/oom_score: (1000 + badness*1000/totalpages) * 2/3, 0 for excluded tasks. */
export function oomScoreFromBadness(badness: number | null, totalPages: number): number {
  if (badness === null) return 0;
  return Math.trunc(((1000 + Math.trunc((badness * 1000) / totalPages)) * 2) / 3);
}

function kb(pages: number): number {
  return pages * 4;
}

/** The "Tasks state" table of dump_tasks(). */
function dumpTasks(k: Kernel): string[] {
  const lines = ['Tasks state (memory values in pages):', '[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name'];
  const procs = [...k.tasks.values()].filter((t) => t.pid === t.tgid && !t.isKthread && taskMm(t) !== null && t.exitState === 0).sort((a, b) => a.pid - b.pid);
  for (const t of procs) {
    const mm = taskMm(t) as Mm;
    lines.push(
      `[${String(t.pid).padStart(7)}] ${String(t.uid).padStart(5)} ${String(t.tgid).padStart(5)} ${String(mm.totalVm).padStart(8)} ${String(mm.rss).padStart(8)} ${String(mm.anonRss).padStart(8)} ${String(mm.fileRss).padStart(8)} ${'0'.padStart(8)} ${String(mm.ptPages.length * 4096).padStart(9)} ${String(mm.swapEnts).padStart(8)}         ${String(t.oomScoreAdj).padStart(5)} ${t.comm}`,
    );
  }
  return lines;
}

/** The call chain dump_stack() shows for an allocation that ended in the OOM killer. */
function oomCallTrace(fault: boolean, sysrq: boolean): string[] {
  if (sysrq) {
    return ['Call Trace:', ' <TASK>', ' dump_stack_lvl+0x5d/0x80', ' dump_header+0x44/0x1a0', ' oom_kill_process+0x116/0x270', ' out_of_memory+0x103/0x540', ' moom_callback+0x7a/0xb0', ' process_one_work+0x176/0x330', ' worker_thread+0x252/0x390', ' kthread+0xe4/0x120', ' ret_from_fork+0x34/0x50', ' </TASK>'];
  }
  const head = ['Call Trace:', ' <TASK>', ' dump_stack_lvl+0x5d/0x80', ' dump_header+0x44/0x1a0', ' oom_kill_process+0x116/0x270', ' out_of_memory+0x103/0x540', ' __alloc_pages_slowpath.constprop.0+0xcc6/0xe60', ' __alloc_pages_noprof+0x2f8/0x320'];
  const tail = fault
    ? [' alloc_pages_mpol_noprof+0xd1/0x1c0', ' vma_alloc_folio_noprof+0x6b/0xb0', ' do_anonymous_page+0x1b0/0x8b0', ' __handle_mm_fault+0xb12/0x11f0', ' handle_mm_fault+0x107/0x300', ' do_user_addr_fault+0x1f9/0x690', ' exc_page_fault+0x7b/0x190', ' asm_exc_page_fault+0x26/0x30']
    : [' alloc_pages_mpol_noprof+0xd1/0x1c0', ' allocate_slab+0x2a4/0x3f0', ' ___slab_alloc+0x38c/0x9f0', ' kmem_cache_alloc_noprof+0x2d6/0x300'];
  return [...head, ...tail, ' </TASK>'];
}

/**
 * out_of_memory(): pick the task with the highest badness (later ones win ties), print the report, kill it.
 * Returns what happened: 'killed', 'busy' (an earlier victim has not exited yet), or 'none' (nothing killable).
 */
export function outOfMemory(k: Kernel, trigger: Task | null, opts: OomOpts): 'killed' | 'busy' | 'none' | 'panic' {
  const mm = k.mm;
  const totalPages = mm.totalRamPages() + mm.totalSwapPages();
  const sysctl = k.sysctl;
  if (!opts.sysrq && sysctl.panicOnOom !== 0) {
    dumpHeader(k, trigger, opts, totalPages);
    k.panic(`Out of memory: ${sysctl.panicOnOom === 2 ? 'compulsory' : 'system-wide'} panic_on_oom is enabled`);
    return 'panic';
  }
  // An earlier victim still exiting: wait for it rather than killing another (tsk_is_oom_victim).
  for (const t of k.tasks.values()) {
    if (mm.oomVictims.has(t) && t.exitState === 0 && !(taskMm(t)?.oomSkip ?? true)) return 'busy';
  }
  const candidates: OomCandidate[] = [];
  let victim: Task | null = null;
  let best = -Infinity;
  if (!opts.sysrq && sysctl.oomKillAllocatingTask !== 0 && trigger !== null && oomBadness(trigger, totalPages) !== null) {
    victim = trigger;
    best = oomBadness(trigger, totalPages) as number;
  }
  for (const t of [...k.tasks.values()].sort((a, b) => a.pid - b.pid)) {
    if (t.pid !== t.tgid) continue;
    const points = oomBadness(t, totalPages);
    if (points === null) continue;
    const m = taskMm(t) as Mm;
    candidates.push({ pid: t.pid, comm: t.comm, points, rssPages: m.rss, swapPages: m.swapEnts, pgtablesPages: m.ptPages.length, oomScoreAdj: t.oomScoreAdj });
    if (victim !== null && victim === trigger && sysctl.oomKillAllocatingTask !== 0) continue;
    // A task is skipped only if it scores lower: a later task with equal points replaces the earlier one.
    if (points < best) continue;
    best = points;
    victim = t;
  }
  candidates.sort((a, b) => b.points - a.points || a.pid - b.pid);
  if (victim === null) {
    if (opts.sysrq) {
      k.printk(6, 'OOM request ignored. No task eligible');
      return 'none';
    }
    dumpHeader(k, trigger, opts, totalPages);
    k.printk(0, 'Out of memory and no killable processes...');
    k.panic('System is deadlocked on memory');
    return 'panic';
  }
  dumpHeader(k, trigger, opts, totalPages);
  killVictim(k, victim, trigger, opts, totalPages, best, candidates);
  return 'killed';
}

function dumpHeader(k: Kernel, trigger: Task | null, opts: OomOpts, _totalPages: number): void {
  // SysRq-f queues moom_work on the system workqueue: a CPU 0 kworker runs the OOM killer.
  let who = trigger ?? null;
  if (opts.sysrq) for (const t of k.tasks.values()) if (t.comm === 'kworker/0:0') who = t;
  const comm = who?.comm ?? 'kswapd0';
  const adj = opts.sysrq ? 0 : (who?.oomScoreAdj ?? 0);
  const pid = who?.pid ?? 0;
  const p = (level: number, text: string): void => {
    k.printk(level, text, { pid });
  };
  p(4, `${comm} invoked oom-killer: gfp_mask=${opts.gfp}, order=${opts.sysrq ? -1 : opts.order}, oom_score_adj=${adj}`);
  p(4, `CPU: ${Math.max(0, k.currentCpu)} UID: 0 PID: ${pid} Comm: ${comm} Not tainted ${k.config.release} #1 PREEMPT(${k.tunables.preempt})`);
  p(4, 'Hardware name: kernsim virtual machine, BIOS 1.0 01/01/2026');
  for (const line of oomCallTrace(opts.gfp.includes('HIGHUSER'), opts.sysrq)) p(4, line);
  for (const line of renderShowMem(k)) p(6, line);
  if (k.sysctl.oomDumpTasks !== 0) for (const line of dumpTasks(k)) p(6, line);
}

function killVictim(k: Kernel, victim: Task, trigger: Task | null, opts: { sysrq: boolean }, totalPages: number, points: number, candidates: OomCandidate[]): void {
  const m = taskMm(victim) as Mm;
  const pid = trigger?.pid ?? 0;
  const constraint = 'CONSTRAINT_NONE';
  k.printk(6, `oom-kill:constraint=${constraint},nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=${victim.comm},pid=${victim.pid},uid=${victim.uid}`, { pid });
  k.printk(
    3,
    `Out of memory${!opts.sysrq && k.sysctl.oomKillAllocatingTask !== 0 && victim === trigger ? ' (oom_kill_allocating_task)' : ''}: Killed process ${victim.pid} (${victim.comm}) total-vm:${kb(m.totalVm)}kB, anon-rss:${kb(m.anonRss)}kB, file-rss:${kb(m.fileRss)}kB, shmem-rss:0kB, UID:${victim.uid} pgtables:${kb(m.ptPages.length)}kB oom_score_adj:${victim.oomScoreAdj}`,
    { pid },
  );
  const rec: OomKillRecord = {
    t: k.now,
    victimPid: victim.pid,
    victimComm: victim.comm,
    badnessPages: points,
    totalPages,
    trigger: opts.sysrq ? 'sysrq' : (trigger?.comm ?? 'kernel'),
    triggerPid: opts.sysrq ? 0 : pid,
    constraint,
    candidates: candidates.slice(0, 32),
    reaped: false,
  };
  k.mm.recordOomKill(rec);
  k.event({ kind: 'oom_kill', victimPid: victim.pid, victimComm: victim.comm, badness: points, totalPages, reason: opts.sysrq ? 'sysrq' : 'out_of_memory' });
  // Kill every process sharing the victim's mm, then let the reaper take the memory if the victim lingers.
  for (const t of k.tasks.values()) {
    if (taskMm(t) === m) {
      t.exitReason = 'oom-kill';
      k.mm.oomVictims.add(t);
      k.sendSignal(t, SIGKILL);
    }
  }
  k.engine.at(OOM_REAPER_DELAY_NS, 1, 'oom_reaper', () => k.onCpu(-1, () => oomReap(k, victim, rec)));
}

/** oom_reap_task(): the victim did not exit within OOM_REAPER_DELAY: take its anonymous memory anyway. */
function oomReap(k: Kernel, victim: Task, rec: OomKillRecord): void {
  const m = taskMm(victim);
  if (m === null || victim.exitState !== 0 || m.oomSkip) return;
  k.mm.reapMm(m);
  rec.reaped = true;
  k.printk(6, `oom_reaper: reaped process ${victim.pid} (${victim.comm}), now anon-rss:${kb(m.anonRss)}kB, file-rss:${kb(m.fileRss)}kB, shmem-rss:0kB`);
}
