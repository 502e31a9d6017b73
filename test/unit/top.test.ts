/**
 * top (procps-ng 4) on the simulated machine: the summary area and the task list in top's formats, every
 * figure read from the /proc files at the same instant; frames at each DELAY of virtual time (batch mode
 * appends them, the default replaces the screen); reading changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { stateHash } from '../../src/kernel/index.js';
import { runShell } from '../../src/shell/shell.js';
import { parseScenarioText } from '../../src/sim/config.js';
import { machineHooks, shellEnv } from '../../src/sim/machine-hooks.js';
import { Session, type JobOutput } from '../../src/sim/session.js';
import { machine, MS, SEC, spawn } from '../helpers/machine.js';

function session(at: { t: string; sh: string }[] = []): Session {
  const scenario = {
    name: 'top',
    seed: 5,
    machine: { cpus: 2, memory: '1G' },
    tasks: [
      { comm: 'hog', program: [{ run: 'forever' }] },
      { comm: 'nice5', nice: 5, program: [{ run: 'forever' }] },
      { comm: 'web', count: 3, program: [{ loop: [{ run: '1ms' }, { sleep: '9ms' }] }] },
      { comm: 'rt', policy: 'fifo', rtPriority: 99, program: [{ loop: [{ run: '1ms' }, { sleep: '99ms' }] }] },
    ],
    at,
  };
  return new Session(parseScenarioText('top.json', JSON.stringify(scenario)), machineHooks());
}

function output(s: Session, action: string): string {
  const a = s.actions.find((x) => x.action === action);
  if (a === undefined) throw new Error(`no action ${action}`);
  return a.output ?? '';
}

const ROW = /^ {0,6}(\d+) root {5}( *\S+) +(-?\d+) +(\S+) +(\S+) +(\S+) ([RSDTtZIX]) +(\d+\.\d) +(\d+\.\d) +(\d+:\d\d(?:\.\d\d)?) (.+)$/;

describe('top', () => {
  it('one batch frame: the summary in top\'s formats, every number from /proc at that instant', () => {
    const k = machine({ nrCpus: 2 });
    spawn(k, { comm: 'hog' });
    spawn(k, { comm: 'hog2', nice: 10 });
    k.engine.runUntil(7 * SEC + 250 * MS);
    const r = runShell(shellEnv(k), 'top -b -n 1');
    expect(r.exitStatus).toBe(0);
    const lines = r.output.split('\n');
    expect(lines[0]).toMatch(/^top - 00:00:07 up 0 min, {2}1 user, {2}load average: \d+\.\d\d, \d+\.\d\d, \d+\.\d\d$/);
    // The task counts are the /proc/PID/stat states of the tasks /proc lists.
    const states = new Map<string, number>();
    for (const t of k.tasks.values()) {
      if (t.pid === 0) continue;
      const st = runShell(shellEnv(k), `cat /proc/${t.pid}/stat`).output;
      const s = st.slice(st.lastIndexOf(')') + 2, st.lastIndexOf(')') + 3);
      states.set(s, (states.get(s) ?? 0) + 1);
    }
    const n = (...ss: string[]): string => String(ss.reduce((a, s) => a + (states.get(s) ?? 0), 0)).padStart(3);
    const total = [...states.values()].reduce((a, b) => a + b, 0);
    expect(lines[1]).toBe(`Tasks: ${String(total).padStart(3)} total, ${n('R')} running, ${n('S', 'D', 'I')} sleeping, ${n('T', 't')} stopped, ${n('Z')} zombie`);
    // The first frame's CPU shares are since boot: /proc/stat's cpu line as percentages of its ticks.
    const cpu = (/^cpu {2}(.*)$/m.exec(runShell(shellEnv(k), 'cat /proc/stat').output)?.[1] ?? '').trim().split(/\s+/).map(Number);
    const all = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
    const p = (i: number): string => (((cpu[i] as number) * 100) / all).toFixed(1).padStart(5);
    expect(lines[2]).toBe(`%Cpu(s):${p(0)} us,${p(2)} sy,${p(1)} ni,${p(3)} id,${p(4)} wa,${p(5)} hi,${p(6)} si,${p(7)} st`);
    // Memory in MiB, used = total - available (procps-ng 4), as free(1) counts it.
    const mem = runShell(shellEnv(k), 'cat /proc/meminfo').output;
    const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(mem)?.[1]);
    const mib = (v: number): string => (v / 1024).toFixed(1).padStart(9);
    expect(lines[3]).toBe(
      `MiB Mem :${mib(kb('MemTotal'))} total,${mib(kb('MemFree'))} free,${mib(kb('MemTotal') - kb('MemAvailable'))} used,${mib(kb('Buffers') + kb('Cached') + kb('SReclaimable'))} buff/cache`,
    );
    expect(lines[4]).toBe(`MiB Swap:${mib(0)} total,${mib(0)} free,${mib(0)} used.${mib(kb('MemAvailable'))} avail Mem`);
    expect(lines[5]).toBe('');
    expect(lines[6]).toBe('    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND');
    const rows = lines.slice(7).filter((l) => l !== '');
    expect(rows).toHaveLength(total);
    for (const l of rows) expect(l).toMatch(ROW);
    // Sorted by %CPU: the two hogs first, the nice-0 one ahead (about 99% of its CPU each, on a CPU each).
    const [first, second] = rows.map((l) => ROW.exec(l) as RegExpExecArray);
    expect(first?.[11]).toBe('hog');
    expect(second?.[11]).toBe('hog2');
    expect(second?.[3]).toBe('10');
    expect(second?.[2]?.trim()).toBe('30');
    // TIME+ is the task's utime + stime from /proc/PID/stat, in minutes:seconds.hundredths.
    const hog = [...k.tasks.values()].find((t) => t.comm === 'hog');
    const st = runShell(shellEnv(k), `cat /proc/${hog?.pid}/stat`).output;
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]);
    expect(first?.[10]).toBe(`0:${String(Math.floor(ticks / 100)).padStart(2, '0')}.${String(ticks % 100).padStart(2, '0')}`);
  });

  it('-1 shows a line per CPU; -p keeps the given tasks; -o sorts by another field; -c brackets kernel threads', () => {
    const k = machine({ nrCpus: 4 });
    const a = spawn(k, { comm: 'a' });
    const b = spawn(k, { comm: 'b' });
    k.engine.runUntil(2 * SEC);
    const one = runShell(shellEnv(k), 'top -b1 -n1').output.split('\n');
    expect(one.slice(2, 6).map((l) => l.slice(0, 8))).toEqual(['%Cpu0  :', '%Cpu1  :', '%Cpu2  :', '%Cpu3  :']);
    expect(one[6]).toMatch(/^MiB Mem :/);
    const p = runShell(shellEnv(k), `top -bn1 -p ${b.pid},${a.pid}`).output.split('\n').slice(7).filter((l) => l !== '');
    expect(p.map((l) => ROW.exec(l)?.[11]).sort()).toEqual(['a', 'b']);
    const byPid = runShell(shellEnv(k), 'top -bn1 -o PID').output.split('\n').slice(7).filter((l) => l !== '');
    const pids = byPid.map((l) => Number(ROW.exec(l)?.[1]));
    expect(pids).toEqual([...pids].sort((x, y) => y - x));
    // -i: only tasks that used CPU (here over their lives): the two hogs, not the idle kernel threads.
    const busy = runShell(shellEnv(k), 'top -bin1').output.split('\n').slice(7).filter((l) => l !== '');
    expect(busy.length).toBeGreaterThanOrEqual(2);
    for (const l of busy) expect(Number(ROW.exec(l)?.[8])).toBeGreaterThan(0);
    expect(busy.map((l) => ROW.exec(l)?.[11])).toEqual(expect.arrayContaining(['a', 'b']));
    const c = runShell(shellEnv(k), 'top -bcn1').output;
    expect(c).toMatch(/ \[kthreadd\]\n/);
    expect(c).toMatch(/ a\n/);
    // -H counts threads: each task here is one, so the same numbers under procps's other word.
    const h = runShell(shellEnv(k), 'top -bHn1').output.split('\n');
    expect(h[1]).toBe((runShell(shellEnv(k), 'top -bn1').output.split('\n')[1] as string).replace(/^Tasks:/, 'Threads:'));
  });

  it('bad options fail with top\'s own messages', () => {
    const k = machine({ nrCpus: 1 });
    const err = (line: string): [string, number] => {
      const r = runShell(shellEnv(k), line);
      return [r.output.split('\n')[0] as string, r.exitStatus];
    };
    expect(err('top -d x')).toEqual(["top: bad delay interval 'x'", 1]);
    expect(err('top -n 0')).toEqual(["top: bad iterations argument '0'", 1]);
    expect(err('top -p 0')).toEqual(["top: bad pid '0'", 1]);
    expect(err('top -o NOPE')).toEqual(["top: unrecognized field name 'NOPE'", 1]);
    expect(err('top -z')).toEqual(["top: unknown option 'z'", 1]);
    expect(err('top -d')).toEqual(['top: -d requires argument', 1]);
    expect(err('top -u bob')).toEqual(['top: Invalid user', 1]);
    expect(runShell(shellEnv(k), 'top -bH -u root -n1').exitStatus).toBe(0);
  });

  it('-b -d SECS -n N: a frame per SECS of virtual time, %CPU over exactly it, a blank line between frames', () => {
    const probe = session();
    probe.runUntil(100 * MS);
    const hogPid = [...probe.k.tasks.values()].find((t) => t.comm === 'hog')?.pid;
    expect(hogPid).toBeDefined();
    const s2 = session([{ t: '1s', sh: `top -b -d 0.5 -n 3 -p ${hogPid}` }]);
    const twin = session([{ t: '1s', sh: 'true' }]);
    s2.runUntil(3 * SEC);
    const out2 = output(s2, `sh top -b -d 0.5 -n 3 -p ${hogPid}`);
    const frames = out2.split(/\n(?=top - )/);
    expect(frames).toHaveLength(3);
    expect(out2.match(/\n\ntop - /g)).toHaveLength(2);
    const rows = out2.split('\n').filter((l) => ROW.test(l)).map((l) => ROW.exec(l) as RegExpExecArray);
    expect(rows).toHaveLength(3);
    // The hog's %CPU in each later frame is its ticks over the half second, from its /proc/PID/stat then.
    const ticksAt = (sec: number): number => {
      twin.runUntil(sec * SEC);
      const st = runShell(shellEnv(twin.k), `cat /proc/${hogPid}/stat`).output;
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      return Number(f[11]) + Number(f[12]);
    };
    const t = [ticksAt(1), ticksAt(1.5), ticksAt(2)];
    for (let i = 1; i < 3; i++) {
      const want = Math.min(100, (((t[i] as number) - (t[i - 1] as number)) * 100) / 50).toFixed(1);
      expect(rows[i]?.[8]).toBe(want);
    }
    // The two CPUs' shares between frames add up to 100%.
    const cpuLines = out2.split('\n').filter((l) => l.startsWith('%Cpu(s):'));
    for (const l of cpuLines.slice(1)) {
      const sum = [...l.matchAll(/(\d+\.\d) \w\w/g)].reduce((a, m) => a + Number(m[1]), 0);
      expect(Math.abs(sum - 100)).toBeLessThanOrEqual(0.5);
    }
    // The reading changed nothing.
    twin.runUntil(3 * SEC);
    expect(s2.k.engine.processed).toBe(twin.k.engine.processed);
    expect(stateHash(s2.k)).toBe(stateHash(twin.k));
  });

  it('PR is 20 + nice, -1 - rt_priority, and "rt" below -99 (FIFO 99, and SCHED_DEADLINE at -101)', () => {
    const s = session([{ t: '500ms', sh: 'spawn deadline' }]);
    s.runUntil(1 * SEC);
    const pr = new Map<string, string>();
    for (const l of runShell(shellEnv(s.k), 'top -bn1').output.split('\n')) {
      const m = ROW.exec(l);
      if (m !== null) pr.set(m[11] as string, (m[2] as string).trim());
    }
    expect(pr.get('hog')).toBe('20');
    expect(pr.get('nice5')).toBe('25');
    expect(pr.get('rt')).toBe('rt');
    expect(pr.get('dl-task')).toBe('rt');
    expect(pr.get('migration/0')).toBe('rt');
    expect(pr.get('kworker/R-rcu_g')).toBe('0');
  });

  it('without -b each frame replaces the last, until stopped', () => {
    const s = session([{ t: '1s', sh: 'top -d 1' }]);
    const got: JobOutput[] = [];
    s.onJobOutput = (o) => got.push(o);
    s.runUntil(4 * SEC);
    expect(got.map((o) => o.replace)).toEqual([true, true, true]);
    expect(got.map((o) => /^top - (\S+)/.exec(o.text)?.[1])).toEqual(['00:00:02', '00:00:03', '00:00:04']);
    expect(s.runningJobs).toEqual([1]);
  });
});
