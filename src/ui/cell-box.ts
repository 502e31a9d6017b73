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

/**
 * Bumped whenever something other than a box's own canvas may have written into the screen cells of some box
 * (a layout change, an overlay on top, a hidden element's cleared region, a screen realloc): each box then
 * compares its whole canvas with the screen once more, instead of with what it wrote last time.
 */
let screenEpoch = 0;

export function invalidateCellBoxes(): void {
  screenEpoch++;
}

export class CellBox {
  readonly el: blessed.Widgets.BoxElement;
  readonly canvas = new Canvas(0, 0);
  rect: Rect = { x: 0, y: 0, w: 0, h: 0 };
  /** Cells that changed at the last render (what blessed will have to send): for the render bench. */
  changedCells = 0;
  /** What the last render wrote (attrs, chars) at which place, and in which screen epoch. */
  private shadowA = new Int32Array(0);
  private shadowC: string[] = [];
  private shadowEpoch = -1;
  private shadowXi = -1;
  private shadowYi = -1;
  private shadowW = -1;
  private shadowH = -1;

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
      // What this box wrote last time is still on the screen unless the epoch moved or the box did: then only
      // the canvas cells that differ from that copy need a look at blessed's cells (one object each, scattered
      // in memory); else every cell is compared with the screen, and the copy is taken afresh.
      const size = canvas.width * canvas.height;
      const trusted = self.shadowEpoch === screenEpoch && self.shadowXi === coords.xi && self.shadowYi === coords.yi && self.shadowW === w && self.shadowH === h && self.shadowA.length === size;
      // An untrusted pass rewrites every cell of the copy it visits, so a copy of the right size is reused (an
      // overlay left open makes every frame untrusted).
      if (self.shadowA.length !== size) {
        self.shadowA = new Int32Array(size);
        self.shadowC = new Array<string>(size).fill('');
      }
      const sa = self.shadowA;
      const sc = self.shadowC;
      const attrs = canvas.attrs;
      const chars = canvas.chars;
      let changed = 0;
      for (let y = 0; y < h; y++) {
        const line = lines[coords.yi + y];
        if (line === undefined) continue;
        const base = y * canvas.width;
        let dirty = false;
        for (let x = 0; x < w; x++) {
          const i = base + x;
          const a = attrs[i] as number;
          const c = chars[i] as string;
          if (trusted && sa[i] === a && sc[i] === c) continue;
          sa[i] = a;
          sc[i] = c;
          const cell = line[coords.xi + x];
          if (cell === undefined) continue;
          if (cell[0] !== a || cell[1] !== c) {
            cell[0] = a;
            cell[1] = c;
            dirty = true;
            changed++;
          }
        }
        if (dirty) line.dirty = true;
      }
      self.shadowEpoch = screenEpoch;
      self.shadowXi = coords.xi;
      self.shadowYi = coords.yi;
      self.shadowW = w;
      self.shadowH = h;
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
    if (!this.el.visible) invalidateCellBoxes();
    this.el.show();
  }

  hide(): void {
    // blessed clears the region it leaves: whoever is under it must compare with the screen again.
    if (this.el.visible) invalidateCellBoxes();
    this.el.hide();
  }

  get visible(): boolean {
    return this.el.visible;
  }
}
