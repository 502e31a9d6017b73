/**
 * Colours and glyphs as the terminal receives them: 256 colours by default, truecolor with COLORTERM, 16 and
 * mono fallbacks, NO_COLOR, ASCII glyphs; resizing down to "too small" and back; and a property test: random key
 * sequences never crash the dashboard or leave it drawing outside the screen.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_THEME } from '../../src/config/theme-spec.js';
import { rgbTo16, rgbTo256 } from '../../src/ui/color.js';
import { invalidateCellBoxes } from '../../src/ui/cell-box.js';
import { cutMiddle } from '../../src/ui/format.js';
import { detectTerm } from '../../src/ui/terminal.js';
import { SpanRing } from '../../src/ui/widgets/timeline.js';
import { Xoshiro128 } from '../../src/kernel/core/rng.js';
import { KEYS, startDashboard, type Dash } from '../helpers/dashboard.js';

let dash: Dash | null = null;
afterEach(() => {
  dash?.close();
  dash = null;
});

const scenario = { name: 'colours', seed: 1, machine: { cpus: 2, memory: '1G' }, tasks: [{ comm: 'hog', program: [{ run: 'forever' }] }] };

describe('terminal capabilities', () => {
  it.each([
    [{ TERM: 'xterm-256color', LANG: 'en_US.UTF-8' }, 'xterm-256color', '256', true],
    [{ TERM: 'screen-256color', LANG: 'C.UTF-8' }, 'xterm-256color', '256', true],
    [{ TERM: 'tmux-256color', LANG: 'C.UTF-8' }, 'xterm-256color', '256', true],
    [{ TERM: 'xterm', LANG: 'C.UTF-8' }, 'xterm', '16', true],
    [{ TERM: 'screen', LANG: 'C.UTF-8' }, 'screen', '16', true],
    [{ TERM: 'linux', LANG: 'C.UTF-8' }, 'linux', '16', true],
    [{ TERM: 'vt100', LANG: 'C.UTF-8' }, 'vt100', 'mono', false],
    [{ TERM: 'xterm-256color', COLORTERM: 'truecolor', LANG: 'C.UTF-8' }, 'xterm-256color', 'truecolor', true],
    [{ TERM: 'xterm-256color', NO_COLOR: '1', LANG: 'C.UTF-8' }, 'xterm-256color', 'mono', true],
    [{ TERM: 'xterm-256color', LANG: 'C' }, 'xterm-256color', '256', false],
  ])('%o -> %s, %s colours, unicode %s', (env, terminal, depth, unicode) => {
    const c = detectTerm(env);
    expect([c.terminal, c.depth, c.unicode]).toEqual([terminal, depth, unicode]);
  });

  it('--ascii and --color override the environment', () => {
    expect(detectTerm({ TERM: 'xterm-256color', LANG: 'C.UTF-8' }, { ascii: true }).unicode).toBe(false);
    expect(detectTerm({ TERM: 'xterm-256color' }, { color: 'never' }).depth).toBe('mono');
    expect(detectTerm({ TERM: 'xterm' }, { color: 'truecolor' }).depth).toBe('truecolor');
  });

  it('maps RGB to the nearest xterm 256 and 16 colours', () => {
    expect(rgbTo256(0, 0, 0)).toBe(16);
    expect(rgbTo256(255, 255, 255)).toBe(231);
    expect(rgbTo256(0x80, 0x80, 0x80)).toBe(244);
    expect(rgbTo256(255, 0, 0)).toBe(196);
    expect(rgbTo256(0x5f, 0xd7, 0x5f)).toBe(77);
    expect(rgbTo16(255, 0, 0)).toBe(9);
    expect(rgbTo16(0, 0, 0)).toBe(0);
  });
});

describe('the timeline\'s columns', () => {
  it('name the task that ran longest, and say when it held less than half of the slice', () => {
    const col = (spans: [number, number, number][]): { pid: number; prio: number; shared: boolean } => {
      const r = new SpanRing(16);
      for (const [pid, start, end] of spans) r.push(pid, 120, start, end);
      const out = { pid: -1, prio: 0, shared: false };
      r.dominant(0, 100, out);
      return out;
    };
    expect(col([[7, 0, 40], [8, 40, 70], [9, 70, 100]])).toMatchObject({ pid: 7, shared: true });
    expect(col([[7, 0, 60], [8, 60, 100]])).toMatchObject({ pid: 7, shared: false });
    // Exactly half is not less than half; idle counts as time (a task that ran 30 of 100 ns shares with idle).
    expect(col([[7, 0, 50], [8, 50, 100]])).toMatchObject({ pid: 7, shared: false });
    expect(col([[7, 0, 30], [0, 30, 100]])).toMatchObject({ pid: 0, shared: false });
    expect(col([[7, 0, 45], [0, 45, 80], [8, 80, 100]])).toMatchObject({ pid: 7, shared: true });
    // A column only partly recorded (the live one): shares of what was recorded.
    expect(col([[7, 0, 30], [8, 30, 40]])).toMatchObject({ pid: 7, shared: false });
  });
});

describe('what the terminal receives', () => {
  it('256 colours: task cells in the timeline have palette backgrounds, the selected row its colour', async () => {
    dash = await startDashboard({ scenario, theme: DEFAULT_THEME });
    await dash.advance(2000);
    const lines = dash.tty.lines();
    const y = lines.findIndex((l) => /^│ {2}0 /.test(l));
    const x = lines[y]?.search(/[A-Z]/) ?? -1;
    expect(x).toBeGreaterThan(0);
    const cell = dash.tty.cell(x, y);
    expect(cell.bgMode).toBe('palette');
    expect(cell.bg).toBeGreaterThanOrEqual(16);
  });

  it('a slice no task held most of shows its leader as a letter alone, coloured, with no block behind it', async () => {
    // Three equal hogs on one CPU: each holds about a third of every 100 ms column.
    const three = { name: 'shared', seed: 1, machine: { cpus: 1, memory: '1G' }, tasks: [{ comm: 'hog', count: 3, program: [{ run: 'forever' }] }] };
    const d = await startDashboard({ scenario: three, theme: DEFAULT_THEME });
    dash = d;
    await d.advance(3000);
    const lines = d.tty.lines();
    const y = lines.findIndex((l) => /^│ {2}0 /.test(l));
    const xs = [...(lines[y] ?? '')].flatMap((ch, x) => (x > 4 && /[A-Z]/.test(ch) ? [x] : []));
    expect(xs.length).toBeGreaterThan(10);
    // The first columns are the tasks' start, before the three share the CPU; the rest are shared slices.
    const cells = xs.slice(5).map((x) => d.tty.cell(x, y));
    for (const c of cells) {
      expect(c.bgMode).toBe('default');
      expect(c.fgMode).toBe('palette');
    }
    expect(d.text()).toContain('letter alone: led a shared slice (<50%)');
  });

  /** The task letters in the timeline's lanes, and the legend line under its time axis. */
  const laneLettersAndLegend = (lines: string[]): { letters: Set<string>; legend: string } => {
    const top = lines.findIndex((l) => /^│ {2}0 /.test(l));
    const letters = new Set<string>();
    for (let y = top; /^│ +\d+ /.test(lines[y] ?? ''); y++) for (const ch of (lines[y] ?? '').slice(5, -1)) if (/[A-Z]/.test(ch)) letters.add(ch);
    return { letters, legend: lines[lines.findIndex((l, y) => y > top && l.includes('┴')) + 1] ?? '' };
  };

  it('at 80x24 the one legend row names every letter in the lanes, by name alone when pids do not fit', async () => {
    // Eight hogs, one per CPU: "X hogN:PID" eight times is wider than the 78 columns, "X hogN" is not.
    const tasks = Array.from({ length: 8 }, (_, i) => ({ comm: `hog${i}`, program: [{ run: 'forever' }] }));
    const eight = { name: 'legend', seed: 1, machine: { cpus: 8, memory: '1G' }, tasks };
    const d = await startDashboard({ scenario: eight, theme: DEFAULT_THEME, cols: 80, rows: 24 });
    dash = d;
    await d.advance(2000);
    const { letters, legend } = laneLettersAndLegend(d.tty.lines());
    expect(letters.size).toBe(8);
    for (const ch of letters) expect(legend).toMatch(new RegExp(`${ch} >?hog\\d`));
    expect(legend).not.toMatch(/hog\d:/);
  });

  it('at 80x24 names too long for one row lose their middle, so every letter in the lanes is still named', async () => {
    // Six hogs named like the default demo's: "X hog-nice-N:PID" six times needs 94 columns, "X hog-nice-N" 82; cut
    // to 9 characters they fit.
    const nices = [-10, -5, 0, 5, 10, 15];
    const tasks = nices.map((n) => ({ comm: `hog-nice${n}`, nice: n, program: [{ run: 'forever' }] }));
    const d = await startDashboard({ scenario: { name: 'legend', seed: 1, machine: { cpus: 6, memory: '1G' }, tasks }, theme: DEFAULT_THEME, cols: 80, rows: 24 });
    dash = d;
    await d.advance(2000);
    const { letters, legend } = laneLettersAndLegend(d.tty.lines());
    expect(letters.size).toBe(6);
    for (const ch of letters) expect(legend).toMatch(new RegExp(`${ch} >?hog\\S+`));
    // The ends are kept: "hog-nice-10" and "hog-nice10" stay apart.
    expect(legend).toContain('hog~ce-10');
    expect(legend).toContain('hog~ice10');
    expect(cutMiddle('hog-nice-10', 9)).toBe('hog~ce-10');
    expect(cutMiddle('database', 8)).toBe('database');
    expect(cutMiddle('abcdef', 5)).toBe('ab~ef');
    expect(cutMiddle('abcdef', 1)).toBe('a');
  });

  it('truecolor: RGB cells when COLORTERM=truecolor', async () => {
    dash = await startDashboard({ scenario, theme: DEFAULT_THEME, env: { TERM: 'xterm-256color', COLORTERM: 'truecolor', LANG: 'C.UTF-8' } });
    await dash.advance(2000);
    const lines = dash.tty.lines();
    const y = lines.findIndex((l) => /^│ {2}0 /.test(l));
    const x = lines[y]?.search(/[A-Z]/) ?? -1;
    expect(dash.tty.cell(x, y).bgMode).toBe('rgb');
  });

  it('NO_COLOR: no colour anywhere; the selection is inverse video', async () => {
    dash = await startDashboard({ scenario, theme: DEFAULT_THEME, env: { TERM: 'xterm-256color', NO_COLOR: '1', LANG: 'C.UTF-8' } });
    await dash.advance(1000);
    let inverse = 0;
    for (let y = 0; y < 40; y++) {
      for (let x = 0; x < 120; x++) {
        const c = dash.tty.cell(x, y);
        expect(c.fgMode).toBe('default');
        expect(c.bgMode).toBe('default');
        if (c.inverse) inverse++;
      }
    }
    expect(inverse).toBeGreaterThan(40);
  });

  it('ASCII: no character outside ASCII is sent', async () => {
    dash = await startDashboard({ scenario, env: { TERM: 'xterm', LANG: 'C' } });
    await dash.advance(1500);
    const text = dash.text();
    expect(text).toContain('+- Timeline');
    expect(/[^\x20-\x7e\n]/.test(text)).toBe(false);
  });

  it('a steady frame sends little: only what changed', async () => {
    dash = await startDashboard({ scenario: { ...scenario, tasks: [{ comm: 'idle', program: [{ sleep: 'forever' }] }] } });
    await dash.advance(1000);
    await dash.press(' ');
    await dash.advance(200);
    const before = dash.tty.bytes;
    await dash.advance(1000);
    // Paused: ten frames, nothing changes on screen, almost nothing is written.
    expect(dash.tty.bytes - before).toBeLessThan(200);
  });
});

