/**
 * Trace events: what the kernel tells the outside world, named after the Linux tracepoints where one exists
 * (include/trace/events/sched.h, kmem.h). The kernel calls TraceSink.emit(); it knows nothing of who listens.
 * Events carry comm and prio so that exporters never need to look up a task that may have exited since.
 */
import type { Ns } from './time.js';

export interface Envelope {
  /** Trace sequence number, dense from 0 in emission order. */
  seq: number;
  tNs: Ns;
  /** CPU the event happened on, or -1 when it has none (global actions). */
  cpu: number;
}

export interface TaskRef {
  pid: number;
  comm: string;
  prio: number;
}

export type KernelEvent =
  | (Envelope & {
      kind: 'sched_switch';
      prevPid: number;
      prevComm: string;
      prevPrio: number;
      /** ftrace prev_state text: R, R+, S, D, T, Z, X, I, ... */
      prevState: string;
      nextPid: number;
      nextComm: string;
      nextPrio: number;
    })
  | (Envelope & { kind: 'sched_waking' | 'sched_wakeup' | 'sched_wakeup_new'; pid: number; comm: string; prio: number; targetCpu: number })
  | (Envelope & { kind: 'sched_migrate_task'; pid: number; comm: string; prio: number; origCpu: number; destCpu: number })
  | (Envelope & { kind: 'sched_process_fork'; parentPid: number; parentComm: string; childPid: number; childComm: string })
  | (Envelope & { kind: 'sched_process_exit'; pid: number; comm: string; prio: number; code: number })
  | (Envelope & { kind: 'sched_process_free'; pid: number; comm: string; prio: number })
  | (Envelope & { kind: 'kmem_cache_alloc' | 'kmem_cache_free'; cache: string; bytes: number })
  | (Envelope & { kind: 'slab_grow' | 'slab_shrink'; cache: string; slabs: number })
  | (Envelope & { kind: 'mm_page_alloc' | 'mm_page_free'; order: number; pages: number })
  | (Envelope & { kind: 'oom_kill'; victimPid: number; victimComm: string; badness: number; totalPages: number; reason: string })
  | (Envelope & { kind: 'printk'; level: number; recSeq: number; pid: number; text: string })
  | (Envelope & { kind: 'sysrq'; key: string; action: string })
  | (Envelope & { kind: 'action'; text: string; error: string | null })
  | (Envelope & { kind: 'panic'; text: string })
  | (Envelope & { kind: 'power_off' | 'reboot' });

export type KernelEventKind = KernelEvent['kind'];

/** Distributes an event union member without its envelope (what emitters pass in). */
type WithoutEnvelope<T> = T extends unknown ? Omit<T, keyof Envelope> : never;
export type KernelEventBody = WithoutEnvelope<KernelEvent>;

export interface TraceSink {
  /** Called synchronously, in kernel order. Must not call back into the kernel. */
  emit(ev: KernelEvent): void;
  /**
   * sched_switch as arguments, without an event object: the busiest event by far (some 36 000 a second on a
   * 64-CPU machine, where an object each was a third of all the dashboard allocated). A sink that has this
   * method gets its switches here and not through emit().
   */
  schedSwitch?(
    seq: number,
    tNs: number,
    cpu: number,
    prevPid: number,
    prevComm: string,
    prevPrio: number,
    prevState: string,
    nextPid: number,
    nextComm: string,
    nextPrio: number,
  ): void;
}

export const HIGH_RATE_KINDS: ReadonlySet<KernelEventKind> = new Set([
  'sched_switch',
  'sched_waking',
  'sched_wakeup',
  'kmem_cache_alloc',
  'kmem_cache_free',
  'mm_page_alloc',
  'mm_page_free',
]);

const HOT_KINDS = ['sched_switch', 'sched_waking', 'sched_wakeup', 'sched_migrate_task'] as const;

/** Index of a high-rate kind in EventCounts' array, or -1 (a constant once inlined at a tracepoint). */
function hotSlot(kind: string): number {
  switch (kind) {
    case 'sched_switch':
      return 0;
    case 'sched_waking':
      return 1;
    case 'sched_wakeup':
      return 2;
    case 'sched_migrate_task':
      return 3;
    default:
      return -1;
  }
}

/**
 * The kernel's count of trace events by kind (the JSON's eventCounts), kept whether or not anyone listens. The
 * scheduler's high-rate kinds have slots of their own: a count is then an increment where a Map's was two hash
 * lookups (3% of a small machine's time per event).
 */
export class EventCounts {
  private readonly hot = [0, 0, 0, 0];
  private readonly other = new Map<string, number>();

  add(kind: string): void {
    const i = hotSlot(kind);
    if (i >= 0) this.hot[i] = (this.hot[i] as number) + 1;
    else this.other.set(kind, (this.other.get(kind) ?? 0) + 1);
  }

  get(kind: string): number {
    const i = hotSlot(kind);
    return i >= 0 ? (this.hot[i] as number) : (this.other.get(kind) ?? 0);
  }

  /** The kinds counted at least once, sorted. */
  kinds(): string[] {
    return [...HOT_KINDS.filter((k, i) => (this.hot[i] as number) > 0), ...this.other.keys()].sort();
  }
}
