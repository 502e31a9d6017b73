/**
 * What the UI sends the other way. Command (into the simulated machine) is recorded and replayed; it goes
 * through the command language or the SysRq keyboard path, exactly as a person at the machine would.
 * PacingCommand changes only how fast virtual time runs, and is not part of the simulation.
 */
export type { Command } from '../sim/session.js';

export type PacingCommand =
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'toggle_pause' }
  | { kind: 'speed'; factor: number }
  | { kind: 'speed_step'; dir: 1 | -1 }
  | { kind: 'step_event' }
  | { kind: 'step_tick' };

/** Speeds offered by +/-: x0.01 ... x1000. */
export const SPEEDS: readonly number[] = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
