/**
 * sort, cut and uniq (GNU coreutils) as pipeline filters or over files: enough to count tasks per CPU
 * (`ps -eo psr= | sort -n | uniq -c`) or pull a column out of a /proc file (`cut -d' ' -f1 /proc/loadavg`).
 * The machine's locale is C: lines compare byte by byte.
 */
import { fail, getopt, ok, type Command, type CommandOutput } from './context.js';
import { filterInput, withInputErr } from './cmd-files.js';

function linesOf(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function joinLines(lines: readonly string[]): string {
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

function invalid(name: string, opt: string): CommandOutput {
  return fail(name, `invalid option -- '${opt}'\nTry '${name} --help' for more information.`, name === 'uniq' ? 1 : 2);
}

/** Byte order (the C locale's collation). */
function cmpC(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** sort -n's number: leading blanks, an optional minus, digits and a fraction; anything else counts as 0. */
function numericPrefix(s: string): number {
  const m = /^\s*(-?\d*\.?\d+|-?\d+\.?)/.exec(s);
  return m === null ? 0 : Number(m[1]);
}

interface SortKey {
  startField: number;
  endField: number | null;
  numeric: boolean;
  reverse: boolean;
}

/**
 * The text of fields start..end of a line. Without -t a field is a run of blanks and the non-blanks after it
 * (the leading blanks belong to the field, as in GNU sort without -b); with -t, the text between separators.
 */
function keyText(line: string, k: SortKey, sep: string | null): string {
  if (sep !== null) {
    const parts = line.split(sep);
    const end = k.endField === null ? parts.length : Math.min(k.endField, parts.length);
    return parts.slice(k.startField - 1, end).join(sep);
  }
  const starts: number[] = [];
  const re = /\s*\S+/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) starts.push(m.index);
  const from = starts[k.startField - 1];
  if (from === undefined) return '';
  const to = k.endField === null ? line.length : (starts[k.endField] ?? line.length);
  return line.slice(from, to);
}

/** sort [-n] [-r] [-u] [-t SEP] [-k N[,M][n][r]]... [FILE]... */
export const sort: Command = (env, argv, stdin) => {
  let numeric = false;
  let reverse = false;
  let unique = false;
  let sep: string | null = null;
  const keys: SortKey[] = [];
  const files: string[] = [];
  const bad = getopt(argv, files, (c, value) => {
    if (c === 'n') numeric = true;
    else if (c === 'r') reverse = true;
    else if (c === 'u') unique = true;
    else if (c === 't') {
      const v = value();
      if (v === undefined) return fail('sort', "option requires an argument -- 't'", 2);
      if (v.length !== 1) return fail('sort', `multi-character tab '${v}'`, 2);
      sep = v;
    } else if (c === 'k') {
      const v = value() ?? '';
      const m = /^(\d+)([nr]*)(?:,(\d+)([nr]*))?$/.exec(v);
      if (m === null || Number(m[1]) < 1 || (m[3] !== undefined && Number(m[3]) < 1)) return fail('sort', `invalid number at field start: invalid count at start of '${v}'`, 2);
      const mods = `${m[2] ?? ''}${m[4] ?? ''}`;
      keys.push({ startField: Number(m[1]), endField: m[3] === undefined ? null : Number(m[3]), numeric: mods.includes('n'), reverse: mods.includes('r') });
    } else return invalid('sort', c);
    return undefined;
  });
  if (bad !== null) return bad;
  const input = filterInput(env, 'sort', files, stdin);
  const lines = linesOf(input.text);
  // Options without a key apply to the whole line; options given on a key apply to it alone (GNU's rule).
  const effective: SortKey[] = keys.length === 0 ? [{ startField: 1, endField: null, numeric, reverse }] : keys.map((k) => (k.numeric || k.reverse ? k : { ...k, numeric, reverse }));
  const compareKeys = (a: string, b: string): number => {
    for (const k of effective) {
      const x = keyText(a, k, sep);
      const y = keyText(b, k, sep);
      const c = k.numeric ? numericPrefix(x) - numericPrefix(y) : cmpC(x, y);
      if (c !== 0) return k.reverse ? -c : c;
    }
    return 0;
  };
  // Equal keys fall back to the whole line in byte order (GNU's last resort), reversed with -r; -u keeps the
  // first line of each run of equal keys.
  const sorted = lines.map((l, i) => ({ l, i })).sort((p, q) => compareKeys(p.l, q.l) || (unique ? p.i - q.i : reverse ? cmpC(q.l, p.l) : cmpC(p.l, q.l)));
  const out: string[] = [];
  for (const { l } of sorted) if (!unique || out.length === 0 || compareKeys(out[out.length - 1] as string, l) !== 0) out.push(l);
  return withInputErr(ok(joinLines(out)), input);
};

/** A cut LIST ("1,3-5,7-"): the 1-based positions it selects, as a test. */
function parseList(list: string): ((n: number) => boolean) | null {
  const ranges: [number, number][] = [];
  for (const part of list.split(',')) {
    const m = /^(\d*)(-?)(\d*)$/.exec(part);
    if (m === null || part === '' || part === '-') return null;
    const lo = m[1] === '' ? 1 : Number(m[1]);
    const hi = m[2] === '' ? lo : m[3] === '' ? Infinity : Number(m[3]);
    if (lo < 1 || hi < lo) return null;
    ranges.push([lo, hi]);
  }
  return (n) => ranges.some(([lo, hi]) => n >= lo && n <= hi);
}

/** cut -f LIST [-d SEP] [-s] | -c LIST | -b LIST [FILE]... */
export const cut: Command = (env, argv, stdin) => {
  // Set by the option callback (a closure TypeScript's narrowing does not follow, hence one object).
  const o = { mode: null as 'f' | 'c' | null, list: null as ((n: number) => boolean) | null, delim: '\t', onlyDelimited: false };
  const files: string[] = [];
  const bad = getopt(argv, files, (c, value) => {
    if (c === 's') o.onlyDelimited = true;
    else if (c === 'd') {
      const v = value();
      if (v === undefined || v.length !== 1) return fail('cut', 'the delimiter must be a single character', 1);
      o.delim = v;
    } else if (c === 'f' || c === 'c' || c === 'b') {
      if (o.mode !== null) return fail('cut', 'only one list may be specified', 1);
      const v = value();
      if (v === undefined) return fail('cut', `option requires an argument -- '${c}'`, 1);
      o.list = parseList(v);
      if (o.list === null) return fail('cut', `invalid field value '${v}'`, 1);
      o.mode = c === 'f' ? 'f' : 'c';
    } else return invalid('cut', c);
    return undefined;
  });
  if (bad !== null) return bad;
  const { mode, list: sel, delim } = o;
  if (mode === null || sel === null) return fail('cut', 'you must specify a list of bytes, characters, or fields', 1);
  const input = filterInput(env, 'cut', files, stdin);
  const out: string[] = [];
  for (const line of linesOf(input.text)) {
    if (mode === 'c') out.push([...line].filter((_, i) => sel(i + 1)).join(''));
    else if (!line.includes(delim)) {
      if (!o.onlyDelimited) out.push(line);
    } else out.push(line.split(delim).filter((_, i) => sel(i + 1)).join(delim));
  }
  return withInputErr(ok(joinLines(out)), input);
};

/** uniq [-c] [-d] [-u] [INPUT]: adjacent equal lines once, counted with -c ("%7d "). */
export const uniq: Command = (env, argv, stdin) => {
  let count = false;
  let dupsOnly = false;
  let uniqOnly = false;
  const files: string[] = [];
  const bad = getopt(argv, files, (c) => {
    if (c === 'c') count = true;
    else if (c === 'd') dupsOnly = true;
    else if (c === 'u') uniqOnly = true;
    else return invalid('uniq', c);
    return undefined;
  });
  if (bad !== null) return bad;
  if (files.length > 1) return fail('uniq', `extra operand '${files[1]}'\nTry 'uniq --help' for more information.`, 1);
  const input = filterInput(env, 'uniq', files, stdin);
  const out: string[] = [];
  const lines = linesOf(input.text);
  for (let i = 0; i < lines.length; ) {
    let j = i + 1;
    while (j < lines.length && lines[j] === lines[i]) j++;
    const n = j - i;
    if ((!dupsOnly || n > 1) && (!uniqOnly || n === 1)) out.push(count ? `${String(n).padStart(7)} ${lines[i]}` : (lines[i] as string));
    i = j;
  }
  return withInputErr(ok(joinLines(out)), input);
};
