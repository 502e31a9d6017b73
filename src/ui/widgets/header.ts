/**
 * The header, htop style: a status line (machine, scheduler, virtual time, speed, load), per-CPU meters split
 * by scheduling class, and memory, commit and swap meters with task counts and the self-meter. Every number is
 * derived from the frame: CPU use is the change of each runqueue's busy time by class since the last frame.
 */
import type { Frame } from '../../bus/frame.js';
import type { CpuSnapshot } from '../../kernel/index.js';
import type { Surface } from '../canvas.js';
import { fit, fitFirst, fmtBytesRate, fmtCount, fmtKb, fmtSpeed, fmtUptime, padL } from '../format.js';
import type { Palette } from '../palette.js';
import type { DrawCtx, Widget } from './widget.js';

/** A CPU's busy share by class (stop, dl, rt, fair) over the last frame, each in [0, 1]. */
export type CpuShares = [number, number, number, number];

export interface HeaderView {
  /** An imported trace: no memory, printk or scheduler-mode state to show. */
  trace: boolean;
  hostname: string;
  release: string;
  mode: string;
  hz: number;
  preempt: string;
  uptimeNs: number;
  speed: number;
  paused: boolean;
  lagging: boolean;
  halted: string | null;
  load: [number, number, number];
  cpus: CpuShares[];
  mem: { totalKb: number; usedKb: number; cacheKb: number; slabKb: number };
  commit: { limitKb: number; asKb: number; mode: number };
  swap: { totalKb: number; usedKb: number };
  tasks: { total: number; running: number; sleeping: number; blocked: number; kthreads: number };
  printk: string;
  sysrq: number;
  oomKills: number;
  self: { renderMs: number; outBps: number; eventsPerSec: number };
}

/** CPU shares from two successive snapshots' busy counters. */
export function cpuShares(prev: readonly CpuSnapshot[] | null, cur: readonly CpuSnapshot[], dtNs: number): CpuShares[] {
  return cur.map((c, i) => {
    const p = prev?.[i];
    if (p === undefined || dtNs <= 0) return [0, 0, 0, c.currClass === 'idle' ? 0 : 1] as CpuShares;
    const d = (k: number): number => Math.max(0, ((c.busyNsByClass[k] ?? 0) - (p.busyNsByClass[k] ?? 0)) / dtNs);
    const sh: CpuShares = [d(0), d(1), d(2), d(3)];
    const sum = sh[0] + sh[1] + sh[2] + sh[3];
    // Accounting happens at switches and ticks, so a short interval can over-count a little: normalise.
    return sum > 1 ? (sh.map((x) => x / sum) as CpuShares) : sh;
  });
}

export function headerView(frame: Frame, prev: { cpus: readonly CpuSnapshot[]; nowNs: number } | null): HeaderView {
  const s = frame.snapshot;
  const m = s.mem;
  let running = 0;
  let sleeping = 0;
  let blocked = 0;
  let kthreads = 0;
  for (const t of s.tasks) {
    if (t.kthread) kthreads++;
    if (t.state === 'R') running++;
    else if (t.state === 'D') blocked++;
    else sleeping++;
  }
  const reclaimableSlab = m.sReclaimable;
  return {
    trace: s.source === 'trace',
    hostname: s.hostname,
    release: s.release,
    mode: s.schedMode.toUpperCase(),
    hz: s.hz,
    preempt: s.preempt,
    uptimeNs: s.nowNs,
    speed: frame.sim.speed,
    paused: frame.sim.paused,
    lagging: frame.sim.lagging,
    halted: s.halted,
    load: s.loadavg,
    cpus: cpuShares(prev?.cpus ?? null, s.cpus, prev === null ? 0 : s.nowNs - prev.nowNs),
    mem: {
      totalKb: m.memTotal * 4,
      usedKb: (m.memTotal - m.memFree - m.cached - reclaimableSlab) * 4,
      cacheKb: m.cached * 4,
      slabKb: reclaimableSlab * 4,
    },
    commit: { limitKb: m.commitLimit * 4, asKb: m.committedAs * 4, mode: s.overcommitMemory },
    swap: { totalKb: s.swapTotalPages * 4, usedKb: s.swapUsedPages * 4 },
    tasks: { total: s.tasks.length, running, sleeping, blocked, kthreads },
    printk: `${s.printk.consoleLoglevel}${s.printk.ignoreLoglevel ? '!' : ''}`,
    sysrq: s.sysrqMask,
    oomKills: s.oomKillsTotal,
    self: { renderMs: frame.sim.renderMs, outBps: frame.sim.outBytesPerSec, eventsPerSec: frame.sim.eventsPerSec },
  };
}

