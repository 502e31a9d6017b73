/**
 * Per-process memory (struct mm_struct and its VMAs): mapped size, commit charge, resident anonymous pages (the
 * page frames themselves), mapped file pages, swap entries and the page tables that grow with the mapping.
 * Threads share one Mm.
 */

/** Entries per storage chunk of a PfnList (4 KiB of Int32). */
const CHUNK_SHIFT = 10;
const CHUNK = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK - 1;
/**
 * A stack of page frame numbers. While every entry continues one run of consecutive pfns (a mapping filled by
 * one bulk allocation from one buddy block: most of a task's lists), the list is just that run's first pfn and
 * length, no array. The first push that breaks the run spills it into array storage: the first CHUNK entries
 * in a plain array, beyond that fixed 4 KiB Int32Array chunks. A plain array because it grows without a typed
 * array's allocation (an ArrayBuffer and a C-heap block per doubling, about a microsecond each: the demo's
 * page cache churn made thousands a second). Chunks because a leak of a million pages must not ask for (and,
 * once killed, free) one multi-megabyte buffer per doubling: at x100 the demo's leak/OOM cycle did that every
 * second and the freed buffers fragmented the C heap by some 50 MB, while equal-sized chunks are reused as
 * they are.
 */
const NOT_RUN = -1;

export class PfnList {
  /**
   * The run mode: the entries are runStart, runStart + 1, ... (all `length` of them). NOT_RUN when the entries
   * are in the arrays. (No separate run length: it would always equal length, 8 B in every list.)
   */
  private runStart = NOT_RUN;
  private first: number[] | null = null;
  /** Chunks for entries CHUNK and up; null until the list first grows past CHUNK. */
  private rest: Int32Array[] | null = null;
  length = 0;

  push(pfn: number): void {
    const n = this.length;
    if (n === 0) {
      this.runStart = pfn;
      this.length = 1;
      return;
    }
    if (this.runStart !== NOT_RUN) {
      if (pfn === this.runStart + n) {
        this.length = n + 1;
        return;
      }
      this.spill();
    }
    this.store(n, pfn);
    this.length = n + 1;
  }

  pop(): number {
    return this.length === 0 ? -1 : this.popMany(1);
  }

  /** n pops at once (0 < n <= length): returns what the last of them would, the entry n below the top. */
  popMany(n: number): number {
    const i = this.length - n;
    this.length = i;
    if (this.runStart !== NOT_RUN) return this.runStart + i;
    // Keep one empty chunk beyond the last used one, so a list hovering at a chunk boundary does not reallocate.
    const rest = this.rest;
    if (rest !== null && rest.length > (i >> CHUNK_SHIFT) + 1) rest.length = (i >> CHUNK_SHIFT) + 1;
    return this.at(i);
  }

  /** n pushes of start, start + 1, ..., start + n - 1 (a run stays a run). */
  pushRun(start: number, n: number): void {
    const len = this.length;
    if (len === 0) this.runStart = start;
    else if (this.runStart === NOT_RUN || start !== this.runStart + len) {
      if (this.runStart !== NOT_RUN) this.spill();
      for (let i = 0; i < n; i++) this.store(len + i, start + i);
    }
    this.length = len + n;
  }

  /**
   * How many entries, at most max, end the list as consecutive pfns (x, x + 1, ..., last): the next pops return
   * them last-first.
   */
  tailRunLength(max: number): number {
    const n = this.length;
    if (this.runStart !== NOT_RUN || n <= 1) return Math.min(n, max);
    const lo = Math.max(0, n - max);
    let i = n - 1;
    let v = this.at(i);
    while (i > lo && this.at(i - 1) === v - 1) {
      i--;
      v--;
    }
    return n - i;
  }

  private at(i: number): number {
    if (i < CHUNK) return (this.first as number[])[i] as number;
    return ((this.rest as Int32Array[])[(i >> CHUNK_SHIFT) - 1] as Int32Array)[i & CHUNK_MASK] as number;
  }

  /** Leave the run mode: write the run's entries into the array storage. */
  private spill(): void {
    const n = this.length;
    for (let i = 0; i < n; i++) this.store(i, this.runStart + i);
    this.runStart = NOT_RUN;
  }

  private store(n: number, pfn: number): void {
    if (n < CHUNK) {
      let first = this.first;
      // Sized arrays grown by doubling from 4, not push(): a pushed-to [] reserves 17 slots, and most lists (a
      // task's stack, its page tables) hold a handful of pages.
      if (first === null || n === first.length) {
        const grown = new Array<number>(n < 4 ? 4 : 2 * n);
        for (let i = 0; i < n; i++) grown[i] = (first as number[])[i] as number;
        this.first = first = grown;
      }
      first[n] = pfn;
    } else {
      const rest = (this.rest ??= []);
      const ci = (n >> CHUNK_SHIFT) - 1;
      if (ci === rest.length) rest.push(new Int32Array(CHUNK));
      (rest[ci] as Int32Array)[n & CHUNK_MASK] = pfn;
    }
  }
}

/** The empty anon page list that file mappings share until one of them gets a private page (frozen: a push throws). */
const NO_ANON = Object.freeze(new PfnList()) as PfnList;

