/**
 * Memory: the meminfo classes as one stacked bar (used, reclaimable slab as meminfo names it, SReclaimable, page cache, free), commit against
 * CommitLimit, each zone's free pages against its min/low/high watermarks, the buddy free lists per order, and
 * what reclaim has done so far. All numbers come from the snapshot's meminfo counters and zones.
 */
import type { Frame } from '../../bus/frame.js';
import type { KernelSnapshot } from '../../kernel/index.js';
import type { Surface } from '../canvas.js';
import { fit, fitCount, fmtCount, fmtPages, padL, wrapItems } from '../format.js';
import { type DrawCtx, type Widget, clearPane } from './widget.js';

export class MemoryWidget implements Widget {
  readonly id = 'memory' as const;
  snap: KernelSnapshot | null = null;

  title(): string {
    const m = this.snap?.mem;
    // A scheduler trace has no memory state: no "0K total" in the title.
    return m === undefined || this.snap?.source === 'trace' ? 'Memory' : `Memory ${fmtPages(m.memTotal)} total, ${fmtPages(m.memAvailable)} available`;
  }

  update(frame: Frame): boolean {
    this.snap = frame.snapshot;
    return true;
  }

  draw(s: Surface, ctx: DrawCtx): void {
    const { pal, g } = ctx;
    if (!clearPane(s, ctx, 'memory state is not in a scheduler trace')) return;
    const snap = this.snap;
    if (snap === null) return;
    const m = snap.mem;
    const total = Math.max(1, m.memTotal);
    const used = m.memTotal - m.memFree - m.cached - m.sReclaimable;
    const parts: [string, number, number][] = [
      ['used', used, pal.gradient('mem', 0)],
      ['SReclaimable', m.sReclaimable, pal.gradient('mem', 0.5)],
      ['cache', m.cached, pal.gradient('mem', 1)],
    ];
    // The stacked bar.
    const w = s.width;
    let x = 0;
    for (const [, pages, attr] of parts) {
      const n = Math.round((pages / total) * w);
      for (let i = 0; i < n && x < w; i++) s.cell(x++, 0, g.eighths[7] as string, attr);
    }
    while (x < w) s.cell(x++, 0, g.idle, pal.inactive);
    x = 0;
    for (const [name, pages, attr] of parts) {
      x = s.put(x, 1, `${name} `, attr);
      x = s.put(x, 1, `${fmtPages(pages)}  `, pal.text);
    }
    x = s.put(x, 1, 'free ', pal.hi);
    s.put(x, 1, fmtPages(m.memFree), pal.text);
    let y = 2;
    // A line of items: what does not fit goes on to the next line under the first item, not cut off.
    const line = (label: string, items: string[], attr = pal.text): void => {
      if (y >= s.height) return;
      const x0 = s.put(0, y, label, pal.hi);
      for (const row of wrapItems(items, s.width - x0)) {
        if (y >= s.height) return;
        s.put(x0, y, fit(row, s.width - x0), attr);
        y++;
      }
    };
    const pct = Math.round((m.committedAs * 100) / Math.max(1, m.commitLimit));
    line('Commit  ', [`${fmtPages(m.committedAs)} of CommitLimit ${fmtPages(m.commitLimit)} (${pct}%)`, `overcommit_memory=${snap.overcommitMemory}`], pct > 100 ? pal.warn : pal.text);
    line('Kernel  ', [
      `slab ${fmtPages(m.slab)} (unreclaimable ${fmtPages(m.sUnreclaim)})`,
      `page tables ${fmtPages(m.pageTables)}`,
      `stacks ${fmtPages(m.kernelStackKb / 4)}`,
      `vmalloc ${fmtPages(m.vmallocUsed)}`,
    ]);
    const r = snap.reclaim;
    // Pages written out to swap and read back in (pswpout, pswpin) since boot.
    line('Swap    ', snap.swapTotalPages === 0 ? ['none'] : [`${fmtPages(snap.swapUsedPages)} used of ${fmtPages(snap.swapTotalPages)}`, `out ${fmtCount(r.swappedOut)} pg`, `in ${fmtCount(r.swappedIn)} pg`]);
    line('Reclaim ', [
      `kswapd ${fmtCount(r.kswapdReclaimed)} pg`,
      `direct ${fmtCount(r.directReclaimed)} pg (${r.allocstall} stalls)`,
      `slab objs ${fmtCount(r.slabFreed)}`,
      `OOM kills ${snap.oomKillsTotal}`,
    ]);
    // Pressure over the last 10 s (avg10), some / full as /proc/pressure prints them.
    const psi = snap.psi;
    if (psi !== null) {
      const p = (x: number): string => x.toFixed(2);
      const items = [`cpu ${p(psi.cpuSome.avg10)}%`, `io ${p(psi.ioSome.avg10)}/${p(psi.ioFull.avg10)}%`, `mem ${p(psi.memSome.avg10)}/${p(psi.memFull.avg10)}%`];
      // Which figure is which, where the line has room for it (a line of legend is not worth a row).
      const hint = '(some/full)';
      if ([...items, hint].join('  ').length <= s.width - 8) items.push(hint);
      line('PSI 10s ', items);
    }
    // The zones, their legend and the buddy table below them; a blank line above each of the two blocks when
    // the pane has rows to spare (a busy machine's reclaim figures can take a second line).
    const zones = snap.zones.length;
    const spare = s.height - (y + zones + 1 + 1 + zones);
    if (spare >= 1) y++;
    // Zones against their watermarks.
    for (const z of snap.zones) {
      if (y >= s.height || z.managedPages === 0) continue;
      const label = `${z.name.padEnd(6)} `;
      const barW = Math.max(10, s.width - label.length - 24);
      const scale = Math.max(z.high * 4, z.freePages, 1);
      s.put(0, y, label, pal.hi);
      const filled = Math.round((z.freePages / scale) * barW);
      const marks = new Map([[Math.round((z.min / scale) * barW), 'm'], [Math.round((z.low / scale) * barW), 'l'], [Math.round((z.high / scale) * barW), 'h']]);
      for (let i = 0; i < barW; i++) {
        const mk = marks.get(i);
        const attr = z.freePages < z.min ? pal.oom : z.freePages < z.low ? pal.warn : pal.gradient('mem', 0.2);
        s.cell(label.length + i, y, mk ?? (i < filled ? (g.eighths[7] as string) : ' '), mk !== undefined ? pal.bold : attr);
      }
      s.put(label.length + barW + 1, y, fit(`free ${fmtPages(z.freePages)}`, 22), pal.text);
      y++;
    }
    line('        ', ['m/l/h = min/low/high watermark (kswapd wakes below l)'], pal.inactive);
    if (spare >= 2) y++;
    // Buddy free lists (buddyinfo).
    if (y + 1 < s.height) {
      const orders = snap.zones[0]?.nrFree.length ?? 11;
      const cw = Math.max(4, Math.min(6, Math.floor((s.width - 7) / orders)));
      let xx = s.put(0, y, 'order ', pal.title);
      for (let o = 0; o < orders; o++) xx = s.put(xx, y, padL(o, cw), pal.title);
      y++;
      for (const z of snap.zones) {
        if (y >= s.height) break;
        let zx = s.put(0, y, `${z.name.padEnd(6)}`, pal.hi);
        z.nrFree.forEach((n) => {
          // A space between columns always: a count wider than its column is shortened, not run together.
          zx = s.put(zx, y, padL(fitCount(n, cw - 1), cw), n === 0 ? pal.inactive : pal.text);
        });
        y++;
      }
    }
  }
}
