/**
 * vmalloc (mm/vmalloc.c): virtually contiguous areas in [VMALLOC_START, VMALLOC_END) backed by scattered
 * order-0 pages, each followed by a guard page; ioremap areas with a physical address; /proc/vmallocinfo.
 * Addresses are kept as offsets from VMALLOC_START (they exceed 2^53) and printed with BigInt.
 */
import { RbTree, type RbNode } from '../../lib/rbtree.js';
import { PAGE_SIZE } from './page-alloc.js';

export const VMALLOC_START = 0xffffc90000000000n;
/** 32 TiB of vmalloc space on x86-64 with 4-level paging. */
export const VMALLOC_TOTAL_BYTES = 32 * 1024 ** 4;

export interface VmArea {
  offset: number;
  /** Area size including the guard page (the 7-wide size column). */
  size: number;
  caller: string;
  pages: number[];
  kind: 'vmalloc' | 'ioremap';
  phys?: number;
}

/**
 * A free range of address space below the top (struct vmap_area on free_vmap_area_root): a node of a tree by
 * offset, augmented with the largest free size in its subtree (subtree_max_size), so the lowest range that fits
 * a request is found in O(log n).
 */
class FreeVa implements RbNode<FreeVa> {
  rbParent: FreeVa | null = null;
  rbLeft: FreeVa | null = null;
  rbRight: FreeVa | null = null;
  rbRed = false;
  rbOnTree = false;
  subtreeMaxSize = 0;
  constructor(
    public offset: number,
    public size: number,
  ) {}
}

function augmentFreeVa(n: FreeVa): boolean {
  let m = n.size;
  if (n.rbLeft !== null && n.rbLeft.subtreeMaxSize > m) m = n.rbLeft.subtreeMaxSize;
  if (n.rbRight !== null && n.rbRight.subtreeMaxSize > m) m = n.rbRight.subtreeMaxSize;
  if (n.subtreeMaxSize === m) return false;
  n.subtreeMaxSize = m;
  return true;
}

function copyFreeVa(from: FreeVa, to: FreeVa): void {
  to.subtreeMaxSize = from.subtreeMaxSize;
}

export class VmallocSpace {
  /** Busy areas; /proc/vmallocinfo sorts them by address when it is read. */
  private readonly areas = new Set<VmArea>();
  /** Freed ranges below the top, coalesced with their neighbours. */
  private readonly free = new RbTree<FreeVa>({ less: (a, b) => a.offset < b.offset, augment: augmentFreeVa, copy: copyFreeVa });
  private top = 0;
  /** Pages backing vmalloc areas (VmallocUsed). */
  nrPages = 0;

  /**
   * Reserve address space for size bytes (guard included): the lowest freed range that fits, from its start
   * (find_vmap_lowest_match), else the top.
   */
  private reserve(size: number): number {
    let n = this.free.root;
    if (n !== null && n.subtreeMaxSize >= size) {
      for (;;) {
        const l: FreeVa | null = n.rbLeft;
        if (l !== null && l.subtreeMaxSize >= size) n = l;
        else if (n.size >= size) break;
        else n = n.rbRight as FreeVa; // the subtree's maximum is on the right
      }
      const off = n.offset;
      if (n.size === size) this.free.erase(n);
      else {
        // Still between the same neighbours: the tree order holds with the offset moved up.
        n.offset += size;
        n.size -= size;
        this.free.propagate(n);
      }
      return off;
    }
    const off = this.top;
    this.top += size;
    return off;
  }

  /** Give [offset, offset + size) back, merged with the free ranges it touches (merge_or_add_vmap_area). */
  private release(offset: number, size: number): void {
    // The free neighbours: the last range below offset and the first one above.
    let below: FreeVa | null = null;
    let above: FreeVa | null = null;
    let n = this.free.root;
    while (n !== null) {
      if (n.offset < offset) {
        below = n;
        n = n.rbRight;
      } else {
        above = n;
        n = n.rbLeft;
      }
    }
    let merged: FreeVa;
    if (below !== null && below.offset + below.size === offset) {
      below.size += size;
      merged = below;
    } else {
      merged = new FreeVa(offset, size);
      merged.subtreeMaxSize = size;
      this.free.insert(merged);
    }
    if (above !== null && merged.offset + merged.size === above.offset) {
      this.free.erase(above);
      merged.size += above.size;
    }
    this.free.propagate(merged);
  }

  add(a: Omit<VmArea, 'offset'>): VmArea {
    // A literal, not { ...a }: V8 gave every spread copy a hidden class of its own.
    const area: VmArea = { offset: 0, size: a.size, caller: a.caller, pages: a.pages, kind: a.kind };
    if (a.phys !== undefined) area.phys = a.phys;
    return this.place(area);
  }

  /** Add an area object the caller built (a task's kernel stack is its TaskKobjs): gives it its offset. */
  place<A extends VmArea>(area: A): A {
    area.offset = this.reserve(area.size);
    this.areas.add(area);
    this.nrPages += area.pages.length;
    return area;
  }

  remove(area: VmArea): void {
    if (!this.areas.delete(area)) return;
    this.nrPages -= area.pages.length;
    this.release(area.offset, area.size);
  }

  /** The free ranges below the top in address order, as [offset, size] (tests). */
  freeRanges(): [number, number][] {
    const out: [number, number][] = [];
    this.free.forEach((n) => out.push([n.offset, n.size]));
    return out;
  }

  /** Check the free tree: order, augmentation, no two ranges touching (tests). */
  verify(): string | null {
    const err = this.free.verify((n) => {
      let m = n.size;
      for (const c of [n.rbLeft, n.rbRight]) if (c !== null) m = Math.max(m, c.subtreeMaxSize);
      return m === n.subtreeMaxSize ? null : `subtree_max_size wrong at ${n.offset}`;
    });
    if (err !== null) return err;
    let prevEnd = -1;
    let bad: string | null = null;
    this.free.forEach((n) => {
      if (n.offset <= prevEnd && bad === null) bad = `free ranges touch or overlap at ${n.offset}`;
      prevEnd = n.offset + n.size;
    });
    return bad;
  }

  get count(): number {
    return this.areas.size;
  }

  address(area: VmArea): string {
    return `0x${(VMALLOC_START + BigInt(area.offset)).toString(16)}`;
  }

  /** /proc/vmallocinfo: one line per area in address order. */
  render(): string {
    const sorted = [...this.areas].sort((a, b) => a.offset - b.offset);
    return sorted
      .map((a) => {
        const start = VMALLOC_START + BigInt(a.offset);
        const end = start + BigInt(a.size);
        let line = `0x${start.toString(16)}-0x${end.toString(16)} ${String(a.size).padStart(7)} ${a.caller}`;
        if (a.pages.length > 0) line += ` pages=${a.pages.length}`;
        if (a.phys !== undefined) line += ` phys=0x${a.phys.toString(16).padStart(16, '0')}`;
        line += ` ${a.kind}`;
        if (a.pages.length > 0) line += ` N0=${a.pages.length}`;
        return `${line}\n`;
      })
      .join('');
  }
}

/** Size of a vmalloc area for a request: whole pages plus one guard page. */
export function vmAreaSize(bytes: number): number {
  return Math.ceil(bytes / PAGE_SIZE) * PAGE_SIZE + PAGE_SIZE;
}
