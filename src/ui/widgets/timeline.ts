/**
 * The per-core timeline (perf sched map / Perfetto style): one lane per CPU, time flowing right, each column the
 * task that held the CPU longest during that slice of virtual time (a letter, with a legend), idle dim.
 *
 * Live, it draws like an oscilloscope: new columns are written at a moving cursor that wraps around, so a frame
 * changes only a column or two per CPU instead of every cell (scrolling every cell each frame is what made a
 * naive prototype send 14 KB per frame). Scrolling back (left/right) redraws a fixed window from the bounded
 * span history; End returns to live.
 */
import type { Frame } from '../../bus/frame.js';
import type { Surface } from '../canvas.js';
import { cutMiddle, fmtDur, niceStep, stepDown, stepUp, strcmp } from '../format.js';
import type { Palette } from '../palette.js';
import type { UiState } from '../ui-state.js';
import { Reaction, type DrawCtx, type KeyEvent, type Widget } from './widget.js';

/** The shortest a legend name is cut to (hog~5) before names are left out. */
const MIN_LEGEND_NAME = 5;

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LABEL_W = 4;
const EMPTY = -1;

/** One CPU's run spans, oldest first, in a fixed-size ring of typed arrays. */
export class SpanRing {
  private readonly pid: Int32Array;
  private readonly prio: Int16Array;
  private readonly start: Float64Array;
  private readonly end: Float64Array;
  private head = 0;
  length = 0;

  constructor(readonly capacity: number) {
    this.pid = new Int32Array(capacity);
    this.prio = new Int16Array(capacity);
    this.start = new Float64Array(capacity);
    this.end = new Float64Array(capacity);
  }

  private idx(i: number): number {
    return (this.head + i) % this.capacity;
  }

  push(pid: number, prio: number, startNs: number, endNs: number): void {
    if (this.length > 0) {
      const l = this.idx(this.length - 1);
      if (this.pid[l] === pid && this.end[l] === startNs) {
        this.end[l] = endNs;
        return;
      }
    }
    let j: number;
    if (this.length < this.capacity) j = this.idx(this.length++);
    else {
      j = this.head;
      this.head = (this.head + 1) % this.capacity;
    }
    this.pid[j] = pid;
    this.prio[j] = prio;
    this.start[j] = startNs;
    this.end[j] = endNs;
  }

  clear(): void {
    this.head = 0;
    this.length = 0;
  }

  get firstNs(): number {
    return this.length > 0 ? (this.start[this.idx(0)] as number) : Infinity;
  }

  /**
   * The task that ran longest in [t0, t1): pid (0 idle, EMPTY if no data), its prio, and whether it held less
   * than half of the recorded time there (shared: several tasks took turns and none had most of the slice).
   */
  dominant(t0: number, t1: number, out: { pid: number; prio: number; shared: boolean }): void {
    out.pid = EMPTY;
    out.prio = 120;
    out.shared = false;
    if (this.length === 0 || t1 <= this.firstNs) return;
    // Binary search for the first span ending after t0.
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.end[this.idx(mid)] as number) <= t0) lo = mid + 1;
      else hi = mid;
    }
    let best = EMPTY;
    let bestNs = 0;
    let bestPrio = 120;
    // Few spans per column in practice; a small linear tally (pids repeat within a column).
    const pids: number[] = [];
    const ns: number[] = [];
    const prios: number[] = [];
    for (let i = lo; i < this.length; i++) {
      const j = this.idx(i);
      const s = this.start[j] as number;
      if (s >= t1) break;
      const d = Math.min(t1, this.end[j] as number) - Math.max(t0, s);
      if (d <= 0) continue;
      const p = this.pid[j] as number;
      let k = pids.indexOf(p);
      if (k < 0) {
        k = pids.length;
        pids.push(p);
        ns.push(0);
        prios.push(this.prio[j] as number);
      }
      ns[k] = (ns[k] as number) + d;
    }
    let total = 0;
    for (let k = 0; k < pids.length; k++) {
      const p = pids[k] as number;
      const d = ns[k] as number;
      total += d;
      // Running beats idle on a tie; lower pid breaks other ties (a stable picture).
      if (d > bestNs || (d === bestNs && best !== EMPTY && ((best === 0 && p !== 0) || (p !== 0 && p < best)))) {
        best = p;
        bestNs = d;
        bestPrio = prios[k] as number;
      }
    }
    out.pid = best;
    out.prio = bestPrio;
    out.shared = 2 * bestNs < total;
  }
}

