/**
 * The memory manager: wires the buddy allocator, SLUB, vmalloc, the page cache and dcache, shrinkers, commit
 * accounting, reclaim and the OOM killer, and gives the rest of the kernel its hooks (fork, exit, release, the
 * memory system calls, /proc numbers). Boot leaves the machine looking like a freshly booted one: reserved
 * kernel image and memmap, a populated dentry/inode cache, some page cache and a few vmalloc areas.
 */
import type { Kernel } from '../kernel.js';
import type { Rq } from '../sched/rq.js';
import type { Task } from '../task/task.js';
import type { MemCall } from '../task/user.js';
import { DcacheEntry, FileCache, type CachedFile } from './files.js';
import { renderMeminfo, renderVmstat, renderZoneinfo } from './meminfo.js';
import { AnonVma, FileVma, Mm, type PfnList, type Vma } from './mm-struct.js';
import { oomBadness, oomScoreFromBadness, taskMm, type OomKillRecord } from './oom.js';
import { commitLimitPages, vmEnoughMemory } from './overcommit.js';
import { calculateMinFreeKbytes, Owner, PageAllocator, PAGE_SIZE } from './page-alloc.js';
import { renderSwaps } from './swapfile.js';
import { kswapdProgram, reclaimPages, registerCoreShrinkers, dropCaches as dropCachesImpl, wakeKswapd } from './reclaim.js';
import type { Shrinker } from './shrinker.js';
import { KMALLOC_SIZES, kmallocCacheName, SlabAllocator, type KmemCache, type SlabObject } from './slab.js';
import { Kobj, KOBJ_CACHES, STACK_PAGES, TaskKobjs, taskKobjs, VMA_CACHE, type KobjCaches } from './task-kobjs.js';
import { memSyscall } from './syscalls.js';
import { VmallocSpace, type VmArea } from './vmalloc.js';

/** Named caches a 6.x kernel creates at boot: name, object size, alignment, reclaimable. */
const CORE_CACHES: readonly [string, number, number, boolean][] = [
  ['task_struct', 10368, 64, false],
  ['mm_struct', 1344, 64, false],
  ['vm_area_struct', 184, 8, false],
  ['files_cache', 704, 64, false],
  ['signal_cache', 1152, 64, false],
  ['sighand_cache', 2112, 64, false],
  ['fs_cache', 64, 64, false],
  ['cred_jar', 192, 64, false],
  ['pid', 128, 64, false],
  ['anon_vma', 104, 8, false],
  ['filp', 256, 64, false],
  ['names_cache', 4096, 64, false],
  ['kernfs_node_cache', 128, 8, false],
  ['dentry', 192, 64, true],
  ['inode_cache', 608, 64, true],
  ['radix_tree_node', 576, 8, true],
  ['buffer_head', 104, 8, true],
  ['skbuff_head_cache', 256, 64, false],
  ['sock_inode_cache', 832, 64, true],
];

/** Objects a freshly booted machine holds in the kmalloc and other caches (scaled a little with memory). */
const BOOT_OBJECTS: readonly [string, number][] = [
  ['kmalloc-8', 3000],
  ['kmalloc-16', 2600],
  ['kmalloc-32', 3100],
  ['kmalloc-64', 6200],
  ['kmalloc-96', 1500],
  ['kmalloc-128', 1300],
  ['kmalloc-192', 1050],
  ['kmalloc-256', 820],
  ['kmalloc-512', 900],
  ['kmalloc-1k', 520],
  ['kmalloc-2k', 310],
  ['kmalloc-4k', 250],
  ['kmalloc-8k', 60],
  ['kernfs_node_cache', 30000],
  ['radix_tree_node', 1200],
  ['buffer_head', 900],
  ['filp', 1400],
  ['skbuff_head_cache', 300],
  ['sock_inode_cache', 150],
  ['anon_vma', 400],
];

/** A module-style allocation a task made (kmalloc, vmalloc, pages), by tag. */
export type ModuleAlloc =
  | { kind: 'slab'; obj: SlabObject; bytes: number; cache: KmemCache }
  | { kind: 'pages'; pfn: number; order: number; bytes: number; pageCount: number }
  | { kind: 'vmalloc'; area: VmArea; bytes: number };

/** Kernel calls kept per task (logKernelCall). */
const KERNEL_CALLS_KEPT = 50;

export interface KernelCallRecord {
  t: number;
  call: string;
  result: string;
}

