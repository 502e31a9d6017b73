/**
 * The memory system calls programs make - mmap / page faults / munmap, file reads and writes, path lookups -
 * and the kernel memory API a task acting as a loaded module calls (kmalloc, kzalloc, kfree, ksize, kvmalloc,
 * vmalloc, __get_free_pages, alloc_pages_exact, kmem_cache_*, register_shrinker). Each runs as a kernel
 * sub-program of the task: CPU bursts in kernel mode, I/O waits, and the allocator's slow path (direct
 * reclaim, then the OOM killer and a back-off) when memory runs out.
 */
import type { Kernel } from '../kernel.js';
import type { Task } from '../task/task.js';
import type { MemCall, UserAction, UserResult } from '../task/user.js';
import { DISK_LATENCY_NS, DISK_NS_PER_PAGE, isStem } from './files.js';
import type { ModuleAlloc } from './mm.js';
import { AnonVma, FileVma, type Mm, type Vma } from './mm-struct.js';
import { outOfMemory, taskMm } from './oom.js';
import { getOrder, MAX_PAGE_ORDER, Owner, PAGE_SIZE } from './page-alloc.js';
import { directReclaim, SWAP_CLUSTER_MAX } from './reclaim.js';
import { DEFAULT_SEEKS, SHRINK_EMPTY } from './shrinker.js';
import { kmallocCacheName, kmallocClass, objectAddress } from './slab.js';
import { VMALLOC_START, vmAreaSize } from './vmalloc.js';

type Sys = Generator<UserAction, UserResult, UserResult | undefined>;

/** CPU costs of memory work in the simulation (kernel mode), ns. */
export const MEM_COST = {
  syscall: 2_000,
  faultPerPage: 1_000,
  copyPerPage: 250,
  lookup: 2_000,
  kmalloc: 500,
  vmallocPerPage: 300,
  cacheCreate: 20_000,
} as const;

const OK: UserResult = { ok: true };
const ENOMEM: UserResult = { ok: false, errno: 'ENOMEM' };

const GFP_USER = '0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP)';
const GFP_KERNEL = '0xcc0(GFP_KERNEL)';

function kcall(ns: number, what: string, fn: () => UserResult, memstall = false): UserAction {
  return { op: 'kcall', ns, what, fn, memstall };
}

/**
 * The allocator's slow path when pages ran out: direct reclaim; if that frees nothing, the OOM killer; then
 * back off for a tick so that a victim can exit. Yields CPU and sleep steps; returns when it is worth retrying.
 */
function* slowPath(k: Kernel, p: Task, order: number, gfp: string): Generator<UserAction, void, UserResult | undefined> {
  let progress = 0;
  // __perform_reclaim() runs between psi_memstall_enter and leave.
  yield kcall(
    MEM_COST.syscall * 5,
    'try_to_free_pages',
    () => {
      progress = directReclaim(k, SWAP_CLUSTER_MAX << order);
      return OK;
    },
    true,
  );
  if (progress > 0) return;
  yield kcall(5_000, 'out_of_memory', () => {
    outOfMemory(k, p, { order, sysrq: false, gfp });
    return OK;
  });
  // schedule_timeout_killable(1): let the victim run and exit.
  yield { op: 'sleep', ns: k.tickNs };
}

/** Fault `n` pages into an anonymous VMA, in chunks of 64, with reclaim and OOM when memory runs out. */
/** Fault n pages into v; major faults (a swap-in: the caller counted them and did the read) are not minor ones. */
function* faultIn(k: Kernel, p: Task, mm: Mm, v: Vma, n: number, major = false): Generator<UserAction, boolean, UserResult | undefined> {
  let left = n;
  mm.lastTouch = ++k.mm.anonTouchSeq;
  let stalls = 0;
  while (left > 0) {
    if (k.halted !== null) return false;
    const chunk = Math.min(64, left);
    let got = 0;
    yield kcall(chunk * MEM_COST.faultPerPage, 'handle_mm_fault', () => {
      got = k.mm.allocPagesInto(chunk, Owner.Anon, v.anonList());
      if (!major) mm.minflt += got;
      k.mm.reclaimStats.pgfault += got;
      k.mm.syncPageTables(mm);
      mm.noteHiwater();
      return OK;
    });
    left -= got;
    if (got < chunk) {
      stalls++;
      yield* slowPath(k, p, 0, GFP_USER);
      if (stalls > 10_000) return false;
    } else stalls = 0;
  }
  return true;
}

