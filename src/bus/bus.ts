/**
 * The kernel bus: the one place simulation data becomes RxJS streams. The runtime publishes one Frame per
 * rendered frame; the UI subscribes to slices of it and submits commands back, which the runtime applies at
 * its next step (never synchronously, never from inside a render). No RxJS time operators here: frame timing
 * belongs to runtime/pacing.ts.
 */
import { BehaviorSubject, filter, map, mergeMap, Subject, type Observable, type OperatorFunction } from 'rxjs';
import type { KernelEvent, KernelEventKind, KernelSnapshot } from '../kernel/index.js';
import type { Command, PacingCommand } from './commands.js';
import type { Frame } from './frame.js';

/** Type-narrowing filter on event kinds, after redux-observable's ofType. */
export function ofKind<K extends KernelEventKind>(...kinds: [K, ...K[]]): OperatorFunction<KernelEvent, Extract<KernelEvent, { kind: K }>> {
  const set = new Set<KernelEventKind>(kinds);
  return filter((e): e is Extract<KernelEvent, { kind: K }> => set.has(e.kind));
}

/** What the UI asks the runtime to include in snapshots (not part of the simulation). */
export interface ViewRequest {
  /** CPU whose fair runqueue tree is copied into the snapshot. */
  treeCpu: number;
  maxTreeNodes: number;
}

export class KernelBus {
  private readonly frameSubject = new Subject<Frame>();
  private readonly snapshotSubject = new BehaviorSubject<KernelSnapshot | null>(null);
  private readonly commandSubject = new Subject<Command>();
  private readonly queue: Command[] = [];
  private readonly pacingQueue: PacingCommand[] = [];
  /** Bytes the UI wrote to the terminal (the runtime turns it into a rate). */
  outBytes = 0;
  readonly view: ViewRequest = { treeCpu: 0, maxTreeNodes: 63 };

  /** Every frame, in order. */
  readonly frames$: Observable<Frame> = this.frameSubject.asObservable();
  /** The low-rate events of each frame, one array per frame (high-rate kinds arrive aggregated as spans). */
  readonly batches$: Observable<readonly KernelEvent[]> = this.frames$.pipe(map((f) => f.events));
  /** The same, one event at a time. */
  readonly events$: Observable<KernelEvent> = this.batches$.pipe(mergeMap((b) => b));
  /** The latest snapshot; replays the current one to new subscribers. */
  readonly snapshot$: Observable<KernelSnapshot> = this.snapshotSubject.pipe(filter((s): s is KernelSnapshot => s !== null));
  /** Commands as they are submitted (the journal listens here). */
  readonly commands$: Observable<Command> = this.commandSubject.asObservable();

  get snapshot(): KernelSnapshot | null {
    return this.snapshotSubject.value;
  }

  /** Called by the runtime once per frame. */
  publish(frame: Frame): void {
    this.snapshotSubject.next(frame.snapshot);
    this.frameSubject.next(frame);
  }

  /** Queue a command for the machine; applied at the runtime's next step. */
  submit(cmd: Command): void {
    this.queue.push(cmd);
    this.commandSubject.next(cmd);
  }

  /** Queue a pacing change (pause, speed, step). */
  pace(cmd: PacingCommand): void {
    this.pacingQueue.push(cmd);
  }

  /** The runtime takes the queued commands. */
  drainCommands(): Command[] {
    return this.queue.splice(0, this.queue.length);
  }

  drainPacing(): PacingCommand[] {
    return this.pacingQueue.splice(0, this.pacingQueue.length);
  }

  complete(): void {
    this.frameSubject.complete();
    this.snapshotSubject.complete();
    this.commandSubject.complete();
  }
}