/** An htop meter: Label[||||||      text], segments drawn in their own attributes. */
export function drawMeter(s: Surface, x: number, y: number, w: number, label: string, segs: { frac: number; attr: number }[], text: string, pal: Palette, bar: string): void {
  if (w < label.length + 4) return;
  s.put(x, y, label, pal.hi);
  let cx = x + label.length;
  s.put(cx, y, '[', pal.bold);
  const inner = w - label.length - 2;
  const t = fit(text, inner);
  const textStart = inner - t.length;
  let filled = 0;
  const cells: number[] = new Array<number>(inner).fill(-1);
  for (const seg of segs) {
    const n = Math.round(Math.max(0, seg.frac) * inner);
    for (let i = 0; i < n && filled < inner; i++) cells[filled++] = seg.attr;
  }
  for (let i = 0; i < inner; i++) {
    const a = cells[i] as number;
    const ch = i >= textStart ? (t[i - textStart] as string) : a >= 0 ? bar : ' ';
    s.cell(cx + 1 + i, y, ch, i >= textStart ? (a >= 0 ? a : pal.inactive) : a >= 0 ? a : pal.meterBg);
  }
  cx += inner + 1;
  s.put(cx, y, ']', pal.bold);
}

export class HeaderWidget implements Widget {
  readonly id = 'header' as const;
  private prev: { cpus: readonly CpuSnapshot[]; nowNs: number } | null = null;
  view: HeaderView | null = null;
  /** Set by the app with the layout (isSmall of the terminal). */
  small = false;

  title(): string {
    return '';
  }

  private lastMeterFrame = -Infinity;

  update(frame: Frame): boolean {
    const s = frame.snapshot;
    // Meters refresh about twice a second (half the frame rate); the status line every frame.
    const meters = frame.frameNo - this.lastMeterFrame >= Math.max(1, Math.floor(frame.sim.fps / 2)) || frame.frameNo < this.lastMeterFrame || this.view === null;
    if (!meters && this.view !== null) {
      const keep = this.view;
      this.view = { ...headerView(frame, this.prev), cpus: keep.cpus, mem: keep.mem, commit: keep.commit, swap: keep.swap, tasks: keep.tasks, self: keep.self };
      return true;
    }
    this.lastMeterFrame = frame.frameNo;
    // Keep the previous counters at least 1/4 s of virtual time apart so the meters do not flicker.
    const prev = this.prev;
    const last = this.view;
    this.view = headerView(frame, prev);
    // Paused (no virtual time since the last sample): keep showing the last measured CPU use.
    if (prev !== null && s.nowNs === prev.nowNs && last !== null) this.view.cpus = last.cpus;
    if (prev === null || s.nowNs < prev.nowNs || s.nowNs - prev.nowNs >= 50_000_000) this.prev = { cpus: s.cpus, nowNs: s.nowNs };
    return true;
  }

  reset(): void {
    this.prev = null;
    this.lastMeterFrame = -Infinity;
  }

  /** A terminal too small for meters beside the CPUs: they go on one line below them. */
  static isSmall(width: number, termHeight: number): boolean {
    return termHeight < 30 || width < 100;
  }

