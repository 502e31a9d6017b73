/**
 * Assertions and the KernelBug error.
 * A KernelBug is a broken invariant inside the simulation: it must crash loudly (SimPy's undefused failure),
 * carrying the virtual time, event sequence and seed so that the run can be reproduced.
 */

export interface BugContext {
  readonly nowNs: number;
  readonly seq: number;
  readonly seed: number;
}

export class KernelBug extends Error {
  readonly context: BugContext | null;
  constructor(message: string, context: BugContext | null = null) {
    super(context ? `${message} (t=${context.nowNs}ns seq=${context.seq} seed=${context.seed})` : message);
    this.name = 'KernelBug';
    this.context = context;
  }
}

export function assert(cond: unknown, message: string | (() => string)): asserts cond {
  if (!cond) throw new KernelBug(typeof message === 'string' ? message : message());
}

export function unreachable(x: never, what = 'value'): never {
  throw new KernelBug(`unreachable ${what}: ${JSON.stringify(x)}`);
}
