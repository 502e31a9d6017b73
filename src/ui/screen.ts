/**
 * The blessed screen, set up for this program (stack-notes.md, "Gotchas"): the terminfo name from terminal.ts,
 * blessed's terminfo compiler errors swallowed instead of printed over the UI, no warning popups, Unicode box
 * characters written as such (brokenACS), a truecolor hook for the palette's RGB slots, and optional DEC 2026
 * synchronized output around each frame's single write.
 */
import type blessed from 'blessed';
import blessedScreen from 'blessed/lib/widgets/screen.js';
import type { TermCaps } from './terminal.js';
import type { TrueColorSlots } from './palette.js';

export interface ScreenIo {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

export type Screen = blessed.Widgets.Screen;

const SYNC_BEGIN = '\x1b[?2026h';
const SYNC_END = '\x1b[?2026l';

interface ProgramInternals {
  _write(text: string): unknown;
  tput: { colors: number; brokenACS: boolean; unicode: boolean };
  flush(): void;
}
interface ScreenInternals {
  _reduceColor(c: number): number | string;
  draw(start: number, end: number): void;
  program: ProgramInternals;
}

export function createScreen(caps: TermCaps, io: ScreenIo, opts: { mouse: boolean; slots: TrueColorSlots | null; terminfoErrors?: string[] }): Screen {
  const errors: string[] = [];
  const origError = console.error;
  // blessed's terminfo compiler reports unparsable capabilities with console.error, right over the UI.
  console.error = (...a: unknown[]): void => {
    errors.push(a.map(String).join(' ').slice(0, 200));
  };
  let screen: Screen;
  try {
    screen = blessedScreen({
      input: io.input as unknown as NodeJS.WritableStream,
      output: io.output as unknown as NodeJS.ReadableStream,
      terminal: caps.terminal,
      smartCSR: true,
      fullUnicode: false,
      forceUnicode: caps.unicode,
      warnings: false,
      autoPadding: false,
      dockBorders: false,
      useBCE: true,
      title: 'kernsim',
      resizeTimeout: 50,
      sendFocus: false,
      ignoreLocked: ['C-c'],
    } as blessed.Widgets.IScreenOptions);
  } finally {
    console.error = origError;
  }
  opts.terminfoErrors?.push(...errors);
  const s = screen as unknown as ScreenInternals;
  s.program.tput.brokenACS = true;
  if (opts.slots !== null) {
    const slots = opts.slots;
    const reduce = s._reduceColor.bind(screen);
    s._reduceColor = (c: number) => (c >= 256 && c < 511 ? (slots.code(c) ?? 7) : reduce(c));
  }
  if (caps.syncOutput) {
    const draw = s.draw.bind(screen);
    s.draw = (start: number, end: number): void => {
      const prog = s.program;
      const write = prog._write;
      let out = '';
      prog._write = (t: string) => {
        out += t;
        return undefined;
      };
      try {
        draw(start, end);
      } finally {
        prog._write = write;
      }
      if (out !== '') prog._write.call(prog, SYNC_BEGIN + out + SYNC_END);
    };
  }
  if (opts.mouse) screen.enableMouse();
  return screen;
}

/** Leave the alternate screen, show the cursor, turn the mouse off, and flush: the terminal as we found it. */
export function restoreScreen(screen: Screen): void {
  try {
    screen.destroy();
  } catch {
    // Best effort: the terminal may already be gone (SSH drop).
  }
}
