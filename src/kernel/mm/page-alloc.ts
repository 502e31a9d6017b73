/**
 * The buddy page allocator (mm/page_alloc.c): zones DMA / DMA32 / Normal over the machine's page frames, free
 * lists per order 0..MAX_PAGE_ORDER (10), splitting on allocation and merging with the buddy (pfn ^ 2^order) on
 * free, watermarks min/low/high per zone (__setup_per_zone_wmarks) and lowmem reserves.
 * Free lists are intrusive doubly linked lists over typed arrays indexed by pfn, so the allocator costs a few
 * bytes per page and allocates nothing per call. Every page has an owner tag, so that memory adds up.
 */
import { intSqrt } from '../core/time.js';
import type { PfnList } from './mm-struct.js';

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;
export const MAX_PAGE_ORDER = 10;
export const NR_PAGE_ORDERS = 11;
export const PAGE_ALLOC_COSTLY_ORDER = 3;

/** What a page is used for; the meminfo counters are sums over these. */
export const Owner = {
  Free: 0,
  Reserved: 1,
  Anon: 2,
  PageCache: 3,
  Slab: 4,
  PageTable: 5,
  Vmalloc: 6,
  /** Pages from __get_free_pages / alloc_pages / kmalloc_large (drivers, modules). */
  Kernel: 7,
} as const;
export type Owner = (typeof Owner)[keyof typeof Owner];
export const OWNER_NAMES = ['free', 'reserved', 'anon', 'pagecache', 'slab', 'pagetable', 'vmalloc', 'kernel'] as const;

export type ZoneName = 'DMA' | 'DMA32' | 'Normal';

export class Zone {
  readonly freeHead = new Int32Array(NR_PAGE_ORDERS).fill(-1);
  readonly nrFree = new Array<number>(NR_PAGE_ORDERS).fill(0);
  freePages = 0;
  managedPages = 0;
  wmarkMin = 0;
  wmarkLow = 0;
  wmarkHigh = 0;
  wmarkPromo = 0;
  /** lowmem_reserve[j]: pages kept back from allocations that could use zone j. */
  lowmemReserve: number[] = [];

  constructor(
    readonly name: ZoneName,
    readonly index: number,
    readonly startPfn: number,
    readonly endPfn: number,
  ) {}

  get spannedPages(): number {
    return this.endPfn - this.startPfn;
  }
}

export class PageAllocator {
  readonly zones: Zone[] = [];
  /**
   * Free-list links (next at 2*i, prev at 2*i+1) of the free blocks of order < MAX_PAGE_ORDER by head pfn, and of
   * the max-order blocks by block number (pfn >> MAX_PAGE_ORDER) in a small array of their own: boot lists every
   * 4 MiB block, and linking them through the per-pfn array faulted in a page of it per block (12 ms at 4 GiB).
   */
  private readonly link: Int32Array;
  private readonly maxLink: Int32Array;
  /**
   * Order + 1 of the free block of order < MAX_PAGE_ORDER whose head is this pfn; 0 when it is not one (so a fresh
   * array is all "none"). Max-order blocks are not marked: nothing merges beyond them, and marking every one at
   * boot would fault in the whole array (16 MiB at 64 GiB, some 50 ms on this kind of machine).
   */
  private readonly headOrder: Uint8Array;
  /**
   * Owner of every page frame. A fresh array says Free (0) everywhere while the counters say Reserved: boot
   * (memblockFreeAll) tags the pages that stay reserved and leaves the free ones' bytes untouched, so that the
   * untouched part of the array never becomes resident.
   */
  private readonly owner: Uint8Array;
  private booted = false;
  /** Pages per owner (index = Owner). */
  readonly ownerPages = [0, 0, 0, 0, 0, 0, 0, 0];

