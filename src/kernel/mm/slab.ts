/**
 * SLUB slab caches (mm/slub.c, mm/slab_common.c): kmem_cache_create / alloc / free / destroy, slab geometry
 * from calculate_order() (min objects from the CPU count, max order 3, the waste fractions 1/16..1/2), slabs on
 * partial and full lists, empty slabs kept up to min_partial and otherwise returned to the buddy allocator,
 * the kmalloc size classes, and /proc/slabinfo 2.1. Per-CPU slabs are folded into the node's lists.
 */
import { fls } from '../core/time.js';
import { getOrder, PAGE_SIZE, type PageAllocator } from './page-alloc.js';

const MAX_OBJS_PER_PAGE = 32767;
const SLUB_MAX_ORDER = 3;

/** order_objects(). */
function orderObjects(order: number, size: number): number {
  return Math.min(Math.floor((PAGE_SIZE << order) / size), MAX_OBJS_PER_PAGE);
}

/** calc_slab_order(): the first order in [minOrder, maxOrder] wasting at most 1/fraction of the slab. */
function calcSlabOrder(size: number, minOrder: number, maxOrder: number, fraction: number): number {
  for (let order = minOrder; order <= maxOrder; order++) {
    const slabSize = PAGE_SIZE << order;
    const rem = slabSize % size;
    if (rem <= slabSize / fraction) return order;
  }
  return maxOrder + 1;
}

/** calculate_order() of 6.8+: the slab order for objects of this size on a machine with nrCpus CPUs. */
export function calculateOrder(size: number, nrCpus: number): number {
  let minObjects = 4 * (fls(nrCpus) + 1);
  const maxObjects = orderObjects(SLUB_MAX_ORDER, size);
  minObjects = Math.min(minObjects, Math.max(maxObjects, 1));
  const minOrder = Math.max(0, getOrder(minObjects * size));
  for (const fraction of [16, 8, 4, 2]) {
    const order = calcSlabOrder(size, minOrder, SLUB_MAX_ORDER, fraction);
    if (order <= SLUB_MAX_ORDER) return order;
  }
  return getOrder(size);
}

export class Slab {
  inuse = 0;
  /**
   * Slots never handed out yet: they go in index order (objects - fresh is the next). A freed slot goes on the
   * returned stack, which is used first (LIFO). Together this is exactly a free stack that started as
   * [objects-1, ..., 1, 0], without holding one number per slot for slabs nobody frees from (8 B a slot: a
   * 10 000-task machine's slabs or a dentry storm's).
   */
  private fresh: number;
  private returned: number[] | null = null;
  onPartial = false;
  constructor(
    readonly cache: KmemCache,
    /** Index in its cache's slab table (a slab ref names the slab by it). */
    readonly id: number,
    readonly pfn: number,
  ) {
    this.fresh = cache.objPerSlab;
  }

  /** Objects in the slab: every slab of a cache has the same number (not stored: 8 B a slab). */
  get objects(): number {
    return this.cache.objPerSlab;
  }

  get nrFree(): number {
    return this.fresh + (this.returned?.length ?? 0);
  }

  /** Take a free slot (the caller checked nrFree > 0). */
  take(): number {
    const r = this.returned;
    if (r !== null && r.length > 0) return r.pop() as number;
    return this.objects - this.fresh--;
  }

  /** take() k times, the slots discarded (the caller checked nrFree >= k). */
  takeMany(k: number): void {
    const r = this.returned;
    const fromReturned = r === null ? 0 : Math.min(k, r.length);
    if (r !== null) r.length -= fromReturned;
    this.fresh -= k - fromReturned;
  }

  give(index: number): void {
    (this.returned ??= []).push(index);
  }
}

/** A slab object: which slab, which slot. The symbolic address is derived from the page frame. */
export interface SlabObject {
  readonly slab: Slab;
  readonly index: number;
}

