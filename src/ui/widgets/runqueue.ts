/**
 * Runqueue depths: per CPU, nr_running stacked by class (dl / rt / fair), what runs now, and a short history of
 * the depth as a sparkline. A 'T' marks a CPU whose RT runqueue is throttled.
 */
import type { Frame } from '../../bus/frame.js';
import type { Surface } from '../canvas.js';
import { fit } from '../format.js';
import type { UiState } from '../ui-state.js';
import { Reaction, type DrawCtx, type KeyEvent, type Widget } from './widget.js';

export interface RunqueueRow {
  cpu: number;
  dl: number;
  rt: number;
  fair: number;
  curr: string;
  currPid: number;
  currClass: string;
  throttled: boolean;
}

export class RunqueueWidget implements Widget {
  readonly id = 'runqueue' as const;
  rows: RunqueueRow[] = [];
  private history: number[][] = [];
  private top = 0;
  private readonly historyLen = 240;
  private lastNs = -1;
  /** One history column per SAMPLE_NS of virtual time: the mean depth over it. */
  private acc: number[] = [];
  private accN = 0;
  private sampleStartNs = -0;
  static readonly SAMPLE_NS = 1_000_000_000;

  constructor() {
    this.sampleStartNs = 0; // declared -0: kernel/core/time.ts, zeroTimeFields
  }

  title(ui: UiState): string {
    const total = this.rows.reduce((a, r) => a + r.dl + r.rt + r.fair, 0);
    return `Runqueues nr_running=${total}${ui.snapshot !== null ? ` load ${ui.snapshot.loadavg[0].toFixed(2)}` : ''}`;
  }

  reset(): void {
    this.history = [];
    this.scale = 4;
    this.acc = [];
    this.accN = 0;
    this.lastNs = -1;
    this.sampleStartNs = 0;
  }

  private lastRowsFrame = -Infinity;
  private scale = 4;

  update(frame: Frame): boolean {
    // The depths and current tasks refresh twice a second of wall time (or when paused/stepping), like the meters.
    const due = frame.frameNo - this.lastRowsFrame >= Math.max(1, Math.floor(frame.sim.fps / 2)) || frame.sim.paused || frame.frameNo < this.lastRowsFrame || this.rows.length === 0;
    if (due) this.lastRowsFrame = frame.frameNo;
    const rows = frame.snapshot.cpus.map((c) => ({
      cpu: c.cpu,
      dl: c.nrDl,
      rt: c.nrRt,
      fair: c.nrFair,
      curr: c.currComm,
      currPid: c.currPid,
      currClass: c.currClass,
      throttled: c.rtThrottled,
    }));
    if (due) this.rows = rows;
    if (this.history.length !== rows.length) this.history = rows.map(() => []);
    // Paused, the history stands still; a new column every second of virtual time (the mean depth), so the
    // sparklines move slowly enough to read and cost little to redraw: each new column scrolls every cell of
    // every row, and at a column a half second that was a quarter of the bytes sent at 200x60 with 64 CPUs.
    const now = frame.snapshot.nowNs;
    if (now === this.lastNs) return true;
    if (now < this.lastNs) this.sampleStartNs = now;
    this.lastNs = now;
    if (this.acc.length !== rows.length) this.acc = rows.map(() => 0);
    rows.forEach((r, i) => {
      this.acc[i] = (this.acc[i] as number) + r.dl + r.rt + r.fair;
    });
    this.accN++;
    if (now - this.sampleStartNs >= RunqueueWidget.SAMPLE_NS) {
      rows.forEach((_r, i) => {
        const h = this.history[i] as number[];
        h.push((this.acc[i] as number) / this.accN);
        if (h.length > this.historyLen) h.shift();
      });
      this.acc = rows.map(() => 0);
      this.accN = 0;
      this.sampleStartNs = now;
    }
    return true;
  }