  /** layout: explicit zones (name, start pfn, end pfn) instead of the x86-64 DMA / DMA32 / Normal split. */
  constructor(
    readonly totalPages: number,
    layout?: readonly [ZoneName, number, number][],
  ) {
    this.link = new Int32Array(2 * totalPages);
    this.maxLink = new Int32Array(2 * Math.ceil(totalPages / (1 << MAX_PAGE_ORDER)));
    this.headOrder = new Uint8Array(totalPages);
    this.owner = new Uint8Array(totalPages);
    this.ownerPages[Owner.Reserved] = totalPages;
    // x86-64 layout: DMA below 16 MiB, DMA32 below 4 GiB (with the PCI hole, memory there ends at 3 GiB),
    // Normal above.
    if (layout !== undefined) {
      layout.forEach(([name, start, end]) => this.zones.push(new Zone(name, ['DMA', 'DMA32', 'Normal'].indexOf(name), start, end)));
    } else {
      const dmaEnd = Math.min(totalPages, 4096);
      const dma32End = Math.min(totalPages, 786_432);
      this.zones.push(new Zone('DMA', 0, 0, dmaEnd));
      if (totalPages > dmaEnd) this.zones.push(new Zone('DMA32', 1, dmaEnd, dma32End));
      if (totalPages > dma32End) this.zones.push(new Zone('Normal', 2, dma32End, totalPages));
    }
  }

  zoneByIndex(i: number): Zone {
    return this.zones.find((z) => z.index === i) as Zone;
  }

  /** page_zone(): the zone whose range holds pfn (a pfn in no zone counts as the first zone's). */
  zoneAt(pfn: number): Zone {
    const zs = this.zones;
    for (let i = 0; i < zs.length; i++) {
      const z = zs[i] as Zone;
      if (pfn >= z.startPfn && pfn < z.endPfn) return z;
    }
    return this.zoneByIndex(0);
  }

  /**
   * memblock_free_all(): the pages of ranges (ascending, disjoint [start, end) pfn ranges) go to the buddy
   * allocator in aligned maximal blocks; every other page stays reserved. Once, right after construction.
   */
  memblockFreeAll(ranges: readonly (readonly [number, number])[]): void {
    if (this.booted) throw new Error('memblockFreeAll: already booted');
    this.booted = true;
    let from = 0;
    for (const [start, end] of ranges) {
      if (end <= start) continue;
      if (start < from || end > this.totalPages) throw new Error(`memblockFreeAll: bad range ${start}-${end}`);
      this.owner.fill(Owner.Reserved, from, start);
      this.freeRange(start, end);
      from = end;
    }
    this.owner.fill(Owner.Reserved, from, this.totalPages);
  }

  /** A range of never-tagged pages (their bytes already say Free) to the free lists. */
  private freeRange(start: number, end: number): void {
    let pfn = start;
    while (pfn < end) {
      let order = MAX_PAGE_ORDER;
      const z = this.zoneAt(pfn);
      while (order > 0 && (pfn % (1 << order) !== 0 || pfn + (1 << order) > end || this.zoneAt(pfn + (1 << order) - 1) !== z)) order--;
      this.ownerPages[Owner.Reserved] = (this.ownerPages[Owner.Reserved] as number) - (1 << order);
      this.ownerPages[Owner.Free] = (this.ownerPages[Owner.Free] as number) + (1 << order);
      z.managedPages += 1 << order;
      this.freeBlock(pfn, order);
      pfn += 1 << order;
    }
  }

  /** The link array of a free list of this order, and where a block's next (+0) and prev (+1) are in it. */
  private links(order: number): Int32Array {
    return order === MAX_PAGE_ORDER ? this.maxLink : this.link;
  }

  private static slot(pfn: number, order: number): number {
    return order === MAX_PAGE_ORDER ? 2 * (pfn >> MAX_PAGE_ORDER) : 2 * pfn;
  }

