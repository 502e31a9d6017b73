/**
 * Recordings and journals: the asciicast format (v2 and v3), a live session's recording replayed into a
 * terminal emulator gives the screen the person saw, a recorder killed with SIGKILL leaves a valid file, and a
 * journal rebuilds the same run (random sessions replay to identical checkpoints; damaged journals are refused
 * with a line number, never a crash).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import xtermPkg from '@xterm/headless';
import type { Terminal as TerminalType } from '@xterm/headless';
import { runDashboard } from '../../src/cli/dashboard.js';
import { machineHooks } from '../../src/cli/hooks.js';
import { prepareReplay, runReplayHeadless } from '../../src/cli/replay.js';
import { stateHash } from '../../src/kernel/index.js';
import { Xoshiro128 } from '../../src/kernel/core/rng.js';
import { AsciicastWriter, parseCast } from '../../src/record/asciicast.js';
import { JournalError, JournalWriter, KERNEL_MODEL, readJournal } from '../../src/record/journal.js';
import { Driver } from '../../src/runtime/driver.js';
import { TraceExporter } from '../../src/trace/export.js';
import { parseScenarioText } from '../../src/sim/config.js';
import { Session, type Command } from '../../src/sim/session.js';
import { cli, tempFile } from '../helpers/cli.js';
import { fakeInput, FakeTty } from '../helpers/screen.js';

const { Terminal } = xtermPkg as unknown as { Terminal: typeof TerminalType };
const ROOT = join(import.meta.dirname, '../..');

const scenario = {
  name: 'record',
  seed: 3,
  machine: { cpus: 2, memory: '1G' },
  tasks: [
    { comm: 'hog', program: [{ run: 'forever' }] },
    { comm: 'pinger', program: [{ loop: [{ run: '500us' }, { sleep: { uniform: ['2ms', '9ms'] } }] }] },
    { comm: 'grower', program: [{ loop: [{ alloc: '4M' }, { sleep: '50ms' }], count: 40 }, { sleep: 'forever' }] },
  ],
};

describe('asciicast writer', () => {
  it('v2: header with size, title, env, theme; absolute event times', () => {
    const f = tempFile('a.cast', '');
    const w = new AsciicastWriter(f, 'v2', { cols: 80, rows: 24, timestamp: 1700000000, title: 'kernsim: x', term: 'xterm-256color', shell: '/bin/sh', theme: { fg: '#d0d0d0', bg: '#000000', palette: Array.from({ length: 16 }, () => '#112233') } });
    w.output(0.1, 'hello');
    w.marker(0.25, 'sysrq t');
    w.resize(0.5, 100, 30);
    w.output(0.75, '\x1b[1mbold\x1b[m');
    w.close(1, 0);
    const lines = readFileSync(f, 'utf8').trim().split('\n');
    const h = JSON.parse(lines[0] as string);
    expect(h).toMatchObject({ version: 2, width: 80, height: 24, timestamp: 1700000000, title: 'kernsim: x', env: { TERM: 'xterm-256color', SHELL: '/bin/sh' } });
    expect(h.theme.palette.split(':')).toHaveLength(16);
    expect(lines.slice(1).map((l) => JSON.parse(l))).toEqual([
      [0.1, 'o', 'hello'],
      [0.25, 'm', 'sysrq t'],
      [0.5, 'r', '100x30'],
      [0.75, 'o', '\x1b[1mbold\x1b[m'],
    ]);
  });

  it('v3: term header, relative intervals, the exit event; parses back to absolute times', () => {
    const f = tempFile('b.cast', '');
    const w = new AsciicastWriter(f, 'v3', { cols: 120, rows: 40, timestamp: 1, title: 't', term: 'xterm' });
    w.output(1, 'a');
    w.output(1.5, 'b');
    w.close(2.25, 0);
    const text = readFileSync(f, 'utf8');
    const lines = text.trim().split('\n');
    expect(JSON.parse(lines[0] as string)).toMatchObject({ version: 3, term: { cols: 120, rows: 40, type: 'xterm' } });
    expect(lines.slice(1).map((l) => JSON.parse(l))).toEqual([
      [1, 'o', 'a'],
      [0.5, 'o', 'b'],
      [0.75, 'x', '0'],
    ]);
    expect(parseCast(text).events.map((e) => e.t)).toEqual([1, 1.5, 2.25]);
  });
});

/** Play a cast into a fresh emulator, honouring resizes; the screen at the end. */
async function play(text: string): Promise<string[]> {
  const c = parseCast(text);
  const term = new Terminal({ cols: c.cols, rows: c.rows, allowProposedApi: true });
  for (const e of c.events) {
    if (e.code === 'o') await new Promise<void>((r) => term.write(e.data, r));
    else if (e.code === 'r') {
      const [cols, rows] = e.data.split('x').map(Number) as [number, number];
      term.resize(cols, rows);
    }
  }
  const out: string[] = [];
  for (let y = 0; y < term.rows; y++) out.push(term.buffer.active.getLine(y)?.translateToString(true) ?? '');
  return out;
}

