/**
 * The kernel objects a task holds (copy_process() allocates them, exit and release_task() free them):
 * task_struct, pid, cred, signal_struct, sighand_struct, files_struct, fs_struct, mm_struct, one vm_area_struct
 * per mapping, and the vmalloc'ed kernel stack.
 *
 * With 10 000 tasks every byte here is ten kilobytes, so the record is flat: one array of numbers holds the
 * stack's page frames, then each slab object as a slab ref (its slab's id in its cache and its slot in one
 * number; the cache is known from the object's kind), and the record itself is the stack's vmalloc area.
 */
import type { Task } from '../task/task.js';
import { PAGE_SIZE } from './page-alloc.js';
import { slabRef, type KmemCache, type SlabObject } from './slab.js';
import { vmAreaSize, type VmArea } from './vmalloc.js';

/** The named objects, in the order release_task() frees them. */
export const Kobj = { TaskStruct: 0, Pid: 1, Cred: 2, Signal: 3, Sighand: 4, Files: 5, Fs: 6, MmStruct: 7 } as const;
export type Kobj = (typeof Kobj)[keyof typeof Kobj];
/** The cache of each named object, by Kobj; the mappings' objects are vm_area_structs. */
export const KOBJ_CACHES = ['task_struct', 'pid', 'cred_jar', 'signal_cache', 'sighand_cache', 'files_cache', 'fs_cache', 'mm_struct'] as const;
export const VMA_CACHE = 'vm_area_struct';

/** THREAD_SIZE on x86-64: 16 KiB, four pages. */
export const STACK_PAGES = 16384 / PAGE_SIZE;
const STACK_AREA_SIZE = vmAreaSize(16384);
const NAMED = KOBJ_CACHES.length;
/** Room for the usual four mappings (exe, libc, stack, heap) without growing. */
const VMAS_RESERVED = 4;
const NONE = -1;

/** The caches a TaskKobjs frees to: KOBJ_CACHES in order, then vm_area_struct. */
export type KobjCaches = readonly KmemCache[];

/** The kernel objects of a task (null for a task released or not yet forked). */
export function taskKobjs(t: Task): TaskKobjs | null {
  return t.kobjs as TaskKobjs | null;
}

export class TaskKobjs implements VmArea {
  /** Set by VmallocSpace when the stack's area is placed. */
  offset = 0;
  /** [stack page frames..., named objects by Kobj..., vm_area_structs...]; NONE where there is no object. */
  private readonly refs: number[];
  private nVmas = 0;

  /** The stack's pages (the caller allocated all STACK_PAGES of them). */
  constructor(stackPages: readonly number[]) {
    const n = STACK_PAGES + NAMED + VMAS_RESERVED;
    // A sized array, not pushes: a pushed-to [] reserves 17 slots.
    this.refs = new Array<number>(n).fill(NONE);
    for (let i = 0; i < STACK_PAGES; i++) this.refs[i] = stackPages[i] as number;
  }

  /* The stack as a vmalloc area (the same for every task, so not stored). */
  get size(): number {
    return STACK_AREA_SIZE;
  }
  get caller(): string {
    return 'dup_task_struct+0x5b/0x1d0';
  }
  get kind(): 'vmalloc' {
    return 'vmalloc';
  }
  get pages(): number[] {
    return this.refs.slice(0, STACK_PAGES);
  }

  set(which: Kobj, o: SlabObject | null): void {
    this.refs[STACK_PAGES + which] = o === null ? NONE : slabRef(o);
  }

  /** kmem_cache_free() of a named object, if the task holds it. */
  free(which: Kobj, caches: KobjCaches): void {
    this.freeAt(STACK_PAGES + which, caches[which] as KmemCache);
  }

  addVma(o: SlabObject): void {
    this.refs[STACK_PAGES + NAMED + this.nVmas] = slabRef(o);
    this.nVmas++;
  }

  /** Free every vm_area_struct, in the order they were added. */
  freeVmas(caches: KobjCaches): void {
    const cache = caches[NAMED] as KmemCache;
    for (let v = 0; v < this.nVmas; v++) this.freeAt(STACK_PAGES + NAMED + v, cache);
    this.nVmas = 0;
  }

  /** release_task(): every object still held, named ones in Kobj order, then the vm_area_structs. */
  freeAll(caches: KobjCaches): void {
    for (let w = 0; w < NAMED; w++) this.freeAt(STACK_PAGES + w, caches[w] as KmemCache);
    this.freeVmas(caches);
  }

  private freeAt(i: number, cache: KmemCache): void {
    const ref = this.refs[i] as number;
    if (ref === NONE) return;
    cache.freeRef(ref);
    this.refs[i] = NONE;
  }
}
