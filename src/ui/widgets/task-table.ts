/**
 * The task table, like htop's process list: sortable columns, incremental search, a name filter, a tree view
 * by parent, kernel threads on or off. %CPU is the task's CPU time over about the last second of virtual time
 * (htop computes it over its refresh interval the same way). The selection follows the task, not the row.
 */
import type { Frame } from '../../bus/frame.js';
import type { TaskSnapshot } from '../../kernel/index.js';
import type { Surface } from '../canvas.js';
import { fit, fmtKb, fmtTimePlus, padL, padR, policyShort, strcmp } from '../format.js';
import type { UiState } from '../ui-state.js';
import { Reaction, type DrawCtx, type KeyEvent, type Widget } from './widget.js';

export type SortKey = 'pid' | 'comm' | 'cpu' | 'policy' | 'pri' | 'ni' | 'state' | 'pcpu' | 'time' | 'vruntime' | 'rss' | 'oom' | 'delay' | 'maxdelay';

export interface TaskRow {
  t: TaskSnapshot;
  pcpu: number;
  /** Mean wait for the CPU per switch-in over the table's window, ns. */
  avgDelayNs: number;
  /** Tree prefix (tree view). */
  prefix: string;
}

interface Column {
  key: SortKey;
  title: string;
  width: number;
  /** Shown only when the pane is at least this wide. */
  minPane: number;
  text(r: TaskRow): string;
  sort(r: TaskRow): number | string;
}

/** Milliseconds in at most 7 columns: 3 decimals below 100 ms, 1 below 100 s, whole above. */
function fmtMs(ns: number): string {
  const ms = ns / 1e6;
  return ms < 100 ? ms.toFixed(3) : ms < 100_000 ? ms.toFixed(1) : Math.round(ms).toString();
}

const COLUMNS: readonly Column[] = [
  { key: 'pid', title: 'PID', width: 7, minPane: 0, text: (r) => padL(r.t.pid, 7), sort: (r) => r.t.pid },
  { key: 'policy', title: 'CLS', width: 3, minPane: 0, text: (r) => padR(policyShort(r.t.policy), 3), sort: (r) => r.t.policy },
  { key: 'pri', title: 'PRI', width: 4, minPane: 0, text: (r) => padL(r.t.prio - 100, 4), sort: (r) => r.t.prio },
  { key: 'ni', title: 'NI', width: 3, minPane: 0, text: (r) => padL(r.t.policy === 'fifo' || r.t.policy === 'rr' || r.t.policy === 'deadline' ? '-' : r.t.nice, 3), sort: (r) => r.t.nice },
  { key: 'state', title: 'S', width: 1, minPane: 0, text: (r) => r.t.state, sort: (r) => r.t.state },
  { key: 'cpu', title: 'CPU', width: 3, minPane: 0, text: (r) => padL(r.t.cpu, 3), sort: (r) => r.t.cpu },
  { key: 'pcpu', title: '%CPU', width: 5, minPane: 0, text: (r) => padL(r.pcpu.toFixed(1), 5), sort: (r) => r.pcpu },
  { key: 'time', title: 'TIME+', width: 9, minPane: 70, text: (r) => padL(fmtTimePlus(r.t.cpuNs), 9), sort: (r) => r.t.cpuNs },
  { key: 'vruntime', title: 'VRUNTIME', width: 10, minPane: 100, text: (r) => padL(r.t.cls === 'fair' ? (r.t.vruntime / 1e6).toFixed(1) : '-', 10), sort: (r) => r.t.vruntime },
  { key: 'rss', title: 'RSS', width: 6, minPane: 60, text: (r) => padL(r.t.rssKb === 0 ? '0' : fmtKb(r.t.rssKb), 6), sort: (r) => r.t.rssKb },
  { key: 'oom', title: 'OOM', width: 4, minPane: 88, text: (r) => padL(r.t.oomScore, 4), sort: (r) => r.t.oomScore },
  // Scheduling latency as perf sched latency reports it: the mean wait for the CPU per switch-in (over the
  // table's window, as %CPU), and the worst since the task started.
  { key: 'delay', title: 'AVGDLY', width: 7, minPane: 110, text: (r) => padL(fmtMs(r.avgDelayNs), 7), sort: (r) => r.avgDelayNs },
  { key: 'maxdelay', title: 'MAXDLY', width: 7, minPane: 110, text: (r) => padL(fmtMs(r.t.maxRunDelayNs), 7), sort: (r) => r.t.maxRunDelayNs },
  { key: 'comm', title: 'COMM', width: 0, minPane: 0, text: (r) => r.prefix + r.t.comm, sort: (r) => r.t.comm },
];