export class MemoryManager {
  readonly pages: PageAllocator;
  readonly slab: SlabAllocator;
  readonly vmalloc = new VmallocSpace();
  readonly files = new FileCache();
  readonly shrinkers: Shrinker[] = [];
  committedAs = 0;
  swapUsed = 0;
  kernelStacks = 0;
  readonly percpuKb: number;
  activeAnonPages = 0;
  /** A clock of anonymous faults and touches, ordering processes on the anon LRU (reclaimAnon). */
  anonTouchSeq = 0;
  /** Pages evicted so far, file and anon (lruvec->nonresident_age): the clock of refault distances. */
  nonresidentAge = 0;
  readonly oomVictims = new Set<Task>();
  readonly oomKills: OomKillRecord[] = [];
  oomKillsTotal = 0;
  kswapd: Task | null = null;
  kswapdRunning = false;
  /** Where a slab cache gets its pages: made once, not a closure per kmem_cache_alloc (a dentry storm makes 240k). */
  private readonly slabPages = (order: number): number => this.allocKernelPages(order, Owner.Slab);
  reserved = { kernelPages: 0, memmapPages: 0, percpuPages: 0, firmwarePages: 0 };
  readonly moduleAllocs = new Map<Task, Map<string, ModuleAlloc[]>>();
  /** What module-like tasks allocated and never freed before they exited: still allocated, owned by nobody. */
  readonly leakedModuleAllocs: ModuleAlloc[] = [];
  readonly kernelCalls = new Map<Task, KernelCallRecord[]>();
  /** The caches a task's kernel objects go back to (TaskKobjs), looked up once at boot. */
  private kobjCaches: KobjCaches = [];
  /** Rate limit of the __vm_enough_memory warning (pr_warn_ratelimited: 10 per 5 s). */
  private warnBurst: { start: number; n: number } = { start: -1, n: 0 };
  reclaimStats = { kswapdReclaimed: 0, directReclaimed: 0, kswapdScanned: 0, directScanned: 0, slabFreed: 0, slabsScanned: 0, swappedOut: 0, swappedIn: 0, allocstall: 0, pgfault: 0, pgmajfault: 0, pgpginKb: 0, pgpgoutKb: 0, workingsetRefaultFile: 0, workingsetRefaultAnon: 0 };

  constructor(private readonly k: Kernel) {
    const totalPages = Math.floor(k.config.memoryBytes / PAGE_SIZE);
    this.pages = new PageAllocator(totalPages);
    this.slab = new SlabAllocator(this.pages, k.nrCpus);
    this.slab.onEvent = (kind, cache, slabs) => this.k.event({ kind, cache, slabs });
    this.percpuKb = k.nrCpus * 256 + 512;
  }

  /* ------------------------------------------------------------ boot */

  boot(): void {
    const pa = this.pages;
    const total = pa.totalPages;
    // Reserved at boot: the first MiB (firmware), the kernel image at 16 MiB, percpu areas and the memmap
    // (64 bytes of struct page per page) at the top of memory.
    const firmware = 256;
    const kernelImage = Math.min(8192, Math.floor(total / 16));
    const memmap = Math.ceil(total / 64);
    const percpu = Math.ceil((this.percpuKb * 1024) / PAGE_SIZE);
    this.reserved = { kernelPages: kernelImage, memmapPages: memmap, percpuPages: percpu, firmwarePages: firmware };
    const kStart = Math.min(4096, total - kernelImage - memmap - percpu - 1);
    const topStart = total - memmap - percpu;
    pa.memblockFreeAll([
      [firmware, kStart],
      [kStart + kernelImage, topStart],
    ]);
    const sysctl = this.k.sysctl;
    if (sysctl.minFreeKbytes === 0) sysctl.minFreeKbytes = calculateMinFreeKbytes(pa.managedPages);
    pa.setupWatermarks(sysctl.minFreeKbytes, sysctl.watermarkScaleFactor);
    const freeKb = pa.freePages * 4;
    sysctl.userReserveKbytes = Math.min(Math.floor(freeKb / 32), 1 << 17);
    sysctl.adminReserveKbytes = Math.min(Math.floor(freeKb / 32), 1 << 13);
    for (const size of KMALLOC_SIZES) this.slab.create(kmallocCacheName(size), size, 8);
    for (const [name, size, align, recl] of CORE_CACHES) this.slab.create(name, size, align, { reclaimable: recl });
    this.kobjCaches = [...KOBJ_CACHES, VMA_CACHE].map((name) => this.slab.get(name));
    this.populateBoot();
    registerCoreShrinkers(this.k);
  }

