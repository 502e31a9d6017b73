/**
 * The kernel's "show" dumps that SysRq prints: sched_show_task() lines with the simulated call chain of each
 * task (what it is blocked in, derived from its state and its last system call), show_state() / the blocked
 * tasks, the NMI backtrace of every active CPU, and the timer list (the engine's pending timers per CPU).
 */
import { isArmed } from '../core/engine.js';
import type { Kernel } from '../kernel.js';
import { renderSchedDebug } from '../proc/sched-debug.js';
import { taskStateLetter, TASK_UNINTERRUPTIBLE, type Task } from '../task/task.js';

const USER_TAIL = [' do_syscall_64+0x82/0x190', ' entry_SYSCALL_64_after_hwframe+0x76/0x7e'];

/** The call chain a task would show: derived from what the simulation knows it is doing. */
export function callChain(k: Kernel, t: Task): string[] {
  const letter = taskStateLetter(t);
  const sched = [' __schedule+0x3b0/0x1410', ' schedule+0x27/0xd0'];
  if (letter === 'Z' || letter === 'X') return [];
  if (t.isKthread) {
    const name = t.comm;
    let fn: string[];
    if (name.startsWith('migration/') || name.startsWith('ksoftirqd/') || name.startsWith('cpuhp/')) fn = [' smpboot_thread_fn+0x12a/0x220'];
    else if (name.startsWith('kworker/')) fn = [' worker_thread+0x1bd/0x390'];
    else if (name === 'kswapd0') fn = [' kswapd+0x23c/0x3d0'];
    else if (name === 'kthreadd') fn = [' kthreadd+0x2e2/0x320'];
    else if (name === 'oom_reaper') fn = [' oom_reaper+0x16e/0x2a0'];
    else if (name.startsWith('rcu')) fn = [' rcu_gp_kthread+0x12f/0x1a0'];
    else fn = [' schedule_timeout+0x9a/0x120'];
    const head = t.onCpu ? [] : sched;
    return [...head, ...fn, ' kthread+0xe4/0x120', ' ret_from_fork+0x34/0x50', ' ret_from_fork_asm+0x1a/0x30'];
  }
  if (t.onCpu) {
    const b = t.burst;
    if (b !== null && b.kernel) return [` ${b.what}+0x4a/0x130`, ...USER_TAIL];
    return [];
  }
  if (letter === 'R') {
    // Preempted: it was interrupted (in user mode, or inside a system call).
    const b = t.burst;
    const inner = b !== null && b.kernel ? [` ${b.what}+0x4a/0x130`, ...USER_TAIL] : [' irqentry_exit_to_user_mode+0x86/0x250', ' asm_sysvec_apic_timer_interrupt+0x1a/0x20'];
    return [' __schedule+0x3b0/0x1410', ' preempt_schedule_irq+0x43/0x80', ...inner];
  }
  if (letter === 'T') return [...sched, ' do_signal_stop+0x112/0x270', ' get_signal+0x50b/0x860', ' arch_do_signal_or_restart+0x3d/0x240', ' exit_to_user_mode_loop+0x98/0x140', ...USER_TAIL];
  if (t.state & TASK_UNINTERRUPTIBLE) {
    return [...sched, ' io_schedule+0x46/0x70', ' folio_wait_bit_common+0x13d/0x350', ' filemap_read+0x4d2/0x5c0', ' vfs_read+0x299/0x370', ' ksys_read+0x6f/0xf0', ...USER_TAIL];
  }
  if (t.waitingForChild) return [...sched, ' do_wait+0x5e/0xf0', ' kernel_wait4+0xbd/0x160', ' __do_sys_wait4+0xa9/0xb0', ...USER_TAIL];
  if (t.pid === 1) return [...sched, ' schedule_hrtimeout_range_clock+0x103/0x110', ' do_epoll_wait+0x4e1/0x520', ' __x64_sys_epoll_wait+0x6f/0x110', ...USER_TAIL];
  if (!isArmed(t.sleepTimer)) return [...sched, ' __x64_sys_pause+0x1d/0x40', ...USER_TAIL];
  return [...sched, ' do_nanosleep+0x68/0x1a0', ' hrtimer_nanosleep+0xbc/0x1a0', ' __x64_sys_clock_nanosleep+0xc6/0x130', ...USER_TAIL];
}

/**
 * Functions of the __sched text section, which stack_trace_save_tsk() and get_wchan() step over
 * (in_sched_functions()): a task's trace starts at what called into the scheduler.
 */
const SCHED_FUNCTIONS = new Set(['__schedule', 'schedule', 'preempt_schedule_irq', 'io_schedule', 'schedule_timeout', 'schedule_hrtimeout_range_clock', 'do_nanosleep']);

function frameFunction(frame: string): string {
  const s = frame.trim();
  const plus = s.indexOf('+');
  return plus < 0 ? s : s.slice(0, plus);
}

/** The call chain the unwinder reports for a task not on a CPU: without the scheduler's own frames. */
function unwind(k: Kernel, t: Task): string[] {
  return callChain(k, t).filter((f) => !SCHED_FUNCTIONS.has(frameFunction(f)));
}

/**
 * /proc/PID/stack (proc_pid_stack): the unwound chain, one "[<0>] sym+off/size" line each (addresses hidden).
 * Empty for a task running on a CPU: the unwinder does not start on a task that is running elsewhere
 * (task_on_another_cpu()).
 */
export function procPidStack(k: Kernel, t: Task): string {
  if (t.onCpu) return '';
  return unwind(k, t)
    .map((f) => `[<0>] ${f.trim()}\n`)
    .join('');
}

