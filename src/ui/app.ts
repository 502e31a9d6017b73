/**
 * The dashboard (the compositor of design.md): owns the blessed screen's boxes, feeds each bus frame to the
 * widgets, and renders once per frame - every visible pane's view into its canvas, then one screen.render(),
 * which blessed turns into one terminal write of the changed cells. Keys go to an open overlay, the prompt,
 * a pending SysRq chord, the keymap's actions, then the focused pane (actions.ts).
 */
import type { Subscription } from 'rxjs';
import type { KernelBus } from '../bus/bus.js';
import type { Frame } from '../bus/frame.js';
import type { ThemeSpec } from '../config/theme-spec.js';
import { CellBox, invalidateCellBoxes, type Rect } from './cell-box.js';
import type { Surface } from './canvas.js';
import { fit } from './format.js';
import type { Glyphs } from './glyphs.js';
import type { Keymap } from './keymap.js';
import { isLarge, LAYOUTS, MIN_COLS, MIN_ROWS, place } from './layout.js';
import { LineEditor } from './line-editor.js';
import { JobPager, PanicScreen, Pager, type Overlay } from './overlays.js';
import { Palette, type TrueColorSlots } from './palette.js';
import type { Screen } from './screen.js';
import type { ColorDepth } from './terminal.js';
import { UiState, type ScreenId } from './ui-state.js';
import { DmesgWidget } from './widgets/dmesg.js';
import { MemChart } from './widgets/mem-chart.js';
import { FairTreeWidget } from './widgets/fair-tree.js';
import { HeaderWidget } from './widgets/header.js';
import { MemoryWidget } from './widgets/memory.js';
import { OomLogWidget } from './widgets/oom-log.js';
import { RunqueueWidget } from './widgets/runqueue.js';
import { SlabTableWidget } from './widgets/slab-table.js';
import { TaskTableWidget } from './widgets/task-table.js';
import { TimelineWidget } from './widgets/timeline.js';
import { Reaction, type KeyEvent, type Widget, type WidgetId } from './widgets/widget.js';
import { handleAction, handlePrompt, type PromptKind } from './actions.js';

export interface ThemeChoice {
  name: string;
  load(): ThemeSpec;
}

export interface AppOptions {
  screen: Screen;
  bus: KernelBus;
  keymap: Keymap;
  glyphs: Glyphs;
  depth: ColorDepth;
  slots: TrueColorSlots | null;
  theme: ThemeSpec;
  /** Themes the theme key cycles through. */
  themes: ThemeChoice[];
  sysrqHelp: readonly { key: string; help: string }[];
  mouse: boolean;
  /** Asked to end the program (q, power off, panic screen q). */
  onExit(why: 'quit' | 'poweroff' | 'panic'): void;
  /** The trace capture key (R): returns the message to show. */
  onTraceToggle?: () => string;
  /** Tab in the command line: the completed line, or the choices when the word is ambiguous. */
  complete?: (text: string, cursor: number) => { text: string; cursor: number; candidates: string[] };
  /** The command line's working directory (cd), shown at the prompt's right while it is not "/". */
  cwd?: () => string;
  /** Messages to show at start (theme warnings, terminfo trouble). */
  startupMessages?: string[];
  /** A replay: the machine takes commands from the journal only. */
  readOnly?: boolean;
}

const FOCUSABLE: readonly WidgetId[] = ['tasks', 'timeline', 'runqueue', 'fairtree', 'slabs', 'memory', 'oom', 'dmesg', 'console'];
const DEFAULT_FOCUS: Readonly<Record<ScreenId, WidgetId>> = { overview: 'tasks', scheduler: 'timeline', memory: 'slabs', log: 'dmesg' };

