/** The characters the dashboard draws with, in Unicode and in plain ASCII (--ascii, non-UTF-8 locales, vt100). */
export interface Glyphs {
  h: string;
  v: string;
  tl: string;
  tr: string;
  bl: string;
  br: string;
  /** Tree connectors: ┴ ┌ ┐ └ ┘ */
  teeUp: string;
  /** Sparkline levels, lowest first. */
  spark: readonly string[];
  /** Horizontal bar eighths, 1/8 .. 8/8. */
  eighths: readonly string[];
  idle: string;
  meter: string;
  ellipsis: string;
  up: string;
  down: string;
  play: string;
  pause: string;
  marker: string;
  cursor: string;
}

export const UNICODE_GLYPHS: Glyphs = {
  h: '─',
  v: '│',
  tl: '┌',
  tr: '┐',
  bl: '└',
  br: '┘',
  teeUp: '┴',
  spark: [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'],
  eighths: ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'],
  idle: '·',
  meter: '|',
  ellipsis: '…',
  up: '▲',
  down: '▼',
  play: '▶',
  pause: '‖',
  marker: '▼',
  cursor: '█',
};

export const ASCII_GLYPHS: Glyphs = {
  h: '-',
  v: '|',
  tl: '+',
  tr: '+',
  bl: '+',
  br: '+',
  teeUp: '+',
  spark: [' ', '.', '.', '-', '-', '=', '=', '#', '#'],
  eighths: ['#', '#', '#', '#', '#', '#', '#', '#'],
  idle: '.',
  meter: '|',
  ellipsis: '~',
  up: '^',
  down: 'v',
  play: '>',
  pause: '"',
  marker: 'v',
  cursor: '_',
};
