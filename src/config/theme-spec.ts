/**
 * Theme data (design.md section 10): flat semantic colour keys, gradients and the timeline's task colours.
 * Pure data and its defaults; loading files is theme-file.ts, turning it into terminal attributes is ui/.
 */
export const THEME_COLOR_KEYS = [
  'bg',
  'fg',
  'title',
  'border',
  'border.focus',
  'hi',
  'inactive',
  'selected.bg',
  'selected.fg',
  'meter.bg',
  'footer.key.fg',
  'footer.key.bg',
  'footer.label.fg',
  'footer.label.bg',
  'class.stop',
  'class.dl',
  'class.rt',
  'class.fair',
  'class.idle',
  'state.running',
  'state.runnable',
  'state.sleeping',
  'state.blocked',
  'state.zombie',
  'printk.emerg',
  'printk.alert',
  'printk.crit',
  'printk.err',
  'printk.warning',
  'printk.notice',
  'printk.info',
  'printk.debug',
  'oom',
  'tree.red',
  'tree.black',
  'warn',
] as const;
export type ThemeColorKey = (typeof THEME_COLOR_KEYS)[number];

export const THEME_GRADIENT_KEYS = ['cpu', 'mem', 'runq'] as const;
export type ThemeGradientKey = (typeof THEME_GRADIENT_KEYS)[number];

/** Colour values as written in files: "#rrggbb", "#rgb", an xterm index, or "default". */
export type ColorValue = string | number;

export interface ThemeSpec {
  name: string;
  description: string;
  /** Monochrome: no colours at all, attributes (bold, inverse, underline) only. */
  mono: boolean;
  colors: Record<ThemeColorKey, ColorValue>;
  gradients: Record<ThemeGradientKey, ColorValue[]>;
  /** Colours the timeline gives tasks, in turn. */
  tasks: ColorValue[];
}

/** The built-in dark theme: every key; files only override. */
export const DEFAULT_THEME: ThemeSpec = {
  name: 'default',
  description: 'dark background, htop-like accents',
  mono: false,
  colors: {
    bg: 'default',
    fg: '#d0d0d0',
    title: '#ffffff',
    border: '#5f5f87',
    'border.focus': '#5fafff',
    hi: '#5fd7ff',
    inactive: '#6c6c6c',
    'selected.bg': '#005f87',
    'selected.fg': '#ffffff',
    'meter.bg': '#3a3a3a',
    'footer.key.fg': '#ffffff',
    'footer.key.bg': 'default',
    'footer.label.fg': '#000000',
    'footer.label.bg': '#00afaf',
    'class.stop': '#ff5f5f',
    'class.dl': '#d75fd7',
    'class.rt': '#ff875f',
    'class.fair': '#5fd75f',
    'class.idle': '#4e4e4e',
    'state.running': '#87ff87',
    'state.runnable': '#d7d75f',
    'state.sleeping': '#8a8a8a',
    'state.blocked': '#ff8787',
    'state.zombie': '#af5fff',
    'printk.emerg': '#ff0000',
    'printk.alert': '#ff0000',
    'printk.crit': '#ff5f5f',
    'printk.err': '#ff5f5f',
    'printk.warning': '#ffd75f',
    'printk.notice': '#87d7ff',
    'printk.info': '#d0d0d0',
    'printk.debug': '#808080',
    oom: '#ff5f87',
    'tree.red': '#ff5f5f',
    'tree.black': '#bcbcbc',
    warn: '#ffaf00',
  },
  gradients: { cpu: ['#5fd75f', '#d7d75f', '#ff5f5f'], mem: ['#5f87d7', '#af87d7', '#ff5f87'], runq: ['#5fafaf', '#d7af5f', '#ff5f5f'] },
  tasks: ['#5f87d7', '#5faf5f', '#d7875f', '#af5fd7', '#5fafaf', '#d7af5f', '#d75f87', '#87af5f', '#875fd7', '#5fd7af', '#af875f', '#5f5fd7'],
};

/** The built-in monochrome theme (NO_COLOR, vt100, and every UI golden test). */
export const MONO_THEME: ThemeSpec = {
  ...DEFAULT_THEME,
  name: 'mono',
  description: 'no colours: bold, inverse and underline only',
  mono: true,
  colors: Object.fromEntries(THEME_COLOR_KEYS.map((k) => [k, 'default'])) as Record<ThemeColorKey, ColorValue>,
  gradients: { cpu: ['default'], mem: ['default'], runq: ['default'] },
  tasks: ['default'],
};
