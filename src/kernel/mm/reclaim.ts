/**
 * Page reclaim (mm/vmscan.c): kswapd wakes when a zone falls below its low watermark and reclaims until every
 * zone is above high; an allocation that cannot be satisfied reclaims directly; drop_caches. What can be
 * reclaimed: clean page cache (inactive files first), slab objects through the shrinkers, and with swap,
 * anonymous pages. Dirty page cache waits for writeback (the flusher, or sync).
 */
import type { Kernel } from '../kernel.js';
import { tryToWakeUp } from '../sched/core.js';
import { TASK_INTERRUPTIBLE } from '../task/task.js';
import type { UserAction, UserResult } from '../task/user.js';
import { taskMm } from './oom.js';
import type { Mm, Vma } from './mm-struct.js';
import { DEF_PRIORITY, DEFAULT_SEEKS, doShrinkSlab, SHRINK_EMPTY, type Shrinker } from './shrinker.js';

/** SWAP_CLUSTER_MAX: pages reclaimed per batch. */
export const SWAP_CLUSTER_MAX = 32;
/** CPU cost of reclaiming one batch (scanning LRUs, unmapping, shrinking). */
export const RECLAIM_BATCH_NS = 20_000;

/** The superblock shrinker of the root filesystem: unused dentries and their inodes. */
export function registerCoreShrinkers(k: Kernel): void {
  const fc = k.mm.files;
  const sb: Shrinker = {
    name: 'super_cache_scan',
    seeks: DEFAULT_SEEKS,
    batch: 1024,
    nrDeferred: 0,
    scanned: 0,
    freed: 0,
    countObjects: () => {
      const n = fc.freeableDentries + fc.freeableInodes;
      // vfs_pressure_ratio(): vfs_cache_pressure (default 100) scales how eagerly these are reclaimed.
      return n === 0 ? SHRINK_EMPTY : Math.floor((n * k.sysctl.vfsCachePressure) / 100);
    },
    scanObjects: (nr) => {
      let freed = 0;
      while (freed < nr && fc.freeableDentries > 0) {
        const e = fc.takeOldestUnused();
        if (e === undefined) break;
        k.mm.freeDentry(e);
        freed += e.positive ? 2 : 1;
      }
      return freed;
    },
  };
  k.mm.shrinkers.push(sb);
}

/** Free up to n clean pages of page cache, inactive files first (the file LRU's old end). */
function reclaimPageCache(k: Kernel, n: number, priority: number, stats: { scanned: number }): number {
  const mm = k.mm;
  const fc = mm.files;
  let freed = 0;
  // Scan more as the priority drops (lru_size >> priority).
  const budget = Math.max(n, fc.nrPages >> priority);
  for (const pass of [false, true]) {
    for (const f of fc.files.values()) {
      if (freed >= budget) return freed;
      if (f.active !== pass || f.pages.length === 0) continue;
      // Mapped and dirty pages are scanned and put back (rotated), not reclaimed.
      stats.scanned += Math.min(budget - freed, f.pages.length);
      if (f.mapCount > 0) continue;
      const got = mm.dropFilePages(f, Math.min(budget - freed, f.pages.length));
      freed += got;
      mm.nonresidentAge += got;
      if (f.active) f.workingsetShadows += got;
      if (f.active && f.pages.length === 0) f.active = false;
    }
  }
  return freed;
}

/**
 * Swap out anonymous pages, when swap space is left: the anon LRU at the granularity of processes. The process
 * that touched its memory longest ago gives its inactive pages first; active pages go only when no inactive one
 * is left, as shrink_active_list ages the active list onto the inactive one when that runs low.
 */
function reclaimAnon(k: Kernel, n: number, stats: { scanned: number }): number {
  const mm = k.mm;
  const room = mm.totalSwapPages() - mm.swapUsed;
  if (room <= 0 || k.sysctl.swappiness === 0) return 0;
  const want = Math.min(n, room);
  const maps: { v: Vma; m: Mm }[] = [];
  for (const t of k.tasks.values()) {
    if (t.pid !== t.tgid || t.exitState !== 0) continue;
    const m = taskMm(t);
    if (m === null) continue;
    for (const v of m.vmas) if (v.anon.length > 0) maps.push({ v, m });
  }
  // Stable: processes that touched memory at the same moment stay in pid order, their mappings in their order.
  maps.sort((a, b) => a.m.lastTouch - b.m.lastTouch);
  let freed = 0;
  const shrunk = new Set<Mm>();
  for (const active of [false, true]) {
    for (const { v, m } of maps) {
      if (freed >= want) break;
      const list = v.anon;
      const take = Math.min(want - freed, active ? list.length : list.length - v.activePages);
      if (take <= 0) continue;
      for (let i = 0; i < take; i++) mm.freePages(list.pop(), 0);
      // Active pages taken were deactivated first.
      const over = v.activePages - list.length;
      if (over > 0) {
        v.activePages -= over;
        mm.activeAnonPages -= over;
      }
      v.swapped += take;
      mm.swapUsed += take;
      mm.nonresidentAge += take;
      m.evictedAt = mm.nonresidentAge;
      freed += take;
      shrunk.add(m);
    }
  }
  for (const m of shrunk) mm.syncPageTables(m);
  mm.reclaimStats.swappedOut += freed;
  // Swap writes are block I/O too (submit_bio counts them in pgpgout).
  mm.reclaimStats.pgpgoutKb += freed * 4;
  stats.scanned += freed;
  return freed;
}