describe('a live session, recorded and journaled', () => {
  it('the cast replays to the screen the person saw; the journal replays without divergence', async () => {
    const cast = tempFile('live.cast', '');
    const journal = tempFile('live.journal', '');
    const scen = tempFile('live-scenario.json', scenario);
    const tty = new FakeTty(100, 30);
    const input = fakeInput();
    const done = runDashboard(
      { scenario: scen, record: cast, journal, exitAfter: '20s', mouse: false, theme: 'default' },
      { stdin: input as unknown as NodeJS.ReadStream, stdout: tty as unknown as NodeJS.WriteStream, stderr: { write: () => undefined }, env: { TERM: 'xterm-256color', LANG: 'C.UTF-8' } },
    );
    await new Promise((r) => setTimeout(r, 400));
    input.write('!');
    input.write('t');
    await new Promise((r) => setTimeout(r, 300));
    input.write(':');
    for (const ch of 'renice -n 7 -p 29') input.write(ch);
    input.write('\r');
    await new Promise((r) => setTimeout(r, 300));
    // Pause, so the screen holds still, and take what the person sees; then quit.
    input.write(' ');
    await new Promise((r) => setTimeout(r, 400));
    await tty.settle();
    const seen = tty.lines();
    expect(seen.join('\n')).toContain('paused');
    input.write('q');
    expect(await done).toBe(0);
    // The recording ends with the terminal restored; compare the last frame the user saw instead.
    const text = readFileSync(cast, 'utf8');
    const c = parseCast(text);
    expect(c.header).toMatchObject({ version: 2, width: 100, height: 30 });
    expect(c.events.filter((e) => e.code === 'm').map((e) => e.data)).toEqual(expect.arrayContaining(['sysrq t', 'sh renice -n 7 -p 29']));
    const lastFrameAt = c.events.findIndex((e) => e.code === 'o' && e.data.includes('\x1b[?1049l'));
    const framesOnly = [text.split('\n')[0], ...text.split('\n').slice(1).filter((l) => l.trim() !== '').slice(0, lastFrameAt)].join('\n');
    const played = await play(framesOnly);
    expect(played).toEqual(seen);
    expect(played.join('\n')).toContain('F10Quit');
    // The journal: header, the two commands, checkpoints, the end record; it replays cleanly.
    const j = readJournal(journal);
    expect(j.header.kernelModel).toBe(KERNEL_MODEL);
    expect(j.commands.map((x) => x.cmd)).toEqual([
      { kind: 'sysrq', key: 't' },
      { kind: 'sh', line: 'renice -n 7 -p 29' },
    ]);
    expect(j.end).not.toBeNull();
    const r = runReplayHeadless(journal, { json: true });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const summary = JSON.parse(r.stdout) as { tasks: { pid: number; nice: number }[]; simTimeNs: number };
    expect(summary.tasks.find((t) => t.pid === 29)?.nice).toBe(7);
    expect(summary.simTimeNs).toBe(j.end?.atNs);
  }, 20_000);

  const SOCK = `kernsim-rec-${process.pid}`;
  afterAll(() => {
    try {
      execFileSync('tmux', ['-L', SOCK, 'kill-server']);
    } catch {
      // not running
    }
  });

  it('a recorder killed with SIGKILL leaves a valid cast up to its last frame', async () => {
    const cast = tempFile('killed.cast', '');
    const pidFile = tempFile('killed.pid', '');
    execFileSync('tmux', ['-L', SOCK, 'new-session', '-d', '-s', 'r', '-x', '100', '-y', '30', `cd ${ROOT} && exec sh -c 'echo $$ > ${pidFile}; TERM=xterm-256color exec node bin/kernsim.mjs --scenario demo/nice-levels.json --record ${cast}'`]);
    const end = Date.now() + 15_000;
    while (Date.now() < end && (!existsSync(cast) || readFileSync(cast, 'utf8').split('\n').length < 15)) await new Promise((r) => setTimeout(r, 100));
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const text = readFileSync(cast, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trim().split('\n');
    expect(JSON.parse(lines[0] as string)).toMatchObject({ version: 2, width: 100, height: 30 });
    for (const l of lines.slice(1)) {
      const e = JSON.parse(l) as unknown[];
      expect(e).toHaveLength(3);
      expect(typeof e[0]).toBe('number');
    }
    expect(lines.length).toBeGreaterThan(10);
  }, 30_000);
});

describe('journals replay exactly (property)', () => {
  const COMMANDS = ['renice -n 5 -p 29', 'renice -n -3 -p 30', 'kill -STOP 29', 'kill -CONT 29', 'taskset -pc 1 29', 'chrt -f -p 10 30', 'echo 1 > /proc/sys/vm/overcommit_memory', 'spawn cpu-hog', 'spawn interactive', 'sysctl -w vm.swappiness=5', 'echo full > /sys/kernel/debug/sched/preempt', 'echo NO_RUN_TO_PARITY > /sys/kernel/debug/sched/features', 'echo 3000000 > /sys/kernel/debug/sched/base_slice_ns', 'vmstat 1', 'mpstat -P ALL 1 3', 'for n in 2 4 6; do renice -n $n -p 30; sleep 0.3; done', 'sleep 0.7; kill -STOP 29; sleep 0.2; kill -CONT 29'];
  it.each([1, 2, 3, 4, 5])('seed %i: a session with random commands, journaled, replays to the same checkpoints and state', (seed) => {
    const file = tempFile(`prop-${seed}.journal`, '');
    const loaded = parseScenarioText('prop.json', JSON.stringify(scenario));
    const live = new Session(loaded, { seed, ...machineHooks() });
    const w = new JournalWriter(file, { kernsim: 'test', seed, checkpointNs: 100_000_000, scenario: { file: 'prop.json', text: loaded.text } });
    const d = new Driver(live, { checkpointNs: 100_000_000, onCommand: (p, c) => w.command(p, c), onCheckpoint: (p, h) => (w.checkpoint(p, h), true) });
    const rng = new Xoshiro128(seed);
    for (let i = 0; i < 30; i++) {
      // Run a random stretch, sometimes cut by an event budget (as a lagging frame is), then maybe a command.
      // Or exactly to a checkpoint boundary: a command there comes after the checkpoint, in both runs.
      const r = rng.intBelow(5);
      if (r === 0) d.advance(live.k.now + rng.intBelow(30_000_000), 1 + rng.intBelow(50));
      else if (r === 1) d.advance((Math.floor(live.k.now / 100_000_000) + 1) * 100_000_000);
      else d.advance(live.k.now + rng.intBelow(40_000_000));
      if (rng.intBelow(3) === 0) {
        const line = COMMANDS[rng.intBelow(COMMANDS.length)] as string;
        const r2 = rng.intBelow(6);
        // Interval commands report on as the machine runs; Ctrl-C (jobstop) ends one: both replay.
        const cmd: Command = r2 === 0 ? { kind: 'sysrq', key: i % 7 === 6 ? 'b' : 'm' } : r2 === 1 ? { kind: 'jobstop', job: 1 + rng.intBelow(3) } : { kind: 'sh', line };
        d.submit(cmd);
      }
    }
    d.advance(live.k.now + 2_500_000_000);
    w.close(d.position());
    const j = readJournal(file);
    expect(j.checkpoints.length).toBeGreaterThan(3);
    const { session, hooks, divergence } = prepareReplay(j);
    const rd = new Driver(session, hooks);
    rd.advance(j.end?.atNs ?? 0);
    expect(divergence()).toBeNull();
    expect(rd.stopped).toBe(false);
    expect(session.k.engine.processed).toBe(live.k.engine.processed);
    expect(stateHash(session.k)).toBe(stateHash(live.k));
    // And what the commands printed, interval reports and all.
    expect(session.actions.map((a) => [a.action, a.output])).toEqual(live.actions.map((a) => [a.action, a.output]));
  });
});

it('a journal replays to the traces the live session would have written (replay --headless --trace)', () => {
  const file = tempFile('traced.journal', '');
  const loaded = parseScenarioText('traced.json', JSON.stringify(scenario));
  const live = new Session(loaded, { seed: 3, ...machineHooks() });
  const liveTxt = tempFile('live.txt', '');
  const liveJson = tempFile('live.json', '');
  const exporter = new TraceExporter({ ftrace: liveTxt, json: liveJson });
  exporter.attach(live.k);
  live.onReboot = (k) => exporter.attach(k);
  const w = new JournalWriter(file, { kernsim: 'test', seed: 3, checkpointNs: 100_000_000, scenario: { file: 'traced.json', text: loaded.text } });
  const d = new Driver(live, { checkpointNs: 100_000_000, onCommand: (p, c) => w.command(p, c), onCheckpoint: (p, h) => (w.checkpoint(p, h), true) });
  d.advance(150_000_000);
  d.submit({ kind: 'sh', line: 'renice -n 7 -p 29' });
  d.advance(300_000_000);
  // SysRq b: the trace goes on into the next boot, its times offset by the first boot's length.
  d.submit({ kind: 'sysrq', key: 'b' });
  d.advance(live.k.now + 200_000_000);
  w.close(d.position());
  exporter.close();
  const outTxt = tempFile('replayed.txt', '');
  const outJson = tempFile('replayed.json', '');
  const r = runReplayHeadless(file, { trace: [outTxt, outJson] });
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  const txt = readFileSync(outTxt, 'utf8');
  expect(txt.split('\n').length).toBeGreaterThan(100);
  expect(txt).toContain('sched_switch');
  expect(txt).toBe(readFileSync(liveTxt, 'utf8'));
  expect(readFileSync(outJson, 'utf8')).toBe(readFileSync(liveJson, 'utf8'));
  expect(() => JSON.parse(readFileSync(outJson, 'utf8'))).not.toThrow();
});

it('replay --trace: a bad file name is a one-line usage error; without --headless it is refused', () => {
  const journal = tempFile('t.journal', '');
  expect(cli('replay', '--headless', '--trace', 'out.csv', journal)).toEqual({ stdout: '', code: 2, stderr: 'kernsim: --trace out.csv: expected FILE.json (Perfetto) or FILE.txt (ftrace text)\n' });
  expect(cli('replay', '--trace', 'out.txt', journal)).toEqual({ stdout: '', code: 2, stderr: 'kernsim: --trace needs --headless (in the dashboard, R starts and stops a capture)\n' });
});

it('the state hash covers the scheduler tunables: a knob write alone changes it', () => {
  const s = new Session(parseScenarioText('h.json', JSON.stringify(scenario)), { ...machineHooks() });
  const before = stateHash(s.k);
  expect(s.k.proc.write('/sys/kernel/debug/sched/features', 'NO_PLACE_LAG')).toBeNull();
  const after = stateHash(s.k);
  expect(after).not.toBe(before);
  expect(s.k.proc.write('/sys/kernel/debug/sched/preempt', 'none')).toBeNull();
  expect(stateHash(s.k)).not.toBe(after);
});

describe('damaged journals', () => {
  const good = (): string => {
    const file = tempFile('good.journal', '');
    const loaded = parseScenarioText('good.json', JSON.stringify(scenario));
    const s = new Session(loaded, { ...machineHooks() });
    const w = new JournalWriter(file, { kernsim: 'test', seed: 3, checkpointNs: 50_000_000, scenario: { file: 'good.json', text: loaded.text } });
    const d = new Driver(s, { checkpointNs: 50_000_000, onCommand: (p, c) => w.command(p, c), onCheckpoint: (p, h) => (w.checkpoint(p, h), true) });
    d.advance(120_000_000);
    d.submit({ kind: 'sh', line: 'renice -n 4 -p 29' });
    d.advance(300_000_000);
    w.close(d.position());
    return readFileSync(file, 'utf8');
  };

  it.each([
    ['not JSON', 'hello\n', /line 1: invalid JSON|line 1: truncated/],
    ['another format', '{"format":"x"}\n', /line 1: not a kernsim journal/],
    ['a future version', '{"format":"kernsim-journal","version":9}\n', /line 1: journal format version 9 is not supported/],
  ])('%s', (_name, text, re) => {
    const f = tempFile('bad.journal', text);
    expect(() => readJournal(f)).toThrow(re);
  });

  it('an edited command line and an out-of-order line name their line', () => {
    const lines = good().trim().split('\n');
    const cmdAt = lines.findIndex((l) => l.includes('"cmd"'));
    const edited = [...lines];
    edited[cmdAt] = (edited[cmdAt] as string).replace('"kind":"sh"', '"kind":"dance"');
    expect(() => readJournal(tempFile('edited.journal', `${edited.join('\n')}\n`))).toThrow(new RegExp(`line ${cmdAt + 1}: `));
    const swapped = [...lines];
    [swapped[2], swapped[3]] = [swapped[3] as string, swapped[2] as string];
    expect(() => readJournal(tempFile('swapped.journal', `${swapped.join('\n')}\n`))).toThrow(/line 4: out of order/);
  });

  it('fuzz: truncated and byte-flipped journals are refused or replayed, never crash', () => {
    const text = good();
    const rng = new Xoshiro128(99);
    for (let i = 0; i < 60; i++) {
      let t = text;
      if (i % 2 === 0) t = t.slice(0, rng.intBelow(t.length));
      else {
        const at = rng.intBelow(t.length);
        t = t.slice(0, at) + String.fromCharCode(32 + rng.intBelow(90)) + t.slice(at + 1);
      }
      const f = tempFile(`fuzz-${i}.journal`, t);
      try {
        const r = runReplayHeadless(f, {});
        expect([0, 1]).toContain(r.exitCode);
        if (r.exitCode === 1) expect(r.stderr).toMatch(/^kernsim: .+\n$/);
      } catch (e) {
        // A damaged line, or a damaged scenario inside the header: one line naming the file either way.
        expect(e instanceof JournalError || (e as Error).name === 'InputError').toBe(true);
        expect((e as Error).message).toMatch(/^\/.+: (line \d+: )?.+/);
        expect((e as Error).message).not.toContain('\n');
      }
    }
  });

  it('a checkpoint that does not match stops the replay and says where', () => {
    const text = good().replace(/"hash":"([0-9a-f]{15})[0-9a-f]"/, '"hash":"$10"');
    const f = tempFile('diverged.journal', text);
    writeFileSync(f, text);
    const r = runReplayHeadless(f, {});
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/line \d+: the replay diverged from the recording at 0\.050 s \(boot 1, event \d+\): state hash [0-9a-f]{16} where the recording has [0-9a-f]{16}; the runs parted between the start and 0\.050 s/);
  });
});
