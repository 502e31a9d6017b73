/**
 * A theme turned into terminal attributes for one colour depth: blessed's packed attribute (flags << 18 |
 * fg << 9 | bg, 0x1ff = the terminal's default colour). Truecolor uses the palette slots 256..510, which
 * xterm's 256 colours leave free: the screen's colour hook (screen.ts) writes them as 38;2;r;g;b.
 */
import type { ThemeColorKey, ThemeGradientKey, ThemeSpec } from '../config/theme-spec.js';
import { contrastOn, DEFAULT_COLOR, gradientAt, indexToRgb, parseColor, rgbTo16, rgbTo256, toRgb, type Color } from './color.js';
import type { ColorDepth } from './terminal.js';

export const BOLD = 1;
export const UNDERLINE = 2;
export const INVERSE = 8;
const DEF = 0x1ff;

/** RGB colours in palette slots 256..383 (foreground) and 384..510 (background). */
export class TrueColorSlots {
  private readonly bySlot = new Map<number, string>();
  private readonly byKey = new Map<string, number>();
  private nextFg = 256;
  private nextBg = 384;

  slot(r: number, g: number, b: number, isBg: boolean): number | null {
    const key = `${isBg ? 'b' : 'f'}${r},${g},${b}`;
    const have = this.byKey.get(key);
    if (have !== undefined) return have;
    if (isBg ? this.nextBg > 510 : this.nextFg > 383) return null;
    const s = isBg ? this.nextBg++ : this.nextFg++;
    this.byKey.set(key, s);
    // blessed writes '38;5;' + this + ';' (or 48;5;): select any index, then override it with the RGB colour.
    this.bySlot.set(s, `16;${isBg ? 48 : 38};2;${r};${g};${b}`);
    return s;
  }

  code(slot: number): string | undefined {
    return this.bySlot.get(slot);
  }
}

export type StateLetter = 'R' | 'S' | 'D' | 'T' | 't' | 'X' | 'Z' | 'P' | 'I';

export class Palette {
  readonly mono: boolean;
  private readonly cache = new Map<string, number>();
  private readonly taskCells: number[] = [];
  private readonly gradients = new Map<ThemeGradientKey, number[]>();
  readonly text: number;
  readonly title: number;
  readonly border: number;
  readonly borderFocus: number;
  readonly hi: number;
  readonly inactive: number;
  readonly selected: number;
  readonly meterBg: number;
  readonly footerKey: number;
  readonly footerLabel: number;
  readonly warn: number;
  readonly oom: number;
  readonly treeRed: number;
  readonly treeBlack: number;
  readonly bold: number;
  readonly inverse: number;

  constructor(
    readonly spec: ThemeSpec,
    readonly depth: ColorDepth,
    private readonly slots: TrueColorSlots | null,
  ) {
    this.mono = spec.mono || depth === 'mono';
    const c = (k: ThemeColorKey): Color => parseColor(spec.colors[k]) ?? DEFAULT_COLOR;
    const bg = c('bg');
    this.text = this.attr(c('fg'), bg);
    this.title = this.attr(c('title'), bg, BOLD);
    this.border = this.attr(c('border'), bg);
    this.borderFocus = this.attr(c('border.focus'), bg, this.mono ? BOLD : 0);
    this.hi = this.attr(c('hi'), bg, BOLD);
    this.inactive = this.attr(c('inactive'), bg);
    this.selected = this.attr(c('selected.fg'), c('selected.bg'), this.mono ? INVERSE : 0);
    this.meterBg = this.attr(c('meter.bg'), bg);
    this.footerKey = this.attr(c('footer.key.fg'), c('footer.key.bg'), this.mono ? BOLD : 0);
    this.footerLabel = this.attr(c('footer.label.fg'), c('footer.label.bg'), this.mono ? INVERSE : 0);
    this.warn = this.attr(c('warn'), bg, BOLD);
    this.oom = this.attr(c('oom'), bg, BOLD);
    this.treeRed = this.attr(c('tree.red'), bg, this.mono ? INVERSE : BOLD);
    this.treeBlack = this.attr(c('tree.black'), bg);
    this.bold = this.attr(c('fg'), bg, BOLD);
    this.inverse = this.attr(c('fg'), bg, INVERSE);
  }

  /** A terminal colour number for c (0-255, a truecolor slot, or the default). */
  private colorCode(c: Color, isBg: boolean): number {
    if (this.mono || c.kind === 'default') return DEF;
    if (c.kind === 'index') {
      if (this.depth === '16' && c.index >= 16) {
        const [r, g, b] = indexToRgb(c.index);
        return rgbTo16(r, g, b);
      }
      return c.index;
    }
    if (this.depth === 'truecolor' && this.slots !== null) {
      const s = this.slots.slot(c.r, c.g, c.b, isBg);
      if (s !== null) return s;
    }
    if (this.depth === '16') return rgbTo16(c.r, c.g, c.b);
    return rgbTo256(c.r, c.g, c.b);
  }

