/**
 * The text filters (sort, cut, uniq, head -c) as GNU coreutils behave in the C locale, and the ps options that
 * feed them (--sort, renamed and empty headers), on a real machine's output.
 */
import { describe, expect, it } from 'vitest';
import { SEQ_MAX } from '../../src/shell/cmd-text.js';
import { runShell } from '../../src/shell/shell.js';
import { shellEnv } from '../../src/sim/machine-hooks.js';
import { machine, SEC, spawn } from '../helpers/machine.js';

describe('text filters and ps options', () => {
  const k = machine({ nrCpus: 4 });
  const hogs = [spawn(k, { comm: 'hog' }), spawn(k, { comm: 'hog' }), spawn(k, { comm: 'zed', nice: 5 })];
  k.engine.runUntil(2 * SEC);
  const sh = (line: string): { output: string; exitStatus: number } => runShell(shellEnv(k), line);

  it('sort: byte order, -n numeric, -r, -u, -k fields with -t', () => {
    expect(sh("echo 'b\nB\na\n10\n9' | sort").output).toBe('10\n9\nB\na\nb\n');
    expect(sh("echo 'b\nB\na\n10\n9' | sort -n").output).toBe('B\na\nb\n9\n10\n');
    expect(sh("echo '3\n1\n2' | sort -rn").output).toBe('3\n2\n1\n');
    expect(sh("echo 'x 2\ny 1\nz 2' | sort -k2n").output).toBe('y 1\nx 2\nz 2\n');
    expect(sh("echo 'x 2\ny 1\nz 2' | sort -k2n -u").output).toBe('y 1\nx 2\n');
    expect(sh("echo 'a:3\nb:1\nc:2' | sort -t: -k2,2 -r").output).toBe('a:3\nc:2\nb:1\n');
    expect(sh('sort -x')).toMatchObject({ output: "sort: invalid option -- 'x'\nTry 'sort --help' for more information.\n", exitStatus: 2 });
  });

  it('cut: fields with a delimiter (lines without it whole, or none with -s), characters', () => {
    const load = sh('cat /proc/loadavg').output.trim().split(' ');
    expect(sh("cut -d' ' -f1,4 /proc/loadavg").output).toBe(`${load[0]} ${load[3]}\n`);
    expect(sh("echo 'a:b:c\nplain' | cut -d: -f2-").output).toBe('b:c\nplain\n');
    expect(sh("echo 'a:b:c\nplain' | cut -s -d: -f-2").output).toBe('a:b\n');
    expect(sh("echo 'kernsim' | cut -c1-4,7").output).toBe('kernm\n');
    expect(sh('cut -d: /proc/loadavg')).toMatchObject({ output: 'cut: you must specify a list of bytes, characters, or fields\n', exitStatus: 1 });
  });

  it('uniq: adjacent runs once, -c counts them, -d only repeated, -u only single', () => {
    expect(sh("echo 'a\na\nb\na' | uniq").output).toBe('a\nb\na\n');
    expect(sh("echo 'a\na\nb\na' | uniq -c").output).toBe('      2 a\n      1 b\n      1 a\n');
    expect(sh("echo 'a\na\nb' | uniq -d").output).toBe('a\n');
    expect(sh("echo 'a\na\nb' | uniq -u").output).toBe('b\n');
  });

  it('ps -eo psr= | sort -n | uniq -c counts the tasks on each CPU, headerless', () => {
    const counts = new Map<number, number>();
    for (const t of k.tasks.values()) if (t.exitState === 0) counts.set(t.cpu, (counts.get(t.cpu) ?? 0) + 1);
    const want = [...counts].sort((a, b) => a[0] - b[0]).map(([cpu, n]) => `${String(n).padStart(7)} ${String(cpu).padStart(3)}`);
    expect(sh('ps -eo psr= | sort -n | uniq -c').output).toBe(`${want.join('\n')}\n`);
  });

  it('ps --sort: keys in order, - for descending, on the raw value of formatted columns', () => {
    const rows = sh('ps -eo pid,comm,time --sort=-time,pid').output.trim().split('\n').slice(1);
    const pids = rows.map((r) => Number(r.trim().split(/\s+/)[0]));
    const sum = (pid: number): number => k.tasks.get(pid)?.sumExecRuntimeNs ?? 0;
    for (let i = 1; i < pids.length; i++) {
      const [a, b] = [pids[i - 1] as number, pids[i] as number];
      expect(sum(a) > sum(b) || (sum(a) === sum(b) && a < b)).toBe(true);
    }
    expect(pids.slice(0, 3).sort((a, b) => a - b)).toEqual(hogs.map((t) => t.pid));
    expect(sh('ps -e --sort comm -o comm=').output.split('\n').filter((l) => l !== '')).toEqual(
      [...k.tasks.values()].filter((t) => t.exitState === 0).map((t) => t.comm).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    expect(sh('ps -e --sort=nope')).toMatchObject({ output: 'ps: error: unknown sort specifier "nope"\n', exitStatus: 1 });
  });

  it('ps -o NAME=HEADER renames a header; right-aligned columns are padded even when last', () => {
    expect(sh('ps -o pid=PROCESS,comm -p 1').output).toBe('PROCESS COMMAND\n      1 init\n');
    expect(sh('ps -o pid= -p 1').output).toBe('      1\n');
  });

  it('seq: FIRST, INCREMENT, LAST; fraction digits of FIRST and INCREMENT; -w, -s, -f; coreutils errors', () => {
    expect(sh('seq 3').output).toBe('1\n2\n3\n');
    expect(sh('seq 5 -2 0').output).toBe('5\n3\n1\n');
    expect(sh('seq -1 1').output).toBe('-1\n0\n1\n'); // a negative number is an operand
    expect(sh('seq 5 1')).toMatchObject({ output: '', exitStatus: 0 });
    // 0 + 3 * 0.1 is 0.30000000000000004: it prints as LAST, so it is LAST.
    expect(sh('seq 0 0.1 0.3').output).toBe('0.0\n0.1\n0.2\n0.3\n');
    expect(sh('seq 0.5 2').output).toBe('0.5\n1.5\n');
    expect(sh('seq 1e2 1e2').output).toBe('100\n');
    expect(sh('seq -w 8 11').output).toBe('08\n09\n10\n11\n');
    expect(sh('seq -w -2 1').output).toBe('-2\n-1\n00\n01\n');
    expect(sh('seq -s, 1 4').output).toBe('1,2,3,4\n');
    expect(sh('seq -f node%g 1 2').output).toBe('node1\nnode2\n');
    expect(sh('seq -f %03g 9 10').output).toBe('009\n010\n');
    expect(sh('seq -f %.2f 1 0.5 2').output).toBe('1.00\n1.50\n2.00\n');
    expect(sh("seq -f '%e' 1 1").output).toBe('1.000000e+00\n');
    expect(sh("seq -f '100%%:%g' 1 1").output).toBe('100%:1\n');
    expect(sh('for i in $(seq 2 3); do echo cpu$i; done').output).toBe('cpu2\ncpu3\n');
    const usage = "Try 'seq --help' for more information.\n";
    expect(sh('seq')).toMatchObject({ output: `seq: missing operand\n${usage}`, exitStatus: 1 });
    expect(sh('seq 1 2 3 4')).toMatchObject({ output: `seq: extra operand '4'\n${usage}`, exitStatus: 1 });
    expect(sh('seq x')).toMatchObject({ output: `seq: invalid floating point argument: 'x'\n${usage}`, exitStatus: 1 });
    expect(sh('seq 1 0 3')).toMatchObject({ output: `seq: invalid Zero increment value: '0'\n${usage}`, exitStatus: 1 });
    expect(sh('seq -f %d 1 2')).toMatchObject({ output: "seq: format '%d' has unknown %d directive\n", exitStatus: 1 });
    expect(sh('seq -f x%% 1 2')).toMatchObject({ output: "seq: format 'x%%' has no % directive\n", exitStatus: 1 });
    expect(sh("seq -f '%-4g|' 1 1").output).toBe('1   |\n');
    expect(sh('seq -f %g%g 1 2')).toMatchObject({ output: "seq: format '%g%g' has too many % directives\n", exitStatus: 1 });
    // The output is one string: a runaway range stops at the shell's limit, with a message and status 1.
    const big = sh(`seq 1 ${SEQ_MAX + 5} | tail -n 1`);
    expect(big.output).toBe(`seq: stopped after ${SEQ_MAX} numbers (this shell's output limit)\n${SEQ_MAX}\n`);
  });

  it('head -c N: the first N bytes', () => {
    expect(sh('cat /proc/version | head -c 5').output).toBe('Linux');
    expect(sh('head -c 5 /proc/version').output).toBe('Linux');
    expect(sh('head -c x /proc/version')).toMatchObject({ output: "head: invalid number of bytes: 'x'\n", exitStatus: 1 });
  });

  it('chrt -m: each policy\'s priority range', () => {
    expect(sh('chrt -m').output).toBe(
      'SCHED_OTHER min/max priority\t: 0/0\nSCHED_FIFO min/max priority\t: 1/99\nSCHED_RR min/max priority\t: 1/99\n' +
        'SCHED_BATCH min/max priority\t: 0/0\nSCHED_IDLE min/max priority\t: 0/0\nSCHED_DEADLINE min/max priority\t: 0/0\n',
    );
  });
});
