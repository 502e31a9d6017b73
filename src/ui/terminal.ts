/**
 * What the terminal can do, decided once from the environment (TERM, COLORTERM, NO_COLOR, the locale) and
 * the command line: colour depth, Unicode glyphs, and which terminfo entry blessed should load. blessed 0.1.81
 * cannot parse ncurses 6.1+ extended terminfo entries (*-256color on current distros), so those are mapped to
 * its bundled xterm-256color (stack-notes.md, section 2).
 */
export type ColorDepth = 'truecolor' | '256' | '16' | 'mono';

export interface TermCaps {
  /** The terminfo name handed to blessed. */
  terminal: string;
  depth: ColorDepth;
  unicode: boolean;
  /** DEC mode 2026 synchronized output around each frame (ignored by terminals that lack it). */
  syncOutput: boolean;
}

export interface TermOverrides {
  ascii?: boolean;
  /** --color=auto|never|16|256|truecolor */
  color?: string;
}

export function detectTerm(env: Readonly<Record<string, string | undefined>>, o: TermOverrides = {}): TermCaps {
  const term = (env.TERM ?? '').trim() || 'xterm-256color';
  const base = term.toLowerCase();
  let terminal = term;
  let depth: ColorDepth;
  if (/-256colou?r$/.test(base) || base.endsWith('-direct') || base === 'xterm-kitty' || base === 'alacritty') {
    terminal = 'xterm-256color';
    depth = '256';
  } else if (base === 'vt100' || base === 'vt102' || base === 'vt220' || base === 'dumb' || base === 'ansi-mono') {
    depth = 'mono';
  } else {
    depth = '16';
    if (base.startsWith('screen') || base.startsWith('tmux')) terminal = 'screen';
    else if (base.startsWith('rxvt') || base.startsWith('xterm') || base === 'linux' || base === 'ansi') terminal = base.startsWith('rxvt') ? 'xterm' : base;
    else terminal = 'xterm';
  }
  const ct = (env.COLORTERM ?? '').toLowerCase();
  if ((ct === 'truecolor' || ct === '24bit') && depth !== 'mono') depth = 'truecolor';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') depth = 'mono';
  if (o.color !== undefined && o.color !== 'auto') {
    if (o.color === 'never') depth = 'mono';
    else if (o.color === '16' || o.color === '256' || o.color === 'truecolor') depth = o.color;
  }
  const locale = `${env.LC_ALL ?? ''}:${env.LC_CTYPE ?? ''}:${env.LANG ?? ''}`;
  let unicode = /utf-?8/i.test(locale) && base !== 'vt100' && base !== 'vt102' && base !== 'vt220';
  if (o.ascii === true) unicode = false;
  const syncOutput = base !== 'linux' && depth !== 'mono' && !base.startsWith('vt');
  return { terminal, depth, unicode, syncOutput };
}

export const COLOR_OPTIONS = ['auto', 'never', '16', '256', 'truecolor'] as const;
