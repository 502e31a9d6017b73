/**
 * ftrace text as the kernel's trace file prints it (kernel/trace/trace_output.c, include/trace/events/sched.h),
 * written to the portable rules of formats.md C6 so that Perfetto, Trace Compass and trace-cmd-style parsers
 * all accept every line: 4-character flags, 6 decimals, comms of at most 15 characters without spaces, '=', '['
 * or ']', monotonic timestamps, sched_waking and sched_wakeup both.
 */

export const FTRACE_HEADER = [
  '# tracer: nop',
  '#',
  '# entries-in-buffer/entries-written: 0/0   #P:{CPUS}',
  '#',
  '#                                _-----=> irqs-off',
  '#                               / _----=> need-resched',
  '#                              | / _---=> hardirq/softirq',
  '#                              || / _--=> preempt-depth',
  '#                              ||| /     delay',
  '#           TASK-PID     CPU#  ||||   TIMESTAMP  FUNCTION',
  '#              | |         |   ||||      |         |',
];

export function ftraceHeader(nrCpus: number): string {
  return `${FTRACE_HEADER.join('\n').replace('{CPUS}', String(nrCpus))}\n`;
}

/** A comm as the portable format allows it. */
export function safeComm(comm: string): string {
  const c = comm.replace(/[\s=[\]]/g, '_').replace(/[^\x21-\x7e]/g, '?').slice(0, 15);
  return c === '' ? '_' : c;
}

/** Printable ASCII only, for marker payloads (no \uXXXX escapes reach a JSON-embedded trace). */
export function safeText(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}

/** The line prefix: task-pid, [cpu], flags, timestamp. pid 0 prints as <idle>. */
export function linePrefix(comm: string, pid: number, cpu: number, flags: string, tNs: number): string {
  const task = pid === 0 ? '<idle>' : safeComm(comm);
  const secs = Math.floor(tNs / 1e9);
  const us = Math.floor((tNs % 1e9) / 1e3);
  // "%16s-%-7d [%03d] FLAGS %5lu.%06lu: "
  return `${task.padStart(16)}-${String(pid).padEnd(7)} [${String(cpu).padStart(3, '0')}] ${flags} ${String(secs).padStart(5)}.${String(us).padStart(6, '0')}: `;
}

export function switchBody(e: { prevComm: string; prevPid: number; prevPrio: number; prevState: string; nextComm: string; nextPid: number; nextPrio: number }): string {
  return `sched_switch: prev_comm=${safeComm(e.prevComm)} prev_pid=${e.prevPid} prev_prio=${e.prevPrio} prev_state=${e.prevState} ==> next_comm=${safeComm(e.nextComm)} next_pid=${e.nextPid} next_prio=${e.nextPrio}`;
}

export function wakeBody(kind: string, e: { comm: string; pid: number; prio: number; targetCpu: number }): string {
  return `${kind}: comm=${safeComm(e.comm)} pid=${e.pid} prio=${e.prio} target_cpu=${String(e.targetCpu).padStart(3, '0')}`;
}