export const SORT_KEYS: readonly SortKey[] = COLUMNS.map((c) => c.key);

/** What the table measures over its window: %CPU, and the mean wait for the CPU per switch-in (ns). */
interface Rates {
  pcpu: number;
  avgDelayNs: number;
}

/**
 * CPU time and run-delay samples about every 250 ms of virtual time; %CPU and the mean delay are measured
 * against the oldest (about 1 s), as htop measures %CPU over its refresh interval.
 */
class CpuSampler {
  private samples: { nowNs: number; cpu: Map<number, [number, number, number]> }[] = [];

  rates(tasks: readonly TaskSnapshot[], nowNs: number): Map<number, Rates> {
    const last = this.samples[this.samples.length - 1];
    if (last !== undefined && nowNs < last.nowNs) this.samples = [];
    const oldest = this.samples[0];
    const out = new Map<number, Rates>();
    const dt = oldest === undefined ? 0 : nowNs - oldest.nowNs;
    for (const t of tasks) {
      // A task born within the window counts from zero; one without a sample, from now.
      const before = oldest?.cpu.get(t.pid) ?? (t.startNs >= (oldest?.nowNs ?? 0) ? [0, 0, 0] : [t.cpuNs, t.runDelayNs, t.pcount]);
      const runs = t.pcount - before[2];
      out.set(t.pid, {
        pcpu: dt > 0 ? (Math.max(0, t.cpuNs - before[0]) * 100) / dt : 0,
        avgDelayNs: runs > 0 ? Math.max(0, t.runDelayNs - before[1]) / runs : 0,
      });
    }
    const prev = this.samples[this.samples.length - 1];
    if (prev === undefined || nowNs - prev.nowNs >= 250_000_000) {
      this.samples.push({ nowNs, cpu: new Map(tasks.map((t) => [t.pid, [t.cpuNs, t.runDelayNs, t.pcount]])) });
      if (this.samples.length > 5) this.samples.shift();
    }
    return out;
  }

  reset(): void {
    this.samples = [];
  }
}

export class TaskTableWidget implements Widget {
  readonly id = 'tasks' as const;
  sortKey: SortKey = 'pcpu';
  sortDesc = true;
  tree = false;
  showKthreads = true;
  filter = '';
  rows: TaskRow[] = [];
  private top = 0;
  private visibleRows = 10;
  private readonly sampler = new CpuSampler();
  private lastRates = new Map<number, Rates>();
  private lastNowNs = -1;
  private tasks: readonly TaskSnapshot[] = [];
  private lastRefreshFrame = -Infinity;

  title(): string {
    const n = this.rows.length;
    const f = this.filter !== '' ? ` filter "${this.filter}"` : '';
    return `Tasks ${n}${this.tree ? ' tree' : ''}${f}${this.showKthreads ? '' : ' (no kthreads)'}`;
  }

  reset(): void {
    this.sampler.reset();
    this.lastRefreshFrame = -Infinity;
  }

  update(frame: Frame, ui: UiState): boolean {
    const s = frame.snapshot;
    // Like htop's refresh delay: new numbers about once a second of wall time (fps frames), so rows can be
    // read and the terminal is not rewritten every frame. Pausing, stepping and keys refresh at once.
    const due = frame.frameNo - this.lastRefreshFrame >= frame.sim.fps || frame.sim.paused || frame.frameNo < this.lastRefreshFrame;
    // The task list itself is always current (search, filter and actions act on it); the rows refresh when due.
    this.tasks = s.tasks;
    if (!due && this.rows.length > 0) return false;
    this.lastRefreshFrame = frame.frameNo;
    if (s.nowNs !== this.lastNowNs) {
      this.lastRates = this.sampler.rates(s.tasks, s.nowNs);
      this.lastNowNs = s.nowNs;
    }
    this.rebuild(ui);
    return true;
  }

