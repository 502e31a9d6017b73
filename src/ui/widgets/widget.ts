/**
 * The widget contract (design.md, adapted): a widget takes each frame's data into its own view model
 * (update, no drawing), paints that view into a Surface (draw, no data access), and may handle keys and clicks
 * when focused. It never touches the kernel, the bus or blessed: the compositor does that.
 */
import type { Frame } from '../../bus/frame.js';
import type { Surface } from '../canvas.js';
import { fit } from '../format.js';
import type { Glyphs } from '../glyphs.js';
import type { Palette } from '../palette.js';
import type { UiState } from '../ui-state.js';

export type WidgetId = 'header' | 'timeline' | 'runqueue' | 'fairtree' | 'tasks' | 'slabs' | 'memory' | 'oom' | 'dmesg' | 'console' | 'memchart' | 'footer';

/** Bit flags a handler returns, htop style: what needs doing, decided by the loop. */
export const Reaction = { None: 0, Handled: 1, Redraw: 2, Relayout: 4, Quit: 8 } as const;
export type Reaction = number;

export interface DrawCtx {
  pal: Palette;
  g: Glyphs;
  focused: boolean;
  ui: UiState;
}

export interface KeyEvent {
  /** blessed's full key name: 'q', 'up', 'C-c', 'M-s', 'f1', 'S-tab', ... */
  full: string;
  /** The printable character, if any. */
  ch: string | undefined;
}

export interface Widget {
  readonly id: WidgetId;
  /** Box title (may depend on the state). */
  title(ui: UiState): string;
  /** Take a frame's data; return true if what is shown changed. */
  update(frame: Frame, ui: UiState): boolean;
  draw(s: Surface, ctx: DrawCtx): void;
  onKey?(key: KeyEvent, ui: UiState): Reaction;
  onClick?(x: number, y: number, ui: UiState): Reaction;
  /** The machine rebooted: forget history. */
  reset?(): void;
}

/**
 * Clear a pane before drawing it. A trace viewer has only scheduler events: a pane whose subject is not in them
 * shows `notInTrace` instead of zeros, and the caller draws nothing more (false).
 */
export function clearPane(s: Surface, ctx: DrawCtx, notInTrace: string): boolean {
  s.fill(0, 0, s.width, s.height, ' ', ctx.pal.text);
  if (ctx.ui.snapshot?.source !== 'trace') return true;
  s.put(0, 0, fit(notInTrace, s.width), ctx.pal.inactive);
  return false;
}
