/**
 * A real terminal emulator behind a fake TTY: blessed writes to it as to a terminal, and tests read the
 * resulting screen (text and cell colours) from @xterm/headless - what a person would see, not what we think
 * we sent. Default imports only (stack-notes: named imports of these packages break outside vitest).
 */
import { PassThrough, Writable } from 'node:stream';
import xtermPkg from '@xterm/headless';
import unicodePkg from '@xterm/addon-unicode11';
import type { Terminal as TerminalType } from '@xterm/headless';

const { Terminal } = xtermPkg as unknown as { Terminal: typeof TerminalType };
const { Unicode11Addon } = unicodePkg as unknown as { Unicode11Addon: new () => { activate(t: unknown): void } };

export class FakeTty extends Writable {
  readonly isTTY = true;
  columns: number;
  rows: number;
  readonly term: TerminalType;
  bytes = 0;
  private pending: Promise<void> = Promise.resolve();

  constructor(cols: number, rows: number) {
    super({ decodeStrings: false });
    this.columns = cols;
    this.rows = rows;
    this.term = new Terminal({ cols, rows, allowProposedApi: true });
    this.term.loadAddon(new Unicode11Addon() as never);
    this.term.unicode.activeVersion = '11';
  }

  override _write(chunk: unknown, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    const s = typeof chunk === 'string' ? chunk : String(chunk);
    this.bytes += Buffer.byteLength(s);
    this.pending = new Promise<void>((res) => this.term.write(s, res));
    cb();
  }

  getWindowSize(): [number, number] {
    return [this.columns, this.rows];
  }

  resize(cols: number, rows: number): void {
    this.columns = cols;
    this.rows = rows;
    this.term.resize(cols, rows);
    this.emit('resize');
  }

  /** Wait until blessed's buffered output (flushed on setImmediate) has been parsed by the emulator. */
  async settle(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    await this.pending;
  }

  lines(): string[] {
    const b = this.term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < this.rows; y++) out.push(b.getLine(y)?.translateToString(true) ?? '');
    return out;
  }

  text(): string {
    return this.lines().join('\n');
  }

  /** The cell at (x, y): its character and whether it has a palette/RGB foreground or background. */
  cell(x: number, y: number): { ch: string; fg: number; bg: number; fgMode: 'default' | 'palette' | 'rgb'; bgMode: 'default' | 'palette' | 'rgb'; bold: boolean; inverse: boolean } {
    const c = this.term.buffer.active.getLine(y)?.getCell(x);
    if (c === undefined) throw new Error(`no cell ${x},${y}`);
    const mode = (def: boolean, pal: boolean): 'default' | 'palette' | 'rgb' => (def ? 'default' : pal ? 'palette' : 'rgb');
    return {
      ch: c.getChars(),
      fg: c.getFgColor(),
      bg: c.getBgColor(),
      fgMode: mode(c.isFgDefault(), c.isFgPalette()),
      bgMode: mode(c.isBgDefault(), c.isBgPalette()),
      bold: c.isBold() !== 0,
      inverse: c.isInverse() !== 0,
    };
  }

  /** Raw output capture for restore checks. */
  get modes(): { alt: boolean; cursorHidden: boolean; mouse: string } {
    const t = this.term as unknown as { modes: { mouseTrackingMode: string }; buffer: { active: { type: string } } };
    return { alt: t.buffer.active.type === 'alternate', cursorHidden: false, mouse: t.modes.mouseTrackingMode };
  }
}

export function fakeInput(): PassThrough & { isTTY: boolean; setRawMode(b: boolean): void; isRaw: boolean } {
  const p = new PassThrough() as PassThrough & { isTTY: boolean; setRawMode(b: boolean): void; isRaw: boolean };
  p.isTTY = true;
  p.isRaw = false;
  p.setRawMode = (b: boolean) => {
    p.isRaw = b;
  };
  return p;
}