function needMm(p: Task): Mm | null {
  return taskMm(p);
}

/** The entry point: one memory call as a kernel sub-program. */
export function* memSyscall(k: Kernel, p: Task, call: MemCall): Sys {
  switch (call.fn) {
    case 'mmap':
      return yield* sysMmap(k, p, call.bytes, call.touch, call.tag ?? 'heap');
    case 'touch':
      return yield* sysTouch(k, p, call.bytes, call.tag ?? 'heap');
    case 'munmap':
      return yield* sysMunmap(k, p, call.bytes, call.tag ?? 'heap');
    case 'mmap_file':
      return yield* sysFile(k, p, call.file, call.bytes, 'map');
    case 'read_file':
      return yield* sysFile(k, p, call.file, call.bytes, 'read');
    case 'write_file':
      return yield* sysWrite(k, p, call.file, call.bytes);
    case 'open_files':
      return yield* sysOpenFiles(k, p, call.count, call.prefix);
    default:
      return yield* moduleCall(k, p, call);
  }
}

function* sysMmap(k: Kernel, p: Task, bytes: number, touch: boolean, tag: string): Sys {
  const mm = needMm(p);
  if (mm === null) return { ok: false, errno: 'EFAULT' };
  const pages = Math.ceil(bytes / PAGE_SIZE);
  let vma: AnonVma | null = null;
  const r = yield kcall(MEM_COST.syscall, 'do_mmap', () => {
    if (!k.mm.chargeCommit(p, pages)) return ENOMEM;
    vma = new AnonVma('anon', tag, pages, pages);
    mm.vmas.push(vma);
    mm.noteHiwater();
    return OK;
  });
  if (r === undefined || !r.ok || vma === null) return r ?? ENOMEM;
  if (touch && !(yield* faultIn(k, p, mm, vma, pages))) return ENOMEM;
  return { ok: true, value: pages * PAGE_SIZE };
}

function* sysTouch(k: Kernel, p: Task, bytes: number, tag: string): Sys {
  const mm = needMm(p);
  if (mm === null) return { ok: false, errno: 'EFAULT' };
  let want = Math.ceil(bytes / PAGE_SIZE);
  for (const v of mm.vmasByTag(tag)) {
    if (want <= 0) break;
    // Pages already present are touched again: they move to the active list.
    const again = Math.min(want, v.anon.length - v.activePages);
    if (want > 0 && v.anon.length > 0) mm.lastTouch = ++k.mm.anonTouchSeq;
    if (again > 0) {
      v.activePages += again;
      k.mm.activeAnonPages += again;
      want -= again;
    }
    // Swapped-out pages come back in with a major fault. If fewer pages were evicted since they went out than
    // the workingset holds (workingset_test_recent(): the file LRUs, and active anon while swap is left), they
    // are refaults of the workingset, and the wait for them is a memory stall.
    if (v.swapped > 0 && want > 0) {
      const m = k.mm;
      const workingsetSize = m.files.activePages + m.files.inactivePages + (m.totalSwapPages() > m.swapUsed ? m.activeAnonPages : 0);
      const refault = m.nonresidentAge - mm.evictedAt <= workingsetSize;
      const rs = m.reclaimStats;
      // do_swap_page(): a fault on a swapped-out page is a major fault that reads a cluster of 2^page-cluster
      // pages in one request (swapin_readahead) and waits for it; the cluster's other pages are then in the swap
      // cache, and touching them is a minor fault. The machine's counters go up as the read is submitted
      // (swap_read_folio), the task's maj_flt and min_flt as it completes.
      const cluster = 2 ** k.sysctl.pageCluster;
      for (let left = Math.min(want, v.swapped); left > 0 && v.swapped > 0; ) {
        const n = Math.min(cluster, left, v.swapped);
        if (refault) rs.workingsetRefaultAnon += n;
        rs.swappedIn += n;
        rs.pgmajfault++;
        rs.pgpginKb += n * 4;
        yield { op: 'io', ns: DISK_LATENCY_NS + n * DISK_NS_PER_PAGE, memstall: refault };
        const got = Math.min(n, v.swapped);
        v.swapped -= got;
        m.swapUsed -= got;
        mm.majflt++;
        mm.minflt += got - 1;
        if (!(yield* faultIn(k, p, mm, v, got, true))) return ENOMEM;
        left -= n;
        want -= got;
      }
    }
    const missing = Math.min(want, v.pages - v.anon.length - v.swapped);
    if (missing > 0) {
      if (!(yield* faultIn(k, p, mm, v, missing))) return ENOMEM;
      want -= missing;
    }
  }
  return OK;
}