export function prioClass(pid: number, prio: number): 'stop' | 'dl' | 'rt' | 'fair' | 'idle' {
  if (pid === 0) return 'idle';
  if (prio < 0) return 'dl';
  if (prio < 100) return 'rt';
  return 'fair';
}

interface Column {
  startNs: number;
  pids: Int32Array;
  prios: Int16Array;
  /** 1 where the task shown held less than half of the slice. */
  shared: Uint8Array;
}

export class TimelineWidget implements Widget {
  readonly id = 'timeline' as const;
  private rings: SpanRing[] = [];
  private readonly comms = new Map<number, string>();
  /** Letters are per command name: all cc1 of a build share one, as a person reads it; colours stay per task. */
  private readonly letters = new Map<string, { ch: string; lastNs: number }>();
  private freeLetters = [...LETTERS];
  /** Column width in virtual ns; null = automatic (one column per frame at the current speed). */
  zoomNs: number | null = null;
  private colNs = 100_000_000;
  colorBy: 'task' | 'class' = 'task';
  /** Sweep buffer: one column per screen column. */
  private slots: (Column | null)[] = [];
  private writePos = 0;
  private sweepEndNs = -0;
  private width = 0;
  /** null = live; else the end of the window shown (scrolled back). */
  viewEndNs: number | null = null;
  private nowNs = -0;
  private cpuTop = 0;
  /** Lanes the last draw had room for (the title names the CPUs they show). */
  private shownLanes = Number.MAX_SAFE_INTEGER;
  private nrCpus = 0;
  private readonly scratch = { pid: EMPTY, prio: 120, shared: false };

  constructor(private readonly spanCapacity = 4096) {
    // Declared -0 (kernel/core/time.ts, zeroTimeFields): the frame's virtual times are doubles from the start.
    this.sweepEndNs = 0;
    this.nowNs = 0;
  }

  title(): string {
    const mode = this.viewEndNs === null ? 'live' : `at ${(this.viewEndNs / 1e9).toFixed(2)}s`;
    // More CPUs than lanes: which ones show (up/down scroll them), in the title so every lane keeps its number.
    const cpus = this.shownLanes < this.nrCpus ? ` | CPUs ${this.cpuTop}-${this.cpuTop + this.shownLanes - 1} of ${this.nrCpus}` : '';
    return `Timeline ${fmtDur(this.colNs)}/col ${this.zoomNs === null ? 'auto' : 'zoom'} | ${this.colorBy} | ${mode}${cpus}`;
  }

  reset(): void {
    for (const r of this.rings) r.clear();
    this.slots = [];
    this.writePos = 0;
    this.sweepEndNs = 0;
    this.viewEndNs = null;
    this.letters.clear();
    this.freeLetters = [...LETTERS];
  }

  update(frame: Frame): boolean {
    const s = frame.snapshot;
    if (this.rings.length !== s.nrCpus) {
      this.rings = Array.from({ length: s.nrCpus }, () => new SpanRing(this.spanCapacity));
      this.nrCpus = s.nrCpus;
    }
    frame.spans.forEach((b, cpu) => {
      const ring = this.rings[cpu];
      if (ring === undefined) return;
      for (let i = 0; i < b.pids.length; i++) {
        const pid = b.pids[i] as number;
        ring.push(pid, b.prios[i] as number, b.starts[i] as number, b.ends[i] as number);
        if (pid !== 0) this.comms.set(pid, b.comms[i] as string);
      }
    });
    if (this.comms.size > 8192) {
      const keep = new Set(s.tasks.map((t) => t.pid));
      for (const pid of this.comms.keys()) if (!keep.has(pid)) this.comms.delete(pid);
    }
    this.nowNs = s.nowNs;
    const want = this.zoomNs ?? this.autoColNs(frame);
    if (want !== this.colNs) {
      this.colNs = want;
      this.rebuildSweep();
    }
    this.advanceSweep();
    return true;
  }

