/**
 * kernel-facts §18, §19: record formats (/dev/kmsg, dmesg, --decode, /proc/kmsg), the console filter,
 * /proc/sys/kernel/printk, ignore_loglevel, the ring bound, KERN_CONT; SysRq's help, disabled and loglevel
 * lines, the mask logic, the trigger file with bulk writes, and what e/i/f/n/u/b/c/o do to the machine.
 */
import { describe, expect, it } from 'vitest';
import { PrintkRing } from '../../src/kernel/printk/printk.js';
import { devKmsgLine, procKmsgLines } from '../../src/kernel/printk/readers.js';
import { handleSysrq } from '../../src/kernel/sysrq/sysrq.js';
import { taskStateLetter } from '../../src/kernel/task/task.js';
import type { ProgramFactory } from '../../src/kernel/task/user.js';
import { formatDmesg } from '../../src/shell/dmesg.js';
import { machine, MS, SEC, spawn } from '../helpers/machine.js';
import { runShell } from '../../src/shell/shell.js';
import { shellEnv } from '../../src/sim/machine-hooks.js';

const settings = { consoleLoglevel: 7, defaultMessageLoglevel: 4, minimumConsoleLoglevel: 1, defaultConsoleLoglevel: 7 };

describe('printk records and readers', () => {
  it('KERN_INFO "hello", seq 42, at 1.5 s: /dev/kmsg, dmesg, --decode, /proc/kmsg', () => {
    const ring = new PrintkRing({ settings });
    ring.nextSeq = 42;
    const r = ring.log({ tsNs: 1_500_000_000, level: 6, text: 'hello', pid: 0, cpu: 0 });
    expect(devKmsgLine(r, false)).toBe('6,42,1500000,-;hello\n');
    expect(devKmsgLine(r, true)).toBe('6,42,1500000,-,caller=C0;hello\n');
    expect(formatDmesg([r])).toBe('[    1.500000] hello\n');
    expect(formatDmesg([r], { decode: true })).toBe('kern  :info  : [    1.500000] hello\n');
    expect(formatDmesg([r], { raw: true })).toBe('<6>[    1.500000] hello\n');
    expect(formatDmesg([r], { ctime: true })).toBe('[Thu Jan  1 00:00:01 2026] hello\n');
    expect(procKmsgLines(r)).toBe('<6>[    1.500000] hello\n');
  });

  it('escapes non-printable characters in /dev/kmsg as \\xNN; multi-line records print a prefix per line', () => {
    const ring = new PrintkRing({ settings });
    const r = ring.log({ tsNs: 0, level: 6, text: 'a\tb\\c\nsecond', pid: 7, cpu: 0 });
    expect(devKmsgLine(r, true)).toBe('6,0,0,-,caller=T7;a\\x09b\\x5cc\\x0asecond\n');
    expect(formatDmesg([r])).toBe('[    0.000000] a\tb\\c\n[    0.000000] second\n');
  });

  it('with "4 4 1 7" KERN_WARNING does not reach the console, KERN_ERR does; the ring keeps both', () => {
    const k = machine({ nrCpus: 1, printk: '4 4 1 7' });
    k.printk(4, 'a warning');
    k.printk(3, 'an error');
    const texts = k.printkRing.consoleLog.map((r) => r.text);
    expect(texts).toContain('an error');
    expect(texts).not.toContain('a warning');
    expect(k.printkRing.all().map((r) => r.text)).toEqual(expect.arrayContaining(['a warning', 'an error']));
    expect(k.proc.read('/proc/sys/kernel/printk')).toEqual({ ok: true, text: '4\t4\t1\t7\n' });
  });

  it('boot "quiet" means 4 4 1 7; ignore_loglevel lets everything through; a message without a level gets default_message_loglevel', () => {
    const k = machine({ nrCpus: 1, cmdline: 'quiet' });
    expect(k.printkRing.settings.consoleLoglevel).toBe(4);
    k.printk(-1, 'no level');
    expect(k.printkRing.all().find((r) => r.text === 'no level')?.level).toBe(4);
    expect(k.proc.write('/sys/module/printk/parameters/ignore_loglevel', 'Y')).toBeNull();
    k.printk(7, 'debug message');
    expect(k.printkRing.consoleLog.some((r) => r.text === 'debug message')).toBe(true);
    expect(k.proc.read('/sys/module/printk/parameters/ignore_loglevel')).toEqual({ ok: true, text: 'Y\n' });
    expect(k.proc.write('/sys/module/printk/parameters/ignore_loglevel', 'maybe')).toBe('EINVAL');
  });

  it('the ring is bounded: old records are dropped; KERN_CONT appends', () => {
    const ring = new PrintkRing({ settings, logBufShift: 12 });
    for (let i = 0; i < 1000; i++) ring.log({ tsNs: i, level: 6, text: `message number ${i}`, pid: 0, cpu: 0 });
    expect(ring.usedBytes()).toBeLessThanOrEqual(4096);
    expect(ring.all()[0]?.seq).toBeGreaterThan(0);
    expect(ring.dropped).toBeGreaterThan(800);
    const last = ring.all()[ring.live - 1];
    ring.cont(' (continued)', last?.caller ?? '');
    expect(ring.all()[ring.live - 1]?.text).toBe('message number 999 (continued)');
  });

  it('the boot log opens with linux_banner, the same line as /proc/version', () => {
    const k = machine({ nrCpus: 1 });
    const v = k.proc.read('/proc/version');
    expect(v.ok && v.text).toMatch(/^Linux version \S+ \(kernsim@\S+\) \(gcc .*\) #1 SMP PREEMPT_DYNAMIC Thu Jan {2}1 00:00:00 UTC 2026\n$/);
    expect(`${k.printkRing.all()[0]?.text}\n`).toBe(v.ok ? v.text : '');
  });

  it('BogoMIPS is printed from loops_per_jiffy with C\'s integer divisions, in the boot log and /proc/cpuinfo', () => {
    const text = (k: ReturnType<typeof machine>): string[] => k.printkRing.all().map((r) => r.text);
    const cpuinfoBogomips = (k: ReturnType<typeof machine>): string[] => {
      const r = k.proc.read('/proc/cpuinfo');
      return r.ok ? [...r.text.matchAll(/^bogomips\t: (.*)$/gm)].map((m) => m[1] as string) : [];
    };
    // lpj_fine = tsc_khz * 1000 / HZ for the 2.4 GHz TSC; 4800.00 a CPU at HZ=250 and 1000.
    const k = machine({ nrCpus: 8, hz: 250 });
    expect(text(k)).toContain('Calibrating delay loop (skipped), value calculated using timer frequency.. 4800.00 BogoMIPS (lpj=9600000)');
    expect(text(k)).toContain('smpboot: Total of 8 processors activated (38400.00 BogoMIPS)');
    expect(cpuinfoBogomips(k)).toEqual(new Array(8).fill('4800.00'));
    // HZ=300: 500000/300 and 5000/300 truncate, as on a real HZ=300 kernel.
    const k300 = machine({ nrCpus: 8, hz: 300 });
    expect(text(k300)).toContain('Calibrating delay loop (skipped), value calculated using timer frequency.. 4801.00 BogoMIPS (lpj=8000000)');
    expect(text(k300)).toContain('smpboot: Total of 8 processors activated (40000.00 BogoMIPS)');
    expect(cpuinfoBogomips(k300)[0]).toBe('4801.00');
  });

  it('pid_max\'s boot line gives the default kernel.pid_max starts with and its per-CPU minimum', () => {
    for (const nrCpus of [2, 64]) {
      const k = machine({ nrCpus });
      const sysctl = k.proc.read('/proc/sys/kernel/pid_max');
      const line = k.printkRing.all().find((r) => r.text.startsWith('pid_max: '))?.text;
      expect(line).toBe(`pid_max: default: ${sysctl.ok ? sysctl.text.trim() : '?'} minimum: ${nrCpus === 2 ? 301 : 512}`);
    }
    expect(machine({ nrCpus: 64 }).proc.read('/proc/sys/kernel/pid_max')).toMatchObject({ ok: true, text: '65536\n' });
  });

  it('writes to /dev/kmsg are user-facility records with the given level', () => {
    const k = machine({ nrCpus: 1 });
    expect(k.proc.write('/dev/kmsg', '<5>from user space\n')).toBeNull();
    const r = k.printkRing.all().find((x) => x.text === 'from user space');
    expect(r).toMatchObject({ level: 5, facility: 1 });
  });
});

describe('magic SysRq', () => {
  const lines = (k: ReturnType<typeof machine>, from: number): string[] => k.printkRing.since(from).map((r) => r.text);

  it('unknown keys print the HELP line with every op once, in table order', () => {
    const k = machine({ nrCpus: 1 });
    const from = k.printkRing.nextSeq;
    handleSysrq(k, 'x', false);
    expect(lines(k, from)).toEqual([
      'sysrq: HELP : loglevel(0-9) reboot(b) crash(c) terminate-all-tasks(e) memory-full-oom-kill(f) kill-all-tasks(i) thaw-filesystems(j) sak(k) show-backtrace-all-active-cpus(l) show-memory-usage(m) nice-all-RT-tasks(n) poweroff(o) show-registers(p) show-all-timers(q) unraw(r) sync(s) show-task-states(t) unmount(u) show-blocked-tasks(w) dump-ftrace-buffer(z) replay-kernel-logs(R) ',
    ]);
  });

  it('sysrq = 176 (sync, remount, boot): s works from the keyboard; t, m, f, e, i and 0-9 are disabled', () => {
    const k = machine({ nrCpus: 1 });
    expect(k.proc.write('/proc/sys/kernel/sysrq', '176')).toBeNull();
    for (const key of ['t', 'm', 'f', 'e', 'i', '5']) {
      const from = k.printkRing.nextSeq;
      handleSysrq(k, key, true);
      expect(lines(k, from)).toEqual(['sysrq: This sysrq operation is disabled.']);
    }
    const from = k.printkRing.nextSeq;
    handleSysrq(k, 's', true);
    expect(lines(k, from)).toEqual(['sysrq: Emergency Sync', 'Emergency Sync complete']);
  });

  it('the mask: 1 allows everything, 0 nothing from the keyboard, 16 only sync; /proc/sysrq-trigger ignores it', () => {
    const k = machine({ nrCpus: 1 });
    k.proc.write('/proc/sys/kernel/sysrq', '1');
    let from = k.printkRing.nextSeq;
    handleSysrq(k, 'q', true);
    expect(lines(k, from)[0]).toBe('sysrq: Show clockevent devices & pending hrtimers (no others)');
    k.proc.write('/proc/sys/kernel/sysrq', '0');
    from = k.printkRing.nextSeq;
    handleSysrq(k, 's', true);
    expect(lines(k, from)).toEqual(['sysrq: This sysrq operation is disabled.']);
    k.proc.write('/proc/sys/kernel/sysrq', '16');
    from = k.printkRing.nextSeq;
    handleSysrq(k, 's', true);
    handleSysrq(k, 'm', true);
    expect(lines(k, from)).toEqual(['sysrq: Emergency Sync', 'Emergency Sync complete', 'sysrq: This sysrq operation is disabled.']);
    from = k.printkRing.nextSeq;
    expect(k.proc.write('/proc/sysrq-trigger', 'w\n')).toBeNull();
    expect(lines(k, from)[0]).toBe('sysrq: Show Blocked State');
    expect(k.proc.read('/proc/sysrq-trigger')).toEqual({ ok: false, errno: 'EIO' });
  });

  it('SysRq-7 prints "Loglevel set to 7" and sets the console level; the header always reaches the console', () => {
    const k = machine({ nrCpus: 1, printk: '1 4 1 7' });
    const from = k.printkRing.nextSeq;
    handleSysrq(k, '7', false);
    expect(lines(k, from)).toEqual(['sysrq: Changing Loglevel', 'sysrq: Loglevel set to 7']);
    expect(k.printkRing.settings.consoleLoglevel).toBe(7);
    expect(k.printkRing.consoleLog.some((r) => r.text === 'sysrq: Changing Loglevel')).toBe(true);
  });

  it('bulk writes: "_sm" runs s and m', () => {
    const k = machine({ nrCpus: 1 });
    const from = k.printkRing.nextSeq;
    k.proc.write('/proc/sysrq-trigger', '_sm');
    const l = lines(k, from);
    expect(l[0]).toBe('sysrq: Emergency Sync');
    expect(l).toContain('sysrq: Show Memory');
    expect(l).toContain('Mem-Info:');
  });

  it('t prints every task in the kernel format, then the runqueues; w only D-state tasks', () => {
    const k = machine({ nrCpus: 2 });
    spawn(k, { comm: 'hog' });
    const io = spawn(k, {
      comm: 'io',
      program: function* () {
        yield { op: 'io', ns: 10 * SEC };
      },
    });
    k.engine.runUntil(100 * MS);
    expect(taskStateLetter(io)).toBe('D');
    let from = k.printkRing.nextSeq;
    handleSysrq(k, 't', false);
    const t = lines(k, from);
    expect(t.some((l) => /^task:hog\s+state:R {2}running task {4} stack:\d+\s+pid:\d+\s+tgid:\d+\s+ppid:1\s+task_flags:0x[0-9a-f]{4} flags:0x[0-9a-f]{8}$/.test(l))).toBe(true);
    expect(t.some((l) => /^task:io\s+state:D stack:/.test(l))).toBe(true);
    expect(t).toContain(' io_schedule+0x46/0x70');
    expect(t.some((l) => l.startsWith('Sched Debug Version: v0.11'))).toBe(true);
    from = k.printkRing.nextSeq;
    handleSysrq(k, 'w', false);
    const w = lines(k, from).filter((l) => l.startsWith('task:'));
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/^task:io\s+state:D/);
  });

  it('e / i signal every task but init and kernel threads, and raise the console level to 10', () => {
    const k = machine({ nrCpus: 1 });
    const a = spawn(k, { comm: 'a' });
    const b = spawn(k, { comm: 'b' });
    k.engine.runUntil(10 * MS);
    handleSysrq(k, 'i', false);
    k.engine.runUntil(20 * MS);
    expect(a.exitReason).toBe('signal');
    expect(b.exitReason).toBe('signal');
    expect(k.tasks.get(1)?.alive).toBe(true);
    expect(k.tasks.get(2)?.alive).toBe(true);
    expect(k.printkRing.settings.consoleLoglevel).toBe(10);
  });

  it('f runs the OOM killer now, or says "OOM request ignored. No task eligible"', () => {
    const k = machine({ nrCpus: 1 });
    let from = k.printkRing.nextSeq;
    const init = k.tasks.get(1);
    if (init !== undefined) init.oomScoreAdj = -1000;
    handleSysrq(k, 'f', false);
    expect(lines(k, from)).toEqual(['sysrq: Manual OOM execution', 'OOM request ignored. No task eligible']);
    // oom_score_adj is inherited across fork: the victim, init's child, sets its own back to 0.
    const victim = spawn(k, {
      comm: 'victim',
      oomScoreAdj: 0,
      program: function* () {
        yield { op: 'mem', call: { fn: 'mmap', bytes: 8 << 20, touch: true, tag: 'h' } };
        yield { op: 'sleep', ns: Infinity };
      },
    });
    k.engine.runUntil(100 * MS);
    from = k.printkRing.nextSeq;
    handleSysrq(k, 'f', false);
    expect(lines(k, from).some((l) => l.startsWith(`Out of memory: Killed process ${victim.pid} (victim)`))).toBe(true);
    k.engine.runUntil(200 * MS);
    expect(victim.exitReason).toBe('oom-kill');
  });

  it('n returns RT and deadline tasks to SCHED_NORMAL and negative nice values to 0', () => {
    const k = machine({ nrCpus: 1 });
    const rt = spawn(k, { comm: 'rt', policy: 'fifo', rtPriority: 50 });
    const neg = spawn(k, { comm: 'neg', nice: -10 });
    handleSysrq(k, 'n', false);
    expect(rt.policy).toBe(0);
    expect(rt.schedClass.name).toBe('fair');
    expect(neg.nice).toBe(0);
  });

  it('u remounts read-only: later file writes fail with EROFS', () => {
    const k = machine({ nrCpus: 1 });
    handleSysrq(k, 'u', false);
    let res: unknown;
    spawn(k, {
      comm: 'writer',
      program: function* () {
        res = yield { op: 'mem', call: { fn: 'write_file', file: '/tmp/x', bytes: 4096 } };
        yield { op: 'sleep', ns: Infinity };
      },
    });
    k.engine.runUntil(10 * MS);
    expect(res).toEqual({ ok: false, errno: 'EROFS' });
  });

  it('c panics with the real text; o powers off; b asks for a reboot', () => {
    const c = machine({ nrCpus: 1 });
    handleSysrq(c, 'c', false);
    expect(c.halted).toBe('panic');
    expect(c.printkRing.all().map((r) => r.text)).toContain('Kernel panic - not syncing: sysrq triggered crash');
    expect(c.printkRing.all().map((r) => r.text)).toContain('---[ end Kernel panic - not syncing: sysrq triggered crash ]---');
    const o = machine({ nrCpus: 1 });
    handleSysrq(o, 'o', false);
    expect(o.halted).toBe('poweroff');
    const b = machine({ nrCpus: 1 });
    handleSysrq(b, 'b', false);
    expect(b.halted).toBe('reboot');
    expect(b.engine.runUntil(SEC).processed).toBe(0);
  });

  it('every SysRq is an event on the kernel event stream', () => {
    const k = machine({ nrCpus: 1 });
    const seen: string[] = [];
    k.addSink({ emit: (ev) => void (ev.kind === 'sysrq' && seen.push(`${ev.key}:${ev.action}`)) });
    handleSysrq(k, 's', false);
    handleSysrq(k, 'x', false);
    expect(seen).toEqual(['s:Emergency Sync', 'x:HELP']);
  });
});

