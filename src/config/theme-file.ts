/**
 * Loading themes: our JSON files (themes/*.json) and btop's .theme files, validated with the place of the first
 * problem (`FILE: colors.hi: expected a colour like "#5fd7ff"`). Missing keys come from the default theme;
 * unknown keys are reported as warnings, not errors (btop ignores them too).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as z from 'zod';
import { jsonErrorPlace } from '../lib/json-place.js';
import { DEFAULT_THEME, MONO_THEME, THEME_COLOR_KEYS, THEME_GRADIENT_KEYS, type ColorValue, type ThemeColorKey, type ThemeSpec } from './theme-spec.js';
import { fileErrorText, InputError } from '../lib/input-error.js';

// Before this module builds its schemas: see workload/scenario.ts.
z.config({ jitless: true });

export class ThemeError extends InputError {
  override readonly name = 'ThemeError';
}

const COLOR_RE = /^(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}|#[0-9a-fA-F]{2}|default|\d{1,3} \d{1,3} \d{1,3}|)$/;
const COLOR_MSG = 'expected a colour like "#5fd7ff", "#fff", an xterm index 0-255 or "default"';
const colorSchema = z.union([
  z.string().regex(COLOR_RE, { message: COLOR_MSG }),
  z.number({ message: COLOR_MSG }).int({ message: COLOR_MSG }).min(0, { message: COLOR_MSG }).max(255, { message: COLOR_MSG }),
], { message: COLOR_MSG });

const themeSchema = z.object({
  name: z.string().min(1).max(64),
  description: z.string().max(500).optional(),
  mono: z.boolean().optional(),
  colors: z.record(z.string(), colorSchema).optional(),
  gradients: z.record(z.string(), z.array(colorSchema).min(1).max(3)).optional(),
  tasks: z.array(colorSchema).min(1).max(64).optional(),
});

export interface LoadedTheme {
  spec: ThemeSpec;
  warnings: string[];
}

function pathOf(issuePath: readonly PropertyKey[]): string {
  return issuePath.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
}

/** Validate a parsed JSON theme. */
export function themeFromJson(file: string, json: unknown): LoadedTheme {
  const r = themeSchema.safeParse(json);
  if (!r.success) {
    const iss = r.error.issues[0] as z.core.$ZodIssue;
    throw new ThemeError(file, pathOf(iss.path), iss.message);
  }
  const warnings: string[] = [];
  const colors = { ...DEFAULT_THEME.colors };
  for (const [k, v] of Object.entries(r.data.colors ?? {})) {
    if ((THEME_COLOR_KEYS as readonly string[]).includes(k)) colors[k as ThemeColorKey] = v;
    else warnings.push(`${file}: colors.${k}: unknown key (ignored)`);
  }
  const gradients = { ...DEFAULT_THEME.gradients };
  for (const [k, v] of Object.entries(r.data.gradients ?? {})) {
    if ((THEME_GRADIENT_KEYS as readonly string[]).includes(k)) gradients[k as keyof typeof gradients] = v;
    else warnings.push(`${file}: gradients.${k}: unknown key (ignored)`);
  }
  const known = new Set(['name', 'description', 'mono', 'colors', 'gradients', 'tasks']);
  for (const k of Object.keys(json as object)) if (!known.has(k)) warnings.push(`${file}: ${k}: unknown key (ignored)`);
  const mono = r.data.mono === true;
  const base = mono ? MONO_THEME : DEFAULT_THEME;
  return {
    spec: {
      name: r.data.name,
      description: r.data.description ?? '',
      mono,
      colors: mono ? base.colors : colors,
      gradients: mono ? base.gradients : gradients,
      tasks: mono ? base.tasks : (r.data.tasks ?? DEFAULT_THEME.tasks),
    },
    warnings,
  };
}

/** btop keys onto ours (formats.md: cpu_* -> cpu gradient, boxes -> borders, selected_*, hi_fg -> key hints). */
const BTOP_MAP: Readonly<Record<string, ThemeColorKey[]>> = {
  main_bg: ['bg'],
  main_fg: ['fg', 'printk.info'],
  title: ['title'],
  hi_fg: ['hi', 'footer.key.fg'],
  selected_bg: ['selected.bg', 'footer.label.bg'],
  selected_fg: ['selected.fg', 'footer.label.fg'],
  inactive_fg: ['inactive', 'printk.debug', 'class.idle'],
  meter_bg: ['meter.bg'],
  div_line: ['border'],
  cpu_box: ['border.focus'],
  proc_misc: ['state.runnable'],
};
const BTOP_GRADIENTS: Readonly<Record<string, 'cpu' | 'mem' | 'runq'>> = { cpu: 'cpu', used: 'mem', process: 'runq' };

