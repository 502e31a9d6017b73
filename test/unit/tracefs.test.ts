/**
 * tracefs: the sched events' per-CPU ring buffer under /sys/kernel/tracing, read and written through the command
 * language as a person would (echo 1 > .../enable, cat trace), checked against the kernel's own switch count.
 */
import { describe, expect, it } from 'vitest';
import { shellEnv } from '../../src/sim/machine-hooks.js';
import { runShell } from '../../src/shell/shell.js';
import { machine, MS, SEC, spawn } from '../helpers/machine.js';

const T = '/sys/kernel/tracing';

function setup(): { k: ReturnType<typeof machine>; sh: (line: string) => ReturnType<typeof runShell> } {
  const k = machine({ nrCpus: 2 });
  spawn(k, { comm: 'hog' });
  spawn(k, {
    comm: 'web',
    program: function* () {
      for (;;) {
        yield { op: 'run', ns: 1 * MS };
        yield { op: 'sleep', ns: 5 * MS };
      }
    },
  });
  k.engine.runUntil(1 * SEC);
  return { k, sh: (line) => runShell(shellEnv(k), line) };
}

const records = (text: string): string[] => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));

describe('tracefs', () => {
  it('nothing is traced until an event is enabled; then sched_switch records every switch, CPUs merged by time', () => {
    const { k, sh } = setup();
    expect(sh(`cat ${T}/events/sched/enable ${T}/tracing_on ${T}/current_tracer ${T}/buffer_size_kb`).output).toBe('0\n1\nnop\n1408\n');
    k.engine.runUntil(1100 * MS);
    expect(records(sh(`cat ${T}/trace`).output)).toEqual([]);
    expect(sh(`cat ${T}/trace`).output).toContain('# entries-in-buffer/entries-written: 0/0   #P:2\n');
    sh(`echo 1 > ${T}/events/sched/sched_switch/enable`);
    expect(sh(`cat ${T}/events/sched/enable`).output).toBe('X\n');
    let switches = 0;
    k.addSink({
      emit: (ev) => {
        if (ev.kind === 'sched_switch') switches++;
      },
    });
    k.engine.runUntil(1300 * MS);
    const text = sh(`cat ${T}/trace`).output;
    const lines = records(text);
    expect(switches).toBeGreaterThan(50);
    expect(lines).toHaveLength(switches);
    expect(text).toContain(`# entries-in-buffer/entries-written: ${switches}/${switches}   #P:2\n`);
    for (const l of lines) expect(l).toMatch(/^ {0,15}\S+-\d+ +\[00[01]\] d\.\.2 +1\.\d{6}: sched_switch: prev_comm=\S+ prev_pid=\d+ prev_prio=\d+ prev_state=\S+ ==> next_comm=\S+ next_pid=\d+ next_prio=\d+$/);
    const times = lines.map((l) => Number(/ (\d+\.\d{6}): /.exec(l)?.[1]));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1] as number);
    // The debugfs path is the same buffer.
    expect(sh(`cat /sys/kernel/debug/tracing/trace`).output).toBe(text);
  });

  it('the group switch, tracing_on, clearing, a small buffer that overwrites, and trace_pipe that consumes', () => {
    const { k, sh } = setup();
    sh(`echo 1 > ${T}/events/sched/enable`);
    expect(sh(`cat ${T}/events/sched/sched_wakeup/enable ${T}/events/sched/sched_process_exit/enable ${T}/events/enable`).output).toBe('1\n1\n1\n');
    k.engine.runUntil(1100 * MS);
    const kinds = new Set(records(sh(`cat ${T}/trace`).output).map((l) => /: (sched_\w+): /.exec(l)?.[1]));
    expect([...kinds].sort()).toEqual(['sched_switch', 'sched_wakeup', 'sched_waking']);
    // Off: nothing new is kept. On again: it goes on.
    sh(`echo 0 > ${T}/tracing_on`);
    const before = records(sh(`cat ${T}/trace`).output).length;
    k.engine.runUntil(1200 * MS);
    expect(records(sh(`cat ${T}/trace`).output)).toHaveLength(before);
    sh(`echo 1 > ${T}/tracing_on`);
    // A write to trace empties the buffer.
    sh(`echo > ${T}/trace`);
    expect(sh(`cat ${T}/trace`).output).toContain('entries-in-buffer/entries-written: 0/0');
    // 1 KiB a CPU holds 14 switches (72 bytes each) or more of the smaller wakeups: the oldest are overwritten.
    sh(`echo 1 > ${T}/buffer_size_kb`);
    k.engine.runUntil(1500 * MS);
    const m = /entries-in-buffer\/entries-written: (\d+)\/(\d+)/.exec(sh(`cat ${T}/trace`).output);
    const [inBuf, written] = [Number(m?.[1]), Number(m?.[2])];
    expect(inBuf).toBeLessThanOrEqual(2 * Math.floor(1024 / 44));
    expect(inBuf).toBeGreaterThanOrEqual(Math.floor(1024 / 72));
    expect(written).toBeGreaterThan(inBuf * 5);
    // What is kept is the newest: the web task's CPU overwrote all but its last few milliseconds.
    const first = Number(/ (\d+\.\d{6}): /.exec(records(sh(`cat ${T}/trace`).output)[0] ?? '')?.[1]);
    expect(first).toBeGreaterThan(1.3);
    // trace_pipe hands the records over once.
    const piped = records(sh(`cat ${T}/trace_pipe`).output);
    expect(piped).toHaveLength(inBuf);
    expect(sh(`cat ${T}/trace_pipe`).output).toBe('');
  });

  it('set_event: > replaces the set, >> adds to it, ! takes out, globs match; trace is emptied by > only', () => {
    const { k, sh } = setup();
    const set = (): string => sh(`cat ${T}/set_event`).output;
    sh(`echo sched:sched_switch > ${T}/set_event`);
    expect(set()).toBe('sched:sched_switch\n');
    sh(`echo 'sched_wakeup*' >> ${T}/set_event`);
    expect(set()).toBe('sched:sched_switch\nsched:sched_wakeup\nsched:sched_wakeup_new\n');
    expect(sh(`cat ${T}/events/sched/sched_wakeup_new/enable`).output).toBe('1\n');
    sh(`echo '!sched_switch' >> ${T}/set_event`);
    expect(set()).toBe('sched:sched_wakeup\nsched:sched_wakeup_new\n');
    sh(`echo 'sched:*' > ${T}/set_event`);
    expect(sh(`cat ${T}/events/sched/enable`).output).toBe('1\n');
    expect(sh(`echo 'irq:*' > ${T}/set_event`)).toMatchObject({ output: 'bash: echo: write error: Invalid argument\n', exitStatus: 1 });
    sh(`echo > ${T}/set_event`);
    expect(set()).toBe('');
    sh(`echo sched_switch > ${T}/set_event`);
    k.engine.runUntil(1100 * MS);
    const n = records(sh(`cat ${T}/trace`).output).length;
    expect(n).toBeGreaterThan(0);
    sh(`echo >> ${T}/trace`);
    expect(records(sh(`cat ${T}/trace`).output)).toHaveLength(n);
    sh(`echo > ${T}/trace`);
    expect(records(sh(`cat ${T}/trace`).output)).toHaveLength(0);
  });

  it('SysRq z dumps the buffer to the console at KERN_EMERG and leaves tracing off; bad writes fail as the kernel\'s do', () => {
    const { k, sh } = setup();
    sh(`echo 1 > ${T}/events/sched/sched_switch/enable`);
    k.engine.runUntil(1050 * MS);
    const n = records(sh(`cat ${T}/trace`).output).length;
    const seq = k.printkRing.nextSeq;
    sh('echo z > /proc/sysrq-trigger');
    const dump = k.printkRing.since(seq);
    expect(dump.map((r) => r.text).slice(0, 3)).toEqual(['sysrq: Dump ftrace buffer', 'Dumping ftrace buffer:', '---------------------------------']);
    expect(dump.filter((r) => r.text.includes(': sched_switch: '))).toHaveLength(n);
    // In the latency format (TRACE_FILE_LAT_FMT): comm cut to 8, pid, CPU, flags, microseconds since the buffer's
    // start with the mark of the gap to the next record.
    for (const r of dump.filter((x) => x.text.includes(': sched_switch: '))) expect(r.text).toMatch(/^[ \S]{8}-\d+ +[01]d\.\.2 +\d+us[ +!#*@$]: sched_switch: prev_comm=/);
    expect(dump.find((r) => r.text.includes(': sched_switch: '))?.text).toMatch(/ 10\d{5}us/);
    expect(dump.slice(1).every((r) => r.level === 0)).toBe(true);
    expect(sh(`cat ${T}/tracing_on`).output).toBe('0\n');
    const again = k.printkRing.nextSeq;
    sh('echo z > /proc/sysrq-trigger');
    expect(k.printkRing.since(again).map((r) => r.text)).toEqual(['sysrq: Dump ftrace buffer', 'Dumping ftrace buffer:', '   (ftrace buffer empty)']);
    expect(sh(`echo function > ${T}/current_tracer`)).toMatchObject({ output: 'bash: echo: write error: Invalid argument\n', exitStatus: 1 });
    expect(sh(`echo 2 > ${T}/events/sched/enable`)).toMatchObject({ exitStatus: 1 });
    expect(sh(`echo 0 > ${T}/buffer_size_kb`)).toMatchObject({ exitStatus: 1 });
    expect(sh(`cat ${T}/available_events`).output.split('\n')[0]).toBe('sched:sched_switch');
    expect(sh(`ls ${T}/events/sched`).output).toContain('sched_wakeup_new');
  });
});