  /** Rows the header needs at this width for n CPUs (the app gives it at most a third of the terminal). */
  static height(width: number, termHeight: number, nCpus: number): number {
    const small = HeaderWidget.isSmall(width, termHeight);
    // Small: the status line, the CPUs, then one line of memory meters. Else the meters sit beside the CPUs.
    const cap = Math.floor(termHeight / 3);
    // Small: the CPUs get at most a sixth of the rows (four at 80x24), else they go dense; labelled meters for a
    // 64-CPU machine took six rows there and left the task list one.
    if (small) return 1 + HeaderWidget.cpuRows(width, nCpus, true, Math.max(1, Math.floor(termHeight / 6))) + 1;
    return 1 + Math.max(5, HeaderWidget.cpuRows(width, nCpus, false, Math.max(1, cap - 1)));
  }

  static cpuRows(width: number, n: number, small: boolean, maxRows: number): number {
    const w = small ? width : Math.floor(width / 2);
    if (n > 16 || small) return cpuGrid(w, n, maxRows).rows;
    const cols = n <= 4 ? 1 : n <= 8 ? 2 : 4;
    return Math.ceil(n / cols);
  }

  draw(s: Surface, ctx: DrawCtx): void {
    const v = this.view;
    if (v === null) return;
    const { pal, g } = ctx;
    s.fill(0, 0, s.width, s.height, ' ', pal.text);
    this.drawStatus(s, v, ctx);
    const small = this.small;
    const cpuW = small ? s.width : Math.floor(s.width / 2);
    const grid = cpuGrid(cpuW, v.cpus.length, Math.max(1, s.height - (small ? 2 : 1)));
    if (v.cpus.length > 16 || small) this.drawCompactCpus(s.sub(0, 1, cpuW, s.height - 1), v, ctx, grid);
    else this.drawCpuMeters(s.sub(0, 1, cpuW, s.height - 1), v, ctx);
    if (small) this.drawSmallRight(s, v, ctx, 1 + grid.rows);
    else this.drawRight(s.sub(cpuW + 1, 1, s.width - cpuW - 1, s.height - 1), v, pal, g.meter);
  }

  private drawStatus(s: Surface, v: HeaderView, ctx: DrawCtx): void {
    const { pal, g } = ctx;
    const mode = v.trace ? '' : `${v.mode} HZ=${v.hz} ${v.preempt}`;
    let state: string;
    let attr = pal.hi;
    if (v.halted === 'panic') {
      state = 'KERNEL PANIC';
      attr = pal.oom;
    } else if (v.halted === 'poweroff') {
      state = 'POWERED OFF';
      attr = pal.warn;
    } else if (v.paused) {
      state = `${g.pause} paused`;
      attr = pal.warn;
    } else state = `${g.play} ${fmtSpeed(v.speed)}${v.lagging ? ' lagging' : ''}`;
    if (v.lagging && !v.paused) attr = pal.warn;
    const up = `up ${fmtUptime(v.uptimeNs)}`;
    const load = v.trace ? '' : `load ${v.load.map((l) => l.toFixed(2)).join(' ')}`;
    // When the line is too long (80 columns) the kernel release goes first, then the host name: the load average
    // tells more than either.
    const rest = (mode === '' ? 0 : 2 + mode.length) + 2 + state.length + 2 + up.length;
    const hosts = [`${v.hostname} (${v.release})`, v.hostname, ''];
    const fits = (h: string, withLoad: boolean): boolean =>
      ' kernsim '.length + (h === '' ? 0 : 1 + h.length) + rest + (withLoad && load !== '' ? 2 + load.length : 0) <= s.width;
    const host = hosts.find((h) => fits(h, true)) ?? hosts.find((h) => fits(h, false)) ?? '';
    let x = s.put(0, 0, ' kernsim ', pal.title);
    if (host !== '') x = s.put(x + 1, 0, host, pal.text);
    if (mode !== '') x = s.put(x + 2, 0, mode, pal.hi);
    x = s.put(x + 2, 0, state, attr);
    x = s.put(x + 2, 0, up, pal.text);
    if (load !== '' && x + 2 + load.length <= s.width) s.put(x + 2, 0, load, pal.text);
  }

