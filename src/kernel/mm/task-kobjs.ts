/**
 * The kernel objects a task holds (copy_process() allocates them, exit and release_task() free them):
 * task_struct, pid, cred, signal_struct, sighand_struct, files_struct, fs_struct, mm_struct, one vm_area_struct
 * per mapping, and the vmalloc'ed kernel stack. Each slab object is kept as a (slab, slot) pair in one flat
 * array rather than as a SlabObject: with 10 000 tasks the twelve-odd objects per task were some 500 B of heap.
 */
import type { VmArea } from './vmalloc.js';
import type { Slab, SlabObject } from './slab.js';

/** The named objects, in the order release_task() frees them. */
export const Kobj = { TaskStruct: 0, Pid: 1, Cred: 2, Signal: 3, Sighand: 4, Files: 5, Fs: 6, MmStruct: 7 } as const;
export type Kobj = (typeof Kobj)[keyof typeof Kobj];
const NAMED = 8;
/** Room for the usual four mappings (exe, libc, stack, heap) without growing. */
const VMAS_RESERVED = 4;

export class TaskKobjs {
  /** [slab, slot] pairs: the named objects by Kobj, then the vm_area_structs. A null slab is no object. */
  private refs: (Slab | number | null)[];
  private nVmas = 0;

  constructor(public stack: VmArea) {
    const n = 2 * (NAMED + VMAS_RESERVED);
    // A sized array, not pushes: a pushed-to [] reserves 17 slots, and every task holds one of these.
    this.refs = new Array<Slab | number | null>(n);
    for (let i = 0; i < n; i += 2) {
      this.refs[i] = null;
      this.refs[i + 1] = 0;
    }
  }

  set(which: Kobj, o: SlabObject | null): void {
    this.refs[2 * which] = o?.slab ?? null;
    this.refs[2 * which + 1] = o?.index ?? 0;
  }

  /** kmem_cache_free() of a named object, if the task holds it. */
  free(which: Kobj): void {
    this.freeAt(2 * which);
  }

  addVma(o: SlabObject): void {
    const i = 2 * (NAMED + this.nVmas);
    this.refs[i] = o.slab;
    this.refs[i + 1] = o.index;
    this.nVmas++;
  }

  /** Free every vm_area_struct, in the order they were added. */
  freeVmas(): void {
    for (let v = 0; v < this.nVmas; v++) this.freeAt(2 * (NAMED + v));
    this.nVmas = 0;
  }

  /** release_task(): every object still held, named ones in Kobj order, then the vm_area_structs. */
  freeAll(): void {
    for (let w = 0; w < NAMED; w++) this.freeAt(2 * w);
    this.freeVmas();
  }

  private freeAt(i: number): void {
    const slab = this.refs[i] as Slab | null;
    if (slab === null || slab === undefined) return;
    slab.cache.freeSlot(slab, this.refs[i + 1] as number);
    this.refs[i] = null;
  }
}