function* sysMunmap(k: Kernel, p: Task, bytes: number, tag: string): Sys {
  const mm = needMm(p);
  if (mm === null) return { ok: false, errno: 'EFAULT' };
  let pages = Number.isFinite(bytes) ? Math.ceil(bytes / PAGE_SIZE) : Infinity;
  const vmas = mm.vmasByTag(tag).reverse();
  if (vmas.length === 0) return { ok: false, errno: 'EINVAL' };
  const freedPages = vmas.reduce((a, v) => a + v.anon.length, 0);
  return (yield kcall(MEM_COST.syscall + Math.min(freedPages, Number.isFinite(pages) ? pages : freedPages) * 100, 'do_munmap', () => {
    for (const v of vmas) {
      if (pages <= 0) break;
      if (pages >= v.pages) {
        pages -= v.pages;
        k.mm.unmapVma(mm, v);
        continue;
      }
      // Shrink from the end: resident pages go first.
      const drop = pages;
      for (let i = 0; i < drop && v.anon.length > 0; i++) k.mm.freePages(v.anon.pop(), 0);
      const active = Math.min(v.activePages, v.anon.length);
      k.mm.activeAnonPages -= v.activePages - active;
      v.activePages = active;
      v.pages -= drop;
      const uncharge = Math.min(v.committed, drop);
      v.committed -= uncharge;
      k.mm.committedAs -= uncharge;
      pages = 0;
    }
    k.mm.syncPageTables(mm);
    return OK;
  })) ?? OK;
}

/** Read or map a file: lookup, disk I/O for what is not cached, then copy (read) or map (mmap). */
function* sysFile(k: Kernel, p: Task, path: string, bytes: number, how: 'read' | 'map'): Sys {
  const mm = k.mm;
  const r = yield kcall(MEM_COST.lookup, 'path_lookupat', () => (mm.pathLookup(path) ? OK : ENOMEM));
  if (r === undefined || !r.ok) return r ?? ENOMEM;
  const f = mm.files.file(path);
  const want = Math.ceil(bytes / PAGE_SIZE);
  const cachedBefore = f.pages.length;
  const missing = Math.max(0, want - f.pages.length);
  if (missing > 0) {
    p.inIowait = true;
    // Pages that reclaim took from the workingset come back as refaults: waiting for them stalls on memory.
    const refaults = Math.min(missing, f.workingsetShadows);
    f.workingsetShadows -= refaults;
    mm.reclaimStats.workingsetRefaultFile += refaults;
    yield { op: 'io', ns: DISK_LATENCY_NS + missing * DISK_NS_PER_PAGE, memstall: refaults > 0 };
    // submit_bio() counts the read in sectors; /proc/vmstat halves them into KiB.
    mm.reclaimStats.pgpginKb += missing * 4;
    let added = 0;
    let stalls = 0;
    while (added < missing) {
      let got = 0;
      yield kcall(Math.min(64, missing - added) * MEM_COST.copyPerPage, 'filemap_add_folio', () => {
        got = mm.fillPageCache(f, Math.min(64, missing - added));
        return OK;
      });
      added += got;
      if (got === 0) {
        if (++stalls > 1000) return ENOMEM;
        yield* slowPath(k, p, 0, GFP_USER);
      }
    }
    f.sizeBytes = Math.max(f.sizeBytes, bytes);
  } else if (cachedBefore >= want) {
    // A second access to cached pages: mark_page_accessed() promotes the file to the active list.
    mm.activateFile(f);
  }
  mm.files.touchLru(f, k.now);
  if (how === 'read') {
    return (yield kcall(want * MEM_COST.copyPerPage, 'filemap_read', () => ({ ok: true, value: want * PAGE_SIZE }))) ?? OK;
  }
  const m = needMm(p);
  if (m === null) return { ok: false, errno: 'EFAULT' };
  return (yield kcall(MEM_COST.syscall + want * 100, 'do_mmap', () => {
    const v = new FileVma('file', path, want, 0, path);
    m.vmas.push(v);
    f.mapCount++;
    v.fileMapped = Math.min(want, f.pages.length);
    f.mappedPages = Math.max(f.mappedPages, v.fileMapped);
    k.mm.syncPageTables(m);
    m.noteHiwater();
    return { ok: true, value: want * PAGE_SIZE };
  })) ?? OK;
}

