/**
 * Screens as layout presets (htop's HeaderLayout table, blessed-contrib's grid): a tree of rows and columns
 * whose sizes are fixed, proportional, or "the CPU count plus k" (the timeline and the runqueues grow with the
 * machine). Each screen has a large preset (the 120x40 reference and up) and a small one (down to 80x24);
 * below MIN_COLS x MIN_ROWS the app shows a "terminal too small" message instead of overlapping panes.
 */
import type { Rect } from './cell-box.js';
import type { ScreenId } from './ui-state.js';
import type { WidgetId } from './widgets/widget.js';

export const MIN_COLS = 60;
export const MIN_ROWS = 18;
/** Rows or columns a bordered pane needs to show anything. */
const MIN_PANE = 3;

/**
 * A child's size: fixed rows/columns, the CPU count plus k (at most max CPUs), or a share of what is left. A flex
 * child may ask for a minimum (4 otherwise); when the minimums do not fit, a fixed child marked squeeze gives up
 * rows first, down to SQUEEZE_FLOOR or its proportional share, whichever is more (the scheduler screen's runqueue
 * row scrolls; its task list would not), and the other fixed children shrink in proportion for the rest.
 */
export type Size = { n: number } | { cpus: number; max: number; squeeze?: boolean } | { flex: number; min?: number };

const SQUEEZE_FLOOR = 8;

export type LayoutNode = { id: WidgetId } | { dir: 'row' | 'col'; children: { node: LayoutNode; size: Size }[] };

const leaf = (id: WidgetId): LayoutNode => ({ id });
const col = (...children: [LayoutNode, Size][]): LayoutNode => ({ dir: 'col', children: children.map(([node, size]) => ({ node, size })) });
const row = (...children: [LayoutNode, Size][]): LayoutNode => ({ dir: 'row', children: children.map(([node, size]) => ({ node, size })) });

/** Timeline: lanes + 2 borders + axis + legend rows. */
const TIMELINE_L: Size = { cpus: 5, max: 16 };
const TIMELINE_S: Size = { cpus: 4, max: 8 };

export const LAYOUTS: Readonly<Record<ScreenId, { large: LayoutNode; small: LayoutNode }>> = {
  overview: {
    large: col(
      [leaf('timeline'), TIMELINE_L],
      [row([leaf('tasks'), { flex: 6 }], [col([leaf('runqueue'), { cpus: 2, max: 12 }], [leaf('fairtree'), { flex: 1 }]), { flex: 4 }]), { flex: 3 }],
      [leaf('dmesg'), { flex: 1 }],
    ),
    small: col([leaf('timeline'), TIMELINE_S], [leaf('tasks'), { flex: 1 }]),
  },
  scheduler: {
    large: col(
      [leaf('timeline'), TIMELINE_L],
      [row([leaf('runqueue'), { flex: 4 }], [leaf('fairtree'), { flex: 6 }]), { cpus: 2, max: 20, squeeze: true }],
      [leaf('tasks'), { flex: 1, min: 6 }],
    ),
    small: col([leaf('timeline'), TIMELINE_S], [row([leaf('runqueue'), { flex: 4 }], [leaf('fairtree'), { flex: 6 }]), { flex: 1 }]),
  },
  memory: {
    large: col([row([leaf('memory'), { flex: 11 }], [leaf('oom'), { flex: 9 }]), { n: 20 }], [row([leaf('slabs'), { flex: 5 }], [leaf('memchart'), { flex: 3 }]), { flex: 1 }]),
    small: col([leaf('memory'), { n: 13 }], [leaf('slabs'), { flex: 1 }]),
  },
  log: {
    large: col([leaf('dmesg'), { flex: 2 }], [leaf('console'), { flex: 1 }]),
    small: col([leaf('dmesg'), { flex: 2 }], [leaf('console'), { flex: 1 }]),
  },
};

/** Large preset from 100 columns and 34 rows. */
export function isLarge(cols: number, rows: number): boolean {
  return cols >= 100 && rows >= 34;
}