  draw(s: Surface, ctx: DrawCtx): void {
    const { pal, g, ui } = ctx;
    s.fill(0, 0, s.width, s.height, ' ', pal.text);
    // A scale that only changes when the queues outgrow it, so the sparklines are not redrawn for nothing.
    this.scale = Math.max(this.scale, 4, ...this.rows.map((r) => r.dl + r.rt + r.fair));
    const maxDepth = this.scale;
    const barW = Math.min(16, Math.max(4, Math.floor(s.width / 5)));
    // Room for most comms (15 characters at most) before the history takes the rest.
    const currW = Math.min(15, Math.max(6, Math.floor(s.width / 4)));
    // cpu (4) depth (3) space, bar, space, curr, space.
    const sparkX = 4 + 3 + 1 + barW + 1 + currW + 1;
    const sparkW = Math.max(0, s.width - sparkX);
    const visible = Math.min(this.rows.length, s.height);
    if (ui.treeCpu < this.top) this.top = ui.treeCpu;
    if (ui.treeCpu >= this.top + visible) this.top = ui.treeCpu - visible + 1;
    this.top = Math.max(0, Math.min(this.top, this.rows.length - visible));
    for (let y = 0; y < visible; y++) {
      const i = this.top + y;
      const r = this.rows[i] as RunqueueRow;
      const n = r.dl + r.rt + r.fair;
      const sel = ui.treeCpu === r.cpu;
      s.put(0, y, `${String(r.cpu).padStart(3)}${r.throttled ? 'T' : ' '}`, r.throttled ? pal.warn : sel ? pal.selected : pal.hi);
      s.put(4, y, String(n).padStart(3), pal.bold);
      // Stacked bar: one cell per queued task, scaled down when the deepest queue does not fit.
      const scale = Math.max(1, maxDepth / barW);
      let x = 8;
      const seg = (count: number, cls: 'dl' | 'rt' | 'fair'): void => {
        const cells = Math.round(count / scale);
        for (let k = 0; k < cells && x < 8 + barW; k++) s.cell(x++, y, g.eighths[7] as string, pal.cls(cls));
      };
      seg(r.dl, 'dl');
      seg(r.rt, 'rt');
      seg(r.fair, 'fair');
      const cls = r.currClass as 'stop' | 'dl' | 'rt' | 'fair' | 'idle';
      s.put(8 + barW + 1, y, fit(r.currClass === 'idle' ? 'idle' : r.curr, currW), r.currPid === ui.selectedPid ? pal.hi : pal.cls(cls));
      if (sparkW > 0) {
        const h = this.history[i] ?? [];
        const from = Math.max(0, h.length - sparkW);
        for (let k = from; k < h.length; k++) {
          const v = h[k] as number;
          const lvl = v === 0 ? 0 : Math.max(1, Math.min(8, Math.round((v / maxDepth) * 8)));
          s.cell(sparkX + (k - from), y, g.spark[lvl] as string, pal.gradient('runq', v / maxDepth));
        }
      }
    }
    // More CPUs than rows (8 CPUs at 80x24): a mark at the right edge says which way the others are.
    if (s.width > 0 && visible > 0) {
      if (this.top > 0) s.cell(s.width - 1, 0, g.up, pal.hi);
      if (this.top + visible < this.rows.length) s.cell(s.width - 1, visible - 1, g.down, pal.hi);
    }
  }

  onKey(key: KeyEvent, ui: UiState): Reaction {
    if (key.full === 'up' || key.full === 'down') {
      const n = this.rows.length;
      ui.treeCpu = (ui.treeCpu + (key.full === 'up' ? n - 1 : 1)) % Math.max(1, n);
      ui.treeCpuPinned = true;
      if (ui.treeCpu < this.top) this.top = ui.treeCpu;
      return Reaction.Redraw;
    }
    return Reaction.None;
  }

  onClick(_x: number, y: number, ui: UiState): Reaction {
    const r = this.rows[this.top + y];
    if (r === undefined) return Reaction.None;
    ui.treeCpu = r.cpu;
    ui.treeCpuPinned = true;
    return Reaction.Redraw;
  }
}