function* sysWrite(k: Kernel, p: Task, path: string, bytes: number): Sys {
  const mm = k.mm;
  if (mm.files.readOnly) return { ok: false, errno: 'EROFS' };
  const r = yield kcall(MEM_COST.lookup, 'path_lookupat', () => (mm.pathLookup(path) ? OK : ENOMEM));
  if (r === undefined || !r.ok) return r ?? ENOMEM;
  const f = mm.files.file(path);
  const pages = Math.ceil(bytes / PAGE_SIZE);
  let done = 0;
  let stalls = 0;
  while (done < pages) {
    let got = 0;
    const n = Math.min(64, pages - done);
    yield kcall(n * MEM_COST.copyPerPage * 2, 'generic_perform_write', () => {
      if (mm.files.readOnly) return { ok: false, errno: 'EROFS' };
      got = mm.fillPageCache(f, n);
      f.dirty += got;
      mm.files.nrDirty += got;
      if (f.dirtiedAtNs < 0 || f.dirty === got) f.dirtiedAtNs = k.now;
      return OK;
    });
    if (mm.files.readOnly) return { ok: false, errno: 'EROFS' };
    done += got;
    if (got === 0) {
      if (++stalls > 1000) return ENOMEM;
      yield* slowPath(k, p, 0, GFP_USER);
    }
  }
  f.sizeBytes += bytes;
  mm.files.touchLru(f, k.now);
  return { ok: true, value: bytes };
}

/** Open (and close) many files: each path lookup leaves a dentry and an inode in the caches. */
function* sysOpenFiles(k: Kernel, p: Task, count: number, prefix: string): Sys {
  let done = 0;
  const fc = k.mm.files;
  const base = fc.named;
  // The names are prefix + a number: looked up by number under the prefix, unless the prefix itself ends in a
  // digit or the numbers grow past the stems' range (then prefix + n splits elsewhere, and goes by its path).
  const byNumber = isStem(prefix) && base + count <= 1e9;
  while (done < count) {
    const n = Math.min(256, count - done);
    const r = yield kcall(n * MEM_COST.lookup, 'do_filp_open', () => {
      if (byNumber) {
        const dir = fc.stemDir(prefix);
        for (let i = 0; i < n; i++) {
          const seq = base + done + i;
          if (!dir.has(seq) && !k.mm.addDentry(prefix, seq)) return ENOMEM;
        }
      } else {
        // join() builds a flat string; a template literal would keep a cons string alive beside it in the dcache.
        for (let i = 0; i < n; i++) if (!k.mm.pathLookup([prefix, base + done + i].join(''))) return ENOMEM;
      }
      return OK;
    });
    if (r === undefined || !r.ok) return r ?? ENOMEM;
    done += n;
  }
  void p;
  return { ok: true, value: count };
}

/* ------------------------------------------------------------------ the kernel memory API (modules) */

function hexAddr(v: bigint): string {
  return v.toString(16);
}

function pageAddr(pfn: number): string {
  return hexAddr(0xffff888000000000n + BigInt(pfn) * 4096n);
}

function describe(a: ModuleAlloc): string {
  switch (a.kind) {
    case 'slab':
      return `${objectAddress(a.obj)} (${a.cache.name}, ksize ${a.cache.size})`;
    case 'pages':
      return `${pageAddr(a.pfn)} (${a.pageCount} page${a.pageCount === 1 ? '' : 's'}, order ${a.order})`;
    case 'vmalloc':
      return `${hexAddr(VMALLOC_START + BigInt(a.area.offset))} (vmalloc, ${a.area.pages.length} pages)`;
  }
}

/** Allocate from a slab cache for a module task, with the slow path when the page allocator fails. */
function* slabAlloc(k: Kernel, p: Task, cacheName: string): Generator<UserAction, ModuleAlloc | null, UserResult | undefined> {
  const cache = k.mm.slab.byName.get(cacheName);
  if (cache === undefined) return null;
  for (let tries = 0; tries < 100; tries++) {
    const obj = cache.alloc((o) => k.mm.tryAllocPages(o, Owner.Slab));
    if (obj !== null) return { kind: 'slab', obj, bytes: cache.size, cache };
    yield* slowPath(k, p, cache.order, GFP_KERNEL);
  }
  return null;
}