  attr(fg: Color | null, bg: Color | null, flags = 0): number {
    const f = fg === null ? DEF : this.colorCode(fg, false);
    const b = bg === null ? DEF : this.colorCode(bg, true);
    return (flags << 18) | (f << 9) | b;
  }

  private key(k: ThemeColorKey, flags = 0): number {
    const ck = `${k}/${flags}`;
    let v = this.cache.get(ck);
    if (v === undefined) {
      v = this.attr(parseColor(this.spec.colors[k]) ?? DEFAULT_COLOR, parseColor(this.spec.colors.bg) ?? DEFAULT_COLOR, flags);
      this.cache.set(ck, v);
    }
    return v;
  }

  cls(name: 'stop' | 'dl' | 'rt' | 'fair' | 'idle'): number {
    return this.key(`class.${name}`, this.mono && name !== 'fair' && name !== 'idle' ? BOLD : 0);
  }

  /**
   * Class colour as a cell background (the timeline's class view); shared: the colour on the letter only (the
   * class led a slice it did not hold most of), underlined in monochrome.
   */
  clsCell(name: 'stop' | 'dl' | 'rt' | 'fair' | 'idle', shared = false): number {
    const ck = `cell/${name}/${shared ? 1 : 0}`;
    let v = this.cache.get(ck);
    if (v === undefined) {
      const c = parseColor(this.spec.colors[`class.${name}`]) ?? DEFAULT_COLOR;
      const strong = name === 'rt' || name === 'dl' || name === 'stop' ? BOLD : 0;
      if (this.mono) v = this.attr(null, null, strong | (shared ? UNDERLINE : 0));
      else v = shared ? this.attr(this.asText(c), parseColor(this.spec.colors.bg) ?? DEFAULT_COLOR) : this.attr(contrastOn(c), c);
      this.cache.set(ck, v);
    }
    return v;
  }

  state(s: StateLetter, onCpu: boolean): number {
    if (s === 'R') return this.key(onCpu ? 'state.running' : 'state.runnable', this.mono && onCpu ? BOLD : 0);
    if (s === 'D') return this.key('state.blocked', this.mono ? BOLD : 0);
    if (s === 'Z' || s === 'X') return this.key('state.zombie');
    return this.key('state.sleeping');
  }

  printk(level: number): number {
    const names = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;
    const n = names[Math.min(7, Math.max(0, level))] as (typeof names)[number];
    return this.key(`printk.${n}`, this.mono && level <= 3 ? BOLD : 0);
  }

  /**
   * The timeline cell of a task: its colour as background, a readable letter on it; shared (the task led a slice
   * it did not hold most of): the letter alone in its colour, underlined in monochrome.
   */
  taskCell(pid: number, selected: boolean, shared = false): number {
    // Cached by number, not by a string key: the timeline and the tables ask per cell, every frame.
    const i = 4 * (pid % this.spec.tasks.length) + (selected ? 1 : 0) + (shared ? 2 : 0);
    let v = this.taskCells[i];
    if (v === undefined) {
      const c = parseColor(this.spec.tasks[pid % this.spec.tasks.length]) ?? DEFAULT_COLOR;
      const bg = parseColor(this.spec.colors.bg) ?? DEFAULT_COLOR;
      if (this.mono) v = this.attr(null, null, (selected ? INVERSE : 0) | (shared ? UNDERLINE : 0));
      else if (shared) v = this.attr(this.asText(c), bg, selected ? BOLD | UNDERLINE : BOLD);
      else v = this.attr(contrastOn(c), c, selected ? BOLD | UNDERLINE : 0);
      this.taskCells[i] = v;
    }
    return v;
  }

  /**
   * A cell colour used for text: as it is on a dark theme; darkened on a light one (dark text), where the pastel
   * task colours made for backgrounds would not read as letters.
   */
  private asText(c: Color): Color {
    const fg = toRgb(parseColor(this.spec.colors.fg) ?? DEFAULT_COLOR);
    const rgb = toRgb(c);
    if (fg === null || rgb === null || 0.299 * fg[0] + 0.587 * fg[1] + 0.114 * fg[2] >= 128) return c;
    return { kind: 'rgb', r: Math.round(rgb[0] * 0.45), g: Math.round(rgb[1] * 0.45), b: Math.round(rgb[2] * 0.45) };
  }

  /** A foreground from a gradient at t in [0, 1] (101 steps, as btop). */
  gradient(name: ThemeGradientKey, t: number): number {
    const step = Math.round(Math.min(1, Math.max(0, t)) * 100);
    let steps = this.gradients.get(name);
    if (steps === undefined) this.gradients.set(name, (steps = new Array<number>(101)));
    let v = steps[step];
    if (v === undefined) {
      // Step by step, as they are first drawn: a truecolor terminal has 128 foreground slots to share.
      const stops = this.spec.gradients[name].map((x) => parseColor(x) ?? DEFAULT_COLOR);
      v = this.attr(gradientAt(stops, step / 100), parseColor(this.spec.colors.bg) ?? DEFAULT_COLOR, this.mono ? BOLD : 0);
      steps[step] = v;
    }
    return v;
  }
}