/**
 * A slab object as one number, for holders of many objects (a task's dozen): its slab's id in its cache and
 * its slot (below 2^12: at most 4096 objects in an order-3 slab). The holder knows the cache;
 * KmemCache.freeRef() turns the number back into the slot.
 */
const SLOTS_PER_REF = 4096;
export function slabRef(o: SlabObject): number {
  return o.slab.id * SLOTS_PER_REF + o.index;
}

export function objectAddress(o: SlabObject): string {
  const addr = 0xffff888000000000n + BigInt(o.slab.pfn) * 4096n + BigInt(o.index * o.slab.cache.size);
  return addr.toString(16);
}

export interface CacheFlags {
  /** SLAB_RECLAIM_ACCOUNT: counted in SReclaimable. */
  reclaimable?: boolean;
  /** Created by a (simulated) module rather than the core kernel. */
  module?: boolean;
}

export class KmemCache {
  readonly order: number;
  readonly objPerSlab: number;
  readonly minPartial: number;
  /** Slabs with free objects, most recent first at the end. */
  private readonly partial: Slab[] = [];
  /**
   * Every slab of the cache by id (null: a free id, reused last-freed first). A table rather than a Map keyed
   * by page frame: 16 B a slab instead of some 80, and a 10 000-task machine has 6 600 slabs.
   */
  private readonly slabTable: (Slab | null)[] = [];
  private readonly freeIds: number[] = [];
  nrSlabs = 0;
  totalObjects = 0;
  activeObjects = 0;
  readonly reclaimable: boolean;
  readonly module: boolean;
  /** Set by shrinker registration: count/scan callbacks for this cache's objects. */
  allocs = 0;
  frees = 0;

  constructor(
    readonly name: string,
    readonly objectSize: number,
    readonly align: number,
    readonly size: number,
    nrCpus: number,
    private readonly pages: PageAllocator,
    private readonly onSlabChange: (cache: KmemCache, delta: number) => void,
    flags: CacheFlags = {},
  ) {
    this.order = calculateOrder(size, nrCpus);
    this.objPerSlab = orderObjects(this.order, size);
    if (this.objPerSlab > SLOTS_PER_REF) throw new Error(`${name}: ${this.objPerSlab} objects per slab do not fit a slab ref`);
    this.minPartial = Math.min(10, Math.max(5, (fls(size) - 1) >> 1));
    this.reclaimable = flags.reclaimable === true;
    this.module = flags.module === true;
  }

  get pagesPerSlab(): number {
    return 1 << this.order;
  }

  /** kmem_cache_alloc(): from a partial slab, else a new slab from the page allocator. Null when out of pages. */
  alloc(allocPages: (order: number) => number): SlabObject | null {
    const slab = this.partial[this.partial.length - 1] ?? this.newSlab(allocPages);
    if (slab === null) return null;
    const index = slab.take();
    slab.inuse++;
    this.activeObjects++;
    this.allocs++;
    if (slab.nrFree === 0) {
      this.partial.pop();
      slab.onPartial = false;
    }
    return { slab, index };
  }

  /**
   * n alloc() calls whose objects nobody frees by handle (the kernel objects of a booted system): the same slabs,
   * slots and counters, a slab at a time. Returns how many were allocated (fewer when out of pages).
   */
  allocBulk(n: number, allocPages: (order: number) => number): number {
    let done = 0;
    while (done < n) {
      const slab = this.partial[this.partial.length - 1] ?? this.newSlab(allocPages);
      if (slab === null) break;
      const k = Math.min(n - done, slab.nrFree);
      slab.takeMany(k);
      slab.inuse += k;
      this.activeObjects += k;
      this.allocs += k;
      done += k;
      if (slab.nrFree === 0) {
        this.partial.pop();
        slab.onPartial = false;
      }
    }
    return done;
  }