  private populateBoot(): void {
    const scale = Math.min(4, Math.max(0.25, this.k.config.memoryBytes / 4 / 1024 ** 3));
    for (const [name, n] of BOOT_OBJECTS) {
      const c = this.slab.get(name);
      c.allocBulk(Math.round(n * scale), this.slabPages);
    }
    // The dcache of a booted system: pinned entries (open, cwd, /proc, /sys) and unused ones on the LRU.
    const fc = this.files;
    const dentries = Math.round(12000 * scale);
    for (let i = 0; i < dentries; i++) {
      const positive = i % 3 !== 2;
      const e = this.newDentry(null, -1, positive);
      if (e === null) break;
      if (i < dentries / 3) fc.pinned.push(e);
      else fc.addUnused(e);
    }
    // Page cache of the programs and libraries booting touched.
    const bootCacheBytes = Math.min(256 * 1024 ** 2, Math.floor(this.k.config.memoryBytes / 16));
    const files: [string, number][] = [
      ['/usr/lib/x86_64-linux-gnu/libc.so.6', 2 * 1024 ** 2],
      ['/usr/lib/systemd/systemd', 2 * 1024 ** 2],
      ['/usr/bin/bash', 1400 * 1024],
      ['/var/log/journal/system.journal', Math.max(1024 ** 2, bootCacheBytes - 6 * 1024 ** 2)],
    ];
    for (const [path, bytes] of files) this.cacheFile(path, bytes, false);
    // Early vmalloc areas and ioremaps of a PC.
    this.vmalloc.add({ size: 8192, caller: 'hpet_enable+0x3a/0x2e0', pages: [], kind: 'ioremap', phys: 0xfed00000 });
    this.vmalloc.add({ size: 12288, caller: 'acpi_os_map_iomem+0x1b1/0x1f0', pages: [], kind: 'ioremap', phys: 0xbffe0000 });
    const pcpuPages: number[] = [];
    for (let i = 0; i < 8 * this.k.nrCpus; i++) {
      const pfn = this.allocKernelPages(0, Owner.Vmalloc);
      if (pfn >= 0) pcpuPages.push(pfn);
    }
    this.vmalloc.add({ size: pcpuPages.length * PAGE_SIZE + PAGE_SIZE, caller: 'pcpu_get_vm_areas+0x0/0x1010', pages: pcpuPages, kind: 'vmalloc' });
  }

  /** "Zone ranges" lines of the boot log. */
  bootLines(): string[] {
    const out = ['Zone ranges:'];
    const hex = (pfn: number): string => `0x${(pfn * PAGE_SIZE).toString(16).padStart(16, '0')}`;
    for (const z of this.pages.zones) out.push(`  ${z.name.padEnd(8)} [mem ${hex(Math.max(z.startPfn, 1))}-${hex(z.endPfn).replace(/000$/, 'fff').replace(/^0x0*(?=.{16}$)/, '0x')}]`);
    out.push(`Built 1 zonelists, mobility grouping on.  Total pages: ${this.pages.managedPages}`);
    return out;
  }

  /** The "Memory: ...K/...K available" line. */
  bootMemoryLines(): string[] {
    const r = this.reserved;
    const totalKb = this.pages.totalPages * 4;
    const availKb = this.pages.managedPages * 4;
    return [
      `Memory: ${availKb}K/${totalKb}K available (${Math.floor((r.kernelPages * 4) / 2)}K kernel code, ${Math.floor(r.kernelPages / 4)}K rwdata, ${Math.floor(r.kernelPages / 2)}K rodata, 4096K init, 8192K bss, ${totalKb - availKb}K reserved, 0K cma-reserved)`,
    ];
  }

  /* ------------------------------------------------------------ page allocation */

  totalRamPages(): number {
    return this.pages.managedPages;
  }

  totalSwapPages(): number {
    return Math.floor(this.k.config.swapBytes / PAGE_SIZE);
  }

  commitLimit(): number {
    return commitLimitPages({ totalRamPages: this.totalRamPages(), totalSwapPages: this.totalSwapPages(), hugetlbPages: 0, committedAs: this.committedAs }, this.k.sysctl);
  }