export class App {
  readonly ui = new UiState();
  pal: Palette;
  readonly header = new HeaderWidget();
  readonly timeline = new TimelineWidget();
  readonly runqueue = new RunqueueWidget();
  readonly fairtree = new FairTreeWidget();
  readonly tasks = new TaskTableWidget();
  readonly slabs = new SlabTableWidget();
  readonly memory = new MemoryWidget();
  readonly oom = new OomLogWidget();
  readonly dmesg = new DmesgWidget('dmesg', 'ring');
  readonly console = new DmesgWidget('console', 'console');
  readonly widgets: Widget[];
  /** The blessed-contrib chart of the memory screen (its own blessed element, not a cell box). */
  readonly memChart = new MemChart(() => this.safely(() => this.render()));
  readonly boxes = new Map<WidgetId, CellBox>();
  private readonly overlayBox: CellBox;
  private overlayNow: Overlay | null = null;

  /** The modal pane on top, if any. A command whose pager goes (closed or replaced) is interrupted with it. */
  get overlay(): Overlay | null {
    return this.overlayNow;
  }

  set overlay(o: Overlay | null) {
    const old = this.overlayNow;
    if (old !== o && old instanceof JobPager) old.stop();
    this.overlayNow = o;
  }
  prompt: { kind: PromptKind; editor: LineEditor } | null = null;
  sysrqPending = false;
  message: { text: string; warn: boolean; frames: number } | null = null;
  readonly commandHistory: string[] = [];
  /** Command lines whose output should open the pager (instead of a footer message). */
  readonly pagerFor = new Set<string>();
  /** Nice values asked for but not yet seen in a snapshot (F7/F8 pressed several times in one frame). */
  readonly pendingNice = new Map<number, number>();
  themeIndex = 0;
  mouse: boolean;
  private sub: Subscription | null = null;
  private boot = -1;
  private panicShown = false;
  private layoutKey = '';
  private rects = new Map<WidgetId, Rect>();
  frames = 0;

  constructor(readonly opts: AppOptions) {
    this.pal = new Palette(opts.theme, opts.depth, opts.slots);
    this.themeIndex = Math.max(0, opts.themes.findIndex((t) => t.name === opts.theme.name));
    this.mouse = opts.mouse;
    this.widgets = [this.header, this.timeline, this.runqueue, this.fairtree, this.tasks, this.slabs, this.memory, this.oom, this.dmesg, this.console];
    for (const w of this.widgets) this.boxes.set(w.id, new CellBox(opts.screen));
    this.boxes.set('footer', new CellBox(opts.screen));
    this.overlayBox = new CellBox(opts.screen);
    for (const [id, box] of this.boxes) {
      box.el.on('click', (d: { x: number; y: number }) => this.click(id, d.x, d.y));
      box.el.on('wheelup', () => this.wheel(id, 'up'));
      box.el.on('wheeldown', () => this.wheel(id, 'down'));
    }
    opts.screen.on('keypress', (ch: string | undefined, key: { full?: string; name?: string } | undefined) => this.safely(() => this.onKey(ch, key)));
    opts.screen.on('resize', () => this.safely(() => this.render()));
    for (const m of opts.startupMessages ?? []) this.say(m, true);
  }

  start(): void {
    this.sub = this.opts.bus.frames$.subscribe((f) => this.safely(() => this.onFrame(f)));
  }

  stop(): void {
    this.sub?.unsubscribe();
    this.sub = null;
    this.memChart.destroy();
  }

