/**
 * vmalloc (mm/vmalloc.c): virtually contiguous areas in [VMALLOC_START, VMALLOC_END) backed by scattered
 * order-0 pages, each followed by a guard page; ioremap areas with a physical address; /proc/vmallocinfo.
 * Addresses are kept as offsets from VMALLOC_START (they exceed 2^53) and printed with BigInt.
 */
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

export class VmallocSpace {
  private readonly areas: VmArea[] = [];
  private holes: { offset: number; size: number }[] = [];
  private top = 0;
  /** Pages backing vmalloc areas (VmallocUsed). */
  nrPages = 0;

  /** Reserve address space for size bytes (guard included): first fit in a freed hole, else the top. */
  private reserve(size: number): number {
    for (let i = 0; i < this.holes.length; i++) {
      const h = this.holes[i] as { offset: number; size: number };
      if (h.size >= size) {
        const off = h.offset;
        if (h.size === size) this.holes.splice(i, 1);
        else {
          h.offset += size;
          h.size -= size;
        }
        return off;
      }
    }
    const off = this.top;
    this.top += size;
    return off;
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
    this.areas.push(area);
    this.nrPages += area.pages.length;
    return area;
  }

  remove(area: VmArea): void {
    const i = this.areas.indexOf(area);
    if (i < 0) return;
    this.areas.splice(i, 1);
    this.nrPages -= area.pages.length;
    this.holes.push({ offset: area.offset, size: area.size });
    this.holes.sort((x, y) => x.offset - y.offset);
    // Coalesce neighbouring holes.
    const merged: { offset: number; size: number }[] = [];
    for (const h of this.holes) {
      const last = merged[merged.length - 1];
      if (last !== undefined && last.offset + last.size === h.offset) last.size += h.size;
      else merged.push({ ...h });
    }
    this.holes = merged;
  }

  get count(): number {
    return this.areas.length;
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
