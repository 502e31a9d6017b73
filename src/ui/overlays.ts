/**
 * Modal panes drawn over the screen: help (generated from the keymap), a pager for command output, menus
 * (signals, sort columns), the kernel panic screen. Each gets the keys while it is open.
 */
import type { Surface } from './canvas.js';
import { expandTabs, fit, wrapItems } from './format.js';
import type { Glyphs } from './glyphs.js';
import { keyLabel, type Keymap } from './keymap.js';
import type { Palette } from './palette.js';

export type OverlayResult = 'close' | 'handled' | 'quit';

export interface Overlay {
  title: string;
  /** Preferred size as a share of the screen (1 = full). */
  size: { w: number; h: number };
  draw(s: Surface, pal: Palette, g: Glyphs): void;
  onKey(full: string, ch: string | undefined): OverlayResult;
}

/** A pager line; a wrap line is prose, re-flowed to the pager's width (the rest keep their columns). */
export interface PagerLine {
  text: string;
  attr?: 'hi' | 'title' | 'warn' | 'inactive';
  wrap?: boolean;
}

/** Scrollable lines of text. */
export class Pager implements Overlay {
  size = { w: 0.9, h: 0.85 };
  protected top = 0;
  protected left = 0;
  protected height = 10;
  /** What closes it, for the bottom line. */
  protected closeKeys = 'q/Esc close';
  /** The lines as drawn at flowWidth: the source lines with the prose ones re-flowed. */
  protected lines: PagerLine[];
  private flowWidth = -1;

  constructor(
    public title: string,
    protected readonly source: PagerLine[],
  ) {
    for (const l of source) l.text = expandTabs(l.text);
    this.lines = source;
  }

  /** Re-flow the prose lines when the width changes (a resize, or the first draw). */
  private flow(width: number): void {
    if (width === this.flowWidth) return;
    this.flowWidth = width;
    this.lines = this.source.flatMap((l) =>
      l.wrap === true ? wrapItems(l.text.split(' '), width, ' ').map((text) => ({ ...l, text })) : [l],
    );
  }

  draw(s: Surface, pal: Palette): void {
    this.flow(s.width);
    this.height = s.height - 1;
    this.top = Math.max(0, Math.min(this.top, this.lines.length - this.height));
    // Lines wider than the pager (a perf table, a long /proc line) pan with left/right, never past their end.
    let widest = 0;
    for (const l of this.lines) widest = Math.max(widest, l.text.length);
    this.left = Math.max(0, Math.min(this.left, widest - s.width));
    for (let i = 0; i < this.height; i++) {
      const l = this.lines[this.top + i];
      if (l === undefined) break;
      const attr = l.attr === undefined ? pal.text : pal[l.attr];
      s.put(0, i, fit(l.text.slice(this.left), s.width), attr);
    }
    const more = this.lines.length > this.height ? ` ${this.top + 1}-${Math.min(this.lines.length, this.top + this.height)} of ${this.lines.length}` : '';
    const wide = widest > s.width;
    let foot = `${this.closeKeys}  arrows/PgUp/PgDn scroll${more}${wide ? `  left/right pan, columns ${this.left + 1}-${this.left + s.width} of ${widest}` : ''}`;
    // On a narrow pager the short form, rather than a cut one.
    if (foot.length > s.width) foot = `${this.closeKeys}  scroll${more}${wide ? `  left/right ${this.left + 1}-${this.left + s.width}/${widest}` : ''}`;
    s.put(0, s.height - 1, fit(foot, s.width), pal.inactive);
  }

  onKey(full: string): OverlayResult {
    const page = Math.max(1, this.height - 1);
    switch (full) {
      case 'q':
      case 'escape':
      case 'enter':
      case 'f10':
        return 'close';
      case 'up':
      case 'k':
        this.top--;
        break;
      case 'down':
      case 'j':
        this.top++;
        break;
      case 'pageup':
      case 'b':
        this.top -= page;
        break;
      case 'pagedown':
      case 'space':
        this.top += page;
        break;
      case 'home':
      case 'g':
        this.top = 0;
        break;
      case 'end':
      case 'G':
        this.top = this.lines.length;
        break;
      case 'left':
        this.left = Math.max(0, this.left - 20);
        break;
      case 'right':
        this.left += 20;
        break;
      default:
        break;
    }
    this.top = Math.max(0, this.top);
    return 'handled';
  }
}

/** Lines a JobPager keeps, as a terminal's scrollback does. */
export const JOB_PAGER_LINES = 5000;

/**
 * The output of an interval command (vmstat 1) as it comes: its later reports are appended, and a view that
 * showed the last line keeps following. Ctrl-C interrupts the command and keeps the text; q/Esc close (and
 * interrupt it if it still runs).
 */
export class JobPager extends Pager {
  running = true;
  private stopSent = false;

  constructor(
    title: string,
    lines: PagerLine[],
    readonly job: number,
    private readonly interrupt: () => void,
    replaces = false,
  ) {
    super(title, lines);
    this.closeKeys = 'Ctrl-C stop  q/Esc close';
    this.top = replaces ? 0 : Number.MAX_SAFE_INTEGER;
  }