function* pagesAlloc(k: Kernel, p: Task, order: number, retry: boolean): Generator<UserAction, number, UserResult | undefined> {
  for (let tries = 0; tries < (retry ? 100 : 1); tries++) {
    const pfn = k.mm.tryAllocPages(order, Owner.Kernel);
    if (pfn >= 0) return pfn;
    if (!retry) break;
    // Costly orders (> 3) do not invoke the OOM killer: they fail after reclaim.
    if (order > 3) {
      directReclaim(k, SWAP_CLUSTER_MAX << order);
      continue;
    }
    yield* slowPath(k, p, order, GFP_KERNEL);
  }
  return -1;
}

function* vmallocAlloc(k: Kernel, p: Task, bytes: number): Generator<UserAction, ModuleAlloc | null, UserResult | undefined> {
  const n = Math.ceil(bytes / PAGE_SIZE);
  const pages: number[] = [];
  yield kcall(MEM_COST.syscall + n * MEM_COST.vmallocPerPage, '__vmalloc_node_range', () => OK);
  for (let i = 0; i < n; i++) {
    let pfn = k.mm.tryAllocPages(0, Owner.Vmalloc);
    for (let tries = 0; pfn < 0 && tries < 50; tries++) {
      yield* slowPath(k, p, 0, GFP_KERNEL);
      pfn = k.mm.tryAllocPages(0, Owner.Vmalloc);
    }
    if (pfn < 0) {
      for (const q of pages) k.mm.freePages(q, 0);
      k.printk(4, `vmalloc error: size ${bytes}, failed to allocate pages, mode:0xdc0(GFP_KERNEL|__GFP_ZERO), nodemask=(null)`, { pid: p.pid });
      return null;
    }
    pages.push(pfn);
  }
  const area = k.mm.vmalloc.add({ size: vmAreaSize(bytes), caller: `${p.comm}_init+0x2a/0x60 [${p.comm}]`, pages, kind: 'vmalloc' });
  return { kind: 'vmalloc', area, bytes };
}

function freeModuleAlloc(k: Kernel, a: ModuleAlloc): void {
  switch (a.kind) {
    case 'slab':
      a.cache.free(a.obj);
      return;
    case 'pages':
      if (a.pageCount === 1 << a.order) k.mm.freePages(a.pfn, a.order);
      else for (let i = 0; i < a.pageCount; i++) k.mm.freePages(a.pfn + i, 0);
      return;
    case 'vmalloc':
      for (const pfn of a.area.pages) k.mm.freePages(pfn, 0);
      k.mm.vmalloc.remove(a.area);
  }
}

