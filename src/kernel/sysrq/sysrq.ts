/**
 * Magic SysRq (drivers/tty/sysrq.c): the key table with each op's help text, action message and enable-mask
 * group, the kernel.sysrq mask (the keyboard path honours it, /proc/sysrq-trigger does not), bulk writes
 * starting with '_', and what each key does to the simulated machine.
 */
import type { Kernel } from '../kernel.js';
import { schedSetscheduler, setUserNice } from '../sched/setattr.js';
import { renderShowMem } from '../mm/meminfo.js';
import { outOfMemory } from '../mm/oom.js';
import { syncAll } from '../mm/reclaim.js';
import { SIGKILL, SIGTERM } from '../task/signal.js';
import { isRtPolicy, SCHED_DEADLINE } from '../task/task.js';
import { showBacktraces, showBlocked, showState, showTimers } from './show.js';

export const SYSRQ_ENABLE = {
  LOG: 0x0002,
  KEYBOARD: 0x0004,
  DUMP: 0x0008,
  SYNC: 0x0010,
  REMOUNT: 0x0020,
  SIGNAL: 0x0040,
  BOOT: 0x0080,
  RTNICE: 0x0100,
} as const;

export interface SysrqOp {
  readonly helpMsg: string;
  readonly actionMsg: string;
  readonly enableMask: number;
  handle(k: Kernel, key: string): void;
}

const CONSOLE_LOGLEVEL_DEFAULT = 7;
const CONSOLE_LOGLEVEL_DEBUG = 10;

function info(k: Kernel, lines: readonly string[]): void {
  for (const l of lines) k.printk(6, l);
}

function sendSigAll(k: Kernel, sig: number): void {
  for (const t of [...k.tasks.values()].sort((a, b) => a.pid - b.pid)) {
    if (t.isKthread || t.pid === 1) continue;
    k.sendSignal(t, sig);
  }
}

const loglevel: SysrqOp = {
  helpMsg: 'loglevel(0-9)',
  actionMsg: 'Changing Loglevel',
  enableMask: SYSRQ_ENABLE.LOG,
  handle: (k, key) => {
    const level = Number(key);
    const s = k.printkRing.settings;
    s.consoleLoglevel = CONSOLE_LOGLEVEL_DEFAULT;
    k.printk(6, `sysrq: Loglevel set to ${level}`);
    s.consoleLoglevel = level;
  },
};

