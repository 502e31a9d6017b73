/**
 * Interval commands (vmstat DELAY, mpstat INTERVAL): the session runs the machine to each report's exact instant
 * and reads it there. Checked against the /proc files read at the same instants in a twin session, and against
 * the twin's state: reading must not change the machine.
 */
import { describe, expect, it } from 'vitest';
import { stateHash } from '../../src/kernel/index.js';
import { parseScenarioText } from '../../src/sim/config.js';
import { machineHooks } from '../../src/sim/machine-hooks.js';
import { Session, type JobOutput } from '../../src/sim/session.js';

const SEC = 1_000_000_000;

const scenario = {
  name: 'iv',
  seed: 3,
  machine: { cpus: 2, memory: '1G' },
  tasks: [
    { comm: 'hog', program: [{ run: 'forever' }] },
    { comm: 'web', count: 4, program: [{ loop: [{ run: { exp: '2ms' } }, { sleep: { uniform: ['5ms', '20ms'] } }] }] },
    { comm: 'reader', program: [{ loop: [{ run: '1ms' }, { 'read-file': { file: '/data/r', size: '64M' } }, { io: '3ms' }] }] },
  ],
};

function session(at: { t: string; sh: string }[] = []): Session {
  return new Session(parseScenarioText('iv.json', JSON.stringify({ ...scenario, at })), machineHooks());
}

function read(s: Session, path: string): string {
  const r = s.k.proc.read(path);
  if (!r.ok) throw new Error(`${path}: ${r.errno}`);
  return r.text;
}

function field(text: string, name: string): number {
  const m = new RegExp(`^${name}:?\\s+(\\d+)`, 'm').exec(text);
  if (m === null) throw new Error(`no ${name}`);
  return Number(m[1]);
}

/**
 * What a twin session (the same machine, a plain command at the same instant) reads: FILES by that command at
 * the command's instant (it runs as an event then, before the other events of that nanosecond; the login shell
 * it starts is part of the machine), then at each later instant after every event due then, as the session
 * stops the run there for a report.
 */
function twinReads(atSec: number, files: string[], laterSecs: number[]): { reads: string[]; twin: Session } {
  const line = `cat ${files.join(' ')}`;
  const twin = session([{ t: `${atSec * 1000}ms`, sh: line }]);
  twin.runUntil(atSec * SEC);
  const out = [output(twin, `sh ${line}`)];
  for (const t of laterSecs) {
    twin.runUntil(t * SEC);
    out.push(files.map((f) => read(twin, f)).join(''));
  }
  return { reads: out, twin };
}

function output(s: Session, action: string): string {
  const a = s.actions.find((x) => x.action === action);
  if (a === undefined) throw new Error(`no action ${action}`);
  return a.output ?? '';
}