describe('the memory chart (blessed-contrib)', () => {
  it('draws a braille line chart of memory over time on the memory screen', async () => {
    dash = await startDashboard({ theme: DEFAULT_THEME });
    await dash.advance(5000);
    // The chart widget is imported in the background after the first frames.
    await new Promise((r) => setTimeout(r, 300));
    await dash.press('3');
    await dash.advance(200);
    const text = dash.text();
    // The series are named in the title; no legend box covers the newest samples in the top right corner.
    // (The title's head is the longest that fits the pane: 44 columns at 120x40 take the short one.)
    expect(text).toMatch(/(Memory, last 2 min \(MiB\)|Memory MiB, 2 min|MiB): used SRecl cache commit/);
    expect(/[\u2801-\u28ff]/.test(text)).toBe(true);
    expect(text).not.toMatch(/│used +│/);
  });

  it('with no colours the slab table takes the chart\'s place', async () => {
    dash = await startDashboard({ env: { TERM: 'xterm-256color', NO_COLOR: '1', LANG: 'C.UTF-8' } });
    await dash.advance(1000);
    await dash.press('3');
    const row = dash.tty.lines().find((l) => l.includes('Slab caches')) ?? '';
    expect(row.trimEnd().length).toBe(120);
  });
});

describe('resizing', () => {
  it('too small shows a message, and the layout comes back', async () => {
    dash = await startDashboard({ scenario });
    await dash.advance(500);
    await dash.resize(40, 10);
    expect(dash.text()).toContain('terminal too small');
    expect(dash.text()).toContain('need 60x18, have 40x10');
    await dash.resize(80, 24);
    expect(dash.text()).not.toContain('terminal too small');
    expect(dash.tty.lines()[23]).toContain('F10Quit');
    await dash.resize(200, 60);
    expect(dash.tty.lines()[59]).toContain('F10Quit');
    for (const l of dash.tty.lines()) expect(l.length).toBeLessThanOrEqual(200);
  });
});

