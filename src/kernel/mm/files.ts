/**
 * Files as the memory manager sees them: the page cache (clean and dirty pages per file, the file LRU with
 * inactive/active ages) and the dentry / inode caches (slab objects in dentry and inode_cache, reclaimable when
 * unused). Reading a file the first time costs disk I/O; later reads are served from the cache.
 */
import type { Slab } from './slab.js';
import { Deque } from '../../lib/deque.js';
import { PfnList } from './mm-struct.js';

/** The simulated disk: latency per request and transfer time per page (about 200 MB/s). */
export const DISK_LATENCY_NS = 100_000;
export const DISK_NS_PER_PAGE = 20_000;

export class CachedFile {
  readonly pages = new PfnList();
  sizeBytes = 0;
  dirty = 0;
  dirtiedAtNs = -1;
  /** Read more than once: its pages are on the active file LRU. */
  active = false;
  /**
   * Shadow entries of workingset pages (the active list's) that reclaim evicted: reading them back is a
   * refault, which the reader waits for as a memory stall (workingset_refault()).
   */
  workingsetShadows = 0;
  /** Processes mapping it (mmap-file): mapped pages are not reclaimed. */
  mapCount = 0;
  mappedPages = 0;
  lastAccessNs = 0;
  constructor(readonly path: string) {}
}

/**
 * A dentry (and its inode, for a positive dentry) in the dcache. The two slab objects are held as slab + slot
 * rather than as SlabObjects: a file indexer makes 100k of these, and the inline form is half their heap.
 * The name is stem + seq for a name that ends in a number (see nameSplit), else stem alone (seq -1): an
 * indexer's names are one prefix and a counter, and no string of their own is built or kept.
 */
export class DcacheEntry {
  constructor(
    readonly dentrySlab: Slab,
    readonly dentrySlot: number,
    /** Null for a negative dentry (a name looked up that does not exist). */
    readonly inodeSlab: Slab | null,
    readonly inodeSlot: number,
    /** Null for the anonymous boot-time dentries, which no lookup reaches. */
    readonly stem: string | null,
    readonly seq: number,
  ) {}

  get positive(): boolean {
    return this.inodeSlab !== null;
  }

  get path(): string | null {
    return this.stem === null || this.seq < 0 ? this.stem : this.stem + String(this.seq);
  }
}

/** Longest number suffix filed under its stem: below 10^9, so a small integer. */
const MAX_SEQ_DIGITS = 9;

/**
 * Where a name's canonical number suffix starts: the maximal run of trailing digits, 1 to 9 of them, without a
 * leading zero (unless it is "0"). -1 when the name has none: it is filed whole. Every name splits one way
 * only (a stem never ends in a digit), so "/tmp/f12" is always ("/tmp/f", 12) however it was looked up.
 */
export function nameSplit(path: string): number {
  let i = path.length;
  while (i > 0) {
    const c = path.charCodeAt(i - 1);
    if (c < 48 || c > 57) break;
    i--;
  }
  const digits = path.length - i;
  if (digits === 0 || digits > MAX_SEQ_DIGITS || (digits > 1 && path.charCodeAt(i) === 48)) return -1;
  return i;
}

/** Can names stem + n (n >= 0) be filed under stem without splitting stem + String(n) again? */
export function isStem(stem: string): boolean {
  const c = stem.charCodeAt(stem.length - 1);
  return stem.length > 0 && !(c >= 48 && c <= 57);
}