  private cpuSegs(c: CpuShares, pal: Palette): { frac: number; attr: number }[] {
    return [
      { frac: c[0], attr: pal.cls('stop') },
      { frac: c[1], attr: pal.cls('dl') },
      { frac: c[2], attr: pal.cls('rt') },
      { frac: c[3], attr: pal.cls('fair') },
    ];
  }

  private drawCpuMeters(s: Surface, v: HeaderView, ctx: DrawCtx): void {
    const n = v.cpus.length;
    const cols = n <= 4 ? 1 : n <= 8 ? 2 : 4;
    const rows = Math.ceil(n / cols);
    const w = Math.floor(s.width / cols);
    v.cpus.forEach((c, i) => {
      const col = Math.floor(i / rows);
      const row = i % rows;
      const busy = c[0] + c[1] + c[2] + c[3];
      drawMeter(s, col * w, row, w - 1, padL(i, 3), this.cpuSegs(c, ctx.pal), `${(busy * 100).toFixed(1)}%`, ctx.pal, ctx.g.meter);
    });
  }

  /**
   * Many CPUs or a small terminal: one block glyph per CPU, coloured by its busiest class, with its number and
   * percentage; when even that does not fit (256 CPUs), a grid of bare glyphs in groups of 8, each row headed by
   * its first CPU's number, as htop and btop do for big machines.
   */
  private drawCompactCpus(s: Surface, v: HeaderView, ctx: DrawCtx, grid: CpuGrid): void {
    const { pal, g } = ctx;
    const labelW = String(Math.max(0, v.cpus.length - 1)).length;
    v.cpus.forEach((c, i) => {
      const row = Math.floor(i / grid.perRow);
      const k = i % grid.perRow;
      const busy = Math.min(1, c[0] + c[1] + c[2] + c[3]);
      const cls = c[1] > 0 && c[1] >= c[2] && c[1] >= c[3] ? 'dl' : c[2] > c[3] ? 'rt' : c[0] > c[3] ? 'stop' : 'fair';
      const level = Math.round(busy * 8);
      if (grid.dense) {
        if (k === 0) s.put(0, row, padL(i, labelW), pal.hi);
        const x = labelW + 1 + k + Math.floor(k / 8);
        s.cell(x, row, level === 0 ? g.idle : (g.spark[level] as string), level === 0 ? pal.inactive : pal.cls(cls));
        return;
      }
      const x = k * 7;
      s.put(x, row, padL(i, 2), pal.hi);
      s.cell(x + 2, row, g.spark[level] ?? ' ', busy > 0 ? pal.cls(cls) : pal.inactive);
      s.put(x + 3, row, padL(Math.round(busy * 100), 3), pal.text);
    });
  }

  private memSegs(v: HeaderView, pal: Palette): { frac: number; attr: number }[] {
    const t = Math.max(1, v.mem.totalKb);
    return [
      { frac: v.mem.usedKb / t, attr: pal.gradient('mem', 0) },
      { frac: v.mem.slabKb / t, attr: pal.gradient('mem', 0.5) },
      { frac: v.mem.cacheKb / t, attr: pal.gradient('mem', 1) },
    ];
  }