describe('random keys (property)', () => {
  const KEYPOOL = [...'qwertyuiopasdfghjklzxcvbnm1234567890!@#$%^&*()_+-=[]{};:\'",.<>/?\\|`~ ', ...Object.values(KEYS).filter((k) => k !== KEYS.ctrlC)];
  it.each([1, 2, 3])('seed %i: 300 random keys never crash and never draw outside the screen', async (seed) => {
    dash = await startDashboard({ scenario, cols: 100, rows: 30 });
    await dash.advance(300);
    const rng = new Xoshiro128(seed);
    for (let i = 0; i < 300; i++) {
      const k = KEYPOOL[rng.intBelow(KEYPOOL.length)] as string;
      // Quitting is a valid outcome; keep going to exercise the rest.
      await dash.press(k);
      if (i % 25 === 0) await dash.advance(100);
      if (i % 60 === 0) await dash.resize(60 + rng.intBelow(80), 18 + rng.intBelow(30));
    }
    await dash.advance(300);
    expect(dash.text()).not.toContain('internal UI error');
    for (const l of dash.tty.lines()) expect(l.length).toBeLessThanOrEqual(dash.tty.columns);
    const n = dash.app.frames;
    await dash.advance(500);
    expect(dash.app.frames).toBeGreaterThan(n);
  });

  // The boxes send blessed only the cells that changed since they last drew (cell-box.ts); whatever was drawn over
  // them (overlays, a resize, too small and back) must not survive: the screen buffer is at every moment what a
  // redraw from nothing makes of the same frame.
  it.each([4, 5, 6])('seed %i: after random keys the screen buffer is what a full repaint draws', async (seed) => {
    const pool = KEYPOOL.filter((k) => k !== 'q' && k !== KEYS.f10);
    dash = await startDashboard({ scenario, cols: 100, rows: 30 });
    await dash.advance(300);
    const d = dash;
    const buffer = (): string => ((d.screen as unknown as { lines: [number, string][][] }).lines).map((l) => l.map((c) => `${c[0]}:${c[1]}`).join(',')).join('\n');
    const rng = new Xoshiro128(seed);
    for (let i = 0; i < 240; i++) {
      await d.press(pool[rng.intBelow(pool.length)] as string);
      if (i % 25 === 0) await d.advance(100);
      if (i % 70 === 0) await d.resize(50 + rng.intBelow(90), 14 + rng.intBelow(30));
      if (i % 20 === 19) {
        d.app.render();
        const incremental = buffer();
        d.screen.realloc();
        invalidateCellBoxes();
        d.app.render();
        expect(buffer()).toBe(incremental);
      }
    }
    expect(d.exits).toEqual([]);
  });
});