  /** Recompute rows from the last snapshot (after a sort, filter or tree change too). */
  rebuild(ui: UiState): void {
    const f = this.filter.toLowerCase();
    const list = this.tasks
      .filter((t) => this.showKthreads || !t.kthread)
      .filter((t) => f === '' || t.comm.toLowerCase().includes(f) || String(t.pid) === f)
      .map((t): TaskRow => {
        const r = this.lastRates.get(t.pid);
        return { t, pcpu: r?.pcpu ?? 0, avgDelayNs: r?.avgDelayNs ?? 0, prefix: '' };
      });
    const col = COLUMNS.find((c) => c.key === this.sortKey) as Column;
    const cmp = (a: TaskRow, b: TaskRow): number => {
      const x = col.sort(a);
      const y = col.sort(b);
      const d = typeof x === 'string' || typeof y === 'string' ? strcmp(String(x), String(y)) : x - y;
      return (this.sortDesc ? -d : d) || a.t.pid - b.t.pid;
    };
    this.rows = this.tree ? treeOrder(list, cmp) : list.sort(cmp);
    if (!ui.selectionPinned || ui.selectedPid === null || !this.rows.some((r) => r.t.pid === ui.selectedPid)) {
      // Until the user picks a task, the cursor stays on the first row (htop).
      ui.selectedPid = this.rows[0]?.t.pid ?? null;
      ui.selectionPinned = false;
    }
  }

  private selectedIndex(ui: UiState): number {
    return this.rows.findIndex((r) => r.t.pid === ui.selectedPid);
  }

  private columns(width: number): Column[] {
    return COLUMNS.filter((c) => width >= c.minPane);
  }

  draw(s: Surface, ctx: DrawCtx): void {
    const { pal, ui } = ctx;
    s.fill(0, 0, s.width, s.height, ' ', pal.text);
    const cols = this.columns(s.width);
    // Header row, the sort column highlighted.
    let x = 0;
    for (const c of cols) {
      const w = c.width === 0 ? s.width - x : c.width;
      const title = c.width === 0 ? padR(c.title, w) : c.key === 'comm' ? padR(c.title, w) : padL(c.title, w);
      s.put(x, 0, title, c.key === this.sortKey ? pal.selected : pal.title);
      x += w + 1;
    }
    this.visibleRows = Math.max(1, s.height - 1);
    const sel = this.selectedIndex(ui);
    if (sel >= 0) {
      if (sel < this.top) this.top = sel;
      if (sel >= this.top + this.visibleRows) this.top = sel - this.visibleRows + 1;
    }
    this.top = Math.max(0, Math.min(this.top, Math.max(0, this.rows.length - this.visibleRows)));
    for (let i = 0; i < this.visibleRows; i++) {
      const r = this.rows[this.top + i];
      if (r === undefined) break;
      const y = i + 1;
      const isSel = r.t.pid === ui.selectedPid;
      if (isSel) s.fill(0, y, s.width, 1, ' ', pal.selected);
      x = 0;
      for (const c of cols) {
        const w = c.width === 0 ? s.width - x : c.width;
        let attr = pal.text;
        if (!isSel) {
          if (c.key === 'state') attr = pal.state(r.t.state, r.t.onCpu);
          else if (c.key === 'policy' && r.t.cls !== 'fair') attr = pal.cls(r.t.cls);
          else if (c.key === 'comm' && r.t.kthread) attr = pal.inactive;
          else if (c.key === 'pcpu' && r.pcpu >= 1) attr = pal.gradient('cpu', r.pcpu / 100);
          else if (c.key === 'oom' && r.t.oomScoreAdj !== 0) attr = r.t.oomScoreAdj < 0 ? pal.inactive : pal.warn;
        } else attr = pal.selected;
        const text = c.key === 'comm' && ctx.g.h === '-' ? asciiTree(c.text(r)) : c.text(r);
        s.put(x, y, fit(text, w), attr);
        x += w + 1;
      }
    }
  }

  private move(ui: UiState, delta: number): void {
    if (this.rows.length === 0) return;
    const i = Math.max(0, this.selectedIndex(ui));
    const j = Math.max(0, Math.min(this.rows.length - 1, i + delta));
    ui.selectedPid = (this.rows[j] as TaskRow).t.pid;
    ui.selectionPinned = j > 0;
  }