export type VmaKind = 'anon' | 'stack' | 'file' | 'exe' | 'lib';

/**
 * An anonymous mapping (heap, stack, mmap'ed memory). As far as memory goes it is its list of resident
 * pages, so it is that list (a PfnList subclass) rather than holding one: every process has two of these,
 * and a list object of its own was 56 B each.
 */
export class AnonVma extends PfnList {
  /** Anon pages that were written to swap. */
  swapped = 0;
  /** Pages touched a second time (promoted to the active LRU). */
  activePages = 0;

  constructor(
    readonly kind: 'anon' | 'stack',
    readonly tag: string,
    /** Mapped size in pages. */
    public pages: number,
    /** Pages charged to Committed_AS (private writable mappings). */
    public committed: number,
  ) {
    super();
  }

  /** The resident anonymous pages, to read, take from or add to. */
  get anon(): PfnList {
    return this;
  }

  anonList(): PfnList {
    return this;
  }

  /** No file behind it. */
  get file(): null {
    return null;
  }

  get fileMapped(): number {
    return 0;
  }

  get resident(): number {
    return this.length;
  }
}

/** A file mapping (an executable, a library, mmap of a file): its pages are the page cache's. */
export class FileVma {
  /** Private copies (written pages of a MAP_PRIVATE mapping): the shared empty list until the first (anonList). */
  private anonPages: PfnList = NO_ANON;
  /** Private copies that were written to swap. */
  swapped = 0;
  /** File pages mapped: counted, owned by the page cache. */
  fileMapped = 0;
  /** Private copies touched a second time (promoted to the active LRU). */
  activePages = 0;

  constructor(
    readonly kind: 'file' | 'exe' | 'lib',
    readonly tag: string,
    /** Mapped size in pages. */
    public pages: number,
    /** Pages charged to Committed_AS (none for a shared or read-only file mapping). */
    public committed: number,
    readonly file: string,
  ) {}

  /** The private copies, to read or to take pages from. */
  get anon(): PfnList {
    return this.anonPages;
  }

  /** The private copies, to add pages to. */
  anonList(): PfnList {
    if (this.anonPages === NO_ANON) this.anonPages = new PfnList();
    return this.anonPages;
  }

  get resident(): number {
    return this.anonPages.length + this.fileMapped;
  }
}

/** A mapping (struct vm_area_struct): anonymous or file-backed. */
export type Vma = AnonVma | FileVma;

export class Mm {
  users = 1;
  /**
   * When its anonymous pages were last faulted in or touched (MemoryManager.anonTouchSeq): its place on the anon
   * LRU; and the machine's eviction count (nonresidentAge) when it last lost pages to swap, the age of its shadow
   * entries. Kept per process, not per mapping or page: at 10 000 tasks each field per mapping cost 32 B a task.
   */
  lastTouch = 0;
  evictedAt = 0;
  vmas: Vma[] = [];
  /** Page-table page frames (PTE, PMD, PUD and the PTI-doubled PGD). */
  readonly ptPages = new PfnList();
  hiwaterRssPages = 0;
  hiwaterVmPages = 0;
  minflt = 0;
  majflt = 0;
  /** An OOM victim whose memory the reaper already took (MMF_OOM_SKIP). */
  oomSkip = false;
  /** Module-style kernel allocations owned by the task (by tag), for kfree & co. */

  get totalVm(): number {
    let n = 0;
    for (const v of this.vmas) n += v.pages;
    return n;
  }

  get committed(): number {
    let n = 0;
    for (const v of this.vmas) n += v.committed;
    return n;
  }

  get anonRss(): number {
    let n = 0;
    for (const v of this.vmas) n += v.anon.length;
    return n;
  }

  get fileRss(): number {
    let n = 0;
    for (const v of this.vmas) n += v.fileMapped;
    return n;
  }

  get swapEnts(): number {
    let n = 0;
    for (const v of this.vmas) n += v.swapped;
    return n;
  }

  /** get_mm_rss(): resident anon and file pages, in one walk of the mappings. */
  get rss(): number {
    let n = 0;
    for (const v of this.vmas) n += v.resident;
    return n;
  }

  /**
   * Page-table pages this mm needs: a PTE page per 2 MiB of each VMA's touched range, a PMD page per 512 PTE
   * pages, one PUD page, and a PGD of two pages (page-table isolation).
   */
  neededPtPages(): number {
    let pte = 0;
    for (const v of this.vmas) {
      const touched = v.anon.length + v.swapped + v.fileMapped;
      if (touched > 0) pte += Math.ceil(touched / 512);
    }
    const pmd = Math.max(1, Math.ceil(pte / 512));
    return pte + pmd + 1 + 2;
  }

  vmasByTag(tag: string): Vma[] {
    return this.vmas.filter((v) => v.tag === tag);
  }

  noteHiwater(): void {
    const rss = this.rss;
    if (rss > this.hiwaterRssPages) this.hiwaterRssPages = rss;
    const vm = this.totalVm;
    if (vm > this.hiwaterVmPages) this.hiwaterVmPages = vm;
  }
}