/** Parse btop's `theme[key]="value"` syntax (btop_theme.cpp loadFile): comments with #, quotes optional. */
export function themeFromBtop(file: string, text: string): LoadedTheme {
  const raw = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    const l = line.trim();
    if (l === '' || l.startsWith('#')) return;
    const m = /^theme\[([A-Za-z0-9_]+)\]\s*=\s*(?:"([^"]*)"|(.*))$/.exec(l);
    if (!m) throw new ThemeError(file, `line ${i + 1}`, `expected theme[key]="value", got '${l.slice(0, 40)}'`);
    raw.set(m[1] as string, (m[2] ?? m[3] ?? '').trim());
  });
  const colors = { ...DEFAULT_THEME.colors };
  const warnings: string[] = [];
  const check = (key: string, v: string): ColorValue => {
    if (!COLOR_RE.test(v)) throw new ThemeError(file, `theme[${key}]`, `expected a colour like "#5fd7ff", got '${v}'`);
    return v === '' ? 'default' : v;
  };
  for (const [key, v] of raw) {
    const targets = BTOP_MAP[key];
    if (targets !== undefined) for (const t of targets) colors[t] = check(key, v);
  }
  const gradients = { ...DEFAULT_THEME.gradients };
  for (const [prefix, ours] of Object.entries(BTOP_GRADIENTS)) {
    const stops = ['start', 'mid', 'end'].map((s) => raw.get(`${prefix}_${s}`)).filter((v): v is string => v !== undefined && v !== '');
    if (stops.length > 0) gradients[ours] = stops.map((v) => check(`${prefix}_*`, v));
  }
  // btop fallbacks: process_* from cpu_*.
  if (!raw.has('process_start') && raw.has('cpu_start')) gradients.runq = gradients.cpu;
  if (raw.size === 0) warnings.push(`${file}: no theme[...] entries; using the default colours`);
  const name = basename(file).replace(/\.theme$/, '');
  const tasks = [...gradients.cpu, ...gradients.mem, ...gradients.runq].filter((c, i, a) => a.indexOf(c) === i);
  return { spec: { name, description: `btop theme ${name}`, mono: false, colors, gradients, tasks: tasks.length >= 3 ? tasks : DEFAULT_THEME.tasks }, warnings };
}

/** Load a theme by file path (.json or .theme). */
export function loadThemeFile(file: string): LoadedTheme {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ThemeError(file, '', fileErrorText(e));
  }
  if (file.endsWith('.theme')) return themeFromBtop(file, text);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ThemeError(file, '', `invalid JSON: ${jsonErrorPlace(text, (e as Error).message)}`);
  }
  return themeFromJson(file, json);
}

/** Names of the themes in a directory (built-ins first). */
export function listThemes(dir: string): string[] {
  const names = new Set<string>(['default', 'mono']);
  if (existsSync(dir)) {
    for (const f of readdirSync(dir).sort()) {
      if (f.endsWith('.json')) names.add(f.slice(0, -5));
      else if (f.endsWith('.theme')) names.add(f.slice(0, -6));
    }
  }
  return [...names];
}

/**
 * Resolve --theme NAME|PATH: a path to a file, else a name in themesDir (NAME.json or NAME.theme), else a
 * built-in (default, mono).
 */
export function resolveTheme(nameOrPath: string, themesDir: string): LoadedTheme {
  if (nameOrPath.includes('/') || nameOrPath.endsWith('.json') || nameOrPath.endsWith('.theme')) return loadThemeFile(nameOrPath);
  for (const ext of ['.json', '.theme']) {
    const p = join(themesDir, `${nameOrPath}${ext}`);
    if (existsSync(p)) return loadThemeFile(p);
  }
  if (nameOrPath === 'default') return { spec: DEFAULT_THEME, warnings: [] };
  if (nameOrPath === 'mono') return { spec: MONO_THEME, warnings: [] };
  throw new ThemeError(nameOrPath, '', `no such theme (themes: ${listThemes(themesDir).join(', ')})`);
}