  private listAdd(z: Zone, pfn: number, order: number): void {
    const head = z.freeHead[order] as number;
    const a = this.links(order);
    const i = PageAllocator.slot(pfn, order);
    a[i] = head;
    a[i + 1] = -1;
    if (head >= 0) a[PageAllocator.slot(head, order) + 1] = pfn;
    z.freeHead[order] = pfn;
    if (order < MAX_PAGE_ORDER) this.headOrder[pfn] = order + 1;
    z.nrFree[order] = (z.nrFree[order] as number) + 1;
    z.freePages += 1 << order;
  }

  private listDel(z: Zone, pfn: number, order: number): void {
    const a = this.links(order);
    const i = PageAllocator.slot(pfn, order);
    const n = a[i] as number;
    const p = a[i + 1] as number;
    if (p >= 0) a[PageAllocator.slot(p, order)] = n;
    else z.freeHead[order] = n;
    if (n >= 0) a[PageAllocator.slot(n, order) + 1] = p;
    if (order < MAX_PAGE_ORDER) this.headOrder[pfn] = 0;
    z.nrFree[order] = (z.nrFree[order] as number) - 1;
    z.freePages -= 1 << order;
  }

  /** __free_one_page(): merge with free buddies as far as they go, then add to the free list. */
  private freeBlock(pfn: number, order: number): void {
    const z = this.zoneAt(pfn);
    while (order < MAX_PAGE_ORDER) {
      const buddy = pfn ^ (1 << order);
      if (buddy >= z.endPfn || buddy < z.startPfn || this.headOrder[buddy] !== order + 1) break;
      this.listDel(z, buddy, order);
      pfn = Math.min(pfn, buddy);
      order++;
    }
    this.listAdd(z, pfn, order);
  }

  /** __rmqueue_smallest(): take the smallest block of at least this order from zone, splitting it. */
  rmqueue(z: Zone, order: number, owner: Owner): number {
    for (let cur = order; cur <= MAX_PAGE_ORDER; cur++) {
      const pfn = z.freeHead[cur] as number;
      if (pfn < 0) continue;
      this.listDel(z, pfn, cur);
      // expand(): the upper halves go back on the lower free lists.
      let high = cur;
      while (high > order) {
        high--;
        this.listAdd(z, pfn + (1 << high), high);
      }
      this.retag(pfn, order, owner);
      return pfn;
    }
    return -1;
  }

  /**
   * Up to n order-0 pages of zone z pushed onto list: the pages n calls of rmqueue(z, 0, owner) would return, in
   * their order, and the free lists as those calls would leave them. When the smallest free block has order k > 0,
   * those calls split it and hand out its pages in ascending order: each split puts the upper halves on the lower
   * lists, which were empty, and the next calls take them back from there. So the first m pages of the block are
   * taken at once (m = 2^k, or what is still wanted if that is fewer), and what the calls would leave of it, the
   * rest of the block as aligned blocks (one per set bit of 2^k - m), goes on those empty lists. Returns the number
   * of pages taken (fewer than n only when the zone runs out).
   */
  rmqueueBulk(z: Zone, n: number, owner: Owner, list: PfnList): number {
    let got = 0;
    while (got < n) {
      let cur = 0;
      while (cur <= MAX_PAGE_ORDER && (z.freeHead[cur] as number) < 0) cur++;
      if (cur > MAX_PAGE_ORDER) break;
      const pfn = z.freeHead[cur] as number;
      this.listDel(z, pfn, cur);
      const m = Math.min(n - got, 1 << cur);
      // The remainder [pfn + m, pfn + 2^k), from its bottom: each block is as large as its alignment allows.
      for (let at = m; at < 1 << cur; ) {
        const order = 31 - Math.clz32(at & -at);
        this.listAdd(z, pfn + at, order);
        at += 1 << order;
      }
      this.retagRange(pfn, m, owner);
      list.pushRun(pfn, m);
      got += m;
    }
    return got;
  }