/**
 * /proc/PID/wchan (get_wchan): where a blocked task waits, the first frame outside the scheduler, with no
 * newline; "0" for a task that is runnable or running (or a zombie, which has no stack to unwind).
 */
export function procPidWchan(k: Kernel, t: Task): string {
  if (t.onCpu || t.onRq !== 0) return '0';
  const f = unwind(k, t)[0];
  return f === undefined ? '0' : frameFunction(f);
}

/** sched_show_task() of 6.17: the "task:" line and the call trace. */
export function sched_show_task(k: Kernel, t: Task): string[] {
  const letter = taskStateLetter(t);
  const running = t.onCpu ? '  running task    ' : '';
  const ppid = t.parent?.pid ?? 0;
  const flags = (t.isKthread ? 0x00208040 : 0x00400100) | t.flags;
  const stackFree = t.isKthread ? 14832 : 13320;
  const out = [
    `task:${t.comm.padEnd(15).slice(0, 15)} state:${letter}${running} stack:${String(stackFree).padEnd(5)} pid:${String(t.pid).padEnd(5)} tgid:${String(t.tgid).padEnd(5)} ppid:${String(ppid).padEnd(6)} task_flags:0x${(flags & 0xffff).toString(16).padStart(4, '0')} flags:0x${'0'.padStart(8, '0')}`,
  ];
  const chain = callChain(k, t);
  if (chain.length > 0) out.push('Call Trace:', ' <TASK>', ...chain, ' </TASK>');
  return out;
}

/** SysRq-t: every task, then the sched_debug dump (the per-CPU runqueue summary). */
export function showState(k: Kernel): string[] {
  const out: string[] = [];
  for (const t of [...k.tasks.values()].sort((a, b) => a.pid - b.pid)) out.push(...sched_show_task(k, t));
  out.push(...renderSchedDebug(k).replace(/\n$/, '').split('\n'));
  return out;
}

/** SysRq-w: only the tasks in uninterruptible sleep (D). */
export function showBlocked(k: Kernel): string[] {
  const out: string[] = [];
  for (const t of [...k.tasks.values()].sort((a, b) => a.pid - b.pid)) {
    if (taskStateLetter(t) === 'D') out.push(...sched_show_task(k, t));
  }
  return out;
}

/** SysRq-l: an NMI backtrace from every active CPU, of what runs there now. */
export function showBacktraces(k: Kernel): string[] {
  const out: string[] = [];
  for (const rq of k.rqs) {
    if (!rq.online) continue;
    const t = rq.curr;
    out.push(`NMI backtrace for cpu ${rq.cpu}`);
    out.push(`CPU: ${rq.cpu} UID: 0 PID: ${t.pid} Comm: ${t.comm} Not tainted ${k.config.release} #1 PREEMPT(${k.tunables.preempt})`);
    out.push('Hardware name: kernsim virtual machine, BIOS 1.0 01/01/2026');
    if (t === rq.idle) {
      out.push('RIP: 0010:pv_native_safe_halt+0xf/0x20');
      out.push('Call Trace:', ' <TASK>', ' default_idle+0x9/0x20', ' default_idle_call+0x2c/0xe0', ' do_idle+0x1f2/0x240', ' cpu_startup_entry+0x29/0x30', ' start_secondary+0x116/0x140', ' common_startup_64+0x13e/0x141', ' </TASK>');
    } else if (t.burst !== null && t.burst.kernel) {
      out.push(`RIP: 0010:${t.burst.what}+0x4a/0x130`);
      out.push('Call Trace:', ' <TASK>', ...USER_TAIL, ' </TASK>');
    } else {
      // Interrupted in user space: the NMI shows user-mode registers.
      out.push('RIP: 0033:0x401136');
      out.push('Code: Unable to access opcode bytes at 0x40110c.');
    }
  }
  return out;
}

/** SysRq-q: the clock event devices and the pending timers, per CPU (timer_list). */
export function showTimers(k: Kernel): string[] {
  const out = ['Timer List Version: v0.9', 'HRTIMER_MAX_CLOCK_BASES: 8', `now at ${k.now} nsecs`, ''];
  for (const rq of k.rqs) {
    out.push(`cpu: ${rq.cpu}`, ' clock 0:', '  .base:       0000000000000000', '  .index:      0', '  .resolution: 1 nsecs', '  .get_time:   ktime_get', 'active timers:');
    let n = 0;
    const tick = isArmed(rq.tickTimer) ? rq.tickTimer : null;
    if (tick !== null) out.push(` #${n++}: <0000000000000000>, tick_nohz_handler, S:01`, ` # expires at ${tick.atNs}-${tick.atNs} nsecs [in ${tick.atNs - k.now} to ${tick.atNs - k.now} nsecs]`);
    for (const t of k.tasks.values()) {
      const tm = t.sleepTimer;
      if (!isArmed(tm) || t.cpu !== rq.cpu) continue;
      out.push(` #${n++}: <0000000000000000>, hrtimer_wakeup, S:01`, ` # expires at ${tm.atNs}-${tm.atNs + 50_000} nsecs [in ${tm.atNs - k.now} to ${tm.atNs + 50_000 - k.now} nsecs]`);
    }
    out.push(`  .expires_next   : ${tick?.atNs ?? 9223372036854775807n} nsecs`, `  .nohz_mode      : ${tick === null ? 2 : 0}`, `  .idle_tick      : ${tick === null ? 'yes' : 'no'}`, '');
  }
  out.push('Tick Device: mode:     1', 'Broadcast device', 'Clock Event Device: hpet');
  return out;
}