  /**
   * Allocate 2^order pages without sleeping: zones from Normal down, above the low watermark (fast path), then
   * above min (slow path, kswapd woken). Returns -1 when that fails; callers decide on reclaim and OOM.
   */
  tryAllocPages(order: number, owner: Owner): number {
    const zs = this.pages.zones;
    const classZone = zs[zs.length - 1]?.index ?? 0;
    for (let i = zs.length - 1; i >= 0; i--) {
      const z = zs[i];
      if (z === undefined) continue;
      if (this.pages.watermarkOk(z, order, z.wmarkLow, classZone)) {
        const pfn = this.pages.rmqueue(z, order, owner);
        if (pfn >= 0) {
          this.afterAlloc();
          return pfn;
        }
      }
    }
    wakeKswapd(this.k);
    for (let i = zs.length - 1; i >= 0; i--) {
      const z = zs[i];
      if (z === undefined) continue;
      if (this.pages.watermarkOk(z, order, z.wmarkMin, classZone)) {
        const pfn = this.pages.rmqueue(z, order, owner);
        if (pfn >= 0) return pfn;
      }
    }
    return -1;
  }

  /**
   * Up to n order-0 pages for owner, pushed onto list: exactly the pages that n calls of tryAllocPages would hand
   * out one by one (alloc_pages_bulk). A zone serves order 0 from its free lists while its free pages stay above
   * low watermark + lowmem reserve, so each zone, highest first, gives that many in one loop, without the
   * per-page zone walk and checks; the first page past the fast path goes through tryAllocPages itself (kswapd,
   * the min watermark). Returns how many pages were taken (fewer than n only when tryAllocPages failed).
   */
  allocPagesInto(n: number, owner: Owner, list: PfnList): number {
    const zs = this.pages.zones;
    const classZone = zs[zs.length - 1]?.index ?? 0;
    let got = 0;
    for (let i = zs.length - 1; i >= 0 && got < n; i--) {
      const z = zs[i];
      if (z === undefined) continue;
      const room = z.freePages - z.wmarkLow - (z.lowmemReserve[classZone] ?? 0);
      if (room > 0) got += this.pages.rmqueueBulk(z, Math.min(room, n - got), owner, list);
    }
    // kswapd is woken at most once (wakeKswapd is idempotent), and nothing between here and the pages above
    // depends on whether it was woken after one page or after all of them.
    if (got > 0) this.afterAlloc();
    while (got < n) {
      const pfn = this.tryAllocPages(0, owner);
      if (pfn < 0) break;
      list.push(pfn);
      got++;
    }
    return got;
  }

  private afterAlloc(): void {
    for (const z of this.pages.zones) {
      if (z.freePages < z.wmarkLow) {
        wakeKswapd(this.k);
        return;
      }
    }
  }

  /** Kernel-internal allocation that may reclaim synchronously but never invokes the OOM killer. */
  allocKernelPages(order: number, owner: Owner): number {
    let pfn = this.tryAllocPages(order, owner);
    for (let prio = 12; pfn < 0 && prio >= 0; prio -= 4) {
      if (reclaimPages(this.k, 32 << order, prio, false) === 0) continue;
      pfn = this.tryAllocPages(order, owner);
    }
    return pfn;
  }

  freePages(pfn: number, order: number): void {
    this.pages.free(pfn, order);
  }

  /** A kmalloc-like slab object for internal use (fork, dcache). */
  kmemAlloc(cache: string): SlabObject | null {
    return this.slab.get(cache).alloc(this.slabPages);
  }

  kmemFree(o: SlabObject | null): void {
    if (o !== null) o.slab.cache.free(o);
  }

  /** d_alloc() (and an inode for a positive dentry): the slab objects of a dentry named stem + seq (see DcacheEntry). */
  newDentry(stem: string | null, seq: number, positive: boolean): DcacheEntry | null {
    const d = this.kmemAlloc('dentry');
    if (d === null) return null;
    let inode: SlabObject | null = null;
    if (positive) {
      inode = this.kmemAlloc('inode_cache');
      if (inode === null) {
        this.kmemFree(d);
        return null;
      }
    }
    return new DcacheEntry(d.slab, d.index, inode?.slab ?? null, inode?.index ?? 0, stem, seq);
  }

  /** Path lookup: the file's dentry and inode come from the dcache, or are allocated (and stay cached). False on ENOMEM. */
  pathLookup(path: string): boolean {
    if (this.files.lookup(path) !== undefined) return true;
    const [stem, seq] = this.files.nameOf(path);
    return this.addDentry(stem, seq);
  }

