/**
 * The scheduler's tracepoints (include/trace/events/sched.h), emitted through the kernel's trace sink.
 * prev_state follows __trace_sched_switch_state(): "R+" for a preempted task, else the state letters.
 */
import type { Kernel } from '../kernel.js';
import { EXIT_DEAD, EXIT_ZOMBIE, TASK_DEAD, TASK_INTERRUPTIBLE, TASK_NOLOAD, TASK_PARKED, TASK_STOPPED, TASK_TRACED, TASK_UNINTERRUPTIBLE, type Task } from '../task/task.js';
import type { Rq } from './rq.js';

/** The ftrace prev_state text for a task that switched out in `state`. */
export function stateTraceText(p: Task, state: number): string {
  if ((state & (TASK_UNINTERRUPTIBLE | TASK_NOLOAD)) === (TASK_UNINTERRUPTIBLE | TASK_NOLOAD)) return 'I';
  const s = (state & ~TASK_DEAD) | p.exitState;
  if (s === 0) return 'R';
  if (s === TASK_INTERRUPTIBLE) return 'S';
  if (s === TASK_UNINTERRUPTIBLE) return 'D';
  const letters: string[] = [];
  if (s & TASK_INTERRUPTIBLE) letters.push('S');
  if (s & TASK_UNINTERRUPTIBLE) letters.push('D');
  if (s & TASK_STOPPED) letters.push('T');
  if (s & TASK_TRACED) letters.push('t');
  if (s & EXIT_DEAD) letters.push('X');
  if (s & EXIT_ZOMBIE) letters.push('Z');
  if (s & TASK_PARKED) letters.push('P');
  return letters.length > 0 ? letters.join('|') : 'R';
}

export function traceSwitch(k: Kernel, rq: Rq, prev: Task, next: Task, prevState: string): void {
  k.countEvent('sched_switch');
  if (!k.tracing) return;
  k.emitSwitch(rq.cpu, prev, next, prevState);
}

export function traceWake(k: Kernel, kind: 'sched_waking' | 'sched_wakeup' | 'sched_wakeup_new', p: Task, targetCpu: number): void {
  k.countEvent(kind);
  if (!k.tracing || (!k.traceWakeups && k.wakeupListeners === 0)) return;
  k.emit({ kind, seq: 0, tNs: k.now, cpu: k.currentCpu, pid: p.pid, comm: p.comm, prio: p.prio, targetCpu });
}

export function traceMigrate(k: Kernel, p: Task, origCpu: number, destCpu: number): void {
  k.countEvent('sched_migrate_task');
  if (!k.tracing) return;
  k.emit({ kind: 'sched_migrate_task', seq: 0, tNs: k.now, cpu: k.currentCpu, pid: p.pid, comm: p.comm, prio: p.prio, origCpu, destCpu });
}
