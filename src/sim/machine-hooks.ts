/**
 * The user-facing entry points of a machine, composed: the command language (shell/) with spawn presets
 * (workload/), and the SysRq keyboard path. Used by sessions, the headless CLI and the dashboard.
 */
import { spawnTask, type Kernel } from '../kernel/index.js';
import { handleSysrq } from '../kernel/sysrq/sysrq.js';
import type { ShellEnv, SpawnRequest } from '../shell/context.js';
import { runShell } from '../shell/shell.js';
import { PRESETS, PRESET_NAMES } from '../workload/presets.js';
import { taskSchema } from '../workload/scenario.js';
import { formatPath } from '../workload/scenario.js';
import type { ShellRunner, SysrqRunner } from './session.js';
import { spawnSpecFrom } from './spawn-spec.js';

function spawnFromRequest(k: Kernel, req: SpawnRequest): { pids: number[]; error: string | null; message?: string } {
  let raw: unknown;
  if (req.json !== null) {
    try {
      raw = JSON.parse(req.json);
    } catch (e) {
      return { pids: [], error: 'EINVAL', message: `invalid JSON: ${(e as Error).message}` };
    }
  } else {
    const p = PRESETS[req.preset ?? ''];
    if (p === undefined) return { pids: [], error: 'EINVAL', message: `unknown preset '${req.preset ?? ''}' (presets: ${PRESET_NAMES.join(', ')})` };
    raw = { ...p.task };
  }
  const o = raw as Record<string, unknown>;
  if (req.comm !== undefined) o.comm = req.comm;
  if (req.nice !== undefined) o.nice = req.nice;
  if (req.policy !== undefined) o.policy = req.policy;
  if (req.rtPriority !== undefined) o.rtPriority = req.rtPriority;
  if (req.cpus !== undefined) o.cpus = req.cpus;
  const parsed = taskSchema.safeParse(o);
  if (!parsed.success) {
    const iss = parsed.error.issues[0];
    return { pids: [], error: 'EINVAL', message: `${iss !== undefined ? `${formatPath(iss.path)}: ${iss.message}` : 'invalid task'}` };
  }
  const spec = spawnSpecFrom(parsed.data);
  const pids: number[] = [];
  let error: string | null = null;
  for (let i = 0; i < (req.count ?? parsed.data.count ?? 1); i++) {
    const r = spawnTask(k, spec);
    if (r.task !== null && r.error === null) pids.push(r.task.pid);
    if (r.error !== null) error ??= r.error;
  }
  return error !== null && pids.length === 0 ? { pids, error } : { pids, error: null };
}

export function shellEnv(k: Kernel): ShellEnv {
  return { k, spawn: (req) => spawnFromRequest(k, req), presets: PRESET_NAMES };
}

export function machineHooks(): { shell: ShellRunner; sysrq: SysrqRunner } {
  return {
    shell: (k, line, opts) => runShell(shellEnv(k), line, opts),
    sysrq: (k, key, viaTrigger) => handleSysrq(k, key, !viaTrigger),
  };
}
