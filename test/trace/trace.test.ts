/**
 * Traces out and in: the ftrace text every importer of formats.md C6 accepts (Perfetto's and Trace Compass's
 * line grammars, line by line), a golden export, the Perfetto JSON structure, monotonic time across a reboot;
 * import of real-world variants (flags of 0/4/5 characters, the tgid column, comms with spaces, trace-cmd's
 * layout, perf script), unreadable lines counted with their numbers, and the round trip through our export.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Xoshiro128 } from '../../src/kernel/core/rng.js';
import { KernelBus } from '../../src/bus/bus.js';
import { ManualClock } from '../../src/runtime/pacing.js';
import { DEFAULT_RUNNER } from '../../src/runtime/runner.js';
import { TraceRunner } from '../../src/runtime/trace-runner.js';
import { TraceFeeder, importSummary } from '../../src/trace/import.js';
import { parseTraceLine } from '../../src/trace/parse.js';
import { cli, tempFile } from '../helpers/cli.js';

const GOLDEN = join(import.meta.dirname, '../golden/trace-small.txt');

const small = {
  name: 'trace',
  seed: 4,
  machine: { cpus: 2, memory: '1G' },
  tasks: [
    { comm: 'hog', program: [{ run: 'forever' }] },
    { comm: 'blinker', program: [{ loop: [{ run: '300us' }, { sleep: '3ms' }] }] },
    { comm: 'rt tick', policy: 'fifo', rtPriority: 30, program: [{ loop: [{ run: '200us' }, { timer: { period: '5ms' } }] }] },
  ],
};

const PERFETTO = /-(\d+)\s+\(?\s*(\d+|-+)?\)?\s?\[(\d+)\]\s*[a-zA-Z0-9.]{0,4}\s+(\d+\.\d+):\s+(\S+):/;
const COMPASS = /^\s*(?<comm>.*)-(?<pid>\d+)(?:\s+\([^0-9]*(?<tgid>\d+)?\))?\s+\[(?<cpu>\d+)\](?:\s+....)?\s+(?<timestamp>[0-9]+(?<us>\.[0-9]+)?): (?<name>\w+:\s+)+(?<data>.+)$/;

function exportRun(duration: string, extra: object = {}): { txt: string; json: string; summary: { tasks: { pid: number; comm: string; cpuTimeNs: number; nrSwitches: number; nrVoluntarySwitches: number; state: string }[] } } {
  const scen = tempFile('trace-scen.json', { ...small, ...extra });
  const txt = tempFile('out.txt', '');
  const json = tempFile('out.json', '');
  const r = cli('headless', '--scenario', scen, '--duration', duration, '--trace', txt, '--trace', json, '--json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return { txt, json, summary: JSON.parse(r.stdout) };
}

describe('ftrace export', () => {
  it('every line is accepted by Perfetto\'s and Trace Compass\'s grammars; time never goes back', () => {
    const { txt } = exportRun('300ms');
    const lines = readFileSync(txt, 'utf8').split('\n').filter((l) => l !== '');
    expect(lines[0]).toBe('# tracer: nop');
    let last = -1;
    let n = 0;
    for (const l of lines) {
      if (l.startsWith('#')) continue;
      n++;
      expect(PERFETTO.test(l), l).toBe(true);
      expect(COMPASS.test(l), l).toBe(true);
      const t = Number(PERFETTO.exec(l)?.[4]);
      expect(t).toBeGreaterThanOrEqual(last);
      last = t;
      expect(l).toMatch(/\] (\.\.\.\.|d\.\.[23]) +\d+\.\d{6}: /);
    }
    expect(n).toBeGreaterThan(100);
    const text = lines.join('\n');
    expect(text).toMatch(/sched_switch: prev_comm=rt_tick prev_pid=\d+ prev_prio=69 prev_state=S ==> next_comm=/);
    expect(text).toContain('sched_waking: comm=');
    expect(text).toContain('sched_wakeup: comm=');
    expect(text).toMatch(/tracing_mark_write: C\|0\|cpu[01]_nr_running_fair\|\d+/);
  });

  it('matches its golden file (the first 60 lines of a 50 ms run)', () => {
    const { txt } = exportRun('50ms');
    const head = readFileSync(txt, 'utf8').split('\n').slice(0, 60).join('\n');
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(GOLDEN)) writeFileSync(GOLDEN, `${head}\n`);
    expect(`${head}\n`).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('Perfetto JSON: thread slices, counters, instants, metadata, and the ftrace text for CPU tracks', () => {
    const { json } = exportRun('200ms', { at: [{ t: '100ms', sysrq: 'm' }] });
    const doc = JSON.parse(readFileSync(json, 'utf8')) as { traceEvents: { ph: string; name: string; ts?: number; dur?: number; pid: number; tid: number; s?: string }[]; systemTraceEvents: string };
    const ph = (p: string): typeof doc.traceEvents => doc.traceEvents.filter((e) => e.ph === p);
    const slices = ph('X');
    expect(slices.length).toBeGreaterThan(20);
    expect(slices.every((e) => (e.dur ?? -1) >= 0 && e.tid === e.pid)).toBe(true);
    expect(slices.some((e) => e.name === 'hog')).toBe(true);
    // Slices of one thread never overlap (Perfetto nests B/E/X per thread).
    const byTid = new Map<number, { ts: number; end: number }[]>();
    for (const e of slices) byTid.set(e.tid, [...(byTid.get(e.tid) ?? []), { ts: e.ts as number, end: (e.ts as number) + (e.dur as number) }]);
    for (const list of byTid.values()) {
      list.sort((a, b) => a.ts - b.ts);
      for (let i = 1; i < list.length; i++) expect((list[i] as { ts: number }).ts).toBeGreaterThanOrEqual((list[i - 1] as { end: number }).end - 0.01);
    }
    expect(ph('C').some((e) => e.name === 'runqueue cpu0')).toBe(true);
    expect(ph('C').some((e) => e.name === 'memory')).toBe(true);
    expect(ph('M').some((e) => e.name === 'thread_name')).toBe(true);
    expect(ph('i').some((e) => e.name.startsWith('SysRq m') && e.s === 'g')).toBe(true);
    expect(doc.systemTraceEvents.startsWith('# tracer: nop\n')).toBe(true);
    expect(/[^\x20-\x7e\n]/.test(doc.systemTraceEvents)).toBe(false);
  });

  it('time keeps going forward across a reboot (SysRq b)', () => {
    const { txt } = exportRun('200ms', { sysctl: { 'kernel.sysrq': 1 }, at: [{ t: '80ms', sysrq: 'b' }] });
    let last = -1;
    for (const l of readFileSync(txt, 'utf8').split('\n')) {
      const m = PERFETTO.exec(l);
      if (m === null) continue;
      const t = Number(m[4]);
      expect(t).toBeGreaterThanOrEqual(last);
      last = t;
    }
    expect(last).toBeGreaterThan(0.15);
  });

  it('rejects a trace file name it cannot write', () => {
    const r = cli('headless', '--scenario', tempFile('s.json', small), '--duration', '10ms', '--trace', '/tmp/x.bin');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("kernsim: --trace /tmp/x.bin: expected FILE.json (Perfetto) or FILE.txt (ftrace text)\n");
  });
});

describe('import: the layouts real machines write', () => {
  it.each([
    ['ftrace, 4 flags', '          <idle>-0       [000] d..2   100.000000: sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=worker next_pid=101 next_prio=120', { kind: 'sched_switch', cpu: 0, nextPid: 101, nextComm: 'worker', tNs: 100_000_000_000 }],
    ['ftrace, 5 flags, tgid, comm with spaces', '   Web Content-4321  (   4300) [002] d..2. 12345.678901: sched_switch: prev_comm=Web Content prev_pid=4321 prev_prio=120 prev_state=S ==> next_comm=swapper/2 next_pid=0 next_prio=120', { prevComm: 'Web Content', prevPid: 4321, prevState: 'S', cpu: 2 }],
    ['ftrace, no flags', '          worker-101     [000]   100.004000: sched_waking: comm=reader pid=102 prio=120 target_cpu=001', { kind: 'sched_waking', pid: 102, targetCpu: 1 }],
    ['older wakeup with success=1', '       bash-1234  [001] d..3  55.000001: sched_wakeup: comm=sleep pid=77 prio=120 success=1 target_cpu=003', { kind: 'sched_wakeup', pid: 77, targetCpu: 3 }],
    ['perf script', '            perf  1234 [001] 12345.678901: sched:sched_switch: prev_comm=perf prev_pid=1234 prev_prio=120 prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120', { kind: 'sched_switch', cpu: 1, prevComm: 'perf' }],
    ['perf script, pid/tid and padded name', '         swapper     0/0     [000]  1234.567890:       sched:sched_wakeup: comm=foo pid=42 prio=120 target_cpu=000', { kind: 'sched_wakeup', pid: 42 }],
    ['trace-cmd plugin layout', '            bash-1234  [003]  5678.123456: sched_switch:         bash:1234 [120] S ==> swapper/3:0 [120]', { kind: 'sched_switch', prevComm: 'bash', prevPid: 1234, nextPid: 0, cpu: 3 }],
    ['migration', '    migration/2-20    [002] d..5  10.000000: sched_migrate_task: comm=hog pid=55 prio=120 orig_cpu=2 dest_cpu=0', { kind: 'sched_migrate_task', pid: 55, origCpu: 2, destCpu: 0 }],
    ['fork', '           make-900     [000] ....  10.500000: sched_process_fork: comm=make pid=900 child_comm=make child_pid=901', { kind: 'sched_process_fork', parentPid: 900, childPid: 901 }],
  ])('%s', (_name, line, want) => {
    expect(parseTraceLine(line)).toMatchObject(want);
  });

  it.each(['# tracer: nop', 'cpus=8', 'CPU 3 is empty', ''])('skips %j', (line) => {
    expect(parseTraceLine(line)).toBe('skip');
  });

  it('counts what it cannot read, with line numbers; a file without events is an error', () => {
    const f = tempFile('mixed.txt', ['# tracer: nop', '          <idle>-0       [000] d..2   1.000000: sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=a next_pid=5 next_prio=120', 'this is not a trace line', '          a-5       [000] d..2   1.500000: sched_switch: prev_comm=a prev_pid=5 prev_prio=120 prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120', 'garbage [7] 1.0: x'].join('\n'));
    const r = cli('import', f, '--headless', '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`kernsim: ${f}: 2 of 5 lines not understood (line 3: 'this is not a trace line'; line 5: 'garbage [7] 1.0: x')\n`);
    const j = JSON.parse(r.stdout);
    expect(j.tasks.find((t: { pid: number }) => t.pid === 5)).toMatchObject({ cpuTimeNs: 500_000_000, nrSwitches: 1, nrVoluntarySwitches: 1 });
    const none = tempFile('none.txt', 'hello\nworld\n');
    const e = cli('import', none, '--headless');
    expect(e.code).toBe(2);
    expect(e.stderr).toBe(`kernsim: ${none}: no scheduler events found in 2 lines (line 1: 'hello'); expected ftrace text (/sys/kernel/tracing/trace, trace-cmd report) or perf script output\n`);
    expect(cli('import', '/nonexistent.txt', '--headless').stderr).toBe('kernsim: /nonexistent.txt: no such file\n');
  });

  it('fuzz: random bytes and mutated lines never crash the importer', () => {
    const { txt } = exportRun('100ms');
    const base = readFileSync(txt, 'utf8').split('\n');
    const rng = new Xoshiro128(5);
    const out: string[] = [];
    for (const l of base) {
      const r = rng.intBelow(10);
      if (r === 0) out.push(l.slice(0, rng.intBelow(l.length + 1)));
      else if (r === 1) out.push(Array.from({ length: rng.intBelow(80) }, () => String.fromCharCode(rng.intBelow(256))).join(''));
      else if (r === 2) {
        const at = rng.intBelow(Math.max(1, l.length));
        out.push(l.slice(0, at) + String.fromCharCode(32 + rng.intBelow(90)) + l.slice(at + 1));
      } else out.push(l);
    }
    const f = tempFile('fuzzed.txt', out.join('\n'));
    const feeder = new TraceFeeder(f);
    feeder.feed();
    expect(feeder.stats.events).toBeGreaterThan(100);
    const j = importSummary(feeder);
    expect(Array.isArray(j.tasks)).toBe(true);
  });

  it('round trip: our export imports back to the same CPU times and switch counts', () => {
    const { txt, summary } = exportRun('2s');
    const r = cli('import', txt, '--headless', '--json');
    expect(r.stderr).toBe('');
    const imp = JSON.parse(r.stdout) as { tasks: { pid: number; cpuTimeNs: number; nrSwitches: number; nrVoluntarySwitches: number }[] };
    let compared = 0;
    for (const t of summary.tasks) {
      if (t.cpuTimeNs === 0) continue;
      const i = imp.tasks.find((x) => x.pid === t.pid);
      expect(i, t.comm).toBeDefined();
      expect(i?.nrSwitches, t.comm).toBe(t.nrSwitches);
      expect(i?.nrVoluntarySwitches, t.comm).toBe(t.nrVoluntarySwitches);
      // A task still running at the end has time the kernel charges at its next tick: within one tick.
      if (t.state === 'R') expect(Math.abs((i?.cpuTimeNs ?? 0) - t.cpuTimeNs), t.comm).toBeLessThanOrEqual(4_000_000);
      else expect(i?.cpuTimeNs, t.comm).toBe(t.cpuTimeNs);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(3);
  });
});

describe('sched_switch to sinks', () => {
  it('a sink with the schedSwitch() fast path gets exactly the switches an emit() sink gets as events', async () => {
    const { machine, spawn, MS } = await import('../helpers/machine.js');
    const k = machine({ nrCpus: 2 });
    for (let i = 0; i < 4; i++) spawn(k, { comm: `hog${i}` });
    const asEvents: string[] = [];
    const asArgs: string[] = [];
    const other: string[] = [];
    k.addSink({
      emit(ev) {
        if (ev.kind === 'sched_switch') asEvents.push([ev.seq, ev.tNs, ev.cpu, ev.prevPid, ev.prevComm, ev.prevPrio, ev.prevState, ev.nextPid, ev.nextComm, ev.nextPrio].join(' '));
      },
    });
    k.addSink({
      emit(ev) {
        other.push(ev.kind);
      },
      schedSwitch(...a) {
        asArgs.push(a.join(' '));
      },
    });
    k.engine.runUntil(200 * MS);
    expect(asEvents.length).toBeGreaterThan(50);
    expect(asArgs).toEqual(asEvents);
    expect(other).not.toContain('sched_switch');
  });
});

describe('the trace runner', () => {
  it('draws at the frame rate, also when other work makes its steps fire late', () => {
    const clock = new ManualClock();
    const bus = new KernelBus();
    let frames = 0;
    bus.frames$.subscribe(() => frames++);
    const runner = new TraceRunner(new TraceFeeder(GOLDEN), 'trace-small.txt', bus, clock, { ...DEFAULT_RUNNER, fps: 10 });
    runner.start();
    const before = frames;
    // 6 ms of other work just before every other step is due (see the runner's test of the same rule).
    const busy = (): void => {
      clock.spend(6);
      clock.setTimer(busy, 194);
    };
    clock.setTimer(busy, 199);
    clock.advance(2000);
    expect(frames - before).toBeGreaterThanOrEqual(20);
    expect(frames - before).toBeLessThanOrEqual(22);
    runner.stop();
  });
});