  /**
   * The auto zoom: what one frame adds at this speed. Paused with less history than two such columns (a short
   * imported trace played to its end, a machine paused soon after boot), the timeline would be next to empty,
   * so the history is spread over the width instead (never finer than the manual zoom's 100 us).
   */
  private autoColNs(frame: Frame): number {
    const live = niceStep(Math.max(1_000_000, (frame.sim.speed * 1e9) / Math.max(1, frame.sim.fps)));
    if (!frame.sim.paused) return live;
    let first = this.nowNs;
    for (const r of this.rings) first = Math.min(first, r.firstNs);
    const span = this.nowNs - first;
    if (span <= 0 || span >= 2 * live) return live;
    return niceStep(Math.max(100_000, span / this.plotWidth()));
  }

  /** Compute one column's occupants. */
  private column(startNs: number): Column {
    const n = this.rings.length;
    const col: Column = { startNs, pids: new Int32Array(n), prios: new Int16Array(n), shared: new Uint8Array(n) };
    for (let c = 0; c < n; c++) {
      (this.rings[c] as SpanRing).dominant(startNs, startNs + this.colNs, this.scratch);
      col.pids[c] = this.scratch.pid;
      col.prios[c] = this.scratch.prio;
      col.shared[c] = this.scratch.shared ? 1 : 0;
    }
    return col;
  }

  private plotWidth(): number {
    return Math.max(1, this.width - LABEL_W);
  }

  /** Refill the sweep buffer from history after a width or zoom change. */
  private rebuildSweep(): void {
    const w = this.plotWidth();
    this.slots = new Array<Column | null>(w).fill(null);
    const end = Math.floor(this.nowNs / this.colNs) * this.colNs;
    const first = Math.max(0, end - (w - 1) * this.colNs);
    let i = 0;
    for (let t = first; t < end && i < w - 1; t += this.colNs, i++) this.slots[i] = this.column(t);
    this.writePos = i % w;
    this.sweepEndNs = end;
  }

  private advanceSweep(): void {
    const w = this.plotWidth();
    if (this.slots.length !== w) {
      this.rebuildSweep();
      return;
    }
    if (this.nowNs < this.sweepEndNs) {
      // The machine rebooted or time went back: start over.
      this.rebuildSweep();
      return;
    }
    let t = this.sweepEndNs;
    if (this.nowNs - t > w * this.colNs) t = Math.floor((this.nowNs - w * this.colNs) / this.colNs) * this.colNs;
    while (t + this.colNs <= this.nowNs) {
      this.slots[this.writePos] = this.column(t);
      this.writePos = (this.writePos + 1) % w;
      t += this.colNs;
    }
    this.sweepEndNs = t;
    // The slot after the cursor is the gap that shows where "now" is.
    this.slots[this.writePos] = null;
  }

  private letterOf(pid: number, atNs: number): string {
    const comm = this.comms.get(pid) ?? `pid ${pid}`;
    const have = this.letters.get(comm);
    if (have !== undefined) {
      have.lastNs = Math.max(have.lastNs, atNs);
      return have.ch;
    }
    let ch = this.freeLetters.shift();
    if (ch === undefined) {
      // Reuse the letter of the task seen longest ago, if it left the window already.
      let victim: string | null = null;
      let oldest = Infinity;
      for (const [c, l] of this.letters) if (l.lastNs < oldest) [victim, oldest] = [c, l.lastNs];
      if (victim === null || oldest >= this.nowNs - this.plotWidth() * this.colNs) return '+';
      ch = (this.letters.get(victim) as { ch: string }).ch;
      this.letters.delete(victim);
    }
    this.letters.set(comm, { ch, lastNs: atNs });
    return ch;
  }

  /** The columns to show, left to right (null = gap). */
  private visibleColumns(): (Column | null)[] {
    const w = this.plotWidth();
    if (this.viewEndNs === null) return this.slots;
    const end = Math.floor(this.viewEndNs / this.colNs) * this.colNs;
    const out: (Column | null)[] = [];
    for (let i = 0; i < w; i++) {
      const t = end - (w - i) * this.colNs;
      out.push(t < 0 ? null : this.column(t));
    }
    return out;
  }