describe('/proc/PID/stack and /proc/PID/wchan', () => {
  const read = (k: ReturnType<typeof machine>, path: string): string => {
    const r = k.proc.read(path);
    if (!r.ok) throw new Error(`${path}: ${r.errno}`);
    return r.text;
  };

  it('a sleeper shows where it called into the scheduler: the trace skips the __sched frames, wchan is its first frame', () => {
    const k = machine({ nrCpus: 2 });
    // 1 ms of work, then 100 ms asleep or waiting on a read.
    const cycle = (op: 'sleep' | 'io'): ProgramFactory =>
      function* () {
        for (;;) {
          yield { op: 'run', ns: 1 * MS };
          yield { op, ns: 100 * MS };
        }
      };
    const napper = spawn(k, { comm: 'napper', program: cycle('sleep') });
    const reader = spawn(k, { comm: 'reader', program: cycle('io') });
    const hog = spawn(k, { comm: 'hog', cpus: [1] });
    k.engine.runUntil(50 * MS);
    expect(read(k, `/proc/${napper.pid}/stack`)).toBe(
      [
        '[<0>] hrtimer_nanosleep+0xbc/0x1a0',
        '[<0>] __x64_sys_clock_nanosleep+0xc6/0x130',
        '[<0>] do_syscall_64+0x82/0x190',
        '[<0>] entry_SYSCALL_64_after_hwframe+0x76/0x7e',
        '',
      ].join('\n'),
    );
    expect(read(k, `/proc/${napper.pid}/wchan`)).toBe('hrtimer_nanosleep');
    expect(read(k, `/proc/${reader.pid}/wchan`)).toBe('folio_wait_bit_common');
    expect(read(k, `/proc/${reader.pid}/stack`).split('\n')[0]).toBe('[<0>] folio_wait_bit_common+0x13d/0x350');
    // A task on a CPU: no unwind of a task running elsewhere, and no wait channel.
    expect(hog.onCpu).toBe(true);
    expect(read(k, `/proc/${hog.pid}/stack`)).toBe('');
    expect(read(k, `/proc/${hog.pid}/wchan`)).toBe('0');
    expect(read(k, '/proc/2/stack')).toBe('[<0>] kthreadd+0x2e2/0x320\n[<0>] kthread+0xe4/0x120\n[<0>] ret_from_fork+0x34/0x50\n[<0>] ret_from_fork_asm+0x1a/0x30\n');
    expect(taskStateLetter(napper)).toBe('S');
  });

  it('ps -o wchan reads it, cut to its column, "-" for a task that is not blocked', () => {
    const k = machine({ nrCpus: 1 });
    const napper = spawn(k, {
      comm: 'napper',
      program: function* () {
        for (;;) yield { op: 'sleep', ns: 100 * MS };
      },
    });
    const hog = spawn(k, { comm: 'hog' });
    k.engine.runUntil(50 * MS);
    const out = runShell(shellEnv(k), `ps -o pid,wchan,comm -p ${napper.pid},${hog.pid}`).output;
    expect(out).toBe(`    PID WCHAN  COMMAND\n${String(napper.pid).padStart(7)} hrtime napper\n${String(hog.pid).padStart(7)} -      hog\n`);
  });
});