describe('interval commands', () => {
  it('vmstat DELAY COUNT: a line per DELAY of virtual time, from the differences of /proc/stat and /proc/vmstat over exactly it', () => {
    const s = session([{ t: '1500ms', sh: 'vmstat 2 4' }]);
    s.runUntil(10 * SEC);
    const { reads: samples, twin } = twinReads(1.5, ['/proc/stat', '/proc/vmstat', '/proc/meminfo'], [3.5, 5.5, 7.5]);
    const lines = output(s, 'sh vmstat 2 4').trimEnd().split('\n');
    expect(lines).toHaveLength(2 + 4);
    expect(lines[0]).toBe('procs -----------memory---------- ---swap-- -----io---- -system-- ------cpu-----');
    for (let i = 1; i < 4; i++) {
      const f = (lines[2 + i] as string).trim().split(/\s+/).map(Number);
      const [a, b] = [samples[i - 1], samples[i]] as [string, string];
      const per2 = (d: number): number => Math.floor((d + 1) / 2);
      expect(f[0]).toBe(field(b, 'procs_running'));
      expect(f[1]).toBe(field(b, 'procs_blocked'));
      expect(f[3]).toBe(field(b, 'MemFree'));
      expect(f[8]).toBe(per2(field(b, 'pgpgin') - field(a, 'pgpgin')));
      expect(f[10]).toBe(per2(field(b, 'intr') - field(a, 'intr')));
      expect(f[11]).toBe(per2(field(b, 'ctxt') - field(a, 'ctxt')));
      expect(f[10]).toBeGreaterThan(500); // 2 CPUs' ticks alone are 500 a second at HZ=250
      // The CPU columns: percentages of the ticks of both CPUs over the 2 s, rounded as procps does.
      const ticks = (t: string): number[] => (/^cpu {2}(.*)$/m.exec(t)?.[1] ?? '').trim().split(/\s+/).map(Number);
      const d = ticks(b).map((v, j) => v - (ticks(a)[j] ?? 0));
      const div = (d[0] ?? 0) + (d[1] ?? 0) + (d[2] ?? 0) + (d[3] ?? 0) + (d[4] ?? 0) + (d[5] ?? 0) + (d[6] ?? 0) + (d[7] ?? 0);
      // 400 USER_HZ ticks, give or take the rounding down of each field's nanoseconds at each end.
      expect(Math.abs(div - 400)).toBeLessThanOrEqual(2);
      const half = Math.floor(div / 2);
      expect(f[12]).toBe(Math.floor((100 * ((d[0] ?? 0) + (d[1] ?? 0)) + half) / div));
      expect(f[14]).toBe(Math.floor((100 * (d[3] ?? 0) + half) / div));
    }
    // Reading changed nothing: the machine is the twin's, event for event.
    twin.runUntil(10 * SEC);
    expect(s.k.engine.processed).toBe(twin.k.engine.processed);
    expect(stateHash(s.k)).toBe(stateHash(twin.k));
    expect(s.runningJobs).toEqual([]);
  });

  it('mpstat -P ALL INTERVAL COUNT: a header and rows per report, then the averages over them all', () => {
    const s = session([{ t: '1s', sh: 'mpstat -P ALL 1 2' }]);
    s.runUntil(5 * SEC);
    const at = twinReads(1, ['/proc/stat'], [2, 3]).reads;
    const pct = (a: string, b: string, cpu: string): string[] => {
      const ticks = (t: string): number[] => (new RegExp(`^${cpu}\\s+(.*)$`, 'm').exec(t)?.[1] ?? '').trim().split(/\s+/).map(Number);
      const d = ticks(b).map((v, j) => v - (ticks(a)[j] ?? 0));
      const g = (j: number): number => d[j] ?? 0;
      const itv = g(0) + g(1) + g(2) + g(3) + g(4) + g(5) + g(6) + g(7);
      return [g(0) - g(8), g(1) - g(9), g(2), g(4), g(5), g(6), g(7), g(8), g(9), g(3)].map((x) => ((x * 100) / itv).toFixed(2));
    };
    const row = (time: string, label: string, cells: string[]): string => `${time.padEnd(11)}${label.padStart(5)}${cells.map((c) => c.padStart(8)).join('')}`;
    const header = (time: string): string => `${time.padEnd(11)}  CPU    %usr   %nice    %sys %iowait    %irq   %soft  %steal  %guest  %gnice   %idle`;
    const [s1, s2, s3] = at as [string, string, string];
    expect(output(s, 'sh mpstat -P ALL 1 2').split('\n')).toEqual([
      'Linux 6.17.0-kernsim (kernsim) \t01/01/26 \t_x86_64_\t(2 CPU)',
      '',
      header('00:00:01'),
      row('00:00:02', 'all', pct(s1, s2, 'cpu')),
      row('00:00:02', '0', pct(s1, s2, 'cpu0')),
      row('00:00:02', '1', pct(s1, s2, 'cpu1')),
      '',
      header('00:00:02'),
      row('00:00:03', 'all', pct(s2, s3, 'cpu')),
      row('00:00:03', '0', pct(s2, s3, 'cpu0')),
      row('00:00:03', '1', pct(s2, s3, 'cpu1')),
      '',
      header('Average:'),
      row('Average:', 'all', pct(s1, s3, 'cpu')),
      row('Average:', '0', pct(s1, s3, 'cpu0')),
      row('Average:', '1', pct(s1, s3, 'cpu1')),
      '',
    ]);
  });

  it('a command line starts one; Ctrl-C (jobstop) ends it (mpstat with its averages); a reboot ends the rest', () => {
    const s = session();
    const got: JobOutput[] = [];
    s.onJobOutput = (o) => got.push(o);
    s.submit({ kind: 'sh', line: 'vmstat 1' });
    s.submit({ kind: 'sh', line: 'mpstat 1' });
    s.runUntil(3.5 * SEC);
    expect(s.runningJobs).toEqual([1, 2]);
    expect(got.map((o) => [o.job, o.done])).toEqual([
      [1, false],
      [2, false],
      [1, false],
      [2, false],
      [1, false],
      [2, false],
    ]);
    // Without a header after the first report, mpstat's later ones are a row each.
    expect(got.filter((o) => o.job === 2).map((o) => o.text.split('\n').length)).toEqual([4, 2, 2]);
    const before = s.k.engine.processed;
    s.submit({ kind: 'jobstop', job: 2 });
    expect(s.k.engine.processed).toBe(before);
    expect(got.at(-1)?.job).toBe(2);
    expect(got.at(-1)?.done).toBe(true);
    expect(got.at(-1)?.text).toMatch(/^\nAverage: {5}all( +\d+\.\d\d){10}\n$/);
    s.submit({ kind: 'jobstop', job: 2 });
    expect(got).toHaveLength(7);
    s.runUntil(5.5 * SEC);
    expect(got.slice(7).map((o) => [o.job, o.done])).toEqual([
      [1, false],
      [1, false],
    ]);
    // The record keeps everything it printed (what a headless run reports).
    const rec = s.actions.find((a) => a.action === 'sh vmstat 1');
    expect(rec?.job).toBe(1);
    expect(rec?.output?.trimEnd().split('\n')).toHaveLength(2 + 1 + 5);
    s.submit({ kind: 'sysrq', key: 'b' });
    s.runUntil(6 * SEC);
    expect(s.boots).toBe(2);
    expect(got.at(-1)).toEqual({ job: 1, text: '', done: true, replace: false });
    expect(s.runningJobs).toEqual([]);
  });

  it('pidstat -u -w INTERVAL COUNT: per interval the tasks active in it, then the averages (CPU shown as -)', () => {
    const s = new Session(
      parseScenarioText(
        'p.json',
        JSON.stringify({
          name: 'p',
          seed: 1,
          machine: { cpus: 1, memory: '1G' },
          tasks: [
            { comm: 'a', program: [{ run: 'forever' }] },
            { comm: 'b', nice: 5, program: [{ run: 'forever' }] },
            { comm: 'c', start: '2500ms', program: [{ loop: [{ run: '1ms' }, { sleep: '50ms' }] }] },
          ],
          at: [{ t: '1s', sh: 'pidstat -u -w 1 2' }],
        }),
      ),
      machineHooks(),
    );
    s.runUntil(4 * SEC);
    const out = output(s, 'sh pidstat -u -w 1 2').split('\n');
    const rows = (re: RegExp): number[][] => out.filter((l) => re.test(l)).map((l) => l.trim().split(/\s+/).slice(3, 8).map(Number));
    // CPU rows of a and b at 2 s and 3 s: what one runs (%usr) the other waits (%wait), about 75:25 by weight.
    for (const t of ['00:00:02', '00:00:03']) {
      const [ra, rb] = rows(new RegExp(`^${t} +0 +\\d+ +\\d+\\.\\d\\d +0\\.00 +0\\.00 +\\d+\\.\\d\\d +\\d+\\.\\d\\d +0  [ab]$`)) as [number[], number[]];
      // The one CPU's time is all there: a, b and what else ran in the interval (c, the kworker).
      const all = rows(new RegExp(`^${t} +0 +\\d+ +\\d+\\.\\d\\d +\\d+\\.\\d\\d +0\\.00 +\\d+\\.\\d\\d +\\d+\\.\\d\\d +0  \\S+$`));
      expect(all.reduce((x, r) => x + (r[4] as number), 0)).toBeCloseTo(100, 0);
      expect(Math.abs((ra[0] as number) - (rb[3] as number))).toBeLessThanOrEqual(3);
      expect(ra[0]).toBeGreaterThan(70);
      expect(ra[0]).toBeLessThan(80);
    }
    // A task that starts between two samples is in the next report with everything it did (here c, from 2.5 s).
    const cpuRowOfC = (t: string): RegExp => new RegExp(`^${t} +0 +\\d+( +\\d+\\.\\d\\d){5} +0  c$`);
    expect(out.filter((l) => cpuRowOfC('00:00:03').test(l))).toHaveLength(1);
    expect(out.filter((l) => cpuRowOfC('00:00:02').test(l))).toHaveLength(0);
    expect(out.filter((l) => /^Average: +UID +PID/.test(l))).toHaveLength(2);
    expect(out.filter((l) => /^Average: +0 +\d+ .* +- {2}[ab]$/.test(l))).toHaveLength(2);
    expect(out.filter((l) => /^Average: +0 +\d+ +0\.00 +\d+\.\d\d {2}[ab]$/.test(l))).toHaveLength(2);
  });

  it('perf sched record -- sleep N records for N seconds of virtual time; Ctrl-C ends it early', () => {
    const s = session();
    const got: JobOutput[] = [];
    s.onJobOutput = (o) => got.push(o);
    s.runUntil(SEC / 2);
    s.submit({ kind: 'sh', line: 'perf sched record -- sleep 2' });
    s.runUntil(2 * SEC);
    expect(got).toEqual([]);
    s.runUntil(4 * SEC);
    expect(got).toHaveLength(1);
    const m = /^\[ perf sched record: 0\.500000 to 2\.500000 s, (\d+) switches; see perf sched latency, map, timehist \]\n$/.exec(got[0]?.text ?? '');
    expect(m).not.toBeNull();
    // The recording stopped at 2.5 s: what latency and timehist read at 4 s ends there.
    expect(Number(m?.[1])).toBeGreaterThan(100);
    const shell = machineHooks().shell;
    const lat = shell(s.k, 'perf sched latency', { asTask: null }).output;
    const total = /TOTAL: +\| +[\d.]+ ms \| +(\d+) \|/.exec(lat);
    expect(Number(total?.[1])).toBeGreaterThan(0);
    expect(shell(s.k, 'perf sched timehist', { asTask: null }).output.trimEnd().split('\n').pop()).toMatch(/^ +[12]\.\d{6} /);
    // Interrupted: it ends when Ctrl-C comes, and says so.
    s.submit({ kind: 'sh', line: 'perf sched record sleep 10' });
    s.runUntil(5 * SEC);
    s.submit({ kind: 'jobstop', job: 2 });
    expect(got.at(-1)?.text).toMatch(/^\[ perf sched record: 4\.000000 to 5\.000000 s, \d+ switches;/);
    expect(s.runningJobs).toEqual([]);
    for (const bad of ['perf sched record sleep', 'perf sched record -- sleep x', 'perf sched record ls']) {
      expect(shell(s.k, bad, { asTask: null }).output).toMatch(/^perf: {2}usage: perf sched record \[\[--\] sleep SECONDS\]/);
    }
  });

  it('watch: a whole screen per interval, replacing the last; the command really runs each time', () => {
    const s = session([{ t: '1s', sh: 'watch -n 0.5 cat /proc/uptime' }]);
    const got: JobOutput[] = [];
    s.onJobOutput = (o) => got.push(o);
    s.runUntil(3 * SEC);
    expect(got.map((o) => [o.replace, o.done])).toEqual(Array.from({ length: 4 }, () => [true, false]));
    // Each screen read /proc/uptime at its own instant: 1.50, 2.00, 2.50, 3.00 s.
    expect(got.map((o) => /\n\n(\d+\.\d\d) /.exec(o.text)?.[1])).toEqual(['1.50', '2.00', '2.50', '3.00']);
    expect(s.actions.find((a) => a.job === 1)?.jobScreens).toBe(true);
    // A command that changes the machine changes it at every screen: at 1 s, 1.5 s and 2 s, an editor each.
    const w = session([{ t: '1s', sh: 'watch -n 0.5 -t spawn interactive' }]);
    w.runUntil(2.2 * SEC);
    expect([...w.k.tasks.values()].filter((t) => t.comm === 'editor')).toHaveLength(3);
  });

  it('the record of an endless command is bounded: 1 MiB, then a note that later reports were not kept', () => {
    const s = session([{ t: '1s', sh: 'watch -n 0.1 cat /proc/slabinfo' }]);
    let reports = 0;
    s.onJobOutput = () => reports++;
    s.runUntil(40 * SEC);
    const out = output(s, 'sh watch -n 0.1 cat /proc/slabinfo');
    expect(reports).toBe(390);
    expect(out.length).toBeLessThanOrEqual((1 << 20) + 100);
    expect(out.length).toBeGreaterThan((1 << 20) - 20_000);
    expect(out.endsWith('[later reports not kept: the record holds 1 MiB]\n')).toBe(true);
    expect(out.split('[later reports not kept').length).toBe(2);
  });

  it('a report that fails ends its command with the error, and the machine goes on', () => {
    const s = session();
    const got: JobOutput[] = [];
    s.onJobOutput = (o) => got.push(o);
    s.submit({ kind: 'sh', line: 'vmstat 1' });
    s.runUntil(SEC / 2);
    const job = (s as unknown as { jobs: { follow: { report: () => string } }[] }).jobs[0];
    if (job === undefined) throw new Error('no job');
    job.follow.report = () => {
      throw new Error('boom');
    };
    s.runUntil(3 * SEC);
    expect(got).toEqual([{ job: 1, text: 'vmstat: boom\n', done: true, replace: false }]);
    expect(s.runningJobs).toEqual([]);
    expect(s.k.now).toBe(3 * SEC);
  });

  it('free -s SECONDS -c COUNT: the report again each interval, a blank line after each', () => {
    const s = session([{ t: '1s', sh: 'free -m -s 0.5 -c 3' }]);
    s.runUntil(5 * SEC);
    const twin = session([{ t: '1s', sh: 'free -m' }]);
    const want: string[] = [];
    twin.runUntil(1 * SEC);
    want.push(output(twin, 'sh free -m'));
    for (const t of [1.5, 2]) {
      twin.runUntil(t * SEC);
      want.push(machineHooks().shell(twin.k, 'free -m', { asTask: null }).output);
    }
    expect(output(s, 'sh free -m -s 0.5 -c 3')).toBe(want.map((w) => `${w}\n`).join(''));
    const shell = machineHooks().shell;
    expect(shell(s.k, 'free -c 2', { asTask: null }).follow).toMatchObject({ intervalNs: 1e9, count: 1 });
    expect(shell(s.k, 'free -s 2', { asTask: null }).follow).toMatchObject({ intervalNs: 2e9, count: Infinity });
    expect(shell(s.k, 'free -c 1', { asTask: null }).follow).toBeUndefined();
    expect(shell(s.k, 'free -s 0', { asTask: null }).output).toBe("free: seconds argument `0' is not positive number\n");
    expect(shell(s.k, 'free -c x', { asTask: null }).output).toBe("free: failed to parse count argument: 'x'\n");
  });

  it('sar -q -w INTERVAL COUNT: the run queue and load averages from /proc/loadavg, forks and switches per second', () => {
    const s = session([{ t: '5s', sh: 'sar -q -w 2 2' }]);
    s.runUntil(10 * SEC);
    const at = twinReads(5, ['/proc/loadavg', '/proc/stat'], [7, 9]).reads;
    const la = (x: string): string[] => (x.split('\n')[0] ?? '').split(' ');
    const q = (x: string, time: string): string => {
      const f = la(x);
      const [run, all] = (f[3] ?? '').split('/');
      return `${time.padEnd(11)}${[run, all].map((v) => ` ${(v ?? '').padStart(9)}`).join('')}${f.slice(0, 3).map((v) => ` ${Number(v).toFixed(2).padStart(9)}`).join('')} ${String(field(x, 'procs_blocked')).padStart(9)}`;
    };
    const w = (a: string, b: string, time: string, secs = 2): string =>
      `${time.padEnd(11)} ${((field(b, 'processes') - field(a, 'processes')) / secs).toFixed(2).padStart(9)} ${((field(b, 'ctxt') - field(a, 'ctxt')) / secs).toFixed(2).padStart(9)}`;
    const [s5, s7, s9] = at as [string, string, string];
    const out = output(s, 'sh sar -q -w 2 2').split('\n');
    expect(out).toContain(q(s7, '00:00:07'));
    expect(out).toContain(q(s9, '00:00:09'));
    expect(out).toContain(w(s5, s7, '00:00:07'));
    expect(out).toContain(w(s7, s9, '00:00:09'));
    expect(out).toContain(w(s5, s9, 'Average:', 4));
    expect(out.filter((l) => l.startsWith('00:00:05 ') || l.startsWith('00:00:07 ')).filter((l) => /runq-sz|cswch/.test(l))).toHaveLength(4);
    const shell = machineHooks().shell;
    expect(shell(s.k, 'sar -q', { asTask: null }).output).toBe('sar: Cannot open /var/log/sysstat/sa01: No such file or directory\nPlease check if data collecting is enabled\n');
    expect(shell(s.k, 'sar -x 1', { asTask: null }).output).toMatch(/^sar: Usage: sar \[ options \]/);
    expect(shell(s.k, 'sar 1 3', { asTask: null }).follow).toMatchObject({ intervalNs: 1e9, count: 3 });
  });

  it.each(['mpstat -P ALL 1', 'pidstat -u -w 1', 'sar -u -w -q 1', 'free -s 1'])('%s reads without changing the machine', (line) => {
    const s = session([{ t: '1s', sh: line }]);
    const twin = session([{ t: '1s', sh: line.split(' ')[0] as string }]);
    s.runUntil(6 * SEC);
    twin.runUntil(6 * SEC);
    expect(s.runningJobs).toEqual([1]);
    expect((s.actions[0]?.output ?? '').length).toBeGreaterThan((twin.actions[0]?.output ?? '').length);
    expect(s.k.engine.processed).toBe(twin.k.engine.processed);
    expect(stateHash(s.k)).toBe(stateHash(twin.k));
  });

  it('cat trace_pipe alone streams the records as they come, every 100 ms; piped, it reads what is there once', () => {
    const s = session([{ t: '1s', sh: 'echo 1 > /sys/kernel/tracing/events/sched/sched_switch/enable' }]);
    s.runUntil(1.5 * SEC);
    const got: JobOutput[] = [];
    s.onJobOutput = (o) => got.push(o);
    s.submit({ kind: 'sh', line: 'cat /sys/kernel/tracing/trace_pipe' });
    let switches = 0;
    s.k.addSink({
      emit: (ev) => {
        if (ev.kind === 'sched_switch') switches++;
      },
    });
    s.runUntil(2.5 * SEC);
    expect(got).toHaveLength(10);
    const lines = got.flatMap((o) => o.text.split('\n').filter((l) => l !== ''));
    expect(lines.length).toBe(switches);
    for (const l of lines) expect(l).toContain(': sched_switch: ');
    s.submit({ kind: 'jobstop', job: 1 });
    const shell = machineHooks().shell;
    const once = shell(s.k, 'cat /sys/kernel/tracing/trace_pipe | wc -l', { asTask: null });
    expect(once.follow).toBeUndefined();
    expect(once.exitStatus).toBe(0);
  });

  it('dmesg -w prints the log, then each record as it comes, as dmesg prints it; -W only the new ones', () => {
    const s = session([
      { t: '1200ms', sh: 'echo first > /dev/kmsg' },
      { t: '1750ms', sh: 'echo second > /dev/kmsg' },
    ]);
    s.runUntil(1 * SEC);
    const got: JobOutput[] = [];
    s.onJobOutput = (o) => got.push(o);
    const shell = machineHooks().shell;
    const before = shell(s.k, 'dmesg', { asTask: null }).output;
    s.submit({ kind: 'sh', line: 'dmesg -w' });
    s.submit({ kind: 'sh', line: 'dmesg -W -t' });
    // A command line enters as an urgent event at the current instant.
    s.runUntil(1 * SEC);
    const started = s.actions.slice(-2).map((a) => a.output);
    expect(started).toEqual([before, '']);
    s.runUntil(2 * SEC);
    // Only reports with news come (no empty ones every 100 ms): each record once, at the next 100 ms after it.
    const all = shell(s.k, 'dmesg', { asTask: null }).output;
    const fresh = all.slice(before.length);
    expect(fresh).toMatch(/^\[ +1\.200000\] first\n\[ +1\.750000\] second\n$/);
    expect(got.filter((o) => o.job === 1).map((o) => o.text).join('')).toBe(fresh);
    expect(got.filter((o) => o.job === 2).map((o) => o.text)).toEqual(['first\n', 'second\n']);
    expect(got.every((o) => o.text !== '' && !o.done)).toBe(true);
    s.submit({ kind: 'jobstop', job: 1 });
    s.submit({ kind: 'jobstop', job: 2 });
    expect(s.runningJobs).toEqual([]);
  });

  it('a run cut short by an event budget still reports at the exact instant, once', () => {
    const s = session([{ t: '1s', sh: 'vmstat 1 3' }]);
    const twin = session([{ t: '1s', sh: 'vmstat 1 3' }]);
    // One session in small event budgets, the other in one go: the same reports.
    for (let guard = 0; s.k.now < 4.5 * SEC && guard < 1e6; guard++) s.runUntil(4.5 * SEC, 97);
    twin.runUntil(4.5 * SEC);
    expect(output(s, 'sh vmstat 1 3')).toBe(output(twin, 'sh vmstat 1 3'));
    expect(output(s, 'sh vmstat 1 3').trimEnd().split('\n')).toHaveLength(5);
    expect(stateHash(s.k)).toBe(stateHash(twin.k));
  });

  it('sleep: a command line waits in virtual time, then runs on; its reads are the machine at those instants', () => {
    const line = 'for i in $(seq 3); do cat /proc/uptime; sleep 0.5; done; echo end';
    const s = session([{ t: '1s', sh: line }]);
    const got: JobOutput[] = [];
    s.onJobOutput = (o) => got.push(o);
    s.runUntil(1.2 * SEC);
    expect(s.runningJobs).toEqual([1]);
    s.runUntil(4 * SEC);
    expect(s.runningJobs).toEqual([]);
    // Each part is what the machine held at 1 s, 1.5 s and 2 s: as read by a twin stopped there.
    const twin = session([{ t: '1s', sh: 'true' }]);
    const reads: string[] = [];
    for (const t of [1, 1.5, 2]) {
      twin.runUntil(t * SEC);
      reads.push(read(twin, '/proc/uptime'));
    }
    expect(output(s, `sh ${line}`)).toBe(`${reads.join('')}end\n`);
    expect(got.map((o) => [o.text, o.done])).toEqual([
      [reads[1], false],
      [`${reads[2]}`, false],
      ['end\n', true],
    ]);
  });

  it('sleep in a loop that reads a pipe: each turn takes the next line, across the sleeps; done | cmd gets it all at the end', () => {
    const line = 'seq 3 | while read n; do echo "turn $n"; sleep 0.5; done; echo end';
    const s = session([{ t: '1s', sh: line }]);
    const got: JobOutput[] = [];
    s.onJobOutput = (o) => got.push(o);
    s.runUntil(4 * SEC);
    expect(output(s, `sh ${line}`)).toBe('turn 1\nturn 2\nturn 3\nend\n');
    expect(got.map((o) => o.text)).toEqual(['turn 2\n', 'turn 3\n', 'end\n']);
    const piped = 'for i in 1 2; do echo $i; sleep 0.5; done | wc -l';
    const t = session([{ t: '1s', sh: piped }]);
    t.runUntil(4 * SEC);
    expect(output(t, `sh ${piped}`)).toBe('2\n');
  });

  it('sleep: the line\'s commands act at their instants, after the events due then; Ctrl-C ends it', () => {
    const s = session([{ t: '1s', sh: 'renice 5 -p 3; sleep 1; renice 10 -p 3; sleep 1.5; renice 15 -p 3' }]);
    // The twin runs the same commands itself, at the same instants, where the run stops for them.
    const twin = session([{ t: '1s', sh: 'renice 5 -p 3' }]);
    for (const [t, nice] of [
      [2, 10],
      [3.5, 15],
    ] as const) {
      twin.runUntil(t * SEC);
      machineHooks().shell(twin.k, `renice ${nice} -p 3`, { asTask: null });
    }
    s.runUntil(5 * SEC);
    twin.runUntil(5 * SEC);
    expect(s.k.tasks.get(3)?.nice).toBe(15);
    expect(s.k.engine.processed).toBe(twin.k.engine.processed);
    expect(stateHash(s.k)).toBe(stateHash(twin.k));
    const t = session();
    const got: JobOutput[] = [];
    t.onJobOutput = (o) => got.push(o);
    t.submit({ kind: 'sh', line: 'sleep infinity; renice 7 -p 3' });
    t.runUntil(2 * SEC);
    expect(t.runningJobs).toEqual([1]);
    t.submit({ kind: 'jobstop', job: 1 });
    t.runUntil(3 * SEC);
    expect(t.runningJobs).toEqual([]);
    expect(got).toEqual([{ job: 1, text: '', done: true, replace: false }]);
    expect(t.k.tasks.get(3)?.nice).not.toBe(7);
  });

  it('sleep: GNU operands (suffixes, a sum, infinity) and errors; where a line cannot wait it says so', () => {
    const s = session();
    const sh = (line: string, wait = false): { output: string; exitStatus: number; follow?: { intervalNs: number } } =>
      (machineHooks().shell as (k: unknown, l: string, o: object) => { output: string; exitStatus: number; follow?: { intervalNs: number } })(s.k, line, { asTask: null, wait });
    expect(sh('sleep 1.5', true).follow?.intervalNs).toBe(1.5 * SEC);
    expect(sh('sleep 1m 30', true).follow?.intervalNs).toBe(90 * SEC);
    expect(sh('sleep .25s', true).follow?.intervalNs).toBe(0.25 * SEC);
    expect(sh('sleep infinity', true).follow?.intervalNs).toBe(Infinity);
    expect(sh('sleep 0; echo now', true)).toMatchObject({ output: 'now\n', exitStatus: 0 });
    expect(sh('sleep 0; echo now', true).follow).toBeUndefined();
    const usage = "Try 'sleep --help' for more information.\n";
    expect(sh('sleep', true)).toMatchObject({ output: `sleep: missing operand\n${usage}`, exitStatus: 1 });
    expect(sh('sleep 2x', true)).toMatchObject({ output: `sleep: invalid time interval '2x'\n${usage}`, exitStatus: 1 });
    expect(sh('sleep -z', true)).toMatchObject({ output: `sleep: invalid option -- 'z'\n${usage}`, exitStatus: 1 });
    expect(sh('sleep 1 && echo x')).toMatchObject({ output: 'sleep: cannot wait here: only a command line of its own waits\n', exitStatus: 1 });
    expect(sh('echo $(sleep 1; echo in)', true).output).toBe('sleep: cannot wait inside $(...): a substitution runs at one instant of virtual time\nin\n');
    expect(sh('nice sleep 1', true).output).toBe('sleep: cannot wait here: only a command line of its own waits\n');
  });
});