  /** A UI error must not take the machine down: report it in the footer instead. */
  private safely(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.say(`internal UI error: ${(e as Error).message}`, true);
      try {
        this.render();
      } catch {
        // Nothing more to do; the next frame tries again.
      }
    }
  }

  say(text: string, warn = false): void {
    this.message = { text, warn, frames: 0 };
  }

  onFrame(f: Frame): void {
    this.frames++;
    if (f.sim.boot !== this.boot) {
      if (this.boot !== -1) {
        for (const w of this.widgets) w.reset?.();
        this.memChart.reset();
        this.say(`the machine rebooted (boot ${f.sim.boot})`);
        this.panicShown = false;
      }
      this.boot = f.sim.boot;
    }
    this.ui.setFrame(f);
    this.memChart.update(f);
    // Load the chart widget once the first frames are up, so it never delays startup.
    if (this.frames === 3) this.memChart.preload();
    for (const [pid, nice] of this.pendingNice) if (this.ui.task(pid)?.nice === nice || this.ui.task(pid) === undefined) this.pendingNice.delete(pid);
    for (const w of this.widgets) w.update(f, this.ui);
    this.followSelection();
    this.takeActions(f);
    for (const o of f.jobs) if (this.overlay instanceof JobPager && this.overlay.job === o.job) this.overlay.append(o.text, o.done, o.replace);
    if (f.snapshot.halted === 'panic' && !this.panicShown) {
      this.panicShown = true;
      this.overlay = new PanicScreen(this.panicLines(f));
    }
    if (this.message !== null && ++this.message.frames > 60) this.message = null;
    this.render();
    if (f.snapshot.halted === 'poweroff') this.opts.onExit('poweroff');
  }

  /** The tree pane follows the selected task's CPU unless the user picked a CPU. */
  private followSelection(): void {
    const t = this.ui.selected;
    if (!this.ui.treeCpuPinned && t !== undefined) this.ui.treeCpu = t.cpu;
    const n = this.ui.snapshot?.nrCpus ?? 1;
    this.ui.treeCpu = Math.max(0, Math.min(n - 1, this.ui.treeCpu));
    this.opts.bus.view.treeCpu = this.ui.treeCpu;
  }

  /** Output of the commands typed here: a footer message, or the pager for longer text. */
  private takeActions(f: Frame): void {
    for (const a of f.actions) {
      if (a.source !== 'command') continue;
      if (a.action.startsWith('sh ')) {
        const line = a.action.slice(3);
        const out = (a.output ?? '').replace(/\n$/, '');
        const wantPager = this.pagerFor.delete(line);
        if (a.job !== undefined) {
          // An interval command: its pager opens now and its reports are appended as they come (onJobOutput).
          const job = a.job;
          this.overlay = new JobPager(`$ ${line}`, out === '' ? [] : out.split('\n').map((text) => ({ text })), job, () => this.opts.bus.submit({ kind: 'jobstop', job }), a.jobScreens === true);
          continue;
        }
        if (out === '') {
          if (a.error !== null) this.say(`${line}: ${a.error}`, true);
          continue;
        }
        const lines = out.split('\n');
        // A line wider than the footer goes to the pager too, where it can be scrolled sideways.
        const tooWide = (lines[0]?.length ?? 0) > (this.opts.screen.width as number);
        if (wantPager || lines.length > 1 || tooWide) this.overlay = new Pager(`$ ${line}`, lines.map((text) => ({ text })));
        else this.say(lines[0] ?? '', a.error !== null);
      } else if (a.action.startsWith('sysrq ')) {
        // Every SysRq key prints "sysrq: ..." first; a first line that is not that one means the output was
        // larger than the printk ring and its start was overwritten (SysRq t on a big machine), as in dmesg.
        const first = (a.output ?? '').split('\n')[0] ?? '';
        const head = first === '' ? a.action : first.startsWith('sysrq:') ? first : `${a.action}: more output than the printk ring holds; its start was overwritten`;
        this.say(`${head} (the rest is in dmesg)`);
      }
    }
  }

  private panicLines(f: Frame): string[] {
    const lines = f.printk.map((r) => r.text);
    let start = lines.findIndex((t) => t.startsWith('Kernel panic'));
    if (start < 0) return [f.snapshot.panicText ?? 'Kernel panic'];
    start = Math.max(0, start - 12);
    return lines.slice(start);
  }

  private chartUsable(): boolean {
    return this.opts.glyphs.h !== '-' && !this.pal.mono;
  }

  setTheme(spec: ThemeSpec): void {
    this.pal = new Palette(spec, this.opts.depth, this.opts.slots);
    this.layoutKey = '';
  }

  focusable(): WidgetId[] {
    return FOCUSABLE.filter((id) => this.rects.has(id));
  }

  setScreen(s: ScreenId): void {
    this.ui.screen = s;
    this.ui.focus = DEFAULT_FOCUS[s];
    this.layoutKey = '';
  }

  widget(id: WidgetId): Widget | undefined {
    return this.widgets.find((w) => w.id === id);
  }

  /* ------------------------------------------------------------------ input */

  onKey(ch: string | undefined, key: { full?: string; name?: string } | undefined): void {
    let full = key?.full ?? key?.name ?? ch ?? '';
    // blessed names Shift+letter "S-r"; the keymap (and people) call it "R".
    if (ch !== undefined && /^[A-Z]$/.test(ch) && full === `S-${ch.toLowerCase()}`) full = ch;
    if (full === '') return;
    const k: KeyEvent = { full, ch };
    if (this.message !== null && this.prompt === null) this.message = null;
    // The SysRq chord works over a pager too (dmesg -w open, then !m to watch show-mem arrive), as the real
    // keys do whatever the console shows.
    if (this.overlay !== null && !this.sysrqPending && this.opts.keymap.resolve(full) === 'sysrq') {
      handleAction(this, 'sysrq');
      this.render();
      return;
    }
    if (this.overlay !== null && !this.sysrqPending) {
      const r = this.overlay.onKey(full, ch);
      if (r === 'close') this.overlay = null;
      if (r === 'quit') this.opts.onExit('panic');
      this.render();
      return;
    }
    if (this.prompt !== null) {
      // The prompt's message lasts until the next key (which may set another).
      this.message = null;
      handlePrompt(this, k);
      this.render();
      return;
    }
    if (this.sysrqPending) {
      this.sysrqPending = false;
      if (full === 'escape' || full === 'C-c') this.say('SysRq cancelled');
      else if (ch !== undefined && ch.length === 1 && ch > ' ') {
        this.opts.bus.submit({ kind: 'sysrq', key: ch });
        this.say(`SysRq ${ch} sent`);
      } else this.say('SysRq: not a command key', true);
      this.render();
      return;
    }
    const action = this.opts.keymap.resolve(full);
    let r: Reaction = Reaction.None;
    if (action !== undefined) r = handleAction(this, action);
    else {
      const w = this.widget(this.ui.focus as WidgetId);
      r = w?.onKey?.(k, this.ui) ?? Reaction.None;
    }
    if (r & Reaction.Quit) {
      this.opts.onExit('quit');
      return;
    }
    this.render();
  }

  private click(id: WidgetId, x: number, y: number): void {
    this.safely(() => {
      if (!this.mouse || this.overlay !== null) return;
      const r = this.rects.get(id);
      if (r === undefined) return;
      if (FOCUSABLE.includes(id)) this.ui.focus = id;
      this.widget(id)?.onClick?.(x - r.x - 1, y - r.y - 1, this.ui);
      this.render();
    });
  }

  private wheel(id: WidgetId, dir: 'up' | 'down'): void {
    this.safely(() => {
      if (!this.mouse || this.overlay !== null) return;
      this.widget(id)?.onKey?.({ full: dir, ch: undefined }, this.ui);
      this.render();
    });
  }

  /* ------------------------------------------------------------------ drawing */

  render(): void {
    const screen = this.opts.screen;
    const W = screen.width as number;
    const H = screen.height as number;
    const snap = this.ui.snapshot;
    if (W < MIN_COLS || H < MIN_ROWS) {
      this.renderTooSmall(W, H);
      screen.render();
      return;
    }
    const nCpus = snap?.nrCpus ?? 1;
    const key = `${this.ui.screen}/${W}x${H}/${nCpus}`;
    if (key !== this.layoutKey) this.relayout(W, H, nCpus);
    const ctxFor = (id: WidgetId): { pal: Palette; g: Glyphs; focused: boolean; ui: UiState } => ({ pal: this.pal, g: this.opts.glyphs, focused: this.ui.focus === id, ui: this.ui });
    if (snap !== null) {
      const hb = this.boxes.get('header') as CellBox;
      this.header.draw(hb.canvas, ctxFor('header'));
      for (const [id, r] of this.rects) {
        const w = this.widget(id);
        const box = this.boxes.get(id);
        if (w === undefined || box === undefined || r.w < 3 || r.h < 3) continue;
        this.frame(box.canvas, w.title(this.ui), this.ui.focus === id);
        w.draw(box.canvas.sub(1, 1, r.w - 2, r.h - 2), ctxFor(id));
      }
    }
    this.drawFooter((this.boxes.get('footer') as CellBox).canvas);
    this.memChart.place(screen, this.rects.get('memchart') ?? null, this.pal.spec, this.chartUsable());
    this.renderOverlay(W, H);
    screen.render();
  }

  private relayout(W: number, H: number, nCpus: number): void {
    this.layoutKey = `${this.ui.screen}/${W}x${H}/${nCpus}`;
    invalidateCellBoxes();
    const hh = Math.min(HeaderWidget.height(W, H, nCpus), Math.floor(H / 3));
    this.header.small = HeaderWidget.isSmall(W, H);
    const body: Rect = { x: 0, y: hh, w: W, h: H - hh - 1 };
    const preset = LAYOUTS[this.ui.screen];
    this.rects = place(isLarge(W, H) ? preset.large : preset.small, body, nCpus);
    // Without colours or Unicode there is no braille chart: the slab table takes its place.
    const chart = this.rects.get('memchart');
    const slabs = this.rects.get('slabs');
    if (chart !== undefined && (!this.chartUsable() || chart.w < 30 || chart.h < 8)) {
      this.rects.delete('memchart');
      if (slabs !== undefined && slabs.y === chart.y && slabs.x + slabs.w === chart.x) this.rects.set('slabs', { ...slabs, w: slabs.w + chart.w });
    }
    (this.boxes.get('header') as CellBox).place({ x: 0, y: 0, w: W, h: hh });
    (this.boxes.get('footer') as CellBox).place({ x: 0, y: H - 1, w: W, h: 1 });
    for (const [id, box] of this.boxes) {
      if (id === 'header' || id === 'footer') continue;
      const r = this.rects.get(id);
      if (r === undefined || r.w < 3 || r.h < 3) box.hide();
      else box.place(r);
    }
    if (!this.rects.has(this.ui.focus as WidgetId)) this.ui.focus = this.focusable()[0] ?? 'tasks';
  }

  /** A pane's border with its title; the focused pane's border is highlighted. */
  private frame(c: Surface, title: string, focused: boolean): void {
    const g = this.opts.glyphs;
    const a = focused ? this.pal.borderFocus : this.pal.border;
    const w = c.width;
    const h = c.height;
    c.cell(0, 0, g.tl, a);
    c.cell(w - 1, 0, g.tr, a);
    c.cell(0, h - 1, g.bl, a);
    c.cell(w - 1, h - 1, g.br, a);
    c.fill(1, 0, w - 2, 1, g.h, a);
    c.fill(1, h - 1, w - 2, 1, g.h, a);
    c.fill(0, 1, 1, h - 2, g.v, a);
    c.fill(w - 1, 1, 1, h - 2, g.v, a);
    if (w > 6) c.put(2, 0, ` ${fit(title, w - 6)} `, focused ? this.pal.hi : this.pal.title);
  }

  private drawFooter(c: Surface): void {
    const pal = this.pal;
    c.fill(0, 0, c.width, 1, ' ', pal.text);
    if (this.prompt !== null) {
      const label = this.prompt.kind === 'command' ? ':' : this.prompt.kind === 'search' ? 'Search: ' : 'Filter: ';
      const e = this.prompt.editor;
      const x = c.put(0, 0, label, pal.hi);
      const room = c.width - x - 1;
      const start = Math.max(0, e.cursor - room + 1);
      const end = c.put(x, 0, e.text.slice(start, start + room), pal.text);
      c.cell(x + e.cursor - start, 0, e.text[e.cursor] ?? ' ', pal.inverse);
      // A message of the prompt's own (Tab's choices, no search match) follows the text on the same line.
      const hint = Math.max(end, x + e.cursor - start + 1) + 2;
      if (this.message !== null && hint < c.width) c.put(hint, 0, fit(this.message.text, c.width - hint), this.message.warn ? pal.warn : pal.inactive);
      else if (this.prompt.kind === 'command') {
        // Where relative paths lead, once cd has moved away from /: at the right, where the text rarely reaches.
        const cwd = this.opts.cwd?.() ?? '/';
        if (cwd !== '/' && hint + cwd.length < c.width) c.put(c.width - cwd.length, 0, cwd, pal.inactive);
      }
      return;
    }
    if (this.sysrqPending) {
      c.put(0, 0, fit('SysRq: press a command key (h for help, Esc cancels)', c.width), pal.warn);
      return;
    }
    if (this.message !== null) {
      c.put(0, 0, fit(this.message.text, c.width), this.message.warn ? pal.warn : pal.hi);
      return;
    }
    let x = 0;
    const bar = this.opts.keymap.bar();
    bar.forEach(([k, label], i) => {
      const last = i === bar.length - 1;
      if (x < 0 || x + k.length + (last ? label.length : 6) > c.width) {
        x = -1;
        return;
      }
      x = c.put(x, 0, k, pal.footerKey);
      x = c.put(x, 0, last ? label : label.padEnd(6), pal.footerLabel);
    });
    if (x < 0) return;
    const scr = ` ${['overview', 'scheduler', 'memory', 'log'].indexOf(this.ui.screen) + 1}:${this.ui.screen} `;
    if (x + scr.length + 1 <= c.width) c.put(c.width - scr.length, 0, scr, pal.hi);
  }

  private renderOverlay(W: number, H: number): void {
    const o = this.overlay;
    if (o === null) {
      if (this.overlayBox.visible) this.overlayBox.hide();
      return;
    }
    const w = Math.max(20, Math.min(W, Math.round(W * o.size.w)));
    const h = Math.max(6, Math.min(H, Math.round(H * o.size.h)));
    const r = { x: Math.floor((W - w) / 2), y: Math.floor((H - h) / 2), w, h };
    this.overlayBox.place(r);
    this.overlayBox.el.setFront();
    // The panes under it write their changes into its region: every box compares with the screen while it is up.
    invalidateCellBoxes();
    const c = this.overlayBox.canvas;
    c.fill(0, 0, w, h, ' ', this.pal.text);
    this.frame(c, o.title, true);
    o.draw(c.sub(1, 1, w - 2, h - 2), this.pal, this.opts.glyphs);
  }

  private renderTooSmall(W: number, H: number): void {
    for (const box of this.boxes.values()) if (box.visible) box.hide();
    this.memChart.place(this.opts.screen, null, this.pal.spec, false);
    this.layoutKey = '';
    const r = { x: 0, y: 0, w: Math.max(1, W), h: Math.max(1, H) };
    this.overlayBox.place(r);
    const c = this.overlayBox.canvas;
    c.fill(0, 0, r.w, r.h, ' ', this.pal.text);
    const lines = ['terminal too small', `need ${MIN_COLS}x${MIN_ROWS}, have ${W}x${H}`, 'enlarge it, or q to quit'];
    lines.forEach((l, i) => c.put(Math.max(0, Math.floor((W - l.length) / 2)), Math.floor(H / 2) - 1 + i, fit(l, W), i === 0 ? this.pal.warn : this.pal.text));
  }
}
