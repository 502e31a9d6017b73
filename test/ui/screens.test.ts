/**
 * Every screen at the reference size (120x40) and the small one (80x24), through a real terminal emulator,
 * with the mono theme: golden frames (regenerate with UPDATE_GOLDEN=1 after an intended change), plus the
 * facts each frame must show whatever the golden says.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDashboard, type Dash } from '../helpers/dashboard.js';
import { bigScenario } from '../../bench/workloads.js';
import { fitCount, fmtCount } from '../../src/ui/format.js';
import { LAYOUTS, place } from '../../src/ui/layout.js';
import { DEFAULT_THEME } from '../../src/config/theme-spec.js';

const GOLDEN = join(import.meta.dirname, '../golden/ui');

function golden(name: string, text: string): void {
  const file = join(GOLDEN, `${name}.txt`);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.CI !== undefined && process.env.UPDATE_GOLDEN !== '1') throw new Error(`missing ${file}`);
    writeFileSync(file, `${text}\n`);
  }
  expect(`${text}\n`).toBe(readFileSync(file, 'utf8'));
}

let dash: Dash | null = null;
afterEach(() => {
  dash?.close();
  dash = null;
});

describe.each([
  [120, 40],
  [80, 24],
])('at %ix%i', (cols, rows) => {
  it.each([
    ['1', 'overview'],
    ['2', 'scheduler'],
    ['3', 'memory'],
    ['4', 'log'],
  ])('screen %s (%s) matches its golden frame', async (key, name) => {
    dash = await startDashboard({ cols, rows });
    await dash.advance(6000);
    await dash.press(key);
    const lines = dash.tty.lines();
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(cols);
    // At 80 columns the host name and kernel release make room for the load average.
    const host = cols >= 120 ? ' kernsim \\(6\\.17\\.0-kernsim\\)' : '';
    expect(lines[0]).toMatch(new RegExp(`^ kernsim ${host} {2}EEVDF HZ=250 voluntary {2}▶ x1 {2}up 0:00:06\\.000 {2}load \\d+\\.\\d\\d \\d+\\.\\d\\d \\d+\\.\\d\\d`));
    expect(lines[rows - 1]).toMatch(/^F1Help {2}F2Theme F3Search/);
    const text = dash.text();
    if (name === 'overview' || name === 'scheduler') {
      expect(text).toContain('Timeline 100.0ms/col auto');
      for (let cpu = 0; cpu < 8; cpu++) expect(text).toMatch(new RegExp(`│ {2}${cpu} [A-Za-z0-9+·]`));
    }
    if (name === 'memory') expect(text).toMatch(/OBJS ACTIVE {2}USE OBJ SIZE {2}SLABS OBJ\/SLAB CACHE SIZE NAME/);
    if (name === 'log') expect(text).toMatch(/dmesg \(whole ring\)[\s\S]*console \(level < 7\)/);
    golden(`${name}-${cols}x${rows}`, lines.join('\n'));
  });
});

it('at 80x24 the runqueue pane shows which way the CPUs that do not fit are, and follows the fair tree CPU', async () => {
  dash = await startDashboard({ cols: 80, rows: 24 });
  await dash.advance(3000);
  await dash.press('2');
  const rq = (): string[] => dash!.tty.lines().map((l) => l.slice(0, 32)).filter((l) => /^│ {2}\d {2,3}\d+ /.test(l));
  let rows = rq();
  expect(rows.length).toBeLessThan(8);
  expect(rows[0]).toMatch(/^│ {2}0 .*[^▲]│$/);
  expect(rows[rows.length - 1]).toMatch(/▼│$/);
  // } selects the next CPU for the fair tree; the pane scrolls to keep it in view.
  for (let i = 0; i < 8 && !dash.text().includes('cfs_rq cpu7 '); i++) await dash.press('}');
  expect(dash.text()).toContain('cfs_rq cpu7 ');
  rows = rq();
  expect(rows[rows.length - 1]).toMatch(/^│ {2}7 .*[^▼]│$/);
  expect(rows[0]).toMatch(/▲│$/);
});

it('a 256-CPU machine shows every CPU in the header, as a grid of glyphs under row labels, and keeps every pane', async () => {
  dash = await startDashboard({ scenario: JSON.parse(bigScenario(256)) as object, cols: 120, rows: 40 });
  await dash.advance(2000);
  let lines = dash.tty.lines();
  // 48 CPUs a row (six groups of 8) beside the memory meters: rows 0, 48, ..., 240, the last with 16.
  expect(lines.slice(1, 7).map((l) => l.slice(0, 4))).toEqual(['  0 ', ' 48 ', ' 96 ', '144 ', '192 ', '240 ']);
  expect(lines[1]).toMatch(/^ {2}0 (\S{8} ){6}/);
  expect(lines[6]?.slice(4, 22)).toMatch(/^\S{8} \S{8}$/);
  const text = dash.text();
  for (const pane of ['Timeline', 'Tasks 2', 'Runqueues', 'cfs_rq cpu', 'dmesg']) expect(text).toContain(pane);
  await dash.resize(80, 24);
  lines = dash.tty.lines();
  // The small layout: 64 a row over the whole width, and the memory meters on the line below.
  expect(lines.slice(1, 5).map((l) => l.slice(0, 4))).toEqual(['  0 ', ' 64 ', '128 ', '192 ']);
  expect(lines[5]).toMatch(/^Mem\[/);
});

it('a 64-CPU overview leaves no blank rows: a pane too small to show anything gives its rows to its neighbour', async () => {
  dash = await startDashboard({ scenario: JSON.parse(bigScenario(64)) as object, cols: 120, rows: 40 });
  await dash.advance(2000);
  const lines = dash.tty.lines();
  // The timeline's 21 rows and the 8 rows of CPU meters leave 2 for dmesg: a border and nothing else.
  expect(dash.text()).not.toContain('dmesg');
  // Every row between the header and the footer belongs to a pane; the task list reaches down to the footer.
  const footer = lines.findIndex((l) => l.startsWith('F1Help'));
  expect(lines[footer - 1]).toMatch(/^└─+┘└─+┘$/);
  const top = lines.findIndex((l) => l.startsWith('┌─ Tasks'));
  expect(footer - top).toBe(7 + 2);
  // More CPUs than lanes: every lane keeps its CPU number, and the title says which CPUs show.
  const title = lines.find((l) => l.includes('Timeline')) ?? '';
  const m = /\| CPUs 0-(\d+) of 64 /.exec(title);
  expect(m).not.toBeNull();
  const last = Number(m?.[1]);
  expect(lines.some((l) => l.startsWith(`│${String(last).padStart(3)} `))).toBe(true);
});

it('at 80x24 a 64-CPU machine\'s CPUs take one dense row, leaving the task list room for several tasks', async () => {
  dash = await startDashboard({ scenario: JSON.parse(bigScenario(64)) as object, cols: 80, rows: 24 });
  await dash.advance(2000);
  const lines = dash.tty.lines();
  // One row label, then eight groups of eight glyphs: all 64 CPUs on the line under the status line.
  expect(lines[1]).toMatch(/^ 0 (\S{8} ){7}\S{8}/);
  expect(lines[2]).toMatch(/^Mem\[/);
  const top = lines.findIndex((l) => l.startsWith('┌─ Tasks'));
  const rows = lines.slice(top + 2).filter((l) => /^│ +\d+ /.test(l));
  expect(rows.length).toBeGreaterThanOrEqual(5);
});

it('a fair tree pane one row high keeps its header whole (no legend over it)', async () => {
  // One CPU: the scheduler screen's runqueue row, and the tree pane beside it, have one row inside.
  const one = { name: 'one cpu', seed: 1, machine: { cpus: 1, memory: '1G' }, tasks: [{ comm: 'hog', count: 3, program: [{ run: 'forever' }] }] };
  dash = await startDashboard({ scenario: one, cols: 120, rows: 40 });
  await dash.advance(2000);
  await dash.press('2');
  const lines = dash.tty.lines();
  const top = lines.findIndex((l) => l.includes('cfs_rq cpu0 '));
  const pane = (l: string | undefined): string => (l ?? '').slice((lines[top] ?? '').indexOf('┌─ cfs_rq'));
  expect(pane(lines[top + 2])).toMatch(/^└/);
  expect(pane(lines[top + 1])).toMatch(/^│V \S+ms {2}min_v \S+ {2}load \d+ {2}curr \d+ hog lag \S+( \*)? *│$/);
  expect(pane(lines[top + 1])).not.toContain('next pick');
});

it('the task table puts the busiest tasks first, with real %CPU', async () => {
  dash = await startDashboard();
  await dash.advance(5000);
  const rows = dash.tty.lines().filter((l) => /^│\s+\d+ (TS|B|FF|RR|DLN|IDL)\s/.test(l));
  const first = rows[0] ?? '';
  expect(first).toContain('hog-nice-5');
  const pct = Number(/ R\s+\d+\s+([\d.]+)/.exec(first)?.[1]);
  expect(pct).toBeGreaterThan(80);
  expect(pct).toBeLessThanOrEqual(100);
});

it("the scheduler screen shows each task's scheduling delay: the recent mean per switch-in and the worst", async () => {
  dash = await startDashboard();
  await dash.press('2');
  await dash.advance(5000);
  const lines = dash.tty.lines();
  const head = lines.find((l) => l.includes(' AVGDLY  MAXDLY COMM')) ?? '';
  expect(head).not.toBe('');
  const at = head.indexOf(' AVGDLY');
  const row = (comm: string): { avg: number; max: number; pid: number } => {
    const l = lines.find((x) => new RegExp(`\\d ${comm} +│$`).test(x)) ?? '';
    return { pid: Number(/^│\s+(\d+)/.exec(l)?.[1]), avg: Number(l.slice(at, at + 8)), max: Number(l.slice(at + 8, at + 16)) };
  };
  const light = row('hog-nice10');
  const heavy = row('hog-nice-5');
  // A nice-10 hog waits far longer for its turns than a nice -5 one.
  expect(light.avg).toBeGreaterThan(2 * heavy.avg);
  expect(heavy.avg).toBeGreaterThan(0);
  // The worst wait is the kernel's own figure for the task.
  const k = dash.session.k;
  expect(light.max).toBeCloseTo((k.tasks.get(light.pid)?.maxRunDelayNs ?? NaN) / 1e6, 3);
});

it('with swap, the memory screen counts the pages written out to swap and read back in', async () => {
  dash = await startDashboard({ scenario: new URL('../../demo/swapping.json', import.meta.url).pathname });
  await dash.press('3');
  await dash.advance(15_000);
  const line = dash.tty.lines().find((l) => l.includes('Swap    ')) ?? '';
  const r = dash.session.k.mm.reclaimStats;
  expect(r.swappedOut).toBeGreaterThan(1000);
  expect(r.swappedIn).toBeGreaterThan(1000);
  expect(line).toContain(`used of 1.00G  out ${fmtCount(r.swappedOut)} pg  in ${fmtCount(r.swappedIn)} pg`);
});

it('80x24 keeps the header, the timeline and the task list', async () => {
  dash = await startDashboard({ cols: 80, rows: 24 });
  await dash.advance(3000);
  const text = dash.text();
  expect(text).toContain('Timeline');
  expect(text).toContain('PID CLS');
  expect(dash.tty.lines()[23]).toBe('F1Help  F2Theme F3SearchF4FilterF5Tree  F6SortByF7Nice -F8Nice +F9Kill  F10Quit');
});

it('the OOM pane shows a kill and its whole ranking at 120x40 (compact columns), 100x34 (narrow) and 200x60 (wide, "<- victim")', async () => {
  const scenario = {
    name: 'oom',
    seed: 1,
    machine: { cpus: 2, memory: '256M' },
    tasks: [
      { comm: 'hog', program: [{ run: 'forever' }] },
      { comm: 'leaky-service', program: [{ leak: { rate: '200M/s' } }] },
    ],
  };
  dash = await startDashboard({ scenario, cols: 120, rows: 40 });
  await dash.advance(3000);
  await dash.press('3');
  const pane = (): string[] => {
    const lines = dash!.tty.lines();
    const top = lines.findIndex((l) => l.includes('OOM kills ('));
    const left = (lines[top] as string).indexOf('┌─ OOM kills');
    return lines.slice(top + 1, top + 8).map((l) => l.slice(left + 1, l.indexOf('│', left + 1)));
  };
  let rows = pane();
  expect(rows[0]).toMatch(/^\d+\.\d{3}s killed leaky-service \(\d+\) badness \d+\/\d+ *$/);
  expect(rows[1]?.trimEnd()).toBe('rank     PID COMM              POINTS     RSS   ADJ');
  expect(rows[2]).toMatch(/^> {2}1 +\d+ leaky-service +\d+ +\d+(\.\d)?M +0 *$/);
  // Nothing is cut: no row ends in the truncation mark.
  for (const r of rows) expect(r.trimEnd()).not.toMatch(/~$/);
  // 100x34: no rank column, the kill line without its words.
  await dash.resize(100, 34);
  rows = pane();
  expect(rows[0]).toMatch(/^\d+\.\d{3}s leaky-service \(\d+\) \d+\/\d+ *$/);
  expect(rows[1]?.trimEnd()).toBe('    PID COMM          POINTS    RSS   ADJ');
  expect(rows[2]).toMatch(/^> +\d+ leaky-servi~ +\d+ +\d+(\.\d)?M +0 *$/);
  for (const r of rows) expect(r.trimEnd()).not.toMatch(/~$/);
  await dash.resize(200, 60);
  rows = pane();
  expect(rows[0]).toMatch(/^ +\d+\.\d{3}s {2}killed leaky-service \(\d+\) {2}badness \d+ of \d+ {2}by /);
  expect(rows[2]).toMatch(/^ +1 +\d+ leaky-service +\d+ +\d+(\.\d)?M +0 {2}<- victim/);
});

it('the buddy table keeps a space between columns however large the counts: a wide one is shortened (fitCount)', async () => {
  expect([fitCount(806, 3), fitCount(9763, 3), fitCount(9763, 4), fitCount(123_456, 3), fitCount(12_345_678, 3), fitCount(0, 3)]).toEqual(['806', '10k', '9763', '.1M', '12M', '0']);
  // 100x34: the large layout's narrowest memory pane, 4-column orders; at 5 s the default demo's lists hold
  // thousands of order-4 blocks (its build's forks and exits).
  dash = await startDashboard({ cols: 100, rows: 34 });
  await dash.advance(5000);
  await dash.press('3');
  expect(Math.max(...dash.session.k.mm.pages.zones.flatMap((z) => z.nrFree))).toBeGreaterThan(999);
  const lines = dash.tty.lines();
  const head = lines.findIndex((l) => l.startsWith('│order '));
  const rows = lines.slice(head + 1, head + 4);
  expect(rows.map((r) => r.slice(1, 7).trim())).toEqual(['DMA', 'DMA32', 'Normal']);
  for (const r of rows) {
    const cells = r.slice(7, 7 + 11 * 4);
    // Eleven columns of four: each a space then at most three characters.
    for (let o = 0; o < 11; o++) expect(cells.slice(o * 4, o * 4 + 4)).toMatch(/^ +\S{1,3}$/);
  }
});

describe('layout presets (place)', () => {
  // The body is the screen less the header (6 rows for 8 CPUs) and the footer.
  const body = (cols: number, rows: number, header = 6): { x: number; y: number; w: number; h: number } => ({ x: 0, y: header, w: cols, h: rows - header - 1 });

  it('scheduler at 100x34: the runqueue row (it scrolls) and the timeline (its legend fits one line) give up a row each: the task list shows three tasks', () => {
    const r = place(LAYOUTS.scheduler.large, body(100, 34), 8);
    expect(r.get('timeline')?.h).toBe(12);
    expect(r.get('tasks')?.h).toBe(6);
    expect(r.get('runqueue')?.h).toBe(9);
    expect((r.get('timeline')?.h ?? 0) + (r.get('runqueue')?.h ?? 0) + (r.get('tasks')?.h ?? 0)).toBe(27);
  });

  it('scheduler at 120x40 with 8 CPUs is as it was: 13 rows of timeline, 10 of runqueues, 10 of tasks', () => {
    const r = place(LAYOUTS.scheduler.large, body(120, 40), 8);
    expect([r.get('timeline')?.h, r.get('runqueue')?.h, r.get('tasks')?.h]).toEqual([13, 10, 10]);
  });

  it('scheduler at 120x40 with 64 CPUs: the runqueue row and the fair tree keep a proportional share, not the floor', () => {
    const r = place(LAYOUTS.scheduler.large, body(120, 40, 9), 64);
    expect(r.get('fairtree')?.h).toBeGreaterThanOrEqual(12);
    expect(r.get('tasks')?.h).toBeGreaterThanOrEqual(6);
    expect((r.get('timeline')?.h ?? 0) + (r.get('fairtree')?.h ?? 0) + (r.get('tasks')?.h ?? 0)).toBe(30);
  });
});

it('beside the memory chart at 100 columns the slab table drops OBJ/SLAB and SLABS rather than cut the cache names', async () => {
  dash = await startDashboard({ theme: DEFAULT_THEME, cols: 100, rows: 40 });
  await dash.advance(3000);
  // The chart widget is imported in the background after the first frames.
  await new Promise((r) => setTimeout(r, 300));
  await dash.press('3');
  await dash.advance(200);
  const lines = dash.tty.lines();
  const head = lines.find((l) => l.includes('OBJS ACTIVE')) ?? '';
  expect(head).toMatch(/^│ {2}OBJS ACTIVE {2}USE OBJ SIZE CACHE SIZE NAME +││/);
  // The chart is there, and a 17-character cache name is whole.
  expect(dash.text()).toMatch(/MiB: used SRecl cache commit/);
  expect(dash.text()).toContain(' kernfs_node_cache ');
});