  /** d_alloc() and d_add() of a new positive dentry named stem + seq, onto the dcache LRU. False on ENOMEM. */
  addDentry(stem: string, seq: number): boolean {
    const e = this.newDentry(stem, seq, true);
    if (e === null) return false;
    this.files.addNamed(e);
    this.files.addUnused(e);
    return true;
  }

  freeDentry(e: DcacheEntry): void {
    e.dentrySlab.cache.freeSlot(e.dentrySlab, e.dentrySlot);
    if (e.inodeSlab !== null) e.inodeSlab.cache.freeSlot(e.inodeSlab, e.inodeSlot);
    this.files.dropNamed(e);
    // Evicting the inode truncates its page cache.
    const f = this.files.fileOf(e);
    if (f !== undefined && f.mapCount === 0) this.dropFilePages(f, Infinity);
  }

  /** add_to_page_cache_lru() of up to n new pages of f: allocated as tryAllocPages would, listed and counted. */
  fillPageCache(f: CachedFile, n: number): number {
    const got = this.allocPagesInto(n, Owner.PageCache, f.pages);
    this.countPageCache(f, got);
    return got;
  }

  private countPageCache(f: CachedFile, n: number): void {
    this.files.nrPages += n;
    if (f.active) this.files.activePages += n;
  }

  /** Read a file into the page cache (no I/O time: boot and internal use). */
  cacheFile(path: string, bytes: number, active: boolean): void {
    const f = this.files.file(path);
    const want = Math.ceil(bytes / PAGE_SIZE);
    f.sizeBytes = Math.max(f.sizeBytes, bytes);
    while (f.pages.length < want) {
      if (this.fillPageCache(f, want - f.pages.length) > 0) continue;
      // Nothing free above the watermarks: reclaim as a kernel allocation does, then go on.
      const pfn = this.allocKernelPages(0, Owner.PageCache);
      if (pfn < 0) break;
      f.pages.push(pfn);
      this.countPageCache(f, 1);
    }
    if (active && !f.active) this.activateFile(f);
    // Its dentry (none when the slab allocator is out of memory: the pages stay cached all the same).
    this.pathLookup(path);
  }

  activateFile(f: { active: boolean; pages: { length: number } }): void {
    if (f.active) return;
    f.active = true;
    this.files.activePages += f.pages.length;
  }

  /** Drop up to n clean, unmapped pages of a file from the page cache. Returns pages freed. */
  dropFilePages(f: CachedFile, n: number): number {
    if (f.mapCount > 0) return 0;
    const freed = Math.max(0, Math.min(n, f.pages.length - f.dirty));
    this.pages.freeListTail(f.pages, freed);
    this.files.nrPages -= freed;
    if (f.active) this.files.activePages -= freed;
    return freed;
  }

  /* ------------------------------------------------------------ tasks: fork, exit, release */