function* moduleCall(k: Kernel, p: Task, call: MemCall): Sys {
  const mm = k.mm;
  const log = (c: string, r: string): void => mm.logKernelCall(p, c, r);
  const take = (tag: string): ModuleAlloc | undefined => mm.moduleAllocList(p, tag).pop();
  const keep = (tag: string, a: ModuleAlloc): void => void mm.moduleAllocList(p, tag).push(a);
  switch (call.fn) {
    case 'kmalloc': {
      const name = call.zero ? 'kzalloc' : 'kmalloc';
      yield kcall(MEM_COST.kmalloc, name, () => OK);
      const cls = kmallocClass(call.bytes);
      let a: ModuleAlloc | null = null;
      if (cls !== null) a = yield* slabAlloc(k, p, kmallocCacheName(cls));
      else {
        const order = getOrder(call.bytes);
        if (order > MAX_PAGE_ORDER) {
          log(`${name}(${call.bytes}, GFP_KERNEL)`, 'NULL (larger than KMALLOC_MAX_SIZE)');
          return { ok: false, errno: 'ENOMEM' };
        }
        const pfn = yield* pagesAlloc(k, p, order, true);
        if (pfn >= 0) a = { kind: 'pages', pfn, order, bytes: call.bytes, pageCount: 1 << order };
      }
      if (a === null) {
        log(`${name}(${call.bytes}, GFP_KERNEL)`, 'NULL');
        return ENOMEM;
      }
      keep(call.tag ?? 'kmalloc', a);
      log(`${name}(${call.bytes}, GFP_KERNEL)`, describe(a));
      return { ok: true, value: a.kind === 'slab' ? a.cache.size : a.bytes };
    }
    case 'kfree':
    case 'kvfree':
    case 'vfree':
    case 'free_pages':
    case 'free_pages_exact': {
      const tag = call.tag ?? '';
      const a = take(tag);
      yield kcall(MEM_COST.kmalloc, call.fn, () => OK);
      if (a === undefined) {
        log(`${call.fn}(${tag})`, 'nothing allocated under this tag (a no-op, like kfree(NULL))');
        return OK;
      }
      freeModuleAlloc(k, a);
      log(`${call.fn}(${tag})`, `freed ${describe(a)}`);
      return OK;
    }
    case 'ksize': {
      const list = mm.moduleAllocList(p, call.tag ?? '');
      const a = list[list.length - 1];
      yield kcall(100, 'ksize', () => OK);
      const size = a === undefined ? 0 : a.kind === 'slab' ? a.cache.size : a.kind === 'pages' ? a.pageCount * PAGE_SIZE : a.area.pages.length * PAGE_SIZE;
      log(`ksize(${call.tag ?? ''})`, String(size));
      return { ok: true, value: size };
    }
    case 'kvmalloc': {
      // kvmalloc_node(): kmalloc first (no retry for large sizes), vmalloc when that fails.
      yield kcall(MEM_COST.kmalloc, 'kvmalloc', () => OK);
      let a: ModuleAlloc | null = null;
      const cls = kmallocClass(call.bytes);
      if (cls !== null) a = yield* slabAlloc(k, p, kmallocCacheName(cls));
      else if (getOrder(call.bytes) <= MAX_PAGE_ORDER) {
        const order = getOrder(call.bytes);
        const pfn = yield* pagesAlloc(k, p, order, false);
        if (pfn >= 0) a = { kind: 'pages', pfn, order, bytes: call.bytes, pageCount: 1 << order };
      }
      if (a === null) a = yield* vmallocAlloc(k, p, call.bytes);
      if (a === null) {
        log(`kvmalloc(${call.bytes}, GFP_KERNEL)`, 'NULL');
        return ENOMEM;
      }
      keep(call.tag ?? 'kvmalloc', a);
      log(`kvmalloc(${call.bytes}, GFP_KERNEL)`, describe(a));
      return { ok: true, value: call.bytes };
    }
    case 'vmalloc': {
      const a = yield* vmallocAlloc(k, p, call.bytes);
      const name = call.zero ? 'vzalloc' : 'vmalloc';
      if (a === null) {
        log(`${name}(${call.bytes})`, 'NULL');
        return ENOMEM;
      }
      keep(call.tag ?? 'vmalloc', a);
      log(`${name}(${call.bytes})`, describe(a));
      return { ok: true, value: call.bytes };
    }
    case 'get_free_pages': {
      yield kcall(MEM_COST.kmalloc, '__get_free_pages', () => OK);
      const pfn = yield* pagesAlloc(k, p, call.order, true);
      if (pfn < 0) {
        log(`__get_free_pages(GFP_KERNEL, ${call.order})`, '0');
        return ENOMEM;
      }
      const a: ModuleAlloc = { kind: 'pages', pfn, order: call.order, bytes: PAGE_SIZE << call.order, pageCount: 1 << call.order };
      keep(call.tag ?? 'pages', a);
      log(`__get_free_pages(GFP_KERNEL, ${call.order})`, describe(a));
      return { ok: true, value: PAGE_SIZE << call.order };
    }
    case 'alloc_pages_exact': {
      yield kcall(MEM_COST.kmalloc, 'alloc_pages_exact', () => OK);
      const order = getOrder(call.bytes);
      const pfn = yield* pagesAlloc(k, p, order, true);
      if (pfn < 0) {
        log(`alloc_pages_exact(${call.bytes})`, 'NULL');
        return ENOMEM;
      }
      // split_page() and give back the tail beyond the pages needed.
      const need = Math.ceil(call.bytes / PAGE_SIZE);
      for (let i = need; i < 1 << order; i++) mm.freePages(pfn + i, 0);
      const a: ModuleAlloc = { kind: 'pages', pfn, order, bytes: call.bytes, pageCount: need };
      keep(call.tag ?? 'pages_exact', a);
      log(`alloc_pages_exact(${call.bytes})`, `${describe(a)}, ${(1 << order) - need} tail page(s) freed`);
      return { ok: true, value: need * PAGE_SIZE };
    }
    case 'kmem_cache_create': {
      yield kcall(MEM_COST.cacheCreate, 'kmem_cache_create', () => OK);
      const c = mm.slab.create(call.name, call.size, call.align, { reclaimable: call.reclaimable, module: true });
      if (c === null) {
        // A module's cache is not merged, so SLUB's sysfs directory takes its name and the second one is refused
        // there; 6.12+ names the function kmem_cache_create() expands to (both messages pr_warn).
        k.printk(4, `sysfs: cannot create duplicate filename '/kernel/slab/${call.name}'`, { pid: p.pid });
        k.printk(4, `__kmem_cache_create_args(${call.name}) failed with error -17`, { pid: p.pid });
        log(`kmem_cache_create("${call.name}", ${call.size}, ${call.align})`, 'NULL (-EEXIST)');
        return { ok: false, errno: 'EEXIST' };
      }
      log(`kmem_cache_create("${call.name}", ${call.size}, ${call.align})`, `${c.objPerSlab} objects per slab, order ${c.order} (size ${c.size})`);
      return OK;
    }
    case 'kmem_cache_alloc': {
      if (!mm.slab.byName.has(call.name)) return { ok: false, errno: 'EINVAL' };
      let done = 0;
      while (done < call.count) {
        const n = Math.min(256, call.count - done);
        yield kcall(n * 200, 'kmem_cache_alloc', () => OK);
        for (let i = 0; i < n; i++) {
          const a = yield* slabAlloc(k, p, call.name);
          if (a === null) {
            log(`kmem_cache_alloc(${call.name}) x${call.count}`, `NULL after ${done + i}`);
            return ENOMEM;
          }
          keep(call.tag ?? call.name, a);
        }
        done += n;
      }
      log(`kmem_cache_alloc(${call.name}) x${call.count}`, `${call.count} objects of ${mm.slab.get(call.name).size} bytes`);
      return { ok: true, value: call.count };
    }
    case 'kmem_cache_free': {
      const list = mm.moduleAllocList(p, call.tag ?? call.name);
      let n = 0;
      yield kcall(call.count * 150, 'kmem_cache_free', () => OK);
      while (n < call.count && list.length > 0) {
        freeModuleAlloc(k, list.pop() as ModuleAlloc);
        n++;
      }
      log(`kmem_cache_free(${call.name}) x${call.count}`, `${n} freed`);
      return { ok: true, value: n };
    }
    case 'kmem_cache_destroy': {
      yield kcall(MEM_COST.cacheCreate, 'kmem_cache_destroy', () => OK);
      const c = mm.slab.byName.get(call.name);
      if (c === undefined) return { ok: false, errno: 'EINVAL' };
      if (!mm.slab.destroy(call.name)) {
        k.printk(4, `kmem_cache_destroy ${call.name}: Slab cache still has objects when called from ${p.comm}_exit+0x12/0x30 [${p.comm}]`, { pid: p.pid });
        log(`kmem_cache_destroy("${call.name}")`, `refused: ${c.activeObjects} objects still allocated`);
        return { ok: false, errno: 'EBUSY' };
      }
      log(`kmem_cache_destroy("${call.name}")`, 'destroyed');
      return OK;
    }
    case 'register_shrinker': {
      yield kcall(MEM_COST.syscall, 'shrinker_register', () => OK);
      const name = call.name;
      mm.shrinkers.push({
        name: `${p.comm}:${name}`,
        seeks: call.seeks || DEFAULT_SEEKS,
        batch: call.batch,
        nrDeferred: 0,
        scanned: 0,
        freed: 0,
        countObjects: () => {
          const held = [...(mm.moduleAllocs.get(p)?.values() ?? [])].flat().filter((a) => a.kind === 'slab' && a.cache.name === name).length;
          return held === 0 ? SHRINK_EMPTY : held;
        },
        scanObjects: (nr) => {
          let freed = 0;
          for (const list of mm.moduleAllocs.get(p)?.values() ?? []) {
            for (let i = list.length - 1; i >= 0 && freed < nr; i--) {
              const a = list[i] as ModuleAlloc;
              if (a.kind === 'slab' && a.cache.name === name) {
                freeModuleAlloc(k, a);
                list.splice(i, 1);
                freed++;
              }
            }
          }
          return freed;
        },
      });
      log(`register_shrinker(${name})`, 'registered');
      return OK;
    }
    default:
      return { ok: false, errno: 'ENOSYS' };
  }
}

