/**
 * The boundary between a task's user-space program and the kernel: a program is an iterator (usually a
 * generator, like a SimPy process) that yields UserActions - system calls, CPU bursts, sleeps - and receives
 * each call's UserResult. The kernel drives it whenever the task is on a CPU at a step boundary.
 */

import type { Rng } from '../core/rng.js';

export type UserAction =
  /** Use the CPU for ns (Infinity: forever). kernel: the burst runs in kernel mode (a long syscall or driver work). */
  | { op: 'run'; ns: number; kernel?: boolean; what?: string }
  /** nanosleep(): TASK_INTERRUPTIBLE for ns (Infinity: pause() until a signal). */
  | { op: 'sleep'; ns: number }
  /** Wait for I/O: TASK_UNINTERRUPTIBLE (D) for ns; counts in the load average and iowait. */
  /** memstall: the wait is a memory stall too (reading back evicted workingset pages). */
  | { op: 'io'; ns: number; memstall?: boolean }
  | { op: 'yield' }
  | { op: 'exit'; code: number; reason?: string; stderr?: string }
  | { op: 'fork'; child: ForkRequest }
  /** wait4(-1): sleep until a child exits, reap it; ECHILD when there are none. */
  | { op: 'wait' }
  | { op: 'printk'; level: number; text: string }
  /** A memory system call or kernel memory API call (mm/ handles it). */
  | { op: 'mem'; call: MemCall }
  /** A command line run against the machine (the task acts as a shell). */
  | { op: 'sh'; line: string }
  /** Kernel threads only: ns of kernel work, then fn runs (a work item, a stopper callback). */
  | { op: 'kcall'; ns: number; what: string; fn: () => UserResult; memstall?: boolean };

export interface ForkRequest {
  /** New comm (as if the child exec()ed); inherits the parent's when absent. */
  comm?: string;
  program: ProgramFactory;
  /** Runs the child as a thread of the parent (CLONE_VM: shares the mm). */
  thread?: boolean;
}

/** Memory calls, from user space (mmap...) or from a task acting as a kernel module (kmalloc...). */
export type MemCall =
  | { fn: 'mmap'; bytes: number; touch: boolean; tag?: string }
  | { fn: 'touch'; bytes: number; tag?: string }
  | { fn: 'munmap'; bytes: number; tag?: string }
  | { fn: 'mmap_file'; file: string; bytes: number }
  | { fn: 'read_file'; file: string; bytes: number }
  | { fn: 'write_file'; file: string; bytes: number }
  | { fn: 'open_files'; count: number; prefix: string }
  | { fn: 'kmalloc'; bytes: number; zero: boolean; tag?: string }
  | { fn: 'kfree'; tag?: string }
  | { fn: 'ksize'; tag?: string }
  | { fn: 'kvmalloc'; bytes: number; tag?: string }
  | { fn: 'kvfree'; tag?: string }
  | { fn: 'vmalloc'; bytes: number; zero: boolean; tag?: string }
  | { fn: 'vfree'; tag?: string }
  | { fn: 'get_free_pages'; order: number; tag?: string }
  | { fn: 'free_pages'; tag?: string }
  | { fn: 'alloc_pages_exact'; bytes: number; tag?: string }
  | { fn: 'free_pages_exact'; tag?: string }
  | { fn: 'kmem_cache_create'; name: string; size: number; align: number; reclaimable: boolean }
  | { fn: 'kmem_cache_alloc'; name: string; count: number; tag?: string }
  | { fn: 'kmem_cache_free'; name: string; count: number; tag?: string }
  | { fn: 'kmem_cache_destroy'; name: string }
  | { fn: 'register_shrinker'; name: string; seeks: number; batch: number };

export interface UserResult {
  ok: boolean;
  /** Return value (pid for fork, bytes for ksize, ...). */
  value?: number;
  /** errno name on failure: ENOMEM, ECHILD, EROFS, ... */
  errno?: string;
  /** Text output (sh). */
  text?: string;
}

export type UserProgram = Iterator<UserAction, number | void, UserResult | undefined>;

/** What a program knows about the task running it. */
export interface ProgramContext {
  readonly pid: number;
  readonly comm: string;
  /** This task's own random stream (forked from the machine's seed by comm and instance number). */
  readonly rng: Rng;
  /** Virtual time now, in ns. */
  now(): number;
}

export type ProgramFactory = (ctx: ProgramContext) => UserProgram;

export const OK: UserResult = Object.freeze({ ok: true });
export function fail(errno: string): UserResult {
  return { ok: false, errno };
}
