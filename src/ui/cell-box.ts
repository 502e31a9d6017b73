/**
 * A blessed element that shows a Canvas: blessed places it (position, visibility, mouse hit-testing) and
 * diffs the screen; its render copies the canvas cells into the screen buffer instead of parsing content tags.
 */
import type blessed from 'blessed';
import blessedBox from 'blessed/lib/widgets/box.js';
import { Canvas } from './canvas.js';
import type { Screen } from './screen.js';

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

type Cell = [number, string];
type Line = Cell[] & { dirty?: boolean };

interface ElementInternals {
  _emit(type: string, args?: unknown[]): void;
  _getCoords(get: boolean): { xi: number; xl: number; yi: number; yl: number } | undefined;
  lpos?: unknown;
  screen: { lines: Line[] };
}

export class CellBox {
  readonly el: blessed.Widgets.BoxElement;
  readonly canvas = new Canvas(0, 0);
  rect: Rect = { x: 0, y: 0, w: 0, h: 0 };
  /** Cells that changed at the last render (what blessed will have to send): for the render bench. */
  changedCells = 0;

  constructor(screen: Screen) {
    this.el = blessedBox({ parent: screen, top: 0, left: 0, width: 1, height: 1, hidden: true });
    const el = this.el as unknown as ElementInternals;
    const canvas = this.canvas;
    const self = this;
    (this.el as unknown as { render: () => unknown }).render = function render(): unknown {
      el._emit('prerender');
      const coords = el._getCoords(true);
      if (coords === undefined) {
        delete el.lpos;
        return undefined;
      }
      el.lpos = coords;
      const lines = el.screen.lines;
      const w = Math.min(canvas.width, coords.xl - coords.xi);
      const h = Math.min(canvas.height, coords.yl - coords.yi);
      let changed = 0;
      for (let y = 0; y < h; y++) {
        const line = lines[coords.yi + y];
        if (line === undefined) continue;
        const base = y * canvas.width;
        let dirty = false;
        for (let x = 0; x < w; x++) {
          const cell = line[coords.xi + x];
          if (cell === undefined) continue;
          const a = canvas.attrs[base + x] as number;
          const c = canvas.chars[base + x] as string;
          if (cell[0] !== a || cell[1] !== c) {
            cell[0] = a;
            cell[1] = c;
            dirty = true;
            changed++;
          }
        }
        if (dirty) line.dirty = true;
      }
      self.changedCells = changed;
      el._emit('render', [coords]);
      return coords;
    };
  }

  place(r: Rect): void {
    this.rect = r;
    const el = this.el as unknown as { left: number; top: number; width: number; height: number };
    el.left = r.x;
    el.top = r.y;
    el.width = Math.max(1, r.w);
    el.height = Math.max(1, r.h);
    if (this.canvas.width !== r.w || this.canvas.height !== r.h) this.canvas.resize(r.w, r.h);
    this.el.show();
  }

  hide(): void {
    this.el.hide();
  }

  get visible(): boolean {
    return this.el.visible;
  }
}
