/**
 * Memory over time, as a blessed-contrib braille line chart: used (anon + unreclaimable kernel), page cache,
 * reclaimable slab and Committed_AS, one sample per second of virtual time, the last two minutes. The contrib
 * widget is loaded on first use (a deep import; the whole package costs a quarter second at startup) and rebuilt
 * when its pane moves or resizes (contrib canvases size themselves only when attached).
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
      // Appended after construction: the contrib canvas creates its drawing context on 'attach'.
      this.el = this.factory({
        top: rect.y,
        left: rect.x,
        width: rect.w,
        height: rect.h,
        label: ' Memory, last 2 min (MiB) ',
        border: { type: 'line' },
        showLegend: rect.w >= 40,
        legend: { width: 12 },
        wholeNumbersOnly: true,
        xLabelPadding: 3,
        xPadding: 5,
        style: { line: 'yellow', text: 'white', baseline: 'white', border: { fg: `#${border.map((c) => c.toString(16).padStart(2, '0')).join('')}` } },
      });
      screen.append(this.el);
      this.dirty = true;
    }
    if (this.dirty && this.el !== null && this.samples.length > 1) {
      const x = this.samples.map((p) => `${Math.round(p.tNs / 1e9)}s`);
      const series = (title: string, key: keyof Sample, t: number): { title: string; x: string[]; y: number[]; style: { line: number[] } } => {
        const c = toRgb(gradientAt(theme.gradients.mem.map((v) => parseColor(v) ?? DEFAULT_COLOR), t)) ?? [200, 200, 200];
        return { title, x, y: this.samples.map((p) => p[key] as number), style: { line: [...c] } };
      };
      this.el.setData([series('used', 'usedMb', 0), series('slab', 'slabMb', 0.5), series('cache', 'cacheMb', 1), series('commit', 'commitMb', 0.25)]);
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