  /** allocate_slab(): a new slab on the partial list, or null when out of pages. */
  private newSlab(allocPages: (order: number) => number): Slab | null {
    const pfn = allocPages(this.order);
    if (pfn < 0) return null;
    const id = this.freeIds.pop() ?? this.slabTable.length;
    const slab = new Slab(this, id, pfn);
    this.slabTable[id] = slab;
    this.nrSlabs++;
    this.totalObjects += this.objPerSlab;
    slab.onPartial = true;
    this.partial.push(slab);
    this.onSlabChange(this, 1);
    return slab;
  }

  /** kmem_cache_free(): back to its slab; an empty slab beyond min_partial goes back to the buddy allocator. */
  free(o: SlabObject): void {
    this.freeSlot(o.slab, o.index);
  }

  /** The live slab with this id, if any. */
  slabById(id: number): Slab | null {
    return this.slabTable[id] ?? null;
  }

  /** kmem_cache_free() of the object a slabRef() names. */
  freeRef(ref: number): void {
    const slab = this.slabTable[Math.floor(ref / SLOTS_PER_REF)];
    if (slab === undefined || slab === null) throw new Error(`${this.name}: no slab for object ref ${ref}`);
    this.freeSlot(slab, ref % SLOTS_PER_REF);
  }

  /** kmem_cache_free() of the object in this slot of this slab. */
  freeSlot(slab: Slab, index: number): void {
    if (slab.cache !== this) throw new Error(`object of ${slab.cache.name} freed to ${this.name}`);
    slab.give(index);
    slab.inuse--;
    this.activeObjects--;
    this.frees++;
    if (!slab.onPartial) {
      slab.onPartial = true;
      this.partial.push(slab);
    }
    if (slab.inuse === 0 && this.emptySlabs() > this.minPartial) this.discard(slab);
  }

  private emptySlabs(): number {
    let n = 0;
    for (const s of this.partial) if (s.inuse === 0) n++;
    return n;
  }

  private discard(slab: Slab): void {
    const i = this.partial.indexOf(slab);
    if (i >= 0) this.partial.splice(i, 1);
    slab.onPartial = false;
    this.slabTable[slab.id] = null;
    this.freeIds.push(slab.id);
    this.nrSlabs--;
    this.totalObjects -= this.objPerSlab;
    this.pages.free(slab.pfn, this.order);
    this.onSlabChange(this, -1);
  }

  /** kmem_cache_shrink(): give every empty slab back. Returns the number of slabs freed. */
  shrink(): number {
    let n = 0;
    for (const s of [...this.partial]) {
      if (s.inuse === 0) {
        this.discard(s);
        n++;
      }
    }
    return n;
  }

  get pagesUsed(): number {
    return this.nrSlabs << this.order;
  }

  /** A cache_show() row of /proc/slabinfo. */
  slabinfoRow(): string {
    return (
      `${this.name.padEnd(17)} ${String(this.activeObjects).padStart(6)} ${String(this.totalObjects).padStart(6)} ${String(this.size).padStart(6)} ` +
      `${String(this.objPerSlab).padStart(4)} ${String(this.pagesPerSlab).padStart(4)} : tunables ${'0'.padStart(4)} ${'0'.padStart(4)} ${'0'.padStart(4)} : ` +
      `slabdata ${String(this.nrSlabs).padStart(6)} ${String(this.nrSlabs).padStart(6)} ${'0'.padStart(6)}`
    );
  }

