/**
 * Slab caches like slabtop -o: the summary lines, then OBJS ACTIVE USE OBJ SIZE SLABS OBJ/SLAB CACHE SIZE NAME,
 * sortable by slabtop's keys (through the generic sort keys of the focused table).
 */
import type { Frame } from '../../bus/frame.js';
import type { SlabSnapshot } from '../../kernel/index.js';
import type { Surface } from '../canvas.js';
import { fit, padL, strcmp } from '../format.js';
import type { UiState } from '../ui-state.js';
import { Reaction, type DrawCtx, type KeyEvent, type Widget, clearPane } from './widget.js';

/** slabtop's sort criteria (-s): o objs, a active, u use, s obj size, l slabs, b obj/slab, c cache size, n name. */
export type SlabSort = 'o' | 'a' | 'u' | 's' | 'l' | 'b' | 'c' | 'n';
export const SLAB_SORTS: readonly SlabSort[] = ['o', 'a', 'u', 's', 'l', 'b', 'c', 'n'];
const SORT_NAME: Readonly<Record<SlabSort, string>> = { o: 'OBJS', a: 'ACTIVE', u: 'USE', s: 'OBJ SIZE', l: 'SLABS', b: 'OBJ/SLAB', c: 'CACHE SIZE', n: 'NAME' };

function cacheKb(c: SlabSnapshot): number {
  return c.slabs * c.pagesPerSlab * 4;
}

function sortVal(c: SlabSnapshot, k: SlabSort): number | string {
  switch (k) {
    case 'o':
      return c.objs;
    case 'a':
      return c.active;
    case 'u':
      return c.objs === 0 ? 0 : c.active / c.objs;
    case 's':
      return c.objSize;
    case 'l':
      return c.slabs;
    case 'b':
      return c.objPerSlab;
    case 'c':
      return cacheKb(c);
    case 'n':
      return c.name;
  }
}

/**
 * A slabtop -o row. In a pane that would cut the cache names short (under 18 columns for them), OBJ/SLAB gives
 * way, then SLABS: drop = 1 or 2.
 */
export function slabRow(c: SlabSnapshot, drop = 0): string {
  const use = c.objs === 0 ? 0 : Math.floor((c.active * 100) / c.objs);
  return `${padL(c.objs, 6)} ${padL(c.active, 6)} ${padL(use, 3)}% ${padL(`${(c.objSize / 1024).toFixed(2)}K`, 8)}${drop < 2 ? ` ${padL(c.slabs, 6)}` : ''}${drop < 1 ? ` ${padL(c.objPerSlab, 8)}` : ''} ${padL(`${cacheKb(c)}K`, 10)} ${c.name}`;
}

const SLAB_HEADS = ['  OBJS ACTIVE  USE OBJ SIZE  SLABS OBJ/SLAB CACHE SIZE NAME', '  OBJS ACTIVE  USE OBJ SIZE  SLABS CACHE SIZE NAME', '  OBJS ACTIVE  USE OBJ SIZE CACHE SIZE NAME'];

/** How many columns to drop so that a cache's name gets 18 columns (the heads' widths less "NAME"). */
function columnsToDrop(width: number): number {
  const i = SLAB_HEADS.findIndex((h) => h.length - 4 + 18 <= width);
  return i < 0 ? 2 : i;
}

export class SlabTableWidget implements Widget {
  readonly id = 'slabs' as const;
  sort: SlabSort = 'c';
  caches: SlabSnapshot[] = [];
  private top = 0;
  private sel = 0;

  title(): string {
    return `Slab caches (slabtop, sort ${SORT_NAME[this.sort]})`;
  }

  update(frame: Frame): boolean {
    const k = this.sort;
    this.caches = [...frame.snapshot.slabs].sort((a, b) => {
      const x = sortVal(a, k);
      const y = sortVal(b, k);
      if (typeof x === 'string' || typeof y === 'string') return strcmp(String(x), String(y));
      return y - x || strcmp(a.name, b.name);
    });
    return true;
  }

  draw(s: Surface, ctx: DrawCtx): void {
    const { pal } = ctx;
    if (!clearPane(s, ctx, 'slab caches are not in a scheduler trace')) return;
    let objs = 0;
    let active = 0;
    let totalKb = 0;
    let activeKb = 0;
    for (const c of this.caches) {
      objs += c.objs;
      active += c.active;
      totalKb += (c.objs * c.objSize) / 1024;
      activeKb += (c.active * c.objSize) / 1024;
    }
    const pct = (a: number, b: number): string => (b === 0 ? '0.0' : ((a * 100) / b).toFixed(1));
    let y = 0;
    if (s.height >= 8) {
      s.put(0, y++, fit(` Active / Total Objects (% used) : ${active} / ${objs} (${pct(active, objs)}%)`, s.width), pal.text);
      s.put(0, y++, fit(` Active / Total Size (% used)    : ${activeKb.toFixed(2)}K / ${totalKb.toFixed(2)}K (${pct(activeKb, totalKb)}%)`, s.width), pal.text);
    }
    const drop = columnsToDrop(s.width);
    s.put(0, y++, fit(SLAB_HEADS[drop] as string, s.width), pal.title);
    const rows = s.height - y;
    this.sel = Math.max(0, Math.min(this.sel, this.caches.length - 1));
    if (this.sel < this.top) this.top = this.sel;
    if (this.sel >= this.top + rows) this.top = this.sel - rows + 1;
    for (let i = 0; i < rows; i++) {
      const c = this.caches[this.top + i];
      if (c === undefined) break;
      const attr = ctx.focused && this.top + i === this.sel ? pal.selected : pal.text;
      s.put(0, y + i, fit(slabRow(c, drop), s.width), attr);
    }
  }

  cycleSort(dir: 1 | -1): void {
    const i = SLAB_SORTS.indexOf(this.sort);
    this.sort = SLAB_SORTS[(i + dir + SLAB_SORTS.length) % SLAB_SORTS.length] as SlabSort;
  }

  onKey(key: KeyEvent, _ui: UiState): Reaction {
    const k = key.full;
    if (k === 'up') this.sel--;
    else if (k === 'down') this.sel++;
    else if (k === 'pageup') this.sel -= 10;
    else if (k === 'pagedown') this.sel += 10;
    else if (k === 'home') this.sel = 0;
    else if (k === 'end') this.sel = this.caches.length - 1;
    else return Reaction.None;
    return Reaction.Redraw;
  }
}
