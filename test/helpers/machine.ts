/** Helpers to boot small machines and programs in tests. */
import { bootKernel, DEFAULT_CONFIG, spawnTask, type Kernel, type KernelConfig, type SpawnSpec } from '../../src/kernel/index.js';
import { InvariantChecker } from '../../src/kernel/debug/invariants.js';
import type { ProgramFactory, UserAction, UserResult } from '../../src/kernel/task/user.js';
import type { Task } from '../../src/kernel/task/task.js';

export const SEC = 1_000_000_000;
export const MS = 1_000_000;

export function machine(over: Partial<KernelConfig> = {}): Kernel {
  return bootKernel({ ...DEFAULT_CONFIG, ...over });
}

export const hog: ProgramFactory = function* (): Generator<UserAction, void, UserResult | undefined> {
  yield { op: 'run', ns: Infinity };
};

export function spawn(k: Kernel, over: Partial<SpawnSpec> & { comm: string }): Task {
  const r = spawnTask(k, { policy: 'normal', nice: 0, rtPriority: 0, program: hog, ...over });
  if (r.task === null) throw new Error(`spawn failed: ${r.error}`);
  return r.task;
}

/** Check all invariants after every event. */
export function withInvariants(k: Kernel): InvariantChecker {
  const c = new InvariantChecker(k);
  k.engine.afterEvent = () => c.assert();
  return c;
}

export function share(t: Task, total: number): number {
  return (t.sumExecRuntimeNs / total) * 100;
}
