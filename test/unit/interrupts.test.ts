/**
 * /proc/interrupts and /proc/stat's intr line: the layout of show_interrupts(), the local timer counting the tick
 * and the hrtimer wakeups, rescheduling IPIs for a busy CPU and function-call IPIs for a wake-list wakeup of an
 * idle one, I/O completions on the submitting CPU's virtio-blk queue, and the totals adding up.
 */
import { describe, expect, it } from 'vitest';
import type { Kernel } from '../../src/kernel/index.js';
import { tryToWakeUp } from '../../src/kernel/sched/core.js';
import { TASK_NORMAL, type Task } from '../../src/kernel/task/task.js';
import type { ProgramFactory, UserAction, UserResult } from '../../src/kernel/task/user.js';
import { machine, MS, SEC, spawn, withInvariants } from '../helpers/machine.js';

type Gen = Generator<UserAction, void, UserResult | undefined>;

function read(k: Kernel, path: string): string {
  const r = k.proc.read(path);
  if (!r.ok) throw new Error(`${path}: ${r.errno}`);
  return r.text;
}

/** The per-CPU counts of one row of /proc/interrupts ("LOC", "25", ...). */
function row(k: Kernel, name: string): number[] {
  const line = read(k, '/proc/interrupts')
    .split('\n')
    .find((l) => l.trimStart().startsWith(`${name}:`));
  if (line === undefined) throw new Error(`no ${name} row`);
  const cols = read(k, '/proc/interrupts').split('\n')[0]?.trim().split(/\s+/).length ?? 0;
  return line.slice(line.indexOf(':') + 1).trim().split(/\s+/).slice(0, cols).map(Number);
}

/** Sleeps until woken (pause()). */
const pauser: ProgramFactory = function* (): Gen {
  for (;;) yield { op: 'sleep', ns: Infinity };
};

function wakeFrom(k: Kernel, cpu: number, t: Task): void {
  k.onCpu(cpu, () => tryToWakeUp(k, t, TASK_NORMAL, 0));
}

/** The RES and CAL interrupts per CPU that waking t from CPU 0 adds, over the next 10 ms. */
function ipisOfWakeup(k: Kernel, t: Task): { res: number[]; cal: number[] } {
  const res0 = row(k, 'RES');
  const cal0 = row(k, 'CAL');
  wakeFrom(k, 0, t);
  k.engine.runUntil(k.now + 10 * MS);
  return { res: row(k, 'RES').map((v, i) => v - (res0[i] as number)), cal: row(k, 'CAL').map((v, i) => v - (cal0[i] as number)) };
}

