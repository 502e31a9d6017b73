/**
 * The fair runqueue of one CPU as its real red-black tree: nodes coloured red/black and labelled by pid, the
 * next pick marked '*', entities that are not eligible (EEVDF: lag < 0) marked '~'; above it V (avg_vruntime)
 * or min_vruntime and the running entity (which is kept outside the tree, as in the kernel); below it, if there
 * is room, the entities in key order with their virtual times relative to V.
 */
import type { Frame } from '../../bus/frame.js';
import type { FairNode, FairRqSnapshot } from '../../kernel/index.js';
import type { Surface } from '../canvas.js';
import { fit, fitFirst, padL } from '../format.js';
import type { UiState } from '../ui-state.js';
import { Reaction, type DrawCtx, type KeyEvent, type Widget, clearPane } from './widget.js';

interface Placed {
  node: FairNode;
  depth: number;
  order: number;
  parent: number;
  left: number;
  right: number;
}

/** In-order positions and depths of the copied nodes (truncated children count as one slot). */
export function layoutTree(nodes: readonly FairNode[]): { placed: Placed[]; slots: number } {
  const placed: Placed[] = nodes.map((node) => ({ node, depth: 0, order: 0, parent: -1, left: node.left, right: node.right }));
  let order = 0;
  const walk = (i: number, depth: number, parent: number): void => {
    if (i === -2) {
      order++;
      return;
    }
    const p = placed[i];
    if (p === undefined) return;
    p.depth = depth;
    p.parent = parent;
    if (p.left !== -1) walk(p.left, depth + 1, i);
    p.order = order++;
    if (p.right !== -1) walk(p.right, depth + 1, i);
  };
  if (placed.length > 0) walk(0, 0, -1);
  return { placed, slots: Math.max(1, order) };
}

const ms = (ns: number): string => (ns / 1e6).toFixed(Math.abs(ns) < 1e7 ? 3 : 1);

export class FairTreeWidget implements Widget {
  readonly id = 'fairtree' as const;
  rq: FairRqSnapshot | null = null;

  title(ui: UiState): string {
    const rq = this.rq;
    if (rq === null) return 'Fair runqueue';
    return `cfs_rq cpu${ui.treeCpu} ${rq.mode.toUpperCase()} nr_queued=${rq.nrQueued}${rq.treeSize > rq.nodes.length ? ` (top ${rq.nodes.length} of ${rq.treeSize})` : ''}`;
  }

  update(frame: Frame): boolean {
    this.rq = frame.snapshot.fair;
    return true;
  }

  draw(s: Surface, ctx: DrawCtx): void {
    const { pal } = ctx;
    if (!clearPane(s, ctx, 'the fair runqueue tree (vruntime, deadlines) is not in a scheduler trace')) return;
    const rq = this.rq;
    if (rq === null) return;
    const eevdf = rq.mode === 'eevdf';
    const base = eevdf ? rq.avgVruntime : rq.minVruntime;
    // The header's parts, label and value; in a narrow pane min_v and then load give way to curr.
    const c = rq.curr;
    const currText = c === null ? '' : `${c.pid} ${c.comm} ${eevdf ? `lag ${ms(c.lag)}` : `v ${ms(c.vruntime - base)}`}${rq.nextPid === c.pid ? ' *' : ''}`;
    const parts: [string, string][] = [[eevdf ? 'V ' : 'min_vruntime ', `${ms(base)}ms`]];
    // min_vruntime as an offset from V, like the keys below ("min_v V-1.014" is 1.014 ms behind V).
    if (eevdf) {
      const d = rq.minVruntime - base;
      parts.push(['min_v ', `V${d < 0 ? '-' : '+'}${ms(Math.abs(d))}`]);
    }
    parts.push(['load ', String(rq.loadWeight)]);
    const width = (): number => parts.reduce((a, [l, v]) => a + l.length + v.length + 2, 0) + (c === null ? 0 : 5 + currText.length);
    while (parts.length > 1 && width() > s.width) parts.splice(1, 1);
    let x = -2;
    for (const [label, value] of parts) {
      x = s.put(x + 2, 0, label, pal.hi);
      x = s.put(x, 0, value, pal.text);
    }
    if (c !== null) {
      x = s.put(x + 2, 0, 'curr ', pal.hi);
      s.put(x, 0, fit(currText, s.width - x), c.pid === ctx.ui.selectedPid ? pal.hi : pal.text);
    }
    const legends = eevdf
      ? ['* next pick  ~ not eligible  keys: lag, deadline rel. to V (ms)', '* next pick  ~ not eligible  keys: lag, deadline-V ms', '* next  ~ ineligible  lag, deadline-V ms']
      : ['* next pick  keys: vruntime rel. to min_vruntime (ms)', '* next pick  keys: vruntime-min_vruntime ms', '* next  vruntime-min_v ms'];
    // Rows from the top: the header, the tree, the table when tall enough, the legend when there is a third row
    // (in a pane of one or two rows the legend would cover the header or the tree).
    const legendRows = s.height >= 3 ? 1 : 0;
    const tableRows = s.height >= 12 ? Math.min(rq.ordered.length + 1, Math.floor((s.height - 2) / 2)) : 0;
    const treeRows = s.height - 1 - tableRows - legendRows;
    if (treeRows > 0) this.drawTree(s.sub(0, 1, s.width, treeRows), rq, ctx);
    if (tableRows > 0) this.drawTable(s.sub(0, 1 + treeRows, s.width, tableRows), rq, base, ctx);
    if (legendRows > 0) s.put(0, s.height - 1, fitFirst(legends, s.width), pal.inactive);
  }

