/** A scenario task spec (validated) as the kernel's spawn request. */
import type { SpawnSpec } from '../kernel/index.js';
import type { DlParams } from '../kernel/sched/dl/deadline.js';
import { compileProgram } from '../workload/program.js';
import type { TaskSpecIn } from '../workload/scenario.js';
import { expandList } from './config.js';

export function dlParams(dl: { runtime: number; deadline: number; period?: number | undefined } | undefined): DlParams | undefined {
  if (dl === undefined) return undefined;
  return { runtimeNs: dl.runtime, deadlineNs: dl.deadline, periodNs: dl.period ?? 0 };
}

export function spawnSpecFrom(t: TaskSpecIn): SpawnSpec {
  const s: SpawnSpec = {
    comm: t.comm,
    policy: t.policy ?? 'normal',
    nice: t.nice ?? 0,
    rtPriority: t.rtPriority ?? 0,
    program: compileProgram(t.program, t.debug === true),
  };
  const dl = dlParams(t.dl);
  if (dl !== undefined) s.dl = dl;
  if (t.cpus !== undefined) s.cpus = typeof t.cpus === 'string' ? expandList(t.cpus) : t.cpus;
  if (t.oomScoreAdj !== undefined) s.oomScoreAdj = t.oomScoreAdj;
  if (t.debug !== undefined) s.debug = t.debug;
  return s;
}

