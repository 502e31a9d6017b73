/**
 * swapon (util-linux): the swap areas, read from /proc/swaps as libmount reads them. `swapon -s` is
 * display_summary(); `swapon` alone or `swapon --show[=COLUMNS]` is show_table(), a libsmartcols table with
 * sizes in size_to_human_string()'s one-letter form. Turning an area on: the machine's only area is on already.
 */
import { fail, ok, type Command, type CommandOutput, type ShellEnv } from './context.js';

interface SwapArea {
  name: string;
  type: string;
  sizeKb: number;
  usedKb: number;
  prio: number;
}

function readSwaps(env: ShellEnv): SwapArea[] {
  const r = env.k.proc.read('/proc/swaps');
  if (!r.ok) return [];
  return r.text
    .split('\n')
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [name = '', type = '', size = '0', used = '0', prio = '0'] = l.trim().split(/\s+/);
      return { name, type, sizeKb: Number(size), usedKb: Number(used), prio: Number(prio) };
    });
}

/** lib/strutils.c size_to_human_string(SIZE_SUFFIX_1LETTER): "8G", "1.5M", "0B"; one decimal, rounded. */
export function sizeToHuman(bytes: number): string {
  let exp = 10;
  while (exp <= 60 && bytes >= 2 ** exp) exp += 10;
  exp -= 10;
  const letter = 'BKMGTPE'[exp / 10] as string;
  let dec = exp === 0 ? bytes : Math.floor(bytes / 2 ** exp);
  let frac = exp === 0 ? 0 : bytes % 2 ** exp;
  if (frac !== 0) {
    frac = Math.floor((Math.floor(frac / 2 ** (exp - 10)) + 50) / 100);
    if (frac === 10) {
      dec++;
      frac = 0;
    }
  }
  return frac !== 0 ? `${dec}.${frac}${letter}` : `${dec}${letter}`;
}

const COLUMNS = ['NAME', 'TYPE', 'SIZE', 'USED', 'PRIO', 'UUID', 'LABEL'] as const;
type Column = (typeof COLUMNS)[number];
const RIGHT: ReadonlySet<Column> = new Set(['SIZE', 'USED', 'PRIO']);

/** A libsmartcols table: columns as wide as their widest cell, one space apart; the last one is not padded. */
function table(cols: readonly Column[], rows: string[][], headings: boolean, raw: boolean): string {
  // An empty table prints nothing, not even its headings.
  if (rows.length === 0) return '';
  const all = headings ? [cols.map((c) => c as string), ...rows] : rows;
  if (raw) return all.map((r) => r.join(' ')).join('\n') + '\n';
  const widths = cols.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r
      .map((cell, i) => {
        const c = cols[i] as Column;
        if (RIGHT.has(c)) return cell.padStart(widths[i] as number);
        return i === cols.length - 1 ? cell : cell.padEnd(widths[i] as number);
      })
      .join(' ');
  return all.map(line).join('\n') + '\n';
}

export const swapon: Command = (env, argv) => {
  let summary = false;
  let bytes = false;
  let headings = true;
  let raw = false;
  let all = false;
  let cols: Column[] | null = null;
  const devices: string[] = [];
  for (const a of argv.slice(1)) {
    if (a === '-s' || a === '--summary') summary = true;
    else if (a === '--bytes') bytes = true;
    else if (a === '--noheadings') headings = false;
    else if (a === '--raw') raw = true;
    else if (a === '-a' || a === '--all') all = true;
    else if (a === '--show' || a.startsWith('--show=')) {
      cols = [];
      if (a.startsWith('--show=')) {
        for (const name of a.slice('--show='.length).split(',')) {
          const c = COLUMNS.find((x) => x === name.toUpperCase());
          if (c === undefined) return fail('swapon', `unknown column: ${name}`, 1);
          cols.push(c);
        }
      }
    } else if (a.startsWith('-')) return fail('swapon', `unrecognized option '${a}'\nTry 'swapon --help' for more information.`, 1);
    else devices.push(a);
  }
  const areas = readSwaps(env);
  if (summary) {
    if (areas.length === 0) return ok('');
    // display_summary(): "%-39s\t%-8s\t%jd\t%jd\t%d\n" under its own header (not the kernel's).
    const lines = areas.map((s) => `${s.name.padEnd(39)}\t${s.type.padEnd(8)}\t${s.sizeKb}\t${s.usedKb}\t${s.prio}\n`);
    return ok(`Filename\t\t\t\tType\t\tSize\tUsed\tPriority\n${lines.join('')}`);
  }
  if (cols !== null || (!all && devices.length === 0)) {
    const shown: Column[] = cols === null || cols.length === 0 ? ['NAME', 'TYPE', 'SIZE', 'USED', 'PRIO'] : cols;
    const size = (kb: number): string => (bytes ? String(kb * 1024) : sizeToHuman(kb * 1024));
    const cell = (s: SwapArea, c: Column): string => ({ NAME: s.name, TYPE: s.type, SIZE: size(s.sizeKb), USED: size(s.usedKb), PRIO: String(s.prio), UUID: '', LABEL: '' })[c];
    return ok(table(shown, areas.map((s) => shown.map((c) => cell(s, c))), headings, raw));
  }
  // -a skips the areas that are on already; naming one that is on is what the swapon(2) call refuses.
  let out: CommandOutput = ok('');
  for (const d of devices) {
    const err = areas.some((s) => s.name === d) ? `${d}: swapon failed: Device or resource busy` : `cannot find the device for ${d}`;
    out = { out: '', err: `${out.err}swapon: ${err}\n`, status: 255, errno: areas.some((s) => s.name === d) ? 'EBUSY' : 'ENOENT' };
  }
  return out;
};
