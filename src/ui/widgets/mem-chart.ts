/**
 * Memory over time, as a blessed-contrib braille line chart: used (anon + unreclaimable kernel), page cache,
 * reclaimable slab (SRecl: meminfo's SReclaimable, as the memory pane names it) and Committed_AS, one sample per
 * second of virtual time, the last two minutes. The contrib widget is loaded on first use (a deep import; the
 * whole package costs a quarter second at startup) and rebuilt when its pane moves or resizes (contrib canvases
 * size themselves only when attached).
 * The series are named in the pane's title, each in its line's colour: contrib's legend box sits in the top
 * right corner of the plot, over the newest samples, which are the ones a user is watching.
 */
import type { Frame } from '../../bus/frame.js';
import type { ThemeSpec } from '../../config/theme-spec.js';
import { gradientAt, parseColor, toRgb, DEFAULT_COLOR } from '../color.js';
import type { Rect } from '../cell-box.js';
import type { Screen } from '../screen.js';

type LineFactory = typeof import('blessed-contrib/lib/widget/charts/line.js').default;
type LineEl = ReturnType<LineFactory>;

interface Sample {
  tNs: number;
  usedMb: number;
  cacheMb: number;
  slabMb: number;
  commitMb: number;
}

/** The lines, each with its place on the theme's memory gradient. */
const SERIES: readonly { title: string; key: Exclude<keyof Sample, 'tNs'>; t: number }[] = [
  { title: 'used', key: 'usedMb', t: 0 },
  { title: 'SRecl', key: 'slabMb', t: 0.5 },
  { title: 'cache', key: 'cacheMb', t: 1 },
  { title: 'commit', key: 'commitMb', t: 0.25 },
];

function seriesColor(theme: ThemeSpec, t: number): [number, number, number] {
  return toRgb(gradientAt(theme.gradients.mem.map((v) => parseColor(v) ?? DEFAULT_COLOR), t)) ?? [200, 200, 200];
}

function hex(rgb: readonly number[]): string {
  return `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

export class MemChart {
  private factory: LineFactory | null = null;
  private loading: Promise<void> | null = null;
  private el: LineEl | null = null;
  private rect: Rect | null = null;
  private samples: Sample[] = [];
  private dirty = true;
  private readonly max = 120;
  loadError: string | null = null;

  constructor(private readonly onLoaded: () => void) {}

  /** Start loading the contrib widget in the background (after the first frame, so startup does not wait). */
  preload(): void {
    if (this.loading !== null) return;
    this.loading = import('blessed-contrib/lib/widget/charts/line.js')
      .then((m) => {
        this.factory = m.default;
        this.dirty = true;
        this.onLoaded();
      })
      .catch((e: unknown) => {
        this.loadError = (e as Error).message;
      });
  }

  reset(): void {
    this.samples = [];
    this.dirty = true;
  }

  update(frame: Frame): void {
    const s = frame.snapshot;
    const last = this.samples[this.samples.length - 1];
    if (last !== undefined && s.nowNs < last.tNs) this.samples = [];
    if (last !== undefined && s.nowNs - last.tNs < 1_000_000_000) return;
    const m = s.mem;
    const mb = (pages: number): number => Math.round((pages * 4) / 1024);
    this.samples.push({
      tNs: s.nowNs,
      usedMb: mb(m.memTotal - m.memFree - m.cached - m.sReclaimable),
      cacheMb: mb(m.cached),
      slabMb: mb(m.sReclaimable),
      commitMb: mb(m.committedAs),
    });
    if (this.samples.length > this.max) this.samples.shift();
    this.dirty = true;
  }

  /** Show the chart in rect (or remove it when rect is null). */
  place(screen: Screen, rect: Rect | null, theme: ThemeSpec, usable: boolean): void {
    if (rect === null || !usable) {
      this.destroy();
      this.rect = rect;
      return;
    }
    if (this.factory === null) {
      this.preload();
      return;
    }
    const same = this.rect !== null && this.rect.x === rect.x && this.rect.y === rect.y && this.rect.w === rect.w && this.rect.h === rect.h;
    if (!same || this.el === null) {
      this.destroy();
      this.rect = rect;
      const border = toRgb(parseColor(theme.colors.border) ?? DEFAULT_COLOR) ?? [128, 128, 128];
      const names = SERIES.map((d) => `{${hex(seriesColor(theme, d.t))}-fg}${d.title}{/}`).join(' ');
      const plain = SERIES.map((d) => d.title).join(' ');
      // The longest title that fits on the top border (a longer one wraps into the plot).
      const label = [`Memory, last 2 min (MiB): `, `Memory MiB, 2 min: `, `MiB: `].find((head) => head.length + plain.length + 2 <= rect.w - 4);
      const title = label !== undefined ? ` ${label}${names} ` : ' Memory (MiB) ';
      // Appended after construction: the contrib canvas creates its drawing context on 'attach'.
      this.el = this.factory({
        top: rect.y,
        left: rect.x,
        width: rect.w,
        height: rect.h,
        label: title,
        tags: true,
        border: { type: 'line' },
        showLegend: false,
        wholeNumbersOnly: true,
        xLabelPadding: 3,
        xPadding: 5,
        style: { line: 'yellow', text: 'white', baseline: 'white', border: { fg: hex(border) } },
      });
      screen.append(this.el);
      this.dirty = true;
    }
    if (this.dirty && this.el !== null && this.samples.length > 1) {
      const x = this.samples.map((p) => `${Math.round(p.tNs / 1e9)}s`);
      this.el.setData(SERIES.map((d) => ({ title: d.title, x, y: this.samples.map((p) => p[d.key]), style: { line: [...seriesColor(theme, d.t)] } })));
      this.dirty = false;
    }
  }

  destroy(): void {
    if (this.el !== null) {
      this.el.destroy();
      this.el = null;
    }
  }
}
