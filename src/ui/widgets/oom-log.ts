/**
 * OOM kills, newest first, and for the selected one the candidate ranking by badness that led to the victim
 * (oom_badness: rss + swap + page tables, plus oom_score_adj x totalpages / 1000).
 */
import type { Frame } from '../../bus/frame.js';
import type { OomSnapshot } from '../../kernel/index.js';
import type { Surface } from '../canvas.js';
import { fit, fmtPages, padL, wrapItems } from '../format.js';
import type { UiState } from '../ui-state.js';
import { Reaction, type DrawCtx, type KeyEvent, type Widget, clearPane } from './widget.js';

type Candidate = OomSnapshot['candidates'][number];

/** The kill line, the ranking's heading and a row of it, in three widths (wide from 67 columns, compact from 51). */
const OOM_FORMS: Record<'wide' | 'compact' | 'narrow', { kill(k: OomSnapshot): string; head: string; row(c: Candidate, rank: number, victim: boolean): string }> = {
  wide: {
    kill: (k) => `${(k.tNs / 1e9).toFixed(3).padStart(9)}s  killed ${k.victimComm} (${k.victimPid})  badness ${k.badnessPages} of ${k.totalPages}  by ${k.trigger}`,
    head: '  rank     PID COMM               POINTS      RSS  ADJ',
    row: (c, rank, victim) =>
      `${padL(rank, 6)} ${padL(c.pid, 7)} ${fit(c.comm, 16).padEnd(16)} ${padL(c.points, 9)} ${padL(fmtPages(c.rssPages), 8)} ${padL(c.oomScoreAdj, 5)}${victim ? '  <- victim' : ''}`,
  },
  compact: {
    kill: (k) => `${(k.tNs / 1e9).toFixed(3)}s killed ${k.victimComm} (${k.victimPid}) badness ${k.badnessPages}/${k.totalPages}`,
    head: 'rank     PID COMM              POINTS     RSS   ADJ',
    row: (c, rank, victim) => `${victim ? '>' : ' '}${padL(rank, 3)} ${padL(c.pid, 7)} ${fit(c.comm, 15).padEnd(15)} ${padL(c.points, 8)} ${padL(fmtPages(c.rssPages), 7)} ${padL(c.oomScoreAdj, 5)}`,
  },
  narrow: {
    kill: (k) => `${(k.tNs / 1e9).toFixed(3)}s ${k.victimComm} (${k.victimPid}) ${k.badnessPages}/${k.totalPages}`,
    head: '    PID COMM          POINTS    RSS   ADJ',
    row: (c, _rank, victim) => `${victim ? '>' : ' '}${padL(c.pid, 6)} ${fit(c.comm, 12).padEnd(12)} ${padL(c.points, 7)} ${padL(fmtPages(c.rssPages), 6)} ${padL(c.oomScoreAdj, 5)}`,
  },
};

export class OomLogWidget implements Widget {
  readonly id = 'oom' as const;
  kills: OomSnapshot[] = [];
  total = 0;
  private sel = 0;
  /** A scheduler trace has no OOM state: no count in the title, not even 0. */
  private fromTrace = false;

  title(): string {
    return this.fromTrace ? 'OOM kills' : `OOM kills (${this.total})`;
  }

  update(frame: Frame): boolean {
    this.fromTrace = frame.snapshot.source === 'trace';
    const before = this.kills.length;
    this.kills = [...frame.snapshot.oomKills].reverse();
    this.total = frame.snapshot.oomKillsTotal;
    if (this.kills.length !== before) this.sel = 0;
    return true;
  }

  reset(): void {
    this.sel = 0;
  }

  draw(s: Surface, ctx: DrawCtx): void {
    const { pal, ui } = ctx;
    if (!clearPane(s, ctx, 'OOM kills are not in a scheduler trace')) return;
    if (this.kills.length === 0) {
      const msg = 'No OOM kill yet. The OOM killer runs when an allocation fails after reclaim.';
      wrapItems(msg.split(' '), s.width, ' ').forEach((row, y) => {
        if (y < s.height) s.put(0, y, fit(row, s.width), pal.inactive);
      });
      return;
    }
    const listRows = Math.min(this.kills.length, Math.max(1, Math.floor(s.height / 3)));
    this.sel = Math.max(0, Math.min(this.sel, this.kills.length - 1));
    // Narrower than the wide table (a pane of the 120-column memory screen): the compact forms; narrower still
    // (100 columns), no rank column (the order is the rank) and the kill line without its words. Nothing cut.
    const form = OOM_FORMS[s.width >= 67 ? 'wide' : s.width >= 51 ? 'compact' : 'narrow'];
    for (let i = 0; i < listRows; i++) {
      s.put(0, i, fit(form.kill(this.kills[i] as OomSnapshot), s.width), i === this.sel ? pal.selected : pal.oom);
    }
    const k = this.kills[this.sel] as OomSnapshot;
    let y = listRows;
    if (y >= s.height) return;
    s.put(0, y++, fit(form.head, s.width), pal.title);
    k.candidates.forEach((c, i) => {
      if (y >= s.height) return;
      const victim = c.pid === k.victimPid;
      const row = form.row(c, i + 1, victim);
      s.put(0, y++, fit(row, s.width), victim ? pal.oom : c.pid === ui.selectedPid ? pal.hi : pal.text);
    });
  }

  onKey(key: KeyEvent, _ui: UiState): Reaction {
    if (key.full === 'up') this.sel--;
    else if (key.full === 'down') this.sel++;
    else return Reaction.None;
    return Reaction.Redraw;
  }
}