  private drawRight(s: Surface, v: HeaderView, pal: Palette, bar: string): void {
    const w = s.width;
    if (v.trace) {
      s.put(0, 0, fitFirst(['Memory, printk and SysRq state are not in a scheduler trace.', 'No memory, printk or SysRq state in a trace.', 'No memory state in a trace.'], w), pal.inactive);
      s.put(0, 1, fit(`Tasks: ${v.tasks.total} seen, ${v.tasks.running} runnable now`, w), pal.text);
      return;
    }
    drawMeter(s, 0, 0, w, 'Mem', this.memSegs(v, pal), `${fmtKb(v.mem.usedKb)}/${fmtKb(v.mem.totalKb)}`, pal, bar);
    const cfrac = v.commit.asKb / Math.max(1, v.commit.limitKb);
    drawMeter(s, 0, 1, w, 'Cmt', [{ frac: Math.min(1, cfrac), attr: pal.gradient('mem', Math.min(1, cfrac)) }], `${fmtKb(v.commit.asKb)}/${fmtKb(v.commit.limitKb)} m${v.commit.mode}`, pal, bar);
    drawMeter(s, 0, 2, w, 'Swp', [{ frac: v.swap.usedKb / Math.max(1, v.swap.totalKb), attr: pal.gradient('mem', 1) }], `${fmtKb(v.swap.usedKb)}/${fmtKb(v.swap.totalKb)}`, pal, bar);
    const t = v.tasks;
    let x = s.put(0, 3, 'Tasks: ', pal.hi);
    // htop's TasksMeter: the processes, then the kernel threads beside them (not among them).
    x = s.put(x, 3, `${t.total - t.kthreads}`, pal.bold);
    x = s.put(x, 3, `, ${t.kthreads} kthr; `, pal.text);
    x = s.put(x, 3, `${t.running}`, pal.state('R', true));
    x = s.put(x, 3, ' running', pal.text);
    if (t.blocked > 0) {
      x = s.put(x, 3, ', ', pal.text);
      x = s.put(x, 3, `${t.blocked} D`, pal.state('D', false));
    }
    x = s.put(0, 4, 'printk ', pal.hi);
    x = s.put(x, 4, v.printk, pal.text);
    x = s.put(x + 1, 4, 'sysrq ', pal.hi);
    x = s.put(x, 4, String(v.sysrq), pal.text);
    x = s.put(x + 1, 4, 'OOM ', pal.hi);
    x = s.put(x, 4, String(v.oomKills), v.oomKills > 0 ? pal.oom : pal.text);
    const self = `${v.self.renderMs.toFixed(1)}ms ${fmtBytesRate(v.self.outBps)} ${fmtCount(v.self.eventsPerSec)}ev/s`;
    if (x + 2 + self.length <= w) s.put(w - self.length, 4, self, pal.inactive);
  }

  private drawSmallRight(s: Surface, v: HeaderView, ctx: DrawCtx, y: number): void {
    const { pal, g } = ctx;
    if (y >= s.height) return;
    if (v.trace) {
      s.put(0, y, fit(`trace: ${v.tasks.total} tasks seen, ${v.tasks.running} runnable; no memory state in a trace`, s.width), pal.inactive);
      return;
    }
    const half = Math.floor(s.width / 2);
    drawMeter(s, 0, y, half - 1, 'Mem', this.memSegs(v, pal), `${fmtKb(v.mem.usedKb)}/${fmtKb(v.mem.totalKb)}`, pal, g.meter);
    const cfrac = v.commit.asKb / Math.max(1, v.commit.limitKb);
    drawMeter(s, half, y, s.width - half, 'Cmt', [{ frac: Math.min(1, cfrac), attr: pal.gradient('mem', Math.min(1, cfrac)) }], `${fmtKb(v.commit.asKb)}/${fmtKb(v.commit.limitKb)}`, pal, g.meter);
  }
}

export interface CpuGrid {
  /** Bare glyphs in groups of 8 under a row label, rather than number + glyph + percentage per CPU. */
  dense: boolean;
  perRow: number;
  rows: number;
}

/** How n CPUs lay out in width columns and at most maxRows rows: 7 columns each if that fits, else dense. */
export function cpuGrid(width: number, n: number, maxRows: number): CpuGrid {
  const per = Math.max(1, Math.floor(width / 7));
  const rows = Math.ceil(n / per);
  if (rows <= maxRows) return { dense: false, perRow: per, rows };
  // Dense: "NNN " then groups of 8 glyphs and a space.
  const labelW = String(Math.max(0, n - 1)).length + 1;
  const groups = Math.max(1, Math.floor((width - labelW + 1) / 9));
  const perRow = groups * 8;
  return { dense: true, perRow, rows: Math.ceil(n / perRow) };
}
