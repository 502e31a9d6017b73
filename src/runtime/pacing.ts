/**
 * Wall time to virtual time (SimPy's rt.py): the only module that reads the wall clock or arms timers.
 * Speed x0.01 .. x1000, pause and single steps; a suspended process (Ctrl-Z, a stalled SSH link) does not
 * come back owing minutes of virtual time, because one call never credits more than maxGapMs of wall time.
 */
import { performance } from 'node:perf_hooks';
import { clearTimeout, setTimeout } from 'node:timers';
import { SPEEDS, type PacingCommand } from '../bus/commands.js';

export interface WallClock {
  nowMs(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const systemClock: WallClock = {
  nowMs: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * Simulation steps per second for a frame rate: the step is also what publishes frames, so never fewer steps than
 * frames; and never fewer than 10 a second, so that a slow frame rate does not make a command wait long or a
 * fast speed simulate in long stretches that hold up the keyboard. (It was 50 a second whatever the frame rate:
 * the dashboard at 10 fps used about 1.4% of a core more, its process woken five times per frame.)
 */
export function simHzFor(fps: number, simHz: number): number {
  return Math.max(fps, simHz);
}

/**
 * Is a frame due at a step that began at nowMs, the last frame having been drawn at the step that began at
 * lastFrameMs? By step start, not by when the last frame was published (the simulation time before each publish
 * would leave every other frame just short), give or take half a step (a timer that fires late shortens the
 * next period of a fixed-rate loop).
 */
export function frameDue(nowMs: number, lastFrameMs: number, fps: number, stepMs: number): boolean {
  return nowMs - lastFrameMs >= 1000 / fps - stepMs / 2;
}

/**
 * Calls `fn` every `ms` of wall time until stopped, at a fixed rate: each call is due one period after the
 * previous one was due, not after it returned (a 5 ms step would otherwise stretch every 100 ms period to 105).
 * After a stall longer than a period it goes on from now rather than catching up.
 */
export class TickLoop {
  private timer: unknown = null;
  private stopped = false;
  private dueAt = 0;
  constructor(
    private readonly clock: WallClock,
    private readonly ms: number,
    private readonly fn: () => void,
  ) {}
  start(): void {
    this.dueAt = this.clock.nowMs() + this.ms;
    this.arm();
  }
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
  }
  private arm(): void {
    if (this.stopped) return;
    const now = this.clock.nowMs();
    if (this.dueAt < now) this.dueAt = now;
    this.timer = this.clock.setTimer(() => {
      this.timer = null;
      this.fn();
      this.dueAt += this.ms;
      this.arm();
    }, this.dueAt - now);
  }
}

/** A hand-driven clock for tests and benches: time moves only when advanced. */
export class ManualClock implements WallClock {
  private t = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  nowMs(): number {
    return this.t;
  }
  setTimer(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimer(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }
  /** Let time pass without firing timers: the cost of work done inside a timer callback. */
  spend(ms: number): void {
    this.t += ms;
  }
  /** Move time forward, firing due timers in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (next === undefined || next.at > end) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = end;
  }
}

export interface StepRequest {
  /** Process exactly this many engine events (single-step). */
  events: number;
  /** Advance virtual time by this much (one scheduler tick). */
  ns: number;
}

export class Pacer {
  speed: number;
  paused: boolean;
  private lastWallMs: number | null = null;

  constructor(
    speed = 1,
    paused = false,
    private readonly maxGapMs = 250,
  ) {
    this.speed = Pacer.clampSpeed(speed);
    this.paused = paused;
  }

  static clampSpeed(x: number): number {
    if (!Number.isFinite(x)) return 1;
    return Math.min(1000, Math.max(0.01, x));
  }

  /** Virtual ns owed for the wall time since the last call (0 while paused). */
  advanceNs(wallNowMs: number): number {
    const last = this.lastWallMs;
    this.lastWallMs = wallNowMs;
    if (last === null || this.paused) return 0;
    const dt = Math.min(this.maxGapMs, Math.max(0, wallNowMs - last));
    return Math.round(dt * 1e6 * this.speed);
  }

  /** Apply a pacing command; returns a step to perform, if any. tickNs is one scheduler tick. */
  apply(cmd: PacingCommand, tickNs: number): StepRequest | null {
    switch (cmd.kind) {
      case 'pause':
        this.paused = true;
        return null;
      case 'resume':
        this.paused = false;
        return null;
      case 'toggle_pause':
        this.paused = !this.paused;
        return null;
      case 'speed':
        this.speed = Pacer.clampSpeed(cmd.factor);
        return null;
      case 'speed_step': {
        const i = SPEEDS.findIndex((s) => s >= this.speed - 1e-9);
        const cur = i < 0 ? SPEEDS.length - 1 : i;
        const exact = SPEEDS[cur] !== undefined && Math.abs((SPEEDS[cur] as number) - this.speed) < 1e-9;
        const next = cmd.dir > 0 ? (exact ? cur + 1 : cur) : cur - 1;
        this.speed = SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, next))] as number;
        return null;
      }
      case 'step_event':
        this.paused = true;
        return { events: 1, ns: 0 };
      case 'step_tick':
        this.paused = true;
        return { events: 0, ns: tickNs };
    }
  }
}