/** shrink_node() + shrink_slab(): try to free `target` pages at a reclaim priority. Returns pages freed. */
export function reclaimPages(k: Kernel, target: number, priority: number, kswapd: boolean): number {
  const mm = k.mm;
  const before = mm.pages.freePages;
  const stats = { scanned: 0 };
  reclaimPageCache(k, target, priority, stats);
  if (mm.pages.freePages - before < target) {
    let objs = 0;
    for (const s of mm.shrinkers) {
      const scannedBefore = s.scanned;
      objs += doShrinkSlab(s, priority);
      mm.reclaimStats.slabsScanned += s.scanned - scannedBefore;
    }
    mm.reclaimStats.slabFreed += objs;
  }
  if (mm.pages.freePages - before < target) reclaimAnon(k, target - (mm.pages.freePages - before), stats);
  const freed = Math.max(0, mm.pages.freePages - before);
  if (kswapd) {
    mm.reclaimStats.kswapdReclaimed += freed;
    mm.reclaimStats.kswapdScanned += stats.scanned;
  } else {
    mm.reclaimStats.directReclaimed += freed;
    mm.reclaimStats.directScanned += stats.scanned;
  }
  return freed;
}

/** Direct reclaim for an allocating task: priorities 12 down to 0 until something is freed. */
export function directReclaim(k: Kernel, target: number): number {
  k.mm.reclaimStats.allocstall++;
  for (let prio = DEF_PRIORITY; prio >= 0; prio--) {
    const got = reclaimPages(k, target, prio, false);
    if (got > 0) return got;
  }
  return 0;
}

function zonesNeedReclaim(k: Kernel): boolean {
  for (const z of k.mm.pages.zones) if (z.managedPages > 0 && z.freePages < z.wmarkHigh) return true;
  return false;
}

/** wakeup_kswapd(). */
export function wakeKswapd(k: Kernel): void {
  const t = k.mm.kswapd;
  if (t === null || k.mm.kswapdRunning) return;
  k.mm.kswapdRunning = true;
  tryToWakeUp(k, t, TASK_INTERRUPTIBLE, 0);
}

/** kswapd's loop (balance_pgdat): reclaim in batches until all zones are above their high watermark. */
export function* kswapdProgram(k: Kernel): Generator<UserAction, void, UserResult | undefined> {
  for (;;) {
    let stuck = 0;
    let prio = DEF_PRIORITY;
    while (zonesNeedReclaim(k) && stuck < 16) {
      let got = 0;
      const p = prio;
      yield {
        op: 'kcall',
        ns: RECLAIM_BATCH_NS,
        what: 'balance_pgdat',
        // kswapd's balance_pgdat() is a memory stall section too.
        memstall: true,
        fn: () => {
          got = reclaimPages(k, SWAP_CLUSTER_MAX, p, true);
          return { ok: true };
        },
      };
      if (got === 0) {
        stuck++;
        prio = Math.max(0, prio - 1);
      } else {
        stuck = 0;
      }
    }
    k.mm.kswapdRunning = false;
    yield { op: 'sleep', ns: Infinity };
  }
}

/** The flusher: write back page cache dirtied more than 30 s ago, every 5 s (dirty_expire / dirty_writeback). */
export function* flusherProgram(k: Kernel): Generator<UserAction, void, UserResult | undefined> {
  for (;;) {
    yield { op: 'sleep', ns: 5_000_000_000 };
    const due = [...k.mm.files.files.values()].filter((f) => f.dirty > 0 && k.now - f.dirtiedAtNs >= 30_000_000_000);
    if (due.length === 0) continue;
    const pages = due.reduce((a, f) => a + f.dirty, 0);
    yield { op: 'kcall', ns: 10_000 + pages * 500, what: 'wb_workfn', fn: () => ((k.mm.files.nrWriteback += pages), { ok: true }) };
    yield { op: 'io', ns: 100_000 + pages * 20_000 };
    yield {
      op: 'kcall',
      ns: 5_000,
      what: 'wb_workfn',
      fn: () => {
        for (const f of due) {
          k.mm.files.nrDirty -= f.dirty;
          f.dirty = 0;
        }
        k.mm.files.nrWriteback -= pages;
        k.mm.reclaimStats.pgpgoutKb += pages * 4;
        return { ok: true };
      },
    };
  }
}

/** sync / emergency sync: write back every dirty page now. Returns pages written. */
export function syncAll(k: Kernel): number {
  let n = 0;
  for (const f of k.mm.files.files.values()) {
    n += f.dirty;
    f.dirty = 0;
  }
  k.mm.files.nrDirty = 0;
  k.mm.reclaimStats.pgpgoutKb += n * 4;
  return n;
}

/** echo 1|2|3 > /proc/sys/vm/drop_caches. */
export function dropCaches(k: Kernel, mode: number): void {
  const mm = k.mm;
  if (mode & 1) {
    for (const f of mm.files.files.values()) {
      mm.dropFilePages(f, Infinity);
      if (f.pages.length === 0 && f.active) f.active = false;
    }
  }
  if (mode & 2) {
    for (let round = 0; round < 10; round++) {
      let freed = 0;
      for (const s of mm.shrinkers) freed += doShrinkSlab(s, 0);
      if (freed < 10) break;
    }
    for (const c of mm.slab.caches) c.shrink();
  }
  if ((mode & 4) === 0) k.printk(6, `${k.caller.comm} (${k.caller.pid}): drop_caches: ${mode}`);
}