/** The key table, in the order of sysrq_key_table (0-9, a-z, A-Z). */
export const SYSRQ_TABLE: ReadonlyMap<string, SysrqOp> = new Map<string, SysrqOp>([
  ...['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d): [string, SysrqOp] => [d, loglevel]),
  ['b', { helpMsg: 'reboot(b)', actionMsg: 'Resetting', enableMask: SYSRQ_ENABLE.BOOT, handle: (k) => k.reboot() }],
  ['c', { helpMsg: 'crash(c)', actionMsg: 'Trigger a crash', enableMask: SYSRQ_ENABLE.DUMP, handle: (k) => k.panic('sysrq triggered crash') }],
  [
    'e',
    {
      helpMsg: 'terminate-all-tasks(e)',
      actionMsg: 'Terminate All Tasks',
      enableMask: SYSRQ_ENABLE.SIGNAL,
      handle: (k) => {
        sendSigAll(k, SIGTERM);
        k.printkRing.settings.consoleLoglevel = CONSOLE_LOGLEVEL_DEBUG;
      },
    },
  ],
  [
    'f',
    {
      helpMsg: 'memory-full-oom-kill(f)',
      actionMsg: 'Manual OOM execution',
      enableMask: SYSRQ_ENABLE.SIGNAL,
      handle: (k) => void outOfMemory(k, null, { order: -1, sysrq: true, gfp: '0xcc0(GFP_KERNEL)' }),
    },
  ],
  [
    'i',
    {
      helpMsg: 'kill-all-tasks(i)',
      actionMsg: 'Kill All Tasks',
      enableMask: SYSRQ_ENABLE.SIGNAL,
      handle: (k) => {
        sendSigAll(k, SIGKILL);
        k.printkRing.settings.consoleLoglevel = CONSOLE_LOGLEVEL_DEBUG;
      },
    },
  ],
  ['j', { helpMsg: 'thaw-filesystems(j)', actionMsg: 'Emergency Thaw of all frozen filesystems', enableMask: SYSRQ_ENABLE.SIGNAL, handle: (k) => void k.printk(6, 'Emergency Thaw complete') }],
  ['k', { helpMsg: 'sak(k)', actionMsg: 'SAK', enableMask: SYSRQ_ENABLE.KEYBOARD, handle: () => undefined }],
  ['l', { helpMsg: 'show-backtrace-all-active-cpus(l)', actionMsg: 'Show backtrace of all active CPUs', enableMask: SYSRQ_ENABLE.DUMP, handle: (k) => info(k, showBacktraces(k)) }],
  ['m', { helpMsg: 'show-memory-usage(m)', actionMsg: 'Show Memory', enableMask: SYSRQ_ENABLE.DUMP, handle: (k) => info(k, renderShowMem(k)) }],
  [
    'n',
    {
      helpMsg: 'nice-all-RT-tasks(n)',
      actionMsg: 'Nice All RT Tasks',
      enableMask: SYSRQ_ENABLE.RTNICE,
      handle: (k) => {
        // normalize_rt_tasks(): user RT and DL tasks back to SCHED_NORMAL; negative nice values back to 0.
        for (const t of [...k.tasks.values()].sort((a, b) => a.pid - b.pid)) {
          if (t.isKthread || t.exitState !== 0) continue;
          if (!isRtPolicy(t.policy) && t.policy !== SCHED_DEADLINE) {
            if (t.nice < 0) setUserNice(k, t, 0);
            continue;
          }
          schedSetscheduler(k, t, { policy: 'normal', rtPriority: 0, nice: 0 });
        }
      },
    },
  ],
  ['o', { helpMsg: 'poweroff(o)', actionMsg: 'Power Off', enableMask: SYSRQ_ENABLE.BOOT, handle: (k) => k.powerOff() }],
  [
    'p',
    {
      helpMsg: 'show-registers(p)',
      actionMsg: 'Show Regs',
      enableMask: SYSRQ_ENABLE.DUMP,
      handle: (k) => {
        const cpu = Math.max(0, k.currentCpu);
        const t = k.rqs[cpu]?.curr;
        info(k, [
          `CPU: ${cpu} UID: 0 PID: ${t?.pid ?? 0} Comm: ${t?.comm ?? 'swapper/0'} Not tainted ${k.config.release} #1 PREEMPT(${k.tunables.preempt})`,
          'Hardware name: kernsim virtual machine, BIOS 1.0 01/01/2026',
          t !== undefined && t.burst !== null && t.burst.kernel ? `RIP: 0010:${t.burst.what}+0x4a/0x130` : t?.isIdleTask ? 'RIP: 0010:pv_native_safe_halt+0xf/0x20' : 'RIP: 0033:0x401136',
          '(register values are not simulated)',
        ]);
      },
    },
  ],
  ['q', { helpMsg: 'show-all-timers(q)', actionMsg: 'Show clockevent devices & pending hrtimers (no others)', enableMask: 0, handle: (k) => info(k, showTimers(k)) }],
  ['r', { helpMsg: 'unraw(r)', actionMsg: 'Keyboard mode set to system default', enableMask: SYSRQ_ENABLE.KEYBOARD, handle: () => undefined }],
  [
    's',
    {
      helpMsg: 'sync(s)',
      actionMsg: 'Emergency Sync',
      enableMask: SYSRQ_ENABLE.SYNC,
      handle: (k) => {
        syncAll(k);
        k.printk(6, 'Emergency Sync complete');
      },
    },
  ],
  ['t', { helpMsg: 'show-task-states(t)', actionMsg: 'Show State', enableMask: SYSRQ_ENABLE.DUMP, handle: (k) => info(k, showState(k)) }],
  [
    'u',
    {
      helpMsg: 'unmount(u)',
      actionMsg: 'Emergency Remount R/O',
      enableMask: SYSRQ_ENABLE.REMOUNT,
      handle: (k) => {
        syncAll(k);
        k.mm.files.readOnly = true;
        k.printk(6, 'Emergency Remount complete');
      },
    },
  ],
  ['w', { helpMsg: 'show-blocked-tasks(w)', actionMsg: 'Show Blocked State', enableMask: SYSRQ_ENABLE.DUMP, handle: (k) => info(k, showBlocked(k)) }],
  ['z', { helpMsg: 'dump-ftrace-buffer(z)', actionMsg: 'Dump ftrace buffer', enableMask: SYSRQ_ENABLE.DUMP, handle: (k) => {
        // ftrace_dump() prints at KERN_TRACE, which is KERN_EMERG, so the dump reaches every console.
        for (const l of ['Dumping ftrace buffer:', ...k.tracefs.dumpLines()]) k.printk(0, l);
      } }],
  [
    'R',
    {
      helpMsg: 'replay-kernel-logs(R)',
      actionMsg: 'Replay kernel logs on consoles',
      enableMask: SYSRQ_ENABLE.DUMP,
      handle: (k) => k.printkRing.replayToConsole(),
    },
  ],
]);

/** sysrq_on_mask(). */
export function sysrqOnMask(k: Kernel, mask: number): boolean {
  const en = k.sysctl.sysrq;
  return k.sysrqAlwaysEnabled || en === 1 || (en & mask) !== 0;
}

/**
 * __handle_sysrq(): the header is printed with the console raised to the default level (so it is always
 * seen), then the op runs with the console level restored - unless the mask disables it.
 */
export function handleSysrq(k: Kernel, key: string, checkMask: boolean): void {
  const s = k.printkRing.settings;
  const orig = s.consoleLoglevel;
  s.consoleLoglevel = CONSOLE_LOGLEVEL_DEFAULT;
  const op = SYSRQ_TABLE.get(key);
  k.event({ kind: 'sysrq', key, action: op?.actionMsg ?? 'HELP' });
  if (op !== undefined) {
    if (!checkMask || sysrqOnMask(k, op.enableMask)) {
      k.printk(6, `sysrq: ${op.actionMsg}`);
      s.consoleLoglevel = orig;
      op.handle(k, key);
    } else {
      k.printk(6, 'sysrq: This sysrq operation is disabled.');
      s.consoleLoglevel = orig;
    }
    return;
  }
  const seen = new Set<SysrqOp>();
  let help = 'sysrq: HELP : ';
  for (const o of SYSRQ_TABLE.values()) {
    if (seen.has(o)) continue;
    seen.add(o);
    help += `${o.helpMsg} `;
  }
  k.printk(6, help);
  s.consoleLoglevel = orig;
}

/** write_sysrq_trigger(): the first character, or every character after a leading '_'. No mask check. */
export function writeSysrqTrigger(k: Kernel, data: string): void {
  if (data.length === 0) return;
  if (data[0] === '_') {
    for (const c of data.slice(1)) {
      if (c === '\n') continue;
      handleSysrq(k, c, false);
      if (k.halted !== null) return;
    }
    return;
  }
  handleSysrq(k, data[0] as string, false);
}
