/**
 * The frame loop (design.md "One frame, end to end"): take queued commands into the machine, run the
 * simulation up to the paced target within a wall-time budget, and every 1/fps publish a Frame on the bus.
 * The UI renders synchronously inside publish, so one frame = one render = one terminal write.
 */
import { LaneBuilder } from '../bus/lanes.js';
import type { KernelBus } from '../bus/bus.js';
import type { Frame, PrintkLine } from '../bus/frame.js';
import { takeSnapshot, type Kernel, type KernelEvent } from '../kernel/index.js';
import { HIGH_RATE_KINDS } from '../kernel/core/trace.js';
import type { ActionRecord, JobOutput, Session } from '../sim/session.js';
import { Driver, type DriverHooks } from './driver.js';
import { frameDue, Pacer, simHzFor, TickLoop, type StepRequest, type WallClock } from './pacing.js';

export interface RunnerOptions {
  fps: number;
  /** Simulation steps per second, at least: never fewer than fps (simHzFor). */
  simHz: number;
  /** Share of each simulation step's wall time the simulation may use; beyond it, virtual time lags. */
  simBudget: number;
  speed: number;
  paused: boolean;
  /** Events per runUntil call between budget checks. */
  chunkEvents: number;
  /** Virtual time after which the run stops (the scenario's end is not a limit for the dashboard). */
  maxPrintkPerFrame: number;
}

export const DEFAULT_RUNNER: RunnerOptions = { fps: 10, simHz: 10, simBudget: 0.5, speed: 1, paused: false, chunkEvents: 4000, maxPrintkPerFrame: 2000 };

class FrameSink {
  lanes: LaneBuilder;
  events: KernelEvent[] = [];
  constructor(k: Kernel) {
    this.lanes = new LaneBuilder(
      k.nrCpus,
      (cpu) => {
        const c = k.rqs[cpu]?.curr;
        return { pid: c?.pid ?? 0, comm: c?.comm ?? 'swapper', prio: c?.prio ?? 120 };
      },
      k.now,
    );
  }
  emit(ev: KernelEvent): void {
    if (!HIGH_RATE_KINDS.has(ev.kind) && this.events.length < 10_000) this.events.push(ev);
  }
  schedSwitch(_seq: number, tNs: number, cpu: number, _pp: number, _pc: string, _ppr: number, _ps: string, nextPid: number, nextComm: string, nextPrio: number): void {
    this.lanes.switchTo(cpu, tNs, nextPid, nextComm, nextPrio);
  }
}

export class Runner {
  readonly pacer: Pacer;
  private sink!: FrameSink;
  private detach: (() => void) | null = null;
  private readonly loop: TickLoop;
  /** Wall time between simulation steps. */
  private readonly stepMs: number;
  private frameNo = 0;
  private lastFrameMs = 0;
  private printkSeq = 0;
  private lagging = false;
  private simMs = 0;
  private renderMs = 0;
  private boot = 0;
  private rate = { t0: 0, bytes: 0, events: 0, outBytesPerSec: 0, eventsPerSec: 0 };
  private actions: ActionRecord[] = [];
  private jobs: JobOutput[] = [];
  /** Called after the machine powered off or when the runner stops for good. */
  onHalt: ((why: 'panic' | 'poweroff') => void) | null = null;
  /** Called when a replay's checkpoint did not match (the driver stopped). */
  onDiverged: (() => void) | null = null;
  readonly driver: Driver;
  /** A replay: commands come from the journal, not from the keyboard. */
  readonly readOnly: boolean;
  private divergedReported = false;

  constructor(
    private readonly session: Session,
    private readonly bus: KernelBus,
    private readonly clock: WallClock,
    readonly opts: RunnerOptions = DEFAULT_RUNNER,
    hooks: DriverHooks = { checkpointNs: null },
  ) {
    this.pacer = new Pacer(opts.speed, opts.paused);
    this.stepMs = 1000 / simHzFor(opts.fps, opts.simHz);
    this.loop = new TickLoop(clock, this.stepMs, () => this.tick());
    this.driver = new Driver(session, hooks);
    this.readOnly = hooks.script !== undefined;
    this.attach(session.k);
    const prev = session.onAction;
    session.onAction = (r) => {
      prev?.(r);
      if (this.actions.length < 1000) this.actions.push(r);
    };
    session.onJobOutput = (o) => {
      // Bounded like the actions; a report's end is never dropped (the pager must learn the command stopped).
      if (this.jobs.length < 1000 || o.done) this.jobs.push(o);
    };
    session.onReboot = (k) => {
      this.attach(k);
      this.printkSeq = 0;
    };
  }

  private attach(k: Kernel): void {
    this.detach?.();
    this.sink = new FrameSink(k);
    k.traceWakeups = false;
    // The dashboard shows live tasks; a few reaped ones are enough (the headless report keeps many more).
    k.maxExited = 256;
    this.detach = k.addSink(this.sink);
    this.boot = this.session.boots;
  }