  draw(s: Surface, ctx: DrawCtx): void {
    const { pal, g, ui } = ctx;
    if (s.width !== this.width) {
      this.width = s.width;
      this.rebuildSweep();
    }
    s.fill(0, 0, s.width, s.height, ' ', pal.text);
    const lanes = Math.max(1, Math.min(this.nrCpus, s.height - 2));
    const legendRows = Math.max(0, s.height - lanes - 1);
    this.cpuTop = Math.max(0, Math.min(this.cpuTop, this.nrCpus - lanes));
    const cols = this.visibleColumns();
    const counts = new Map<number, number>();
    let anyShared = false;
    for (let row = 0; row < lanes && this.cpuTop + row < this.nrCpus; row++) {
      const cpu = this.cpuTop + row;
      s.put(0, row, `${String(cpu).padStart(3)} `, ui.snapshot?.cpus[cpu]?.rtThrottled === true ? pal.warn : pal.hi);
      cols.forEach((col, i) => {
        const x = LABEL_W + i;
        if (col === null) {
          s.cell(x, row, ' ', pal.text);
          return;
        }
        const pid = col.pids[cpu] as number;
        if (pid === EMPTY) s.cell(x, row, ' ', pal.text);
        else if (pid === 0) s.cell(x, row, g.idle, pal.inactive);
        else {
          counts.set(pid, (counts.get(pid) ?? 0) + 1);
          const letter = this.letterOf(pid, col.startNs);
          const sel = pid === ui.selectedPid;
          // A solid block: the task had most of the slice; its letter alone: it led a slice others shared.
          const shared = col.shared[cpu] === 1;
          if (shared) anyShared = true;
          const attr =
            this.colorBy === 'class' && !sel ? pal.clsCell(prioClass(pid, col.prios[cpu] as number), shared) : pal.taskCell(pid, sel, shared);
          s.cell(x, row, letter, attr);
        }
      });
    }
    this.shownLanes = lanes;
    this.drawAxis(s, lanes, cols, pal, g.teeUp);
    if (legendRows > 0) this.drawLegend(s, lanes + 1, legendRows, counts, pal, ui, anyShared);
  }

  private drawAxis(s: Surface, y: number, cols: (Column | null)[], pal: Palette, tick: string): void {
    if (y >= s.height) return;
    const every = 10 * this.colNs;
    let freeFrom = 0;
    cols.forEach((col, i) => {
      if (col !== null && col.startNs % every === 0) s.cell(LABEL_W + i, y, tick, pal.inactive);
    });
    cols.forEach((col, i) => {
      const x = LABEL_W + i;
      if (col === null) return;
      const isTick = col.startNs % every === 0;
      if (isTick && x + 1 >= freeFrom) {
        const label = `${(col.startNs / 1e9).toFixed(this.colNs < 10_000_000 ? 3 : 1)}s`;
        if (x + 1 + label.length <= s.width) {
          s.put(x + 1, y, label, pal.inactive);
          freeFrom = x + 2 + label.length;
        }
      }
    });
  }

