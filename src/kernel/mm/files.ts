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
  /** Processes mapping it (mmap-file): mapped pages are not reclaimed. */
  mapCount = 0;
  mappedPages = 0;
  lastAccessNs = 0;
  constructor(readonly path: string) {}
}

/**
 * A dentry (and its inode, for a positive dentry) in the dcache. The two slab objects are held as slab + slot
 * rather than as SlabObjects: a file indexer makes 100k of these, and the inline form is half their heap.
 */
export class DcacheEntry {
  constructor(
    readonly dentrySlab: Slab,
    readonly dentrySlot: number,
    /** Null for a negative dentry (a name looked up that does not exist). */
    readonly inodeSlab: Slab | null,
    readonly inodeSlot: number,
    readonly path: string | null,
  ) {}

  get positive(): boolean {
    return this.inodeSlab !== null;
  }
}

export class FileCache {
  readonly files = new Map<string, CachedFile>();
  /** Unused dentries, oldest first (the dcache LRU the shrinker walks). */
  private readonly unused = new Deque<DcacheEntry>();
  /** How many unused entries carry an inode (positive dentries). */
  private unusedInodes = 0;
  /** Entries by path (positive dentries of our files). */
  readonly byPath = new Map<string, DcacheEntry>();
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
    }
    return f;
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