  private drawTree(s: Surface, rq: FairRqSnapshot, ctx: DrawCtx): void {
    const { pal, g, ui } = ctx;
    if (rq.nodes.length === 0) {
      s.put(0, 0, rq.curr !== null ? '(tree empty: only curr is queued)' : '(empty)', pal.inactive);
      return;
    }
    const { placed, slots } = layoutTree(rq.nodes);
    const maxLevels = Math.max(1, Math.min(Math.floor((s.height + 1) / 2), Math.floor(Math.log2(Math.max(2, s.width / 4))) + 1));
    const cx = (p: Placed): number => Math.floor(((p.order + 0.5) * s.width) / slots);
    for (const p of placed) {
      if (p.depth >= maxLevels) continue;
      const y = p.depth * 2;
      const n = p.node;
      const label = `${!n.eligible && rq.mode === 'eevdf' ? '~' : ''}${n.pid}${rq.nextPid === n.pid ? '*' : ''}`;
      const x = Math.max(0, Math.min(s.width - label.length, cx(p) - Math.floor(label.length / 2)));
      const attr = n.pid === ui.selectedPid ? pal.selected : n.red ? pal.treeRed : pal.treeBlack;
      s.put(x, y, label, attr);
      // Connectors to the children on the row below.
      if (y + 1 >= s.height) continue;
      const kids = [p.left, p.right].map((c) => (c >= 0 ? placed[c] : undefined));
      const kx = kids.map((k) => (k !== undefined && k.depth < maxLevels ? cx(k) : null));
      const mid = cx(p);
      if (p.depth + 1 >= maxLevels) {
        if (p.left !== -1 || p.right !== -1) s.put(Math.max(0, mid), y + 1, g.ellipsis, pal.inactive);
        continue;
      }
      const [l, r] = kx;
      if (l !== null && l !== undefined) {
        s.cell(l, y + 1, g.tl, pal.border);
        for (let i = l + 1; i < mid; i++) s.cell(i, y + 1, g.h, pal.border);
      }
      if (r !== null && r !== undefined) {
        for (let i = mid + 1; i < r; i++) s.cell(i, y + 1, g.h, pal.border);
        s.cell(r, y + 1, g.tr, pal.border);
      }
      if (l != null && r != null) s.cell(mid, y + 1, g.teeUp, pal.border);
      else if (l != null) s.cell(mid, y + 1, g.br, pal.border);
      else if (r != null) s.cell(mid, y + 1, g.bl, pal.border);
      if (p.left === -2 || p.right === -2) s.put(Math.max(0, mid), y + 1, g.ellipsis, pal.inactive);
    }
  }

  private drawTable(s: Surface, rq: FairRqSnapshot, base: number, ctx: DrawCtx): void {
    const { pal, ui } = ctx;
    const eevdf = rq.mode === 'eevdf';
    s.put(0, 0, fit(eevdf ? '    PID COMM          LAG(ms)  VDEADLN(ms)  SLICE  W' : '    PID COMM         VRUNTIME(ms)   WEIGHT', s.width), pal.title);
    rq.ordered.slice(0, s.height - 1).forEach((n, i) => {
      const sel = n.pid === ui.selectedPid;
      const row = eevdf
        ? `${padL(n.pid, 7)} ${fit(n.comm, 12).padEnd(12)} ${padL(ms(n.lag), 9)} ${padL(ms(n.deadline - base), 12)} ${padL(ms(n.sliceNs), 6)} ${n.eligible ? 'e' : ' '}${rq.nextPid === n.pid ? '*' : ''}`
        : `${padL(n.pid, 7)} ${fit(n.comm, 12).padEnd(12)} ${padL(ms(n.vruntime - base), 13)} ${padL(n.weight, 8)}${rq.nextPid === n.pid ? ' *' : ''}`;
      s.put(0, i + 1, fit(row, s.width), sel ? pal.selected : n.red ? pal.treeRed : pal.text);
    });
  }

  onKey(key: KeyEvent, ui: UiState): Reaction {
    const n = ui.snapshot?.nrCpus ?? 1;
    if (key.full === 'left' || key.full === 'right') {
      ui.treeCpu = (ui.treeCpu + (key.full === 'left' ? n - 1 : 1)) % n;
      ui.treeCpuPinned = true;
      return Reaction.Redraw;
    }
    return Reaction.None;
  }
}