  /**
   * Free the last k pages of list: what k pops, each followed by free(pfn, 0), would do, in fewer steps. Pages
   * that the pops return as a descending run of consecutive pfns are freed as aligned blocks from the run's top:
   * freeing a block's pages one by one merges them into exactly that block (the buddy of each part smaller than
   * the block is inside it), which then merges on as free(block, order) would.
   */
  freeListTail(list: PfnList, k: number): void {
    while (k > 0 && list.length > 0) {
      const n = list.tailRunLength(k);
      const start = list.popMany(n);
      let end = start + n;
      while (end > start) {
        const lo = Math.max(start, this.zoneAt(end - 1).startPfn);
        // The largest order whose block ends at end, is aligned (end's trailing zero bits) and fits above lo.
        const order = Math.min(MAX_PAGE_ORDER, 31 - Math.clz32(end & -end), 31 - Math.clz32(end - lo));
        const pfn = end - (1 << order);
        for (let p = pfn; p < end; p++) {
          const o = this.owner[p] as number;
          if (o === Owner.Free) throw new Error(`double free of pfn ${p}`);
          this.owner[p] = Owner.Free;
          this.ownerPages[o] = (this.ownerPages[o] as number) - 1;
        }
        this.ownerPages[Owner.Free] = (this.ownerPages[Owner.Free] as number) + (1 << order);
        this.freeBlock(pfn, order);
        end = pfn;
      }
      k -= n;
    }
  }

  /** __free_pages(): return a block of 2^order pages. */
  free(pfn: number, order: number): void {
    const n = 1 << order;
    const owner = this.owner[pfn] as number;
    if (owner === Owner.Free) throw new Error(`double free of pfn ${pfn}`);
    for (let i = 0; i < n; i++) this.owner[pfn + i] = Owner.Free;
    this.ownerPages[owner] = (this.ownerPages[owner] as number) - n;
    this.ownerPages[Owner.Free] = (this.ownerPages[Owner.Free] as number) + n;
    this.freeBlock(pfn, order);
  }

  /**
   * Change the owner tag of a block (pages that move from a module to a slab; a free block being handed out).
   * A loop, not fill(): most blocks are a few pages, and fill()'s call costs more.
   */
  retag(pfn: number, order: number, owner: Owner): void {
    this.retagRange(pfn, 1 << order, owner);
  }

  /** retag() of n pages from pfn that have one owner (part of one block). */
  private retagRange(pfn: number, n: number, owner: Owner): void {
    const old = this.owner[pfn] as number;
    for (let i = 0; i < n; i++) this.owner[pfn + i] = owner;
    this.ownerPages[old] = (this.ownerPages[old] as number) - n;
    this.ownerPages[owner] = (this.ownerPages[owner] as number) + n;
  }

  /** zone_watermark_ok(): enough free pages above mark (plus the reserve) for a block of this order? */
  watermarkOk(z: Zone, order: number, mark: number, classZone: number): boolean {
    const free = z.freePages - (1 << order) + 1;
    const reserve = z.lowmemReserve[classZone] ?? 0;
    if (free <= mark + reserve) return false;
    if (order === 0) return true;
    // Higher-order requests also need a free block of at least that order.
    for (let o = order; o <= MAX_PAGE_ORDER; o++) if ((z.nrFree[o] as number) > 0) return true;
    return false;
  }

  get freePages(): number {
    return this.ownerPages[Owner.Free] as number;
  }

  get managedPages(): number {
    let n = 0;
    for (const z of this.zones) n += z.managedPages;
    return n;
  }

