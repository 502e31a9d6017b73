/**
 * Themes: every file in themes/ loads cleanly; bad files fail with one line naming the file and the key; btop
 * .theme files map onto our keys; the palette gives each depth what it can show.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadThemeFile, resolveTheme, ThemeError, themeFromBtop, themeFromJson } from '../../src/config/theme-file.js';
import { DEFAULT_THEME, MONO_THEME, THEME_COLOR_KEYS } from '../../src/config/theme-spec.js';
import { Palette, TrueColorSlots } from '../../src/ui/palette.js';
import { indexToRgb } from '../../src/ui/color.js';
import { tempFile } from '../helpers/cli.js';
import { cli } from '../helpers/cli.js';

const THEMES = join(import.meta.dirname, '../../themes');

describe('theme files', () => {
  const files = readdirSync(THEMES).filter((f) => f.endsWith('.json') || f.endsWith('.theme'));
  it('ships at least default, light, high-contrast, mono and two more', () => {
    for (const n of ['default.json', 'light.json', 'high-contrast.json', 'mono.json']) expect(files).toContain(n);
    expect(files.length).toBeGreaterThanOrEqual(6);
  });
  it.each(files)('%s loads without warnings and defines every key', (f) => {
    const t = loadThemeFile(join(THEMES, f));
    expect(t.warnings).toEqual([]);
    for (const k of THEME_COLOR_KEYS) expect(t.spec.colors[k]).toBeDefined();
  });
  it('themes/default.json is the built-in default', () => {
    const t = loadThemeFile(join(THEMES, 'default.json')).spec;
    expect(t.colors).toEqual(DEFAULT_THEME.colors);
    expect(t.gradients).toEqual(DEFAULT_THEME.gradients);
  });
});

describe('bad themes fail with the file and the place', () => {
  it.each([
    ['{"name": "x", "colors": {"hi": "#12345"}}', 'colors.hi: expected a colour like "#5fd7ff"'],
    ['{"name": "x", "colors": {"hi": 300}}', 'colors.hi: expected a colour'],
    ['{"colors": {}}', 'name:'],
    ['{"name": "x", "gradients": {"cpu": []}}', 'gradients.cpu:'],
    ['{"name": "x",\n "colors": {"hi": "#fff",}}', 'invalid JSON: line 2, column'],
  ])('%s', (text, msg) => {
    const f = tempFile('bad-theme.json', text);
    expect(() => loadThemeFile(f)).toThrow(ThemeError);
    try {
      loadThemeFile(f);
    } catch (e) {
      expect((e as Error).message.startsWith(`${f}: `)).toBe(true);
      expect((e as Error).message).toContain(msg);
      expect((e as Error).message).not.toContain('\n');
    }
  });

  it('unknown keys are warnings, not errors', () => {
    const t = themeFromJson('t.json', { name: 'x', colors: { hi: '#fff', sparkle: '#000' }, extra: 1 });
    expect(t.warnings).toEqual(['t.json: colors.sparkle: unknown key (ignored)', 't.json: extra: unknown key (ignored)']);
    expect(t.spec.colors.hi).toBe('#fff');
    expect(t.spec.colors.fg).toBe(DEFAULT_THEME.colors.fg);
  });

  it('the CLI reports a bad theme as one line with status 2, before touching the terminal', () => {
    const f = tempFile('bad2.json', '{"name": "x", "colors": {"fg": "blue"}}');
    const r = cli('--theme', f);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`kernsim: ${f}: colors.fg: expected a colour like "#5fd7ff", "#fff", an xterm index 0-255 or "default"\n`);
    expect(r.stdout).toBe('');
  });

  it('an unknown theme name lists the available ones', () => {
    expect(() => resolveTheme('nope', THEMES)).toThrow(/nope: no such theme \(themes: default, mono, .*light/);
  });
});

describe('btop themes', () => {
  it('maps btop keys onto ours, gradients included; unknown btop keys are ignored', () => {
    const t = themeFromBtop('x.theme', '# comment\ntheme[main_fg]="#D8DEE9"\ntheme[hi_fg]=#5E81AC\ntheme[cpu_start]="#81A1C1"\ntheme[cpu_end]="#ECEFF4"\ntheme[temp_start]="#123456"\ntheme[main_bg]=""\n');
    expect(t.spec.colors.fg).toBe('#D8DEE9');
    expect(t.spec.colors.hi).toBe('#5E81AC');
    expect(t.spec.colors.bg).toBe('default');
    expect(t.spec.gradients.cpu).toEqual(['#81A1C1', '#ECEFF4']);
    expect(t.spec.gradients.runq).toEqual(['#81A1C1', '#ECEFF4']);
    expect(t.spec.name).toBe('x');
  });
  it('a malformed line is an error with its line number', () => {
    expect(() => themeFromBtop('y.theme', 'theme[main_fg]="#fff"\nthis is not a theme line\n')).toThrow('y.theme: line 2: expected theme[key]="value"');
    expect(() => themeFromBtop('y.theme', 'theme[main_fg]="blue"\n')).toThrow('y.theme: theme[main_fg]: expected a colour');
  });
});

describe('palette', () => {
  it('mono has no colours, only attributes', () => {
    const p = new Palette(MONO_THEME, '256', null);
    expect((p.selected >> 9) & 0x1ff).toBe(0x1ff);
    expect(p.selected & 0x1ff).toBe(0x1ff);
    expect((p.selected >> 18) & 8).toBe(8);
  });
  it('256 colours use xterm indices; 16 colours stay below 16; truecolor uses RGB slots', () => {
    const p256 = new Palette(DEFAULT_THEME, '256', null);
    expect((p256.hi >> 9) & 0x1ff).toBe(81); // #5fd7ff
    const p16 = new Palette(DEFAULT_THEME, '16', null);
    expect((p16.hi >> 9) & 0x1ff).toBeLessThan(16);
    const slots = new TrueColorSlots();
    const pt = new Palette(DEFAULT_THEME, 'truecolor', slots);
    const fg = (pt.hi >> 9) & 0x1ff;
    expect(fg).toBeGreaterThanOrEqual(256);
    expect(slots.code(fg)).toBe('16;38;2;95;215;255');
  });
  it('a timeline cell of a shared slice is a letter in the task colour, darkened where the theme is light', () => {
    const lum = (i: number): number => {
      const [r, g, b] = indexToRgb(i);
      return 0.299 * r + 0.587 * g + 0.114 * b;
    };
    const fgOf = (a: number): number => (a >> 9) & 0x1ff;
    const bgOf = (a: number): number => a & 0x1ff;
    const dark = new Palette(DEFAULT_THEME, '256', null);
    // Default theme: the block's colour becomes the letter's, on the theme's background.
    expect(fgOf(dark.taskCell(3, false, true))).toBe(bgOf(dark.taskCell(3, false)));
    expect(bgOf(dark.taskCell(3, false, true))).toBe(0x1ff);
    const light = new Palette(loadThemeFile(join(THEMES, 'light.json')).spec, '256', null);
    for (let pid = 0; pid < 12; pid++) {
      expect(lum(bgOf(light.taskCell(pid, false)))).toBeGreaterThan(128);
      expect(lum(fgOf(light.taskCell(pid, false, true)))).toBeLessThan(128);
    }
  });
});