  get k(): Kernel {
    return this.session.k;
  }

  start(): void {
    this.rate.t0 = this.clock.nowMs();
    this.pacer.advanceNs(this.clock.nowMs());
    this.publish();
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
    this.detach?.();
    this.detach = null;
  }

  /** One simulation step; publishes a frame when one is due (or after a single step). */
  tick(): void {
    const now = this.clock.nowMs();
    for (const cmd of this.bus.drainCommands()) if (!this.readOnly) this.driver.submit(cmd);
    let step: StepRequest | null = null;
    for (const p of this.bus.drainPacing()) step = this.pacer.apply(p, this.k.tickNs) ?? step;
    const owed = this.pacer.advanceNs(now);
    const t0 = this.clock.nowMs();
    if (this.driver.stopped || this.driver.ended) {
      // A diverged or finished replay: virtual time stands still.
    } else if (step !== null) this.runStep(step);
    else if (owed > 0 || this.k.engine.peekNs() === this.k.now) this.runPaced(this.k.now + owed, t0);
    this.simMs += this.clock.nowMs() - t0;
    if (this.k.halted === 'poweroff' || this.k.halted === 'panic') {
      this.publish();
      this.onHalt?.(this.k.halted);
      return;
    }
    if (step !== null || frameDue(now, this.lastFrameMs, this.opts.fps, this.stepMs)) {
      this.publish();
      this.lastFrameMs = now;
    }
  }

  /** Run toward targetNs within the time budget; if the budget runs out, virtual time lags (never piles up). */
  private runPaced(targetNs: number, t0: number): void {
    const budgetMs = this.stepMs * this.opts.simBudget;
    let reached = false;
    const boot = this.session.boots;
    while (!reached && !this.driver.stopped) {
      const r = this.driver.advance(targetNs, this.opts.chunkEvents);
      reached = r.reached || this.k.halted !== null || this.session.boots !== boot;
      if (this.clock.nowMs() - t0 > budgetMs) break;
    }
    this.lagging = !reached && !this.driver.stopped && !this.driver.ended;
    this.checkDiverged();
  }

  private runStep(step: StepRequest): void {
    if (step.events > 0) {
      const next = this.k.engine.peekNs();
      if (next !== null) this.driver.advance(next, step.events);
    } else this.driver.advance(this.k.now + step.ns);
    this.lagging = false;
    this.checkDiverged();
  }

  /** Called once when a replay reaches the end of its recording. */
  onEnded: (() => void) | null = null;
  private endReported = false;

  private checkDiverged(): void {
    if (this.driver.ended && !this.endReported) {
      this.endReported = true;
      this.pacer.paused = true;
      this.onEnded?.();
    }
    if (this.driver.stopped && !this.divergedReported) {
      this.divergedReported = true;
      this.pacer.paused = true;
      this.onDiverged?.();
    }
  }

  /** Build and publish a frame; the UI renders inside. */
  publish(): void {
    const k = this.k;
    const start = this.clock.nowMs();
    const spans = this.sink.lanes.drain(k.now);
    const events = this.sink.events;
    this.sink.events = [];
    const printk: PrintkLine[] = [];
    const recs = k.printkRing.since(this.printkSeq);
    for (const r of recs.slice(-this.opts.maxPrintkPerFrame)) printk.push({ seq: r.seq, tNs: r.tsNs, level: r.level, facility: r.facility, text: r.text, console: r.console });
    this.printkSeq = k.printkRing.nextSeq;
    this.updateRates(start);
    const frame: Frame = {
      frameNo: this.frameNo++,
      snapshot: takeSnapshot(k, { treeCpu: this.bus.view.treeCpu, maxTreeNodes: this.bus.view.maxTreeNodes }),
      events,
      spans,
      printk,
      actions: this.actions,
      jobs: this.jobs,
      sim: {
        speed: this.pacer.speed,
        paused: this.pacer.paused,
        lagging: this.lagging,
        boot: this.boot,
        fps: this.opts.fps,
        renderMs: this.renderMs,
        simMs: this.simMs,
        outBytesPerSec: this.rate.outBytesPerSec,
        eventsPerSec: this.rate.eventsPerSec,
      },
    };
    this.simMs = 0;
    this.actions = [];
    this.jobs = [];
    this.lastFrameMs = start;
    const r0 = this.clock.nowMs();
    this.bus.publish(frame);
    this.renderMs = this.clock.nowMs() - r0;
  }

  private updateRates(nowMs: number): void {
    const dt = nowMs - this.rate.t0;
    if (dt < 1000) return;
    this.rate.outBytesPerSec = ((this.bus.outBytes - this.rate.bytes) * 1000) / dt;
    this.rate.eventsPerSec = ((this.k.engine.processed - this.rate.events) * 1000) / dt;
    this.rate.bytes = this.bus.outBytes;
    this.rate.events = this.k.engine.processed;
    this.rate.t0 = nowMs;
  }
}