describe('/proc/interrupts', () => {
  it('has the layout of show_interrupts(): a CPU header, the virtio-blk vectors, then the x86 rows', () => {
    const k = machine({ nrCpus: 2 });
    k.engine.runUntil(1 * SEC);
    const lines = read(k, '/proc/interrupts').split('\n');
    expect(lines[0]).toBe(`${' '.repeat(11)}CPU0       CPU1       `);
    expect(lines[1]).toBe(' 24:          0          0  PCI-MSIX-0000:00:04.0   0-edge      virtio0-config');
    expect(lines[2]).toMatch(/^ 25: {8,}\d+ {10}0 {2}PCI-MSIX-0000:00:04\.0 {3}1-edge {6}virtio0-req\.0$/);
    expect(lines[3]).toMatch(/^ 26: +\d+ +\d+ {2}PCI-MSIX-0000:00:04\.0 {3}2-edge {6}virtio0-req\.1$/);
    const names = lines.slice(4, -1).map((l) => l.slice(0, 3));
    expect(names).toEqual(['NMI', 'LOC', 'SPU', 'PMI', 'IWI', 'RTR', 'RES', 'CAL', 'TLB', 'TRM', 'THR', 'DFR', 'MCE', 'MCP', 'ERR', 'MIS', 'PIN', 'NPI', 'PIW']);
    expect(lines).toContain('NMI:          0          0   Non-maskable interrupts');
    expect(lines).toContain('MCP:          1          1   Machine check polls');
    expect(lines).toContain('ERR:          0');
    expect(lines.at(-1)).toBe('');
  });

  it('counts a busy CPU\'s ticks and the sleep timers that expire on it as local timer interrupts', () => {
    const k = machine({ nrCpus: 1, hz: 250 });
    withInvariants(k);
    spawn(k, { comm: 'hog' });
    const napper = spawn(k, {
      comm: 'napper',
      program: function* (): Gen {
        for (;;) {
          yield { op: 'run', ns: 1 * MS };
          yield { op: 'sleep', ns: 7 * MS };
        }
      },
    });
    k.engine.runUntil(2 * SEC);
    const [loc] = row(k, 'LOC') as [number];
    const wakeups = napper.stats.nrWakeups;
    expect(wakeups).toBeGreaterThan(100);
    // HZ=250 on a CPU that never idles: 500 ticks in 2 s (the one at 0 included or not).
    expect(loc - wakeups).toBeGreaterThanOrEqual(500);
    expect(loc - wakeups).toBeLessThanOrEqual(501);
    // One CPU sends itself no IPIs.
    expect(row(k, 'RES')).toEqual([0]);
    expect(row(k, 'CAL')).toEqual([0]);
  });

  it('an idle CPU stops its tick: its local timer count all but stands still', () => {
    const k = machine({ nrCpus: 2 });
    spawn(k, { comm: 'hog', cpus: [0] });
    k.engine.runUntil(1 * SEC);
    const before = row(k, 'LOC');
    k.engine.runUntil(3 * SEC);
    const after = row(k, 'LOC');
    // 500 ticks in 2 s, and the odd kthread timer that expires there.
    expect((after[0] as number) - (before[0] as number)).toBeGreaterThanOrEqual(500);
    expect((after[0] as number) - (before[0] as number)).toBeLessThan(510);
    // CPU 1 only wakes for its kthreads' timers.
    expect((after[1] as number) - (before[1] as number)).toBeLessThan(10);
  });

  it('a wakeup for an idle CPU is a function-call IPI (wake list); for a busy one, a rescheduling IPI', () => {
    const k = machine({ nrCpus: 2 });
    withInvariants(k);
    const rt = spawn(k, { comm: 'rt', policy: 'fifo', rtPriority: 10, program: pauser, cpus: [1] });
    k.engine.runUntil(10 * MS);
    // CPU 1 idle: the wakeup from CPU 0 goes on CPU 1's wake list.
    expect(ipisOfWakeup(k, rt)).toEqual({ res: [0, 0], cal: [0, 1] });
    // CPU 1 busy with a fair hog: the FIFO task's wakeup preempts it with a rescheduling IPI.
    spawn(k, { comm: 'hog', cpus: [1] });
    k.engine.runUntil(k.now + 20 * MS);
    expect(ipisOfWakeup(k, rt)).toEqual({ res: [0, 1], cal: [0, 0] });
    expect(rt.stats.nrWakeups).toBe(2);
  });

  it('I/O completes on the submitting CPU\'s queue; /proc/stat\'s intr total adds every row up', () => {
    const k = machine({ nrCpus: 2 });
    withInvariants(k);
    const io = spawn(k, {
      comm: 'io',
      cpus: [1],
      program: function* (): Gen {
        for (;;) {
          yield { op: 'run', ns: 1 * MS };
          yield { op: 'io', ns: 3 * MS };
        }
      },
    });
    spawn(k, { comm: 'hog' });
    k.engine.runUntil(1 * SEC);
    const q1 = row(k, '26');
    expect(q1[0]).toBe(0);
    expect(q1[1]).toBe(io.stats.iowaitCount);
    expect(row(k, '25')).toEqual([0, 0]);
    const stat = /^intr (.*)$/m.exec(read(k, '/proc/stat'))?.[1]?.split(' ').map(Number) ?? [];
    const sum = (ns: number[]): number => ns.reduce((a, b) => a + b, 0);
    const expected = sum(row(k, '26')) + sum(row(k, 'LOC')) + sum(row(k, 'RES')) + sum(row(k, 'CAL')) + sum(row(k, 'MCP'));
    expect(stat[0]).toBe(expected);
    // Then one count per interrupt number below nr_irqs (424 + 8 per CPU), the queue's at 26.
    expect(stat.length - 1).toBe(424 + 16);
    expect(stat[1 + 26]).toBe(q1[1]);
  });
});