export class FileCache {
  readonly files = new Map<string, CachedFile>();
  /** Unused dentries, oldest first (the dcache LRU the shrinker walks). */
  private readonly unused = new Deque<DcacheEntry>();
  /** How many unused entries carry an inode (positive dentries). */
  private unusedInodes = 0;
  /**
   * The dcache's hash of named entries: names without a number suffix by path, the others per stem by number
   * (d_lookup by parent and name, with the stem for the parent). Number keys hash as themselves; the path
   * strings they replace cost a string, its hash and a string compare per lookup, and 40 B each in the heap.
   */
  private readonly byPath = new Map<string, DcacheEntry>();
  private readonly byStem = new Map<string, Map<number, DcacheEntry>>();
  /** Named entries in the dcache. */
  named = 0;
  /** Stems of the files whose names end in a number: a dentry under any other stem has no file. */
  private readonly fileStems = new Set<string>();
  /** Pinned entries: in use (open, cwd, mounted, a system file) - never reclaimed. */
  pinned: DcacheEntry[] = [];
  nrPages = 0;
  nrDirty = 0;
  nrWriteback = 0;
  activePages = 0;
  /** Mount state: SysRq-u remounts everything read-only. */
  readOnly = false;

  file(path: string): CachedFile {
    let f = this.files.get(path);
    if (f === undefined) {
      f = new CachedFile(path);
      this.files.set(path, f);
      const i = nameSplit(path);
      if (i >= 0) this.fileStems.add(path.slice(0, i));
    }
    return f;
  }

  /** The file whose inode this entry is, if its pages were ever cached. */
  fileOf(e: DcacheEntry): CachedFile | undefined {
    if (e.stem === null || (e.seq >= 0 && !this.fileStems.has(e.stem))) return undefined;
    return this.files.get(e.path as string);
  }

  /** d_lookup(): the entry for this name, if cached. */
  lookup(path: string): DcacheEntry | undefined {
    const i = nameSplit(path);
    if (i < 0) return this.byPath.get(path);
    return this.byStem.get(path.slice(0, i))?.get(Number(path.slice(i)));
  }

  /** Stem and number of a name, for newDentry (stem alone and -1 when it has no number suffix). */
  nameOf(path: string): [string, number] {
    const i = nameSplit(path);
    return i < 0 ? [path, -1] : [path.slice(0, i), Number(path.slice(i))];
  }

  /** The entries named stem + n, by n (isStem(stem) must hold): a lookup loop's one map. */
  stemDir(stem: string): Map<number, DcacheEntry> {
    let dir = this.byStem.get(stem);
    if (dir === undefined) {
      dir = new Map();
      this.byStem.set(stem, dir);
    }
    return dir;
  }

  /** d_add(): hash a new named entry (one that lookup() does not find yet). */
  addNamed(e: DcacheEntry): void {
    if (e.stem === null) return;
    if (e.seq < 0) this.byPath.set(e.stem, e);
    else this.stemDir(e.stem).set(e.seq, e);
    this.named++;
  }

  /** d_drop(): unhash an entry being freed. */
  dropNamed(e: DcacheEntry): void {
    if (e.stem === null) return;
    const gone = e.seq < 0 ? this.byPath.delete(e.stem) : (this.byStem.get(e.stem)?.delete(e.seq) ?? false);
    if (gone) this.named--;
  }

  /** Move a file to the young end of the file LRU. */
  touchLru(f: CachedFile, nowNs: number): void {
    this.files.delete(f.path);
    this.files.set(f.path, f);
    f.lastAccessNs = nowNs;
  }

  get inactivePages(): number {
    return this.nrPages - this.activePages;
  }

  /** Dentries the shrinker may free (count_objects of the superblock shrinker). */
  get freeableDentries(): number {
    return this.unused.length;
  }

  get freeableInodes(): number {
    return this.unusedInodes;
  }

  /** Put an entry at the young end of the dcache LRU. */
  addUnused(e: DcacheEntry): void {
    this.unused.push(e);
    if (e.positive) this.unusedInodes++;
  }

  /** Take the oldest unused entry (the shrinker's prune_dcache_sb). */
  takeOldestUnused(): DcacheEntry | undefined {
    const e = this.unused.shift();
    if (e !== undefined && e.positive) this.unusedInodes--;
    return e;
  }
}