  /** copy_process(): the child's kernel objects, and for a new process (not a thread) its mm. */
  fork(parent: Task, child: Task, thread: boolean): string | null {
    const ts = this.kmemAlloc('task_struct');
    // A sized literal, not push(): a pushed-to [] reserves 17 slots.
    const stackPages = [-1, -1, -1, -1];
    for (let i = 0; i < STACK_PAGES; i++) {
      const pfn = this.allocKernelPages(0, Owner.Vmalloc);
      if (pfn < 0) {
        stackPages.length = i;
        break;
      }
      stackPages[i] = pfn;
    }
    const pid = this.kmemAlloc('pid');
    const cred = this.kmemAlloc('cred_jar');
    const fail = (): string => {
      this.kmemFree(ts);
      this.kmemFree(pid);
      this.kmemFree(cred);
      for (const p of stackPages) this.pages.free(p, 0);
      return 'ENOMEM';
    };
    if (ts === null || pid === null || cred === null || stackPages.length < STACK_PAGES) return fail();
    const ko = this.vmalloc.place(new TaskKobjs(stackPages));
    ko.set(Kobj.TaskStruct, ts);
    ko.set(Kobj.Pid, pid);
    ko.set(Kobj.Cred, cred);
    this.kernelStacks++;
    if (!thread) {
      ko.set(Kobj.Signal, this.kmemAlloc('signal_cache'));
      ko.set(Kobj.Sighand, this.kmemAlloc('sighand_cache'));
      ko.set(Kobj.Files, this.kmemAlloc('files_cache'));
      ko.set(Kobj.Fs, this.kmemAlloc('fs_cache'));
    }
    child.kobjs = ko;
    if (child.isKthread) return null;
    if (thread && parent.mm !== null) {
      (parent.mm as Mm).users++;
      child.mm = parent.mm;
      return null;
    }
    // A new process: as if it exec()ed its program, with the usual mappings of a small C program.
    const mm = new Mm();
    ko.set(Kobj.MmStruct, this.kmemAlloc('mm_struct'));
    child.mm = mm;
    const exe = `/usr/bin/${child.comm.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
    this.mapFile(child, mm, 'exe', exe, 64 * 1024, 'exe');
    this.mapFile(child, mm, 'libc', '/usr/lib/x86_64-linux-gnu/libc.so.6', 2 * 1024 ** 2, 'lib', 1024 ** 2);
    const stack = new AnonVma('stack', 'stack', 33, 33);
    const heap = new AnonVma('anon', 'brk', 32, 32);
    mm.vmas.push(stack, heap);
    this.committedAs += 65;
    for (const v of [stack, heap]) {
      const obj = this.kmemAlloc(VMA_CACHE);
      if (obj !== null) ko.addVma(obj);
      this.allocPagesInto(v === stack ? 4 : 16, Owner.Anon, v.anonList());
    }
    // Trimmed to its four mappings: the pushes reserved 17 slots, and every process holds this array.
    mm.vmas = mm.vmas.slice();
    this.syncPageTables(mm);
    mm.noteHiwater();
    return null;
  }

  /** Map (part of) a file: its pages come into the page cache and count in RssFile. */
  mapFile(t: Task, mm: Mm, tag: string, path: string, bytes: number, kind: 'file' | 'exe' | 'lib', residentBytes = bytes): FileVma {
    const pages = Math.ceil(bytes / PAGE_SIZE);
    // The cached file's own path string, not the caller's copy: every process maps libc and its exe, and a
    // string each was 32 B a task. (file() is what cacheFile() below starts with.)
    const vma = new FileVma(kind, tag, pages, 0, this.files.file(path).path);
    mm.vmas.push(vma);
    const ko = taskKobjs(t);
    const obj = this.kmemAlloc(VMA_CACHE);
    if (ko !== null && obj !== null) ko.addVma(obj);
    this.cacheFile(path, residentBytes, false);
    const f = this.files.file(path);
    f.mapCount++;
    vma.fileMapped = Math.min(f.pages.length, Math.ceil(residentBytes / PAGE_SIZE));
    f.mappedPages = Math.max(f.mappedPages, vma.fileMapped);
    return vma;
  }

  /** Make the mm's page-table pages match its mappings. */
  syncPageTables(mm: Mm): void {
    const need = mm.vmas.length === 0 ? 0 : mm.neededPtPages();
    while (mm.ptPages.length < need) {
      const pfn = this.tryAllocPages(0, Owner.PageTable);
      if (pfn < 0) return;
      mm.ptPages.push(pfn);
    }
    while (mm.ptPages.length > need) this.pages.free(mm.ptPages.pop(), 0);
  }

  /** Free one VMA's memory (munmap, exit). */
  unmapVma(mm: Mm, v: Vma): void {
    this.pages.freeListTail(v.anon, v.anon.length);
    this.activeAnonPages -= Math.min(this.activeAnonPages, v.activePages);
    v.activePages = 0;
    this.swapUsed -= v.swapped;
    v.swapped = 0;
    this.committedAs -= v.committed;
    v.committed = 0;
    if (v.file !== null) {
      const f = this.files.files.get(v.file);
      if (f !== undefined) f.mapCount = Math.max(0, f.mapCount - 1);
      v.fileMapped = 0;
    }
    const i = mm.vmas.indexOf(v);
    if (i >= 0) mm.vmas.splice(i, 1);
  }

  /** exit_mm(), exit_files(), exit_fs(). */
  exit(p: Task): void {
    const mm = taskMm(p);
    const ko = taskKobjs(p);
    if (mm !== null) {
      p.mm = null;
      mm.users--;
      if (mm.users === 0) this.freeMm(mm);
      if (ko !== null) {
        ko.free(Kobj.MmStruct, this.kobjCaches);
        ko.freeVmas(this.kobjCaches);
      }
    }
    if (ko !== null) {
      ko.free(Kobj.Files, this.kobjCaches);
      ko.free(Kobj.Fs, this.kobjCaches);
    }
    this.freeModuleAllocs(p);
    this.oomVictims.delete(p);
  }

  private freeMm(mm: Mm): void {
    for (const v of [...mm.vmas]) this.unmapVma(mm, v);
    this.pages.freeListTail(mm.ptPages, mm.ptPages.length);
  }

  /** The OOM reaper: free the anonymous memory of a victim that is slow to exit. */
  reapMm(mm: Mm): void {
    for (const v of mm.vmas) {
      this.pages.freeListTail(v.anon, v.anon.length);
      this.activeAnonPages -= Math.min(this.activeAnonPages, v.activePages);
      v.activePages = 0;
    }
    this.syncPageTables(mm);
    mm.oomSkip = true;
  }

  /** release_task(): the last kernel objects go (task_struct, stack, pid, cred, signal, sighand). */
  releaseTask(p: Task): void {
    const ko = taskKobjs(p);
    if (ko === null) return;
    p.kobjs = null;
    ko.freeAll(this.kobjCaches);
    for (const pfn of ko.pages) this.pages.free(pfn, 0);
    this.vmalloc.remove(ko);
    this.kernelStacks--;
    this.kernelCalls.delete(p);
  }

  private freeModuleAllocs(p: Task): void {
    const m = this.moduleAllocs.get(p);
    if (m === undefined) return;
    // A "module" task's allocations are not freed when it exits: like a module that forgot its kfree, the
    // memory stays allocated (a kernel memory leak you can see in slabinfo / vmallocinfo). They are kept owned
    // by no task, so that the dead task itself is not kept reachable.
    this.moduleAllocs.delete(p);
    for (const list of m.values()) for (const a of list) this.leakedModuleAllocs.push(a);
  }

  /* ------------------------------------------------------------ system calls */

  /** A memory call from a program: runs as a kernel sub-program of the task. */
  syscall(rq: Rq, p: Task, call: MemCall): boolean {
    p.syscall = memSyscall(this.k, p, call);
    void rq;
    return true;
  }

  /**
   * __vm_enough_memory(): charge pages to Committed_AS if the overcommit policy allows; prints the kernel's
   * rate-limited warning when it refuses.
   */
  chargeCommit(p: Task, pages: number): boolean {
    this.committedAs += pages;
    const mm = taskMm(p);
    const ok = vmEnoughMemory(
      { totalRamPages: this.totalRamPages(), totalSwapPages: this.totalSwapPages(), hugetlbPages: 0, committedAs: this.committedAs },
      this.k.sysctl,
      pages,
      mm === null ? null : mm.totalVm,
      p.uid === 0,
    );
    if (ok) return true;
    this.committedAs -= pages;
    const now = this.k.now;
    if (this.warnBurst.start < 0 || now - this.warnBurst.start >= 5_000_000_000) this.warnBurst = { start: now, n: 0 };
    if (this.warnBurst.n++ < 10) {
      this.k.printk(4, `__vm_enough_memory: pid: ${p.pid}, comm: ${p.comm}, bytes: ${pages * PAGE_SIZE} not enough memory for the allocation`, { pid: p.pid });
    }
    return false;
  }

  /**
   * Record a module-like task's kernel memory call and its result, the last KERNEL_CALLS_KEPT per task (what the
   * JSON report shows): 200 a task made a 10 000-task machine's live heap several times larger. A task built with
   * -DDEBUG (the scenario's `"debug": true`) also says it with pr_debug(), as a module author's debug output
   * would, so the calls show in dmesg and on the dashboard.
   */
  logKernelCall(p: Task, call: string, result: string): void {
    if (p.debug) this.k.printk(7, `${p.comm}: ${call} -> ${result}`, { pid: p.pid });
    let list = this.kernelCalls.get(p);
    if (list === undefined) {
      list = [];
      this.kernelCalls.set(p, list);
    }
    list.push({ t: this.k.now, call, result });
    if (list.length > KERNEL_CALLS_KEPT) list.shift();
  }

  moduleAllocList(p: Task, tag: string): ModuleAlloc[] {
    let m = this.moduleAllocs.get(p);
    if (m === undefined) {
      m = new Map();
      this.moduleAllocs.set(p, m);
    }
    let l = m.get(tag);
    if (l === undefined) {
      l = [];
      m.set(tag, l);
    }
    return l;
  }

  /* ------------------------------------------------------------ knobs and reports */

  dropCaches(mode: number): void {
    dropCachesImpl(this.k, mode);
  }

  setupWatermarks(): void {
    this.pages.setupWatermarks(this.k.sysctl.minFreeKbytes, this.k.sysctl.watermarkScaleFactor);
  }

  mappedFilePages(): number {
    let n = 0;
    for (const f of this.files.files.values()) if (f.mapCount > 0) n += Math.min(f.mappedPages, f.pages.length);
    return n;
  }

  recordOomKill(r: OomKillRecord): void {
    this.oomKills.push(r);
    this.oomKillsTotal++;
    if (this.oomKills.length > 64) this.oomKills.shift();
  }

  oomScore(t: Task): number {
    const total = this.totalRamPages() + this.totalSwapPages();
    return oomScoreFromBadness(oomBadness(t, total), total);
  }

  taskMem(t: Task): null | {
    minflt: number;
    majflt: number;
    vsizeBytes: number;
    rssPages: number;
    vmPeakKb: number;
    vmSizeKb: number;
    hwmKb: number;
    rssAnonKb: number;
    rssFileKb: number;
    rssShmemKb: number;
    vmDataKb: number;
    vmStkKb: number;
    vmExeKb: number;
    vmLibKb: number;
    vmPteKb: number;
    vmSwapKb: number;
  } {
    const mm = taskMm(t);
    if (mm === null) return null;
    const sum = (kind: string): number => mm.vmas.filter((v) => v.kind === kind).reduce((a, v) => a + v.pages, 0);
    return {
      minflt: mm.minflt,
      majflt: mm.majflt,
      vsizeBytes: mm.totalVm * PAGE_SIZE,
      rssPages: mm.rss,
      vmPeakKb: Math.max(mm.hiwaterVmPages, mm.totalVm) * 4,
      vmSizeKb: mm.totalVm * 4,
      hwmKb: Math.max(mm.hiwaterRssPages, mm.rss) * 4,
      rssAnonKb: mm.anonRss * 4,
      rssFileKb: mm.fileRss * 4,
      rssShmemKb: 0,
      vmDataKb: sum('anon') * 4,
      vmStkKb: sum('stack') * 4,
      vmExeKb: sum('exe') * 4,
      vmLibKb: sum('lib') * 4,
      vmPteKb: mm.ptPages.length * 4,
      vmSwapKb: mm.swapEnts * 4,
    };
  }

  /** Fields added to each task row of the JSON summary. */
  taskReport(t: Task): Record<string, unknown> {
    const mem = this.taskMem(t);
    const out: Record<string, unknown> = {
      rssKb: mem === null ? 0 : mem.rssAnonKb + mem.rssFileKb,
      vmKb: mem?.vmSizeKb ?? 0,
      swapKb: mem?.vmSwapKb ?? 0,
      oomScore: t.exitState === 0 ? this.oomScore(t) : 0,
      oomScoreAdj: t.oomScoreAdj,
    };
    const calls = this.kernelCalls.get(t);
    if (calls !== undefined) out.kernelCalls = calls.slice();
    return out;
  }

  summary(): Record<string, unknown> {
    const text = renderMeminfo(this.k);
    const memory: Record<string, number> = {};
    for (const line of text.split('\n')) {
      const m = /^([A-Za-z0-9_()]+):\s+(\d+)/.exec(line);
      if (m) memory[m[1] as string] = Number(m[2]);
    }
    return {
      memory,
      oomKills: this.oomKills.map((r) => ({
        t: r.t,
        victimPid: r.victimPid,
        victimComm: r.victimComm,
        badnessPages: r.badnessPages,
        trigger: r.trigger,
        reaped: r.reaped,
        candidates: r.candidates.map((c) => ({ pid: c.pid, comm: c.comm, points: c.points })),
      })),
      reclaim: { ...this.reclaimStats },
    };
  }

  /** Register /proc files of the memory subsystem. */
  registerProc(): void {
    const proc = this.k.proc;
    proc.register('/proc/meminfo', { read: (k) => renderMeminfo(k) });
    proc.register('/proc/vmstat', { read: (k) => renderVmstat(k) });
    proc.register('/proc/buddyinfo', { read: () => this.pages.renderBuddyinfo() });
    proc.register('/proc/zoneinfo', { read: (k) => renderZoneinfo(k) });
    proc.register('/proc/slabinfo', { read: () => this.slab.renderSlabinfo() });
    proc.register('/proc/vmallocinfo', { read: () => this.vmalloc.render() });
    proc.register('/proc/swaps', { read: (k) => renderSwaps(k) });
  }

  /** Start kswapd's program (kswapd0 exists once boot created the kernel threads). */
  attachKswapd(t: Task): void {
    this.kswapd = t;
    t.program = kswapdProgram(this.k);
  }
}

export { MemoryManager as default };
