/**
 * A grid of cells (attribute + one-column character) that widgets paint into; the cell box copies it into
 * blessed's screen buffer, whose diff sends only what changed. Every text is clipped to the surface and made
 * one column per character, so nothing a task calls itself can break the layout.
 */
export interface Surface {
  readonly width: number;
  readonly height: number;
  /** Write text at (x, y), clipped to the surface (and to maxW columns); returns the column after it. */
  put(x: number, y: number, text: string, attr: number, maxW?: number): number;
  cell(x: number, y: number, ch: string, attr: number): void;
  fill(x: number, y: number, w: number, h: number, ch: string, attr: number): void;
  sub(x: number, y: number, w: number, h: number): Surface;
}

/** Characters that are exactly one column wide in every terminal we support; anything else becomes '?'. */
export function oneColumn(ch: string): string {
  const c = ch.charCodeAt(0);
  if (c >= 0x20 && c < 0x7f) return ch;
  if (c >= 0xa0 && c <= 0x24f) return ch;
  if ((c >= 0x2000 && c <= 0x206f) || (c >= 0x2190 && c <= 0x21ff) || (c >= 0x2500 && c <= 0x25ff) || (c >= 0x2800 && c <= 0x28ff)) return ch;
  if (c === 0x2026) return ch;
  return '?';
}

export class Canvas implements Surface {
  width = 0;
  height = 0;
  attrs: number[] = [];
  chars: string[] = [];

  constructor(
    width: number,
    height: number,
    private readonly blankAttr = 0x1ff << 9 | 0x1ff,
  ) {
    this.resize(width, height);
  }

  resize(width: number, height: number): void {
    this.width = Math.max(0, width);
    this.height = Math.max(0, height);
    const n = this.width * this.height;
    this.attrs = new Array<number>(n).fill(this.blankAttr);
    this.chars = new Array<string>(n).fill(' ');
  }

  clear(attr = this.blankAttr): void {
    this.attrs.fill(attr);
    this.chars.fill(' ');
  }

  cell(x: number, y: number, ch: string, attr: number): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = y * this.width + x;
    this.attrs[i] = attr;
    this.chars[i] = oneColumn(ch);
  }

  put(x: number, y: number, text: string, attr: number, maxW = Infinity): number {
    if (y < 0 || y >= this.height) return x + Math.min(text.length, maxW);
    const end = Math.min(this.width, x + Math.min(text.length, maxW));
    let cx = x;
    for (let i = 0; cx < end; i++, cx++) {
      if (cx < 0) continue;
      const j = y * this.width + cx;
      this.attrs[j] = attr;
      this.chars[j] = oneColumn(text[i] as string);
    }
    return cx;
  }

  fill(x: number, y: number, w: number, h: number, ch: string, attr: number): void {
    const c = oneColumn(ch);
    for (let yy = Math.max(0, y); yy < Math.min(this.height, y + h); yy++) {
      for (let xx = Math.max(0, x); xx < Math.min(this.width, x + w); xx++) {
        const j = yy * this.width + xx;
        this.attrs[j] = attr;
        this.chars[j] = c;
      }
    }
  }

  sub(x: number, y: number, w: number, h: number): Surface {
    return new SubSurface(this, x, y, Math.max(0, Math.min(w, this.width - x)), Math.max(0, Math.min(h, this.height - y)));
  }

  /** One row as text (tests and debugging). */
  row(y: number): string {
    return this.chars.slice(y * this.width, (y + 1) * this.width).join('');
  }

  attrAt(x: number, y: number): number {
    return this.attrs[y * this.width + x] ?? this.blankAttr;
  }
}

class SubSurface implements Surface {
  constructor(
    private readonly parent: Surface,
    private readonly ox: number,
    private readonly oy: number,
    readonly width: number,
    readonly height: number,
  ) {}

  put(x: number, y: number, text: string, attr: number, maxW = Infinity): number {
    if (y < 0 || y >= this.height) return x + Math.min(text.length, maxW);
    let s = text;
    let xx = x;
    if (xx < 0) {
      s = s.slice(-xx);
      xx = 0;
    }
    const w = Math.max(0, Math.min(maxW - (xx - x), this.width - xx, s.length));
    this.parent.put(this.ox + xx, this.oy + y, s.slice(0, w), attr);
    return x + Math.min(text.length, maxW);
  }

  cell(x: number, y: number, ch: string, attr: number): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    this.parent.cell(this.ox + x, this.oy + y, ch, attr);
  }

  fill(x: number, y: number, w: number, h: number, ch: string, attr: number): void {
    const x0 = Math.max(0, x);
    const y0 = Math.max(0, y);
    const x1 = Math.min(this.width, x + w);
    const y1 = Math.min(this.height, y + h);
    if (x1 > x0 && y1 > y0) this.parent.fill(this.ox + x0, this.oy + y0, x1 - x0, y1 - y0, ch, attr);
  }

  sub(x: number, y: number, w: number, h: number): Surface {
    return new SubSurface(this, x, y, Math.max(0, Math.min(w, this.width - x)), Math.max(0, Math.min(h, this.height - y)));
  }
}