  /** A report (or the text it printed on its way out, with done); replace: a whole new screen (watch). */
  append(text: string, done: boolean, replace = false): void {
    const atEnd = this.top >= this.lines.length - this.height;
    if (replace) {
      this.source.length = 0;
      if (this.lines !== this.source) this.lines.length = 0;
    }
    const add = text.replace(/\n$/, '');
    if (text !== '') {
      for (const t of add.split('\n')) {
        const l = { text: expandTabs(t) };
        this.source.push(l);
        if (this.lines !== this.source) this.lines.push(l);
      }
    }
    // A terminal's scrollback: the oldest lines go (the view stays on the lines it showed).
    const over = this.source.length - JOB_PAGER_LINES;
    if (over > 0) {
      this.source.splice(0, over);
      if (this.lines !== this.source) this.lines.splice(0, Math.min(over, this.lines.length));
      this.top = Math.max(0, this.top - over);
    }
    if (done) this.finish();
    // A view at the end follows the new lines; a replaced screen keeps the place the person scrolled to.
    if (atEnd && !replace) this.top = Number.MAX_SAFE_INTEGER;
  }

  override draw(s: Surface, pal: Palette): void {
    super.draw(s, pal);
    // A command that prints only at its end (perf sched record -- sleep 5) says it is still at work.
    if (this.lines.length === 0 && this.running) s.put(0, 0, fit('(running: no output yet)', s.width), pal.inactive);
  }

  private finish(): void {
    if (!this.running) return;
    this.running = false;
    this.closeKeys = 'q/Esc close';
    this.title = `${this.title} (done)`;
  }

  /** Interrupt the command if it still runs (once: a second Ctrl-C has nothing left to stop). */
  stop(): void {
    if (!this.running || this.stopSent) return;
    this.stopSent = true;
    this.interrupt();
  }

  override onKey(full: string): OverlayResult {
    if (full === 'C-c') {
      this.stop();
      return 'handled';
    }
    const r = super.onKey(full);
    if (r === 'close') this.stop();
    return r;
  }
}

/** Help: every binding of the keymap, by group, then the SysRq keys of the simulated kernel. */
export function helpOverlay(km: Keymap, sysrq: readonly { key: string; help: string }[]): Pager {
  const lines: PagerLine[] = [];
  lines.push({ text: 'kernsim - a simulated multi-CPU Linux kernel, watched and poked live', attr: 'title' });
  lines.push({ text: '' });
  const groups = [...new Set(km.bindings.map((b) => b.group))];
  for (const g of groups) {
    lines.push({ text: g, attr: 'hi' });
    for (const b of km.bindings.filter((x) => x.group === g)) {
      lines.push({ text: `  ${b.keys.map(keyLabel).join(' ').padEnd(18)} ${b.help}` });
    }
    lines.push({ text: '' });
  }
  lines.push({ text: 'Magic SysRq (press ! or Alt-s, then the key; kernel.sysrq decides what is allowed)', attr: 'hi' });
  for (const s of sysrq) lines.push({ text: `  ${s.key.padEnd(18)} ${s.help}` });
  lines.push({ text: '' });
  lines.push({
    text: 'In a pane: arrows, PgUp/PgDn, Home/End scroll or select; the timeline scrolls back in time with left/right (End returns to live); the mouse selects rows and panes (Ctrl-O turns it off).',
    attr: 'inactive',
    wrap: true,
  });
  lines.push({
    text: 'A timeline column shows the task that ran longest in it: on a block of its colour when it held most of the slice, its letter alone (underlined without colour) when others shared it: zoom in with z.',
    attr: 'inactive',
    wrap: true,
  });
  return new Pager('Help', lines);
}

/** A menu of choices; enter picks one. */
export class Menu<T> implements Overlay {
  size = { w: 0.4, h: 0.6 };
  private sel = 0;

  constructor(
    public title: string,
    private readonly items: { label: string; value: T }[],
    private readonly onPick: (v: T) => void,
    initial = 0,
  ) {
    this.sel = Math.max(0, Math.min(initial, items.length - 1));
  }

  draw(s: Surface, pal: Palette): void {
    const top = Math.max(0, this.sel - (s.height - 2));
    for (let i = 0; i < s.height - 1; i++) {
      const it = this.items[top + i];
      if (it === undefined) break;
      s.put(0, i, fit(` ${it.label}`.padEnd(s.width), s.width), top + i === this.sel ? pal.selected : pal.text);
    }
    s.put(0, s.height - 1, fit('enter choose  Esc cancel', s.width), pal.inactive);
  }

  onKey(full: string, ch: string | undefined): OverlayResult {
    if (full === 'escape' || full === 'q' || full === 'f10') return 'close';
    if (full === 'up') this.sel = Math.max(0, this.sel - 1);
    else if (full === 'down') this.sel = Math.min(this.items.length - 1, this.sel + 1);
    else if (full === 'home') this.sel = 0;
    else if (full === 'end') this.sel = this.items.length - 1;
    else if (full === 'enter') {
      const it = this.items[this.sel];
      if (it !== undefined) this.onPick(it.value);
      return 'close';
    } else if (ch !== undefined && /^[0-9]$/.test(ch)) {
      // Digits jump to an item starting with that number (signal numbers).
      const i = this.items.findIndex((x) => x.label.trimStart().startsWith(ch));
      if (i >= 0) this.sel = i;
    }
    return 'handled';
  }
}

/** The kernel panic screen: the end of the log, frozen. */
export class PanicScreen extends Pager {
  override size = { w: 1, h: 1 };
  protected override closeKeys = 'Esc close  q quit';

  constructor(lines: string[]) {
    super('Kernel panic', [
      { text: 'The simulated kernel panicked. Virtual time has stopped; this is what the console showed.', attr: 'warn', wrap: true },
      { text: '' },
      ...lines.map((t) => ({ text: t })),
      { text: '' },
      { text: 'Esc: look around the frozen dashboard   q: quit', attr: 'hi' },
    ]);
    this.top = Math.max(0, this.lines.length);
  }

  override onKey(full: string): OverlayResult {
    if (full === 'q' || full === 'f10' || full === 'C-c') return 'quit';
    if (full === 'escape') return 'close';
    return super.onKey(full);
  }
}