  verify(): string | null {
    for (const s of this.partial) if (s.nrFree === 0) return `${this.name}: full slab on the partial list`;
    let inuse = 0;
    let known = 0;
    for (const [id, s] of this.slabTable.entries()) {
      if (s === null) continue;
      known++;
      if (s.id !== id) return `${this.name}: slab ${s.id} in table slot ${id}`;
      if (s.inuse + s.nrFree !== s.objects) return `${this.name}: slab at pfn ${s.pfn} has ${s.inuse} used + ${s.nrFree} free != ${s.objects}`;
      if (s.nrFree > 0 && !s.onPartial) return `${this.name}: slab with free objects is not on the partial list`;
      inuse += s.inuse;
    }
    if (inuse !== this.activeObjects) return `${this.name}: slabs hold ${inuse} objects, active_objs says ${this.activeObjects}`;
    if (this.allocs - this.frees !== this.activeObjects) return `${this.name}: ${this.allocs} allocs - ${this.frees} frees != ${this.activeObjects}`;
    if (known !== this.nrSlabs) return `${this.name}: ${known} slabs known, nr_slabs ${this.nrSlabs}`;
    if (this.totalObjects !== this.nrSlabs * this.objPerSlab) return `${this.name}: ${this.totalObjects} objects in ${this.nrSlabs} slabs`;
    if (this.activeObjects < 0 || this.activeObjects > this.totalObjects) return `${this.name}: ${this.activeObjects} active of ${this.totalObjects}`;
    return null;
  }
}

/** The kmalloc size classes (kmalloc_info): 8 .. 8192 with 96 and 192. */
export const KMALLOC_SIZES = [8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192];
export const KMALLOC_MAX_CACHE_SIZE = 8192;

export function kmallocCacheName(size: number): string {
  return size >= 1024 ? `kmalloc-${size / 1024}k` : `kmalloc-${size}`;
}

/** kmalloc_index(): the class a request of `bytes` is served from, or null for the page allocator. */
export function kmallocClass(bytes: number): number | null {
  if (bytes > KMALLOC_MAX_CACHE_SIZE) return null;
  for (const s of KMALLOC_SIZES) if (bytes <= s) return s;
  return null;
}

export const SLABINFO_HEADER =
  'slabinfo - version: 2.1\n# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n';

export class SlabAllocator {
  /** In creation order; /proc/slabinfo lists them newest first (slab_caches is head-inserted). */
  readonly caches: KmemCache[] = [];
  readonly byName = new Map<string, KmemCache>();
  /** Pages in reclaimable / unreclaimable slabs (SReclaimable / SUnreclaim). */
  reclaimablePages = 0;
  unreclaimablePages = 0;
  onEvent: ((kind: 'slab_grow' | 'slab_shrink', cache: string, slabs: number) => void) | null = null;

  constructor(
    private readonly pages: PageAllocator,
    private readonly nrCpus: number,
  ) {}

  /** kmem_cache_create(): size is rounded up to the alignment. Returns null if the name exists. */
  create(name: string, objectSize: number, align: number, flags: CacheFlags = {}): KmemCache | null {
    if (this.byName.has(name)) return null;
    const a = Math.max(8, align);
    const size = Math.ceil(objectSize / a) * a;
    const c = new KmemCache(name, objectSize, a, size, this.nrCpus, this.pages, (cache, delta) => this.slabChanged(cache, delta), flags);
    this.caches.push(c);
    this.byName.set(name, c);
    return c;
  }

  private slabChanged(c: KmemCache, delta: number): void {
    const pages = delta << c.order;
    if (c.reclaimable) this.reclaimablePages += pages;
    else this.unreclaimablePages += pages;
    this.onEvent?.(delta > 0 ? 'slab_grow' : 'slab_shrink', c.name, Math.abs(delta));
  }

  /** kmem_cache_destroy(): refuses (returns false) while objects remain, as the kernel warns and keeps it. */
  destroy(name: string): boolean {
    const c = this.byName.get(name);
    if (c === undefined) return false;
    if (c.activeObjects > 0) return false;
    c.shrink();
    this.byName.delete(name);
    this.caches.splice(this.caches.indexOf(c), 1);
    return true;
  }

  get(name: string): KmemCache {
    const c = this.byName.get(name);
    if (c === undefined) throw new Error(`no slab cache ${name}`);
    return c;
  }

  renderSlabinfo(): string {
    const rows = [...this.caches].reverse().map((c) => `${c.slabinfoRow()}\n`);
    return SLABINFO_HEADER + rows.join('');
  }

  totalPages(): number {
    return this.reclaimablePages + this.unreclaimablePages;
  }
}

