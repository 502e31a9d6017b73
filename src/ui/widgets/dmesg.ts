/**
 * The kernel log: the printk ring as dmesg prints it, coloured by level, either whole or as the console saw it
 * (only records below console_loglevel when they were printed, or all with ignore_loglevel). It follows the
 * tail unless scrolled up; long lines scroll sideways (left/right), or wrap (L) under the message's first column.
 */
import type { Frame, PrintkLine } from '../../bus/frame.js';
import type { Surface } from '../canvas.js';
import { expandTabs, fit } from '../format.js';
import type { UiState } from '../ui-state.js';
import { Reaction, type DrawCtx, type KeyEvent, type Widget, clearPane } from './widget.js';

const LEVEL_NAMES = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];

export function dmesgLine(r: PrintkLine): string {
  const s = Math.floor(r.tNs / 1e9);
  const us = Math.floor((r.tNs % 1e9) / 1e3);
  return expandTabs(`[${String(s).padStart(5)}.${String(us).padStart(6, '0')}] ${r.text}`);
}

export class DmesgWidget implements Widget {
  private lines: PrintkLine[] = [];
  /** Lines from the bottom; 0 = following the tail. */
  private scroll = 0;
  private hscroll = 0;
  private height = 10;
  private consoleLevel = 4;
  /** Wrap long lines instead of cutting them (the scroll still counts records). */
  wrap = false;

  constructor(
    readonly id: 'dmesg' | 'console',
    public view: 'ring' | 'console',
    private readonly capacity = 5000,
  ) {}

  title(): string {
    const what = this.view === 'ring' ? 'dmesg (whole ring)' : `console (level < ${this.consoleLevel})`;
    return `${what}${this.wrap ? ' wrap' : ''}${this.scroll > 0 ? ` -${this.scroll}` : ''}${this.hscroll > 0 && !this.wrap ? ` >${this.hscroll}` : ''}`;
  }

  reset(): void {
    this.lines = [];
    this.scroll = 0;
  }

  update(frame: Frame): boolean {
    this.consoleLevel = frame.snapshot.printk.consoleLoglevel;
    const add = frame.printk;
    if (add.length === 0) return false;
    // Records can be continued (KERN_CONT): a newer copy of the same seq replaces the older one.
    for (const r of add) {
      const last = this.lines[this.lines.length - 1];
      if (last !== undefined && last.seq === r.seq) this.lines[this.lines.length - 1] = r;
      else this.lines.push(r);
    }
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
    if (this.scroll > 0) this.scroll += this.view === 'console' ? add.filter((r) => r.console).length : add.length;
    return true;
  }

  private shown(): PrintkLine[] {
    return this.view === 'console' ? this.lines.filter((r) => r.console) : this.lines;
  }

  draw(s: Surface, ctx: DrawCtx): void {
    const { pal } = ctx;
    if (!clearPane(s, ctx, 'the kernel log is not in a scheduler trace')) return;
    this.height = s.height;
    const lines = this.shown();
    this.scroll = Math.max(0, Math.min(this.scroll, lines.length - s.height));
    const end = lines.length - this.scroll;
    if (this.wrap) this.drawWrapped(s, ctx, lines, end);
    else {
      const start = Math.max(0, end - s.height);
      for (let i = start; i < end; i++) {
        const r = lines[i] as PrintkLine;
        const text = dmesgLine(r).slice(this.hscroll);
        s.put(0, i - start, fit(text, s.width), pal.printk(r.level));
      }
    }
    if (lines.length === 0) s.put(0, 0, this.view === 'console' ? '(nothing reached the console yet)' : '(empty)', pal.inactive);
  }

  onKey(key: KeyEvent, _ui: UiState): Reaction {
    const page = Math.max(1, this.height - 1);
    switch (key.full) {
      case 'up':
        this.scroll++;
        break;
      case 'down':
        this.scroll = Math.max(0, this.scroll - 1);
        break;
      case 'pageup':
        this.scroll += page;
        break;
      case 'pagedown':
        this.scroll = Math.max(0, this.scroll - page);
        break;
      case 'home':
        this.scroll = this.lines.length;
        break;
      case 'end':
        this.scroll = 0;
        this.hscroll = 0;
        break;
      case 'left':
        this.hscroll = Math.max(0, this.hscroll - 20);
        break;
      case 'right':
        this.hscroll += 20;
        break;
      default:
        return Reaction.None;
    }
    return Reaction.Redraw;
  }

  /** The records ending before `end`, wrapped, bottom up until the pane is full: continuation rows start under the text. */
  private drawWrapped(s: Surface, ctx: DrawCtx, lines: PrintkLine[], end: number): void {
    const indent = s.width > 40 ? 15 : 0;
    const rows: { text: string; level: number }[] = [];
    for (let i = end - 1; i >= 0 && rows.length < s.height; i--) {
      const r = lines[i] as PrintkLine;
      const text = dmesgLine(r);
      const chunks = [text.slice(0, s.width)];
      for (let at = s.width; at < text.length; at += s.width - indent) chunks.push(' '.repeat(indent) + text.slice(at, at + s.width - indent));
      for (let j = chunks.length - 1; j >= 0; j--) rows.unshift({ text: chunks[j] as string, level: r.level });
    }
    const shown = rows.slice(Math.max(0, rows.length - s.height));
    shown.forEach((row, y) => s.put(0, y, fit(row.text, s.width), ctx.pal.printk(row.level)));
  }

  static levelName(level: number): string {
    return LEVEL_NAMES[level] ?? String(level);
  }
}
