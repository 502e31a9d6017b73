/**
 * Driving the machine from the keyboard, through the real key parser: SysRq chords (both prefixes, the mask,
 * cancel), the ':' command line (output, errors, history, pager), task actions (renice, kill, search, filter,
 * tree, sort), pacing (pause, speed, single step), screens, help generated from the keymap.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Xoshiro128 } from '../../src/kernel/core/rng.js';
import { MONO_THEME } from '../../src/config/theme-spec.js';
import { Canvas } from '../../src/ui/canvas.js';
import { DEFAULT_BINDINGS, Keymap, keyLabel } from '../../src/ui/keymap.js';
import { JOB_PAGER_LINES, JobPager } from '../../src/ui/overlays.js';
import { Palette } from '../../src/ui/palette.js';
import { KEYS, startDashboard, type Dash } from '../helpers/dashboard.js';

let dash: Dash | null = null;
afterEach(() => {
  dash?.close();
  dash = null;
});

const small = {
  name: 'keys',
  seed: 1,
  machine: { cpus: 2, memory: '1G' },
  tasks: [
    { comm: 'hog', count: 2, program: [{ run: 'forever' }] },
    { comm: 'sleeper', program: [{ loop: [{ run: '1ms' }, { sleep: '20ms' }] }] },
  ],
};

async function dmesgTexts(d: Dash): Promise<string[]> {
  return d.session.k.printkRing.all().map((r) => r.text);
}

describe('magic SysRq from the keyboard', () => {
  it('! then t runs show-task-states; the footer asks for the key meanwhile', async () => {
    dash = await startDashboard({ scenario: small, cols: 120, rows: 40 });
    await dash.advance(500);
    await dash.press('!');
    expect(dash.tty.lines()[39]).toContain('SysRq: press a command key (h for help, Esc cancels)');
    await dash.press('t');
    await dash.advance(200);
    const log = await dmesgTexts(dash);
    expect(log).toContain('sysrq: Show State');
    expect(log.some((l) => /^task:hog +state:R/.test(l))).toBe(true);
    expect(dash.tty.lines()[39]).toContain('sysrq: Show State');
  });

  it('SysRq t on a 64-CPU machine outgrows the printk ring: the footer says its start was overwritten', async () => {
    const tasks = [{ comm: 'hog', count: 64, program: [{ run: 'forever' }] }];
    dash = await startDashboard({ scenario: { name: 'big', seed: 1, machine: { cpus: 64, memory: '8G' }, tasks }, cols: 120, rows: 40 });
    await dash.advance(500);
    await dash.press('!', 't');
    await dash.advance(200);
    // The ring (128 KiB) kept the end of the dump (the runqueues of sched_debug), as dmesg would; the task list
    // and "sysrq: Show State" before it were overwritten.
    const log = await dmesgTexts(dash);
    expect(log).not.toContain('sysrq: Show State');
    expect(log).toContain('cpu#63, 2400.000 MHz');
    expect(dash.tty.lines()[39]).toContain('sysrq t: more output than the printk ring holds; its start was overwritten');
  });

  it('Alt-s is the other prefix; h prints the kernel help line', async () => {
    dash = await startDashboard({ scenario: small });
    await dash.advance(200);
    await dash.press(KEYS.altS, 'h');
    await dash.advance(200);
    expect((await dmesgTexts(dash)).some((l) => l.startsWith('sysrq: HELP : loglevel(0-9) reboot(b) crash(c)'))).toBe(true);
  });

  it('the keyboard path honours kernel.sysrq; Esc cancels a chord', async () => {
    dash = await startDashboard({ scenario: { ...small, sysctl: { 'kernel.sysrq': 0 } } });
    await dash.advance(200);
    await dash.press('!', KEYS.escape);
    await dash.advance(200);
    expect(dash.tty.lines()[39]).toContain('SysRq cancelled');
    await dash.press('!', 'm');
    await dash.advance(200);
    const log = await dmesgTexts(dash);
    expect(log).toContain('sysrq: This sysrq operation is disabled.');
    expect(log).not.toContain('sysrq: Show Memory');
  });

  it('the chord works over a pager: dmesg -W open, ! m, and show-mem arrives in it', async () => {
    dash = await startDashboard({ scenario: small, cols: 120, rows: 40 });
    await dash.advance(200);
    await dash.press(':', ...'dmesg -W', KEYS.enter);
    await dash.advance(300);
    expect(dash.text()).toContain('$ dmesg -W');
    await dash.press('!');
    expect(dash.tty.lines()[39]).toContain('SysRq: press a command key');
    await dash.press('m');
    await dash.advance(400);
    // The pager is still open (the keys went to SysRq, not to it) and shows the new records.
    expect(dash.text()).toContain('$ dmesg -W');
    expect(dash.text()).toMatch(/\[ +\d+\.\d{6}\] sysrq: Show Memory/);
  });

  it('L wraps the log panes\' long lines under the message column; again, cuts them', async () => {
    dash = await startDashboard({ scenario: small, cols: 80, rows: 24 });
    await dash.advance(200);
    await dash.press('4', '!', 'm');
    await dash.advance(300);
    // The newest record that does not fit the pane's 78 columns after its 15-column timestamp.
    const long = (await dmesgTexts(dash)).filter((t) => t.length > 63).at(-1) as string;
    const tail = long.slice(-12);
    expect(dash.text()).not.toContain(tail);
    await dash.press('L');
    expect(dash.text()).toContain('dmesg (whole ring) wrap');
    // The record's end is on screen, on a row that starts 15 columns in (under the text, past the timestamp).
    const row = dash.tty.lines().find((l) => l.includes(tail));
    expect(row).toMatch(/^│ {15}\S/);
    await dash.press('L');
    expect(dash.text()).not.toContain('wrap');
    expect(dash.text()).not.toContain(tail);
  });

  it('SysRq c shows the panic screen and stops virtual time; q quits from it', async () => {
    dash = await startDashboard({ scenario: small });
    await dash.advance(300);
    await dash.press('!', 'c');
    await dash.advance(300);
    expect(dash.text()).toContain('The simulated kernel panicked');
    expect(dash.text()).toContain('Kernel panic - not syncing: sysrq triggered crash');
    expect(dash.text()).toMatch(/Esc close  q quit  arrows\/PgUp\/PgDn scroll/);
    const t = dash.session.k.now;
    await dash.advance(1000);
    expect(dash.session.k.now).toBe(t);
    await dash.press('q');
    expect(dash.exits).toEqual(['panic']);
  });

  it('SysRq o powers off and asks the program to end', async () => {
    dash = await startDashboard({ scenario: small });
    await dash.advance(200);
    await dash.press('!', 'o');
    await dash.advance(200);
    expect(dash.exits).toContain('poweroff');
  });
});

describe('the command line', () => {
  it('Tab completes a path or a command; when the word is ambiguous the choices follow the prompt', async () => {
    dash = await startDashboard({ scenario: small });
    await dash.advance(200);
    await dash.press(':', ...'cat /proc/memi', KEYS.tab);
    expect(dash.tty.lines()[39]).toMatch(/^:cat \/proc\/meminfo +$/);
    await dash.press(KEYS.enter);
    await dash.advance(200);
    expect(dash.text()).toContain('MemTotal:');
    await dash.press(KEYS.escape, ':', ...'cat /proc/sys/vm/overcommit_', KEYS.tab);
    expect(dash.tty.lines()[39]).toMatch(/^:cat \/proc\/sys\/vm\/overcommit_ {3}overcommit_kbytes {2}overcommit_memory {2}overcommit_ratio *$/);
    // The next key clears the choices; m then Tab completes the one left.
    await dash.press('m', KEYS.tab);
    expect(dash.tty.lines()[39]).toMatch(/^:cat \/proc\/sys\/vm\/overcommit_memory +$/);
  });

  it('after cd the prompt shows the working directory at its right, and Tab completes from there', async () => {
    dash = await startDashboard({ scenario: small });
    await dash.advance(200);
    await dash.press(':', ...'cd /proc/sys/vm', KEYS.enter);
    await dash.advance(100);
    await dash.press(':', ...'cat swapp', KEYS.tab);
    expect(dash.tty.lines()[39]).toMatch(/^:cat swappiness +\/proc\/sys\/vm$/);
    await dash.press(KEYS.enter);
    await dash.advance(100);
    expect(dash.tty.lines()[39]).toMatch(/^60\b/);
    // Back at /, nothing at the right.
    await dash.press(':', ...'cd /', KEYS.enter);
    await dash.advance(100);
    await dash.press(':');
    expect(dash.tty.lines()[39]).toMatch(/^: *$/);
  });

  it('runs a command; a one-line result shows in the footer', async () => {
    dash = await startDashboard({ scenario: small });
    await dash.advance(200);
    await dash.press(':', ...'echo 1 > /proc/sys/vm/overcommit_memory', KEYS.enter);
    await dash.advance(200);
    expect(dash.session.k.sysctl.overcommitMemory).toBe(1);
    await dash.press(':', ...'cat /proc/sys/vm/overcommit_memory', KEYS.enter);
    await dash.advance(200);
    expect(dash.tty.lines()[39]).toBe('1');
    // One line wider than the screen (the feature list) opens the pager, which scrolls sideways.
    await dash.press(':', ...'cat /sys/kernel/debug/sched/features', KEYS.enter);
    await dash.advance(200);
    expect(dash.text()).toContain('$ cat /sys/kernel/debug/sched/features');
    expect(dash.text()).not.toContain('NO_LATENCY_WARN');
    await dash.press(...Array<string>(12).fill(KEYS.right));
    expect(dash.text()).toContain('NO_LATENCY_WARN');
  });

  it('errors read like the real ones', async () => {
    dash = await startDashboard({ scenario: small });
    await dash.advance(200);
    await dash.press(':', ...'echo 7 > /proc/sys/vm/overcommit_memory', KEYS.enter);
    await dash.advance(200);
    expect(dash.tty.lines()[39]).toContain('bash: echo: write error: Invalid argument');
    await dash.press(':', ...'frobnicate', KEYS.enter);
    await dash.advance(200);
    expect(dash.tty.lines()[39]).toContain('bash: frobnicate: command not found');
  });

  it('longer output opens the pager; up recalls history; editing keys work', async () => {
    dash = await startDashboard({ scenario: small });
    await dash.advance(200);
    await dash.press(':', ...'cat /proc/meminfo', KEYS.enter);
    await dash.advance(200);
    expect(dash.text()).toContain('$ cat /proc/meminfo');
    expect(dash.text()).toMatch(/MemTotal: +\d+ kB/);
    await dash.press('q');
    expect(dash.text()).not.toContain('$ cat /proc/meminfo');
    await dash.press(':', KEYS.up);
    expect(dash.tty.lines()[39]).toContain(':cat /proc/meminfo');
    await dash.press('\x15', ...'uname -r', KEYS.enter);
    await dash.advance(200);
    expect(dash.tty.lines()[39]).toContain('6.17.0-kernsim');
  });

  it('a pager wider than the screen pans with left/right and says where it is', async () => {
    const d = await startDashboard({ scenario: small });
    dash = d;
    await d.press(':', ...'perf sched record', KEYS.enter);
    await d.advance(1000);
    await d.press(':', ...'perf sched latency', KEYS.enter);
    await d.advance(200);
    const footer = (): string => d.tty.lines().find((l) => l.includes('q/Esc close')) ?? '';
    expect(footer()).toMatch(/left\/right pan, columns 1-(\d+) of 141/);
    const width = Number(/columns 1-(\d+)/.exec(footer())?.[1]);
    expect(d.text()).not.toContain('max end:');
    // Right until the end of the widest line: its last columns come into view, and no further.
    for (let i = 0; i < 5; i++) await d.press(KEYS.right);
    expect(footer()).toContain(`columns ${141 - width + 1}-141 of 141`);
    expect(d.text()).toContain('max end:');
    await d.press(KEYS.left);
    expect(footer()).toContain(`columns ${141 - width + 1 - 20}-${141 - 20} of 141`);
  });
});

describe('interval commands', () => {
  it('a job pager keeps the last lines as a scrollback does, and a view at the end follows them', () => {
    const stops: number[] = [];
    const p = new JobPager('$ vmstat 1', [{ text: 'head' }], 7, () => stops.push(7));
    for (let i = 0; i < JOB_PAGER_LINES + 1000; i++) p.append(`line ${i}\n`, false);
    const s = new Canvas(80, 20);
    p.draw(s, new Palette(MONO_THEME, 'mono', null));
    const rows = Array.from({ length: 20 }, (_, y) => s.row(y).trimEnd());
    expect(rows[18]).toBe(`line ${JOB_PAGER_LINES + 999}`);
    expect(rows[19]).toMatch(new RegExp(`^Ctrl-C stop  q/Esc close .* ${JOB_PAGER_LINES - 18}-${JOB_PAGER_LINES} of ${JOB_PAGER_LINES}`));
    expect(p.onKey('C-c')).toBe('handled');
    expect(stops).toEqual([7]);
    p.append('', true);
    expect(p.onKey('q')).toBe('close');
    expect(stops).toEqual([7]);
  });

  it('the pager grows as the command reports; Ctrl-C stops it (mpstat prints its averages); q closes it', async () => {
    const d = await startDashboard({ scenario: small });
    dash = d;
    await d.advance(200);
    await d.press(':', ...'mpstat 1', KEYS.enter);
    await d.advance(200);
    const rows = (): number => (d.text().match(/\d\d:\d\d:\d\d +all( +\d+\.\d\d){10}/g) ?? []).length;
    expect(d.text()).toContain('$ mpstat 1');
    expect(d.text()).toContain('Ctrl-C stop  q/Esc close');
    expect(rows()).toBe(0);
    // x1: two seconds of wall time are two of virtual time, two reports.
    await d.advance(2000);
    expect(rows()).toBe(2);
    await d.press(KEYS.ctrlC);
    await d.advance(200);
    expect(d.text()).toContain('$ mpstat 1 (done)');
    expect(d.text()).toMatch(/Average: +all( +\d+\.\d\d){10}/);
    expect(d.text()).not.toContain('Ctrl-C stop');
    await d.advance(1500);
    expect(rows()).toBe(2);
    await d.press('q');
    expect(d.text()).not.toContain('$ mpstat 1');
    // Closing one that still runs stops it as well; the machine is still there to command.
    await d.press(':', ...'vmstat 1', KEYS.enter);
    await d.advance(1200);
    expect(d.text()).toMatch(/ r +b +swpd +free/);
    expect(d.session.runningJobs).toHaveLength(1);
    await d.press('q');
    await d.advance(200);
    expect(d.session.runningJobs).toEqual([]);
    expect(d.text()).not.toContain('$ vmstat 1');
    // watch: each screen replaces the last.
    await d.press(':', ...'watch -n 1 cat /proc/uptime', KEYS.enter);
    await d.advance(200);
    const screens = (): string[] => d.text().match(/Every 1\.0s: cat \/proc\/uptime +kernsim: Thu Jan  1 \d\d:\d\d:\d\d 2026/g) ?? [];
    const shown = (): string => /│(\d+\.\d\d) \d+\.\d\d/.exec(d.text())?.[1] ?? '';
    expect(screens()).toHaveLength(1);
    const first = Number(shown());
    await d.advance(2000);
    expect(screens()).toHaveLength(1);
    expect(Number(shown())).toBeCloseTo(first + 2, 1);
    await d.press(KEYS.escape);
    await d.advance(200);
    expect(d.session.runningJobs).toEqual([]);
    // A command that prints only when it ends says it is at work meanwhile.
    await d.press(':', ...'perf sched record -- sleep 1', KEYS.enter);
    await d.advance(200);
    expect(d.text()).toContain('(running: no output yet)');
    await d.advance(1000);
    expect(d.text()).not.toContain('(running: no output yet)');
    expect(d.text()).toMatch(/\[ perf sched record: [\d.]+ to [\d.]+ s, \d+ switches; see perf sched latency, map, timehist \]/);
    expect(d.text()).toContain('$ perf sched record -- sleep 1 (done)');
    await d.press('q');
    expect(d.exits).toEqual([]);
  });
});

describe('interval commands from the keyboard (property)', () => {
  const LINES = ['vmstat 1', 'mpstat -P ALL 1 3', 'pidstat -w 1', 'sar -q 1 2', 'watch -n 0.5 cat /proc/loadavg', 'free -s 1 -c 2', 'perf sched record -- sleep 1', 'vmstat 1 | tail -1', 'watch', 'pidstat 0 2', 'top -d 0.5', 'top -b -n 2 -d 1', 'ps -eo psr= | sort -n | uniq -c'];
  const MOVES = ['command', 'command', KEYS.ctrlC, 'q', KEYS.escape, 'wait', 'wait', 'resize', ' ', KEYS.pagedown, KEYS.end, KEYS.up];
  it.each([1, 2, 3])('seed %i: commands, Ctrl-C, closing, waiting and resizing in any order: no error, and no command left running once its pager is gone', async (seed) => {
    const d = await startDashboard({ scenario: small, cols: 100, rows: 30 });
    dash = d;
    await d.advance(200);
    const rng = new Xoshiro128(seed);
    for (let i = 0; i < 80; i++) {
      const m = MOVES[rng.intBelow(MOVES.length)] as string;
      if (m === 'command') await d.press(':', ...(LINES[rng.intBelow(LINES.length)] as string), KEYS.enter);
      else if (m === 'wait') await d.advance(100 + rng.intBelow(1500));
      else if (m === 'resize') await d.resize(60 + rng.intBelow(60), 18 + rng.intBelow(20));
      else await d.press(m);
    }
    await d.advance(300);
    // (q on the main screen asks to quit, a valid outcome here: the harness goes on.)
    expect(d.text()).not.toContain('internal UI error');
    // Close whatever is open: every command either ended or was interrupted with its pager.
    for (let i = 0; i < 3; i++) await d.press(KEYS.escape);
    await d.advance(300);
    expect(d.session.runningJobs).toEqual([]);
    const n = d.app.frames;
    await d.advance(500);
    expect(d.app.frames).toBeGreaterThan(n);
  });
});

describe('task actions', () => {
  it('search selects, F7/F8 renice the selected task, F9 sends the chosen signal', async () => {
    dash = await startDashboard({ scenario: small });
    await dash.advance(500);
    await dash.press('/', ...'sleeper', KEYS.enter);
    const pid = dash.app.ui.selectedPid as number;
    expect(dash.app.ui.task(pid)?.comm).toBe('sleeper');
    await dash.press(KEYS.f8, KEYS.f8);
    await dash.advance(300);
    expect(dash.session.k.tasks.get(pid)?.nice).toBe(2);
    await dash.press(KEYS.f7);
    await dash.advance(300);
    expect(dash.session.k.tasks.get(pid)?.nice).toBe(1);
    await dash.press(KEYS.f9);
    expect(dash.text()).toContain(`Send signal to ${pid} sleeper`);
    await dash.press(KEYS.down, KEYS.enter);
    await dash.advance(300);
    expect(dash.session.k.tasks.get(pid)?.exitState ?? 'reaped').not.toBe(0);
  });

  it('filter shows only matching tasks; tree view indents children', async () => {
    dash = await startDashboard({ scenario: small });
    await dash.advance(300);
    await dash.press('\\', ...'hog', KEYS.enter);
    expect(dash.app.tasks.rows.map((r) => r.t.comm)).toEqual(['hog', 'hog']);
    expect(dash.text()).toContain('filter "hog"');
    await dash.press('\\', KEYS.escape);
    expect(dash.app.tasks.rows.length).toBeGreaterThan(10);
    await dash.press(KEYS.f5);
    expect(dash.text()).toMatch(/[├└]─ (kworker|ksoftirqd|migration)/);
  });

  it('sorting: > changes the column, I inverts, F6 opens the menu', async () => {
    dash = await startDashboard({ scenario: small });
    await dash.advance(300);
    expect(dash.app.tasks.sortKey).toBe('pcpu');
    await dash.press('>');
    expect(dash.app.tasks.sortKey).toBe('time');
    await dash.press('<', '<');
    expect(dash.app.tasks.sortKey).toBe('cpu');
    await dash.press(KEYS.f6);
    expect(dash.text()).toContain('Sort tasks by');
    await dash.press(KEYS.home, KEYS.enter);
    expect(dash.app.tasks.sortKey).toBe('pid');
  });
});

describe('pacing', () => {
  it('paused with less history than two columns, the auto zoom spreads the history over the timeline', async () => {
    dash = await startDashboard({ scenario: small, cols: 120, rows: 40 });
    await dash.advance(100);
    await dash.press(' ');
    await dash.advance(200);
    const t = dash.session.k.now;
    expect(t).toBeLessThan(200_000_000);
    const lines = dash.tty.lines();
    const title = lines.find((l) => l.includes('Timeline')) ?? '';
    // About 0.1 s over ~116 columns: 1 ms per column, not the live 100 ms (which would show one column or none).
    expect(title).toContain('1.00ms/col auto');
    const lane0 = lines.find((l) => /^\S\s+0 /.test(l)) ?? '';
    expect(lane0.replace(/[^A-Za-z]/g, '').length).toBeGreaterThan(50);
    // Running again, the zoom is the live one.
    await dash.press(' ');
    await dash.advance(300);
    expect(dash.tty.lines().find((l) => l.includes('Timeline'))).toContain('100.0ms/col auto');
  });

  it('space pauses virtual time; + and - change the speed; . steps one event', async () => {
    dash = await startDashboard({ scenario: small });
    await dash.advance(1000);
    const t1 = dash.session.k.now;
    expect(t1).toBe(1_000_000_000);
    await dash.press(' ');
    await dash.advance(1000);
    const t2 = dash.session.k.now;
    expect(t2 - t1).toBeLessThan(30_000_000);
    expect(dash.tty.lines()[0]).toContain('paused');
    const events = dash.session.k.engine.processed;
    await dash.press('.');
    // The step is taken at the runner's next simulation step (one per frame at 10 fps).
    await dash.advance(100);
    expect(dash.session.k.engine.processed).toBe(events + 1);
    await dash.press(' ', '+');
    await dash.advance(1000);
    expect(dash.runner.pacer.speed).toBe(2);
    expect(dash.tty.lines()[0]).toContain('x2');
    await dash.press('-', '-');
    await dash.advance(100);
    expect(dash.runner.pacer.speed).toBe(0.5);
  });
});

describe('keymap and help', () => {
  it('help lists every binding from the table itself', async () => {
    dash = await startDashboard({ scenario: small, rows: 60 });
    await dash.advance(100);
    await dash.press(KEYS.f1);
    const text = dash.text();
    expect(text).toContain('Help');
    let found = 0;
    for (const b of DEFAULT_BINDINGS.slice(0, 20)) if (text.includes(b.help.slice(0, 40))) found++;
    expect(found).toBeGreaterThanOrEqual(18);
    await dash.press(KEYS.escape);
    expect(dash.text()).not.toContain('this help');
  });

  it('at 80x24 the help\'s closing notes wrap at word boundaries instead of being cut', async () => {
    dash = await startDashboard({ scenario: small, cols: 80, rows: 24 });
    await dash.advance(100);
    await dash.press(KEYS.f1);
    await dash.press(KEYS.end);
    const text = dash.text();
    expect(text).toMatch(/zoom in with z\./);
    expect(text).toMatch(/\(Ctrl-O turns it off\)\./);
    const boxed = dash.tty.lines().filter((l) => /^.?│.*│.?$/.test(l));
    expect(boxed.some((l) => /\w~│/.test(l))).toBe(false);
  });

  it('config overrides rebind actions', async () => {
    const km = new Keymap({ quit: ['C-q'] });
    expect(km.resolve('C-q')).toBe('quit');
    expect(km.resolve('q')).toBeUndefined();
    expect(km.resolve('f1')).toBe('help');
    expect(keyLabel('M-s')).toBe('Alt-s');
    dash = await startDashboard({ scenario: small, keymap: { quit: ['x'] } });
    await dash.press('q');
    expect(dash.exits).toEqual([]);
    await dash.press('x');
    expect(dash.exits).toEqual(['quit']);
  });

  it('upper-case bindings work (blessed calls them S-x): K hides kernel threads, T changes the theme', async () => {
    dash = await startDashboard({ scenario: small });
    await dash.advance(300);
    const before = dash.app.tasks.rows.length;
    await dash.press('K');
    expect(dash.app.tasks.showKthreads).toBe(false);
    expect(dash.app.tasks.rows.length).toBeLessThan(before);
    await dash.press('T');
    expect(dash.tty.lines()[39]).toMatch(/theme: /);
  });

  it('number keys and Tab switch screens', async () => {
    dash = await startDashboard({ scenario: small });
    await dash.advance(200);
    await dash.press('3');
    expect(dash.text()).toContain('Slab caches');
    await dash.press(KEYS.tab);
    expect(dash.text()).toContain('dmesg (whole ring)');
    await dash.press(KEYS.backtab, KEYS.backtab);
    expect(dash.text()).toContain('cfs_rq cpu');
  });
});