  onKey(key: KeyEvent, ui: UiState): Reaction {
    const page = Math.max(1, this.visibleRows - 1);
    switch (key.full) {
      case 'up':
        this.move(ui, -1);
        return Reaction.Redraw;
      case 'down':
        this.move(ui, 1);
        return Reaction.Redraw;
      case 'pageup':
        this.move(ui, -page);
        return Reaction.Redraw;
      case 'pagedown':
        this.move(ui, page);
        return Reaction.Redraw;
      case 'home':
        this.move(ui, -this.rows.length);
        return Reaction.Redraw;
      case 'end':
        this.move(ui, this.rows.length);
        return Reaction.Redraw;
      default:
        return Reaction.None;
    }
  }

  onClick(x: number, y: number, ui: UiState): Reaction {
    if (y === 0) {
      // A click on a column title sorts by it (again: inverts).
      let cx = 0;
      for (const c of this.columns(999)) {
        const w = c.width === 0 ? 999 : c.width;
        if (x >= cx && x < cx + w) {
          this.setSort(c.key, ui);
          return Reaction.Redraw;
        }
        cx += w + 1;
      }
      return Reaction.None;
    }
    const r = this.rows[this.top + y - 1];
    if (r === undefined) return Reaction.None;
    ui.selectedPid = r.t.pid;
    ui.selectionPinned = true;
    return Reaction.Redraw;
  }

  setSort(key: SortKey, ui: UiState): void {
    if (key === this.sortKey) this.sortDesc = !this.sortDesc;
    else {
      this.sortKey = key;
      this.sortDesc = key === 'pcpu' || key === 'time' || key === 'rss' || key === 'oom' || key === 'vruntime' || key === 'delay' || key === 'maxdelay';
    }
    this.rebuild(ui);
  }

  cycleSort(dir: 1 | -1, ui: UiState): void {
    const i = SORT_KEYS.indexOf(this.sortKey);
    this.setSort(SORT_KEYS[(i + dir + SORT_KEYS.length) % SORT_KEYS.length] as SortKey, ui);
  }

  /** Select the next task (after the selected one) whose name contains text or whose pid is text. */
  search(text: string, ui: UiState, next: boolean): boolean {
    if (text === '') return false;
    this.rebuild(ui);
    const t = text.toLowerCase();
    const start = Math.max(0, this.selectedIndex(ui)) + (next ? 1 : 0);
    for (let k = 0; k < this.rows.length; k++) {
      const r = this.rows[(start + k) % this.rows.length] as TaskRow;
      if (r.t.comm.toLowerCase().includes(t) || String(r.t.pid).startsWith(t)) {
        ui.selectedPid = r.t.pid;
        ui.selectionPinned = true;
        return true;
      }
    }
    return false;
  }
}

/** Rows in tree order: each task followed by its children (sorted by cmp), with htop-like prefixes. */
export function treeOrder(list: TaskRow[], cmp: (a: TaskRow, b: TaskRow) => number): TaskRow[] {
  const byPid = new Map(list.map((r) => [r.t.pid, r]));
  const kids = new Map<number, TaskRow[]>();
  const roots: TaskRow[] = [];
  for (const r of list) {
    if (byPid.has(r.t.ppid) && r.t.ppid !== r.t.pid) {
      const k = kids.get(r.t.ppid) ?? [];
      k.push(r);
      kids.set(r.t.ppid, k);
    } else roots.push(r);
  }
  const out: TaskRow[] = [];
  const walk = (r: TaskRow, indent: string, last: boolean, depth: number): void => {
    r.prefix = depth === 0 ? '' : `${indent}${last ? '└─ ' : '├─ '}`;
    out.push(r);
    const children = (kids.get(r.t.pid) ?? []).sort(cmp);
    children.forEach((c, i) => walk(c, depth === 0 ? '' : `${indent}${last ? '   ' : '│  '}`, i === children.length - 1, depth + 1));
  };
  roots.sort(cmp).forEach((r) => walk(r, '', true, 0));
  return out;
}

export const SORT_TITLES: Readonly<Record<SortKey, string>> = Object.fromEntries(COLUMNS.map((c) => [c.key, c.title])) as Record<SortKey, string>;

function asciiTree(s: string): string {
  // Escapes, not the glyphs: one non-ASCII character makes V8 hold the whole bundle's source as two-byte text.
  return s.replace(/\u251c/g, '|').replace(/\u2514/g, '`').replace(/\u2500/g, '-').replace(/\u2502/g, '|');
}
