/**
 * Signals, the part the scheduler sees (kernel/signal.c): delivery wakes interruptible sleepers (SIGKILL also
 * stopped and killable ones), a running task is kicked so that it handles the signal on its way back to user
 * space, and the default actions terminate, stop or continue it. Kernel threads and init ignore them.
 */
import type { Kernel } from '../kernel.js';
import { TASK_INTERRUPTIBLE, TASK_STOPPED, TASK_WAKEKILL, type Task } from './task.js';

/** The standard signals of x86-64 (arch/x86/include/uapi/asm/signal.h); the real-time ones are not modelled. */
export const SIGNALS: Readonly<Record<string, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPWR: 30,
  SIGSYS: 31,
};

export const SIGKILL = 9;
export const SIGTERM = 15;
export const SIGCHLD = 17;
export const SIGCONT = 18;
export const SIGSTOP = 19;
export const SIGTSTP = 20;
export const SIGTTIN = 21;
export const SIGTTOU = 22;
export const SIGURG = 23;
export const SIGWINCH = 28;

/** Default action stop (SIG_KERNEL_STOP_MASK): SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU. */
const STOP_MASK = (1 << SIGSTOP) | (1 << SIGTSTP) | (1 << SIGTTIN) | (1 << SIGTTOU);
/** Default action ignore (SIG_KERNEL_IGNORE_MASK without SIGCONT): SIGCHLD, SIGURG, SIGWINCH. */
const IGNORED = (1 << SIGCHLD) | (1 << SIGURG) | (1 << SIGWINCH);

export function signalName(sig: number): string {
  for (const [n, v] of Object.entries(SIGNALS)) if (v === sig) return n;
  return `SIG${sig}`;
}

/** Parse "9", "KILL", "SIGKILL", "-9": returns the number or null. */
export function parseSignal(text: string): number | null {
  const t = text.replace(/^-/, '').toUpperCase();
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    return n >= 1 && n <= 31 ? n : null;
  }
  const name = t.startsWith('SIG') ? t : `SIG${t}`;
  return SIGNALS[name] ?? null;
}

export function fatalSignalPending(p: Task): boolean {
  return (p.sigPending & (1 << SIGKILL)) !== 0;
}

/** The first pending signal whose default action terminates, or 0. */
export function pendingTerminating(p: Task): number {
  const bits = p.sigPending & ~STOP_MASK & ~IGNORED & ~(1 << SIGCONT);
  if (bits === 0) return 0;
  if (bits & (1 << SIGKILL)) return SIGKILL;
  for (let s = 1; s < 32; s++) if (bits & (1 << s)) return s;
  return 0;
}

export function pendingStop(p: Task): boolean {
  return (p.sigPending & STOP_MASK) !== 0;
}

/**
 * send_signal(): queue sig for p and wake it as the kernel would. Returns null on success (the signal may be
 * ignored, as for kernel threads and init) or an errno name.
 */
export function sendSignal(k: Kernel, p: Task, sig: number): string | null {
  if (sig < 0 || sig > 31) return 'EINVAL';
  // Signal 0: kill(2)'s checks only (the process exists, a zombie too); nothing is sent.
  if (sig === 0) return null;
  if (p.exitState !== 0) return null;
  // Kernel threads ignore signals; init only receives signals it handles (it handles none here).
  if (p.isKthread || p.pid === 1) return null;
  if (sig === SIGCONT) {
    p.sigPending &= ~STOP_MASK;
    if (p.state & TASK_STOPPED) k.wakeState(p, TASK_STOPPED);
    return null;
  }
  if ((1 << sig) & IGNORED) return null;
  if ((1 << sig) & STOP_MASK) {
    p.sigPending |= 1 << sig;
    k.signalWakeUp(p, TASK_INTERRUPTIBLE);
    return null;
  }
  p.sigPending |= 1 << sig;
  if (sig === SIGKILL) {
    p.sigPending &= ~STOP_MASK;
    // SIGKILL wakes stopped and killable sleepers too.
    k.signalWakeUp(p, TASK_INTERRUPTIBLE | TASK_WAKEKILL | TASK_STOPPED);
  } else {
    k.signalWakeUp(p, TASK_INTERRUPTIBLE);
  }
  return null;
}