function sizeOf(s: Size, nCpus: number): number | null {
  if ('n' in s) return s.n;
  if ('cpus' in s) return Math.min(nCpus, s.max) + s.cpus;
  return null;
}

/** Place the panes of a layout in the body rectangle. Fixed sizes shrink if they do not fit. */
export function place(node: LayoutNode, r: Rect, nCpus: number, out: Map<WidgetId, Rect> = new Map()): Map<WidgetId, Rect> {
  if ('id' in node) {
    out.set(node.id, r);
    return out;
  }
  const vertical = node.dir === 'col';
  const total = vertical ? r.h : r.w;
  const fixed = node.children.map((c) => sizeOf(c.size, nCpus));
  let fixedSum = fixed.reduce<number>((a, f) => a + (f ?? 0), 0);
  const flexSum = node.children.reduce((a, c) => a + ('flex' in c.size ? c.size.flex : 0), 0);
  // Leave each flexible child its minimum (4 rows/columns unless it says); squeezable fixed children give up rows
  // first, then every fixed one shrinks in proportion.
  const room = total - node.children.reduce((a, c) => a + ('flex' in c.size ? (c.size.min ?? 4) : 0), 0);
  // (A squeezed child keeps at least SQUEEZE_FLOOR and at least its proportional share, and is then left alone.)
  let over = fixedSum - room;
  const share = fixedSum > 0 ? Math.max(0, room) / fixedSum : 1;
  const squeezed = new Set<number>();
  node.children.forEach((c, i) => {
    const f = fixed[i];
    if (over <= 0 || f === null || f === undefined || !('squeeze' in c.size) || c.size.squeeze !== true) return;
    const give = Math.min(over, Math.max(0, f - Math.max(SQUEEZE_FLOOR, Math.floor(f * share))));
    fixed[i] = f - give;
    over -= give;
    squeezed.add(i);
  });
  const keptSum = fixed.reduce<number>((a, f, i) => a + (squeezed.has(i) ? (f ?? 0) : 0), 0);
  const restSum = fixed.reduce<number>((a, f, i) => a + (squeezed.has(i) ? 0 : (f ?? 0)), 0);
  const shrink = over > 0 && restSum > 0 ? Math.max(0, room - keptSum) / restSum : 1;
  const sizes = fixed.map((f, i) => (f === null ? null : squeezed.has(i) ? f : Math.floor(f * shrink)));
  fixedSum = sizes.reduce<number>((a, f) => a + (f ?? 0), 0);
  let left = total - fixedSum;
  const flexes = node.children.map((c, i) => (sizes[i] === null ? ('flex' in c.size ? c.size.flex : 0) : 0));
  let flexLeft = flexSum;
  const final = sizes.map((sz, i) => {
    if (sz !== null) return sz;
    const f = flexes[i] as number;
    const share = flexLeft > 0 ? Math.round((left * f) / flexLeft) : 0;
    left -= share;
    flexLeft -= f;
    return share;
  });
  // A pane of fewer than 3 rows (columns) shows nothing but border: a flexible child that small gives its share
  // to the nearest flexible sibling instead of leaving blank rows (a 64-CPU timeline squeezes the overview's dmesg).
  final.forEach((sz, i) => {
    if (flexes[i] === 0 || sz <= 0 || sz >= MIN_PANE) return;
    const order = [...final.keys()].filter((j) => j !== i && flexes[j] !== 0 && (final[j] as number) >= MIN_PANE).sort((a, b) => Math.abs(a - i) - Math.abs(b - i) || a - b);
    const to = order[0];
    if (to === undefined) return;
    final[to] = (final[to] as number) + sz;
    final[i] = 0;
  });
  let pos = vertical ? r.y : r.x;
  node.children.forEach((c, i) => {
    const sz = final[i] as number;
    const rect = vertical ? { x: r.x, y: pos, w: r.w, h: sz } : { x: pos, y: r.y, w: sz, h: r.h };
    pos += sz;
    if (sz > 0) place(c.node, rect, nCpus, out);
  });
  return out;
}