  private drawLegend(s: Surface, y: number, rows: number, counts: Map<number, number>, pal: Palette, ui: UiState, anyShared: boolean): void {
    // One entry per command name (its letter), the busiest first until the rows are full, shown in letter order
    // so the legend does not reshuffle every frame. A single task shows its pid; several show their number. When
    // not every name fits that way, the names go alone: on a small terminal every letter on screen should still
    // say whose it is before any says more. Then long names lose their middle (hog~ce10: the ends tell similar
    // names apart), down to MIN_LEGEND_NAME characters, before the least busy names are left out.
    const byComm = new Map<string, { cols: number; pids: number[] }>();
    for (const [pid, n] of counts) {
      const c = this.comms.get(pid) ?? '?';
      const e = byComm.get(c) ?? { cols: 0, pids: [] };
      e.cols += n;
      e.pids.push(pid);
      byComm.set(c, e);
    }
    const busiest = [...byComm.entries()].sort((a, b) => b[1].cols - a[1].cols || strcmp(a[0], b[0]));
    const letterOrder = (c: string): number => LETTERS.indexOf(this.letters.get(c)?.ch ?? '~');
    // maxName: null for a name with its pid or task count, else the name alone, cut to at most that many characters.
    const text = (comm: string, e: { pids: number[] }, maxName: number | null): string => {
      const sel = ui.selectedPid !== null && e.pids.includes(ui.selectedPid);
      const label = maxName !== null ? cutMiddle(comm, maxName) : e.pids.length === 1 ? `${comm}:${e.pids[0]}` : `${comm} x${e.pids.length}`;
      return `${sel ? '>' : ''}${label}`;
    };
    // Where each entry goes (letter, two spaces, text, two spaces; wrapped by whole entries), or null if the
    // entries overflow the rows.
    const place = (entries: [string, { cols: number; pids: number[] }][], maxName: number | null): { x: number; row: number }[] | null => {
      const at: { x: number; row: number }[] = [];
      let x = 0;
      let row = 0;
      for (const [comm, e] of entries) {
        const w = 2 + text(comm, e, maxName).length;
        if (x > 0 && x + w > s.width) {
          row++;
          x = 0;
        }
        if (row >= rows || w > s.width) return null;
        at.push({ x, row });
        x += w + 2;
      }
      return at;
    };
    const inLetterOrder = (n: number): [string, { cols: number; pids: number[] }][] =>
      busiest.slice(0, n).sort((a, b) => letterOrder(a[0]) - letterOrder(b[0]) || strcmp(a[0], b[0]));
    let maxName: number | null = null;
    let fits = inLetterOrder(busiest.length);
    let at = place(fits, maxName);
    for (let m = Math.max(0, ...fits.map(([comm]) => comm.length)); at === null && m >= MIN_LEGEND_NAME; m--) {
      maxName = m;
      at = place(fits, maxName);
    }
    if (at === null) {
      maxName = Infinity;
      for (let n = busiest.length; n >= 0 && at === null; n--) {
        fits = inLetterOrder(n);
        at = place(fits, maxName);
      }
    }
    let x = 0;
    let row = 0;
    fits.forEach(([comm, e], i) => {
      const p = (at as { x: number; row: number }[])[i] as { x: number; row: number };
      const l = this.letters.get(comm)?.ch ?? '+';
      const sel = ui.selectedPid !== null && e.pids.includes(ui.selectedPid);
      const t = text(comm, e, maxName);
      s.cell(p.x, y + p.row, l, pal.taskCell(e.pids[0] as number, sel));
      s.put(p.x + 2, y + p.row, t, sel ? pal.hi : pal.text);
      x = p.x + 2 + t.length + 2;
      row = p.row;
    });
    // What a letter without its colour block means, when one is on screen and the names left room for it.
    const note = `${pal.mono ? 'underlined' : 'letter alone'}: led a shared slice (<50%)`;
    if (anyShared && row < rows) {
      if (x + note.length > s.width) {
        row++;
        x = 0;
      }
      if (row < rows && note.length <= s.width) s.put(x, y + row, note, pal.inactive);
    }
  }

  onKey(key: KeyEvent, _ui: UiState): Reaction {
    const w = this.plotWidth();
    const first = Math.min(...this.rings.map((r) => r.firstNs));
    switch (key.full) {
      case 'left':
        this.viewEndNs = Math.max(Number.isFinite(first) ? first + w * this.colNs : 0, (this.viewEndNs ?? this.nowNs) - Math.max(1, Math.floor(w / 4)) * this.colNs);
        return Reaction.Redraw;
      case 'right':
        if (this.viewEndNs !== null) {
          this.viewEndNs += Math.max(1, Math.floor(w / 4)) * this.colNs;
          if (this.viewEndNs >= this.nowNs) this.viewEndNs = null;
        }
        return Reaction.Redraw;
      case 'end':
        this.viewEndNs = null;
        return Reaction.Redraw;
      case 'home':
        if (Number.isFinite(first)) this.viewEndNs = first + w * this.colNs;
        return Reaction.Redraw;
      case 'up':
        this.cpuTop = Math.max(0, this.cpuTop - 1);
        return Reaction.Redraw;
      case 'down':
        this.cpuTop++;
        return Reaction.Redraw;
      default:
        return Reaction.None;
    }
  }

  zoom(dir: 1 | -1 | 0): void {
    if (dir === 0) this.zoomNs = null;
    else {
      const cur = this.zoomNs ?? this.colNs;
      this.zoomNs = Math.min(10_000_000_000, Math.max(100_000, dir > 0 ? stepDown(cur) : stepUp(cur)));
    }
  }

  /** Which task is drawn at (x, y) of the pane's inner area. */
  pidAt(x: number, y: number): number | null {
    const cols = this.visibleColumns();
    const col = cols[x - LABEL_W];
    const cpu = this.cpuTop + y;
    if (col === null || col === undefined || cpu >= this.nrCpus) return null;
    const pid = col.pids[cpu] as number;
    return pid > 0 ? pid : null;
  }

  onClick(x: number, y: number, ui: UiState): Reaction {
    const pid = this.pidAt(x, y);
    if (pid === null) return Reaction.None;
    ui.selectedPid = pid;
    ui.selectionPinned = true;
    return Reaction.Redraw;
  }
}