  /**
   * __setup_per_zone_wmarks() and setup_per_zone_lowmem_reserve(): min_free_kbytes spread over the zones by
   * size, low = min + max(min/4, managed * scale / 10000), high = low + the same.
   */
  setupWatermarks(minFreeKbytes: number, scaleFactor: number): void {
    const pagesMin = Math.floor(minFreeKbytes / 4);
    const lowmem = this.managedPages;
    for (const z of this.zones) {
      const tmpMin = Math.floor((pagesMin * z.managedPages) / Math.max(1, lowmem));
      z.wmarkMin = tmpMin;
      const tmp = Math.max(tmpMin >> 2, Math.floor((z.managedPages * scaleFactor) / 10000));
      z.wmarkLow = z.wmarkMin + tmp;
      z.wmarkHigh = z.wmarkLow + tmp;
      z.wmarkPromo = z.wmarkHigh + tmp;
    }
    const ratio = [256, 256, 32];
    for (const z of this.zones) {
      z.lowmemReserve = [];
      for (let j = 0; j < 3; j++) {
        let pages = 0;
        for (const h of this.zones) if (h.index > z.index && h.index <= j) pages += h.managedPages;
        z.lowmemReserve.push(j <= z.index ? 0 : Math.floor(pages / (ratio[z.index] as number)));
      }
    }
  }

  /** totalreserve_pages: per zone, the largest lowmem reserve plus the high watermark. */
  totalReservePages(): number {
    let n = 0;
    for (const z of this.zones) n += Math.max(0, ...z.lowmemReserve) + z.wmarkHigh;
    return n;
  }

  sumWmarkLow(): number {
    let n = 0;
    for (const z of this.zones) n += z.wmarkLow;
    return n;
  }

  /** Check free lists and counters against the page owner tags (tests). */
  verify(): string | null {
    let free = 0;
    for (const z of this.zones) {
      let zf = 0;
      for (let o = 0; o < NR_PAGE_ORDERS; o++) {
        let n = 0;
        for (let p = z.freeHead[o] as number; p >= 0; p = this.links(o)[PageAllocator.slot(p, o)] as number) {
          const mark = o < MAX_PAGE_ORDER ? o + 1 : 0;
          if (this.headOrder[p] !== mark) return `pfn ${p} on order-${o} list is marked order ${(this.headOrder[p] as number) - 1}`;
          if (p % (1 << o) !== 0) return `order-${o} block at unaligned pfn ${p}`;
          for (let i = 0; i < 1 << o; i++) if (this.owner[p + i] !== Owner.Free) return `free block ${p}/${o} has an owned page`;
          n++;
        }
        if (n !== z.nrFree[o]) return `zone ${z.name} order ${o}: ${n} blocks listed, nr_free ${z.nrFree[o]}`;
        zf += n << o;
      }
      if (zf !== z.freePages) return `zone ${z.name}: free pages ${z.freePages} but lists hold ${zf}`;
      free += zf;
    }
    if (free !== this.ownerPages[Owner.Free]) return `free pages ${free} != owner count ${this.ownerPages[Owner.Free]}`;
    const counts = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let p = 0; p < this.totalPages; p++) counts[this.owner[p] as number]!++;
    for (let i = 0; i < counts.length; i++) {
      if (counts[i] !== this.ownerPages[i]) return `owner ${OWNER_NAMES[i]}: ${counts[i]} pages tagged, counter ${this.ownerPages[i]}`;
    }
    return null;
  }

  /** /proc/buddyinfo. */
  renderBuddyinfo(): string {
    return this.zones
      .map((z) => `Node 0, zone ${z.name.padStart(8)} ${z.nrFree.map((n) => `${String(n).padStart(6)} `).join('')}\n`)
      .join('');
  }
}

/** calculate_min_free_kbytes(): int_sqrt(lowmem_kbytes * 16), clamped to 128 .. 262144. */
export function calculateMinFreeKbytes(lowmemPages: number): number {
  const v = intSqrt(lowmemPages * 4 * 16);
  return Math.max(128, Math.min(262_144, v));
}

/** get_order(): the smallest order whose block holds size bytes. */
export function getOrder(size: number): number {
  let order = 0;
  while (PAGE_SIZE << order < size) order++;
  return order;
}
