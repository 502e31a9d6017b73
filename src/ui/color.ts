/**
 * Colours: parsing theme values and reducing them to what the terminal can show (256 colours: the nearest of
 * xterm's cube or grey ramp; 16 colours: the nearest system colour).
 */
export type Color = { kind: 'default' } | { kind: 'index'; index: number } | { kind: 'rgb'; r: number; g: number; b: number };

export const DEFAULT_COLOR: Color = { kind: 'default' };

/** "#rrggbb", "#rgb", "#gg" (btop's 2-digit grey), "r g b", an xterm index 0-255, or "default"/"". Null if bad. */
export function parseColor(v: unknown): Color | null {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v <= 255 ? { kind: 'index', index: v } : null;
  if (typeof v !== 'string') return null;
  const s = v.trim();
  if (s === '' || s === 'default') return DEFAULT_COLOR;
  let m = /^#([0-9a-f]{6})$/i.exec(s);
  if (m) {
    const n = parseInt(m[1] as string, 16);
    return { kind: 'rgb', r: n >> 16, g: (n >> 8) & 255, b: n & 255 };
  }
  m = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(s);
  if (m) return { kind: 'rgb', r: parseInt(`${m[1]}${m[1]}`, 16), g: parseInt(`${m[2]}${m[2]}`, 16), b: parseInt(`${m[3]}${m[3]}`, 16) };
  m = /^#([0-9a-f]{2})$/i.exec(s);
  if (m) {
    const g = parseInt(m[1] as string, 16);
    return { kind: 'rgb', r: g, g, b: g };
  }
  m = /^(\d{1,3})\s+(\d{1,3})\s+(\d{1,3})$/.exec(s);
  if (m) {
    const [r, g, b] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (r <= 255 && g <= 255 && b <= 255) return { kind: 'rgb', r, g, b };
  }
  if (/^\d{1,3}$/.test(s) && Number(s) <= 255) return { kind: 'index', index: Number(s) };
  return null;
}

/** The xterm palette's RGB for an index (16 system colours as xterm's defaults, cube, grey ramp). */
export function indexToRgb(i: number): [number, number, number] {
  const SYS: [number, number, number][] = [
    [0, 0, 0], [205, 0, 0], [0, 205, 0], [205, 205, 0], [0, 0, 238], [205, 0, 205], [0, 205, 205], [229, 229, 229],
    [127, 127, 127], [255, 0, 0], [0, 255, 0], [255, 255, 0], [92, 92, 255], [255, 0, 255], [0, 255, 255], [255, 255, 255],
  ];
  if (i < 16) return SYS[i] as [number, number, number];
  if (i >= 232) {
    const v = 8 + (i - 232) * 10;
    return [v, v, v];
  }
  const c = i - 16;
  const lv = (x: number): number => (x === 0 ? 0 : 55 + x * 40);
  return [lv(Math.floor(c / 36)), lv(Math.floor(c / 6) % 6), lv(c % 6)];
}

/**
 * Nearest xterm 256-colour index: the closest of the 6x6x6 cube (levels 0, 95, 135, ..., 255) or the grey ramp.
 * btop's truecolor_to_256 rounds channels by /51, which misses exact xterm colours (#5fd75f is 77, not 114).
 */
export function rgbTo256(r: number, g: number, b: number): number {
  const LV = [0, 95, 135, 175, 215, 255];
  const near = (v: number): number => {
    let best = 0;
    for (let i = 1; i < 6; i++) if (Math.abs((LV[i] as number) - v) < Math.abs((LV[best] as number) - v)) best = i;
    return best;
  };
  const [ri, gi, bi] = [near(r), near(g), near(b)];
  const cube = 16 + 36 * ri + 6 * gi + bi;
  const dc = ((LV[ri] as number) - r) ** 2 + ((LV[gi] as number) - g) ** 2 + ((LV[bi] as number) - b) ** 2;
  const avg = Math.round((r + g + b) / 3);
  const gi2 = Math.max(0, Math.min(23, Math.round((avg - 8) / 10)));
  const gv = 8 + gi2 * 10;
  const dg = (gv - r) ** 2 + (gv - g) ** 2 + (gv - b) ** 2;
  return dg < dc ? 232 + gi2 : cube;
}

/** Nearest of the 16 system colours. */
export function rgbTo16(r: number, g: number, b: number): number {
  let best = 7;
  let bestD = Infinity;
  for (let i = 0; i < 16; i++) {
    const [cr, cg, cb] = indexToRgb(i);
    const d = (r - cr) ** 2 * 3 + (g - cg) ** 2 * 4 + (b - cb) ** 2 * 2;
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

export function toRgb(c: Color): [number, number, number] | null {
  if (c.kind === 'rgb') return [c.r, c.g, c.b];
  if (c.kind === 'index') return indexToRgb(c.index);
  return null;
}

/** Linear blend of a gradient's stops at t in [0, 1] (btop expands *_start/_mid/_end into 101 steps). */
export function gradientAt(stops: readonly Color[], t: number): Color {
  const rgbs = stops.map(toRgb).filter((x): x is [number, number, number] => x !== null);
  if (rgbs.length === 0) return stops[0] ?? DEFAULT_COLOR;
  if (rgbs.length === 1) return { kind: 'rgb', r: rgbs[0]![0], g: rgbs[0]![1], b: rgbs[0]![2] };
  const x = Math.min(1, Math.max(0, t)) * (rgbs.length - 1);
  const i = Math.min(rgbs.length - 2, Math.floor(x));
  const f = x - i;
  const a = rgbs[i] as [number, number, number];
  const b = rgbs[i + 1] as [number, number, number];
  return { kind: 'rgb', r: Math.round(a[0] + (b[0] - a[0]) * f), g: Math.round(a[1] + (b[1] - a[1]) * f), b: Math.round(a[2] + (b[2] - a[2]) * f) };
}

/** Black or white, whichever reads better on bg. */
export function contrastOn(bg: Color): Color {
  const rgb = toRgb(bg);
  if (rgb === null) return DEFAULT_COLOR;
  const lum = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
  return lum > 140 ? { kind: 'rgb', r: 0, g: 0, b: 0 } : { kind: 'rgb', r: 255, g: 255, b: 255 };
}
