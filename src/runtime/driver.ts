/**
 * Moves a session forward while keeping a run exactly reproducible: every command enters the machine at a
 * position (boot, virtual time, number of events processed) that is recorded, and a replay stops at the same
 * positions to apply the same commands; state-hash checkpoints are taken after all events up to each multiple
 * of the checkpoint interval, in both runs, so the first differing one says where they diverged.
 * Used by the live runner (journaling), the live replay and the headless replay alike.
 */
import { stateHash } from '../kernel/index.js';
import type { Command, Session } from '../sim/session.js';

export interface Position {
  boot: number;
  atNs: number;
  events: number;
}

export interface ScriptItem extends Position {
  cmd: Command;
}

export interface DriverHooks {
  /** Virtual time between checkpoints (ns), or null for none. */
  checkpointNs: number | null;
  /** A checkpoint was taken; return false to stop the run (a replay found a divergence). */
  onCheckpoint?: (p: Position, hash: string) => boolean;
  /** A live command entered the machine at this position (the journal writes it). */
  onCommand?: (p: Position, cmd: Command) => void;
  /** Commands to apply at recorded positions (a replay), in order. */
  script?: ScriptItem[];
  /** Where the recording ended (a replay stops there). */
  endAt?: { boot: number; atNs: number };
}

export class Driver {
  private nextChkNs: number;
  private scriptAt = 0;
  private boot: number;
  /** Set when a checkpoint hook asked to stop: the run goes no further. */
  stopped = false;
  /** A replay reached the end of its recording. */
  ended = false;

  constructor(
    readonly session: Session,
    private readonly hooks: DriverHooks = { checkpointNs: null },
  ) {
    this.boot = session.boots;
    this.nextChkNs = hooks.checkpointNs ?? Infinity;
  }

  position(): Position {
    return { boot: this.session.boots, atNs: this.session.k.now, events: this.session.k.engine.processed };
  }

  /** A command from outside (the UI), entering at the current position. */
  submit(cmd: Command): void {
    this.hooks.onCommand?.(this.position(), cmd);
    this.session.submit(cmd);
  }

  /** Script items still to apply. */
  get pendingScript(): number {
    return (this.hooks.script?.length ?? 0) - this.scriptAt;
  }

  private syncBoot(): void {
    if (this.session.boots !== this.boot) {
      this.boot = this.session.boots;
      this.nextChkNs = this.hooks.checkpointNs ?? Infinity;
    }
  }

  private checkpoint(): void {
    const p = this.position();
    const ok = this.hooks.onCheckpoint?.(p, stateHash(this.session.k)) ?? true;
    if (!ok) this.stopped = true;
    this.nextChkNs += this.hooks.checkpointNs ?? Infinity;
  }

  /** Apply every script item due at exactly the current position. */
  private applyDue(): void {
    const script = this.hooks.script;
    if (script === undefined) return;
    for (;;) {
      const it = script[this.scriptAt];
      if (it === undefined) return;
      const k = this.session.k;
      if (it.boot !== this.session.boots || it.events !== k.engine.processed || it.atNs !== k.now) return;
      this.session.submit(it.cmd);
      this.scriptAt++;
    }
  }

  /**
   * Run toward targetNs processing at most maxEvents events. Returns reached (the clock is at targetNs and no
   * event at or before it is pending) and how many events ran. Stops early at checkpoints' and script positions
   * only to act on them, then goes on.
   */
  advance(targetNs0: number, maxEvents = Number.MAX_SAFE_INTEGER): { reached: boolean; processed: number } {
    let processed = 0;
    for (;;) {
      if (this.stopped || this.ended) return { reached: false, processed };
      const end = this.hooks.endAt;
      const targetNs = end !== undefined && end.boot === this.session.boots ? Math.min(targetNs0, end.atNs) : targetNs0;
      this.syncBoot();
      const k = this.session.k;
      if (k.halted !== null && k.halted !== 'reboot') return { reached: false, processed };
      // The nearest stop: a checkpoint boundary or the next script item of this boot.
      let stopNs = Math.min(targetNs, this.nextChkNs);
      let stopEvents = Number.MAX_SAFE_INTEGER;
      const it = this.hooks.script?.[this.scriptAt];
      if (it !== undefined && (it.boot < this.session.boots || (it.boot === this.session.boots && (k.now > it.atNs || k.engine.processed > it.events)))) {
        // Past a recorded position without reaching it exactly: this run is not the recorded one.
        this.stopped = true;
        return { reached: false, processed };
      }
      if (it !== undefined && it.boot === this.session.boots && it.atNs <= stopNs) {
        stopNs = it.atNs;
        stopEvents = it.events;
      }
      const budget = Math.min(maxEvents - processed, stopEvents - k.engine.processed);
      if (budget < 0) {
        // The recorded position was passed: the runs diverged before a checkpoint could say so.
        this.stopped = true;
        return { reached: false, processed };
      }
      const bootBefore = this.session.boots;
      const r = this.session.runUntil(stopNs, budget);
      processed += r.processed;
      if (this.session.boots !== bootBefore) continue;
      const kk = this.session.k;
      if (it !== undefined && stopEvents !== Number.MAX_SAFE_INTEGER && kk.engine.processed === stopEvents) {
        // At the item's event count: bring the clock to its time (as the live run had) and apply it.
        if (kk.now < it.atNs) this.session.runUntil(it.atNs, 0);
        if (kk.now === it.atNs) {
          // A command on a checkpoint boundary, with every event due then done: the live run had stopped
          // there and taken the checkpoint before the command came (the hash is of the state before it).
          const next = kk.engine.peekNs();
          if (kk.now === this.nextChkNs && (next === null || next > kk.now)) this.checkpoint();
          if (this.stopped) return { reached: false, processed };
          this.applyDue();
          continue;
        }
      }
      if (!r.reached) return { reached: false, processed };
      if (kk.now === this.nextChkNs) {
        this.checkpoint();
        if (stopNs < targetNs) continue;
      }
      if (stopNs >= targetNs) {
        if (end !== undefined && end.boot === this.session.boots && kk.now >= end.atNs && this.pendingScript === 0) {
          this.ended = true;
          return { reached: false, processed };
        }
        return { reached: true, processed };
      }
    }
  }
}
