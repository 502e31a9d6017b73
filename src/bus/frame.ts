/**
 * What crosses from the simulation to the UI once per frame: the snapshot, the low-rate events of the frame,
 * each CPU's run spans (the aggregate of its sched_switch events), new printk records, and the pacing state.
 * Plain data only; widgets derive their views from it.
 */
import type { KernelEvent, KernelSnapshot } from '../kernel/index.js';
import type { ActionRecord, JobOutput } from '../sim/session.js';

/**
 * One CPU's run spans of a frame, column by column (span i: task pids[i], called comms[i], at kernel prio
 * prios[i] (-1 deadline, 0-99 rt, 100-139 fair; pid 0 is idle), held the CPU from starts[i] to ends[i] ns),
 * oldest first. A frame at 64 CPUs carries a few thousand spans: five arrays per CPU cost the garbage collector
 * far less than an object per span.
 */
export interface SpanBatch {
  readonly pids: readonly number[];
  readonly prios: readonly number[];
  readonly starts: readonly number[];
  readonly ends: readonly number[];
  readonly comms: readonly string[];
}

export interface PrintkLine {
  seq: number;
  tNs: number;
  level: number;
  facility: number;
  text: string;
  /** It reached the console (level below console_loglevel when printed, or ignore_loglevel). */
  console: boolean;
}

/** Pacing and self-measurement, from the runtime (the only place that reads the wall clock). */
export interface SimStatus {
  speed: number;
  paused: boolean;
  /** The simulation could not keep up with the requested speed within its time budget. */
  lagging: boolean;
  /** Boot count: 1 + reboots (SysRq-b); the UI clears its history when it changes. */
  boot: number;
  fps: number;
  /** Wall time of the previous frame's render (view + draw + screen.render), ms. */
  renderMs: number;
  /** Wall time spent simulating since the previous frame, ms. */
  simMs: number;
  /** Bytes written to the terminal per second, measured over the last second. */
  outBytesPerSec: number;
  eventsPerSec: number;
}

export interface Frame {
  readonly frameNo: number;
  readonly snapshot: KernelSnapshot;
  /** Low-rate events of this frame (printk, sysrq, oom_kill, fork/exit, actions, panic...), kernel order. */
  readonly events: readonly KernelEvent[];
  /** Per CPU, the spans since the previous frame, in time order. */
  readonly spans: readonly SpanBatch[];
  readonly printk: readonly PrintkLine[];
  /** Scenario actions and commands applied since the previous frame, with their output. */
  readonly actions: readonly ActionRecord[];
  /** Later reports of interval commands (vmstat 1) since the previous frame, and their ends. */
  readonly jobs: readonly JobOutput[];
  readonly sim: SimStatus;
}
