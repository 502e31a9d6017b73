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
export function cmpC(a: string, b: string): number {
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

/** seq prints at most this many numbers: the output is one string, and `seq 1e9` would not fit in memory. */
export const SEQ_MAX = 100_000;

interface SeqArg {
  value: number;
  /** Digits after the point the number was written with (scan_arg's precision), 0 for an integer. */
  precision: number;
}

/** scan_arg(): a decimal or exponent number; its precision counts the fraction digits less the exponent. */
function scanSeqArg(s: string): SeqArg | null {
  const m = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.exec(s.trim());
  if (m === null) return null;
  const mant = m[1] as string;
  const dot = mant.indexOf('.');
  let precision = dot < 0 ? 0 : mant.length - dot - 1;
  if (m[2] !== undefined) {
    const exp = Number(m[2].slice(1));
    precision = exp < 0 ? precision - exp : precision - Math.min(precision, exp);
  }
  return { value: Number(s), precision };
}

/** C's %g with precision p (6 by default): %e or %f by the exponent, trailing zeros removed unless '#'. */
function formatG(x: number, p: number, alt: boolean): string {
  const prec = p === 0 ? 1 : p;
  if (x === 0) return alt ? (0).toFixed(prec - 1) : '0';
  const exp = Math.floor(Math.log10(Math.abs(Number(x.toPrecision(prec)))));
  let s: string;
  if (exp < -4 || exp >= prec) {
    s = x.toExponential(prec - 1);
    if (!alt) s = s.replace(/\.?0+e/, 'e');
    s = s.replace(/e([+-])(\d)$/, 'e$10$2');
  } else {
    s = x.toFixed(Math.max(0, prec - 1 - exp));
    if (!alt && s.includes('.')) s = s.replace(/\.?0+$/, '');
  }
  return s;
}

/**
 * x.toFixed(prec) as C's printf rounds: toFixed takes the larger of two equally near results, C (in the default
 * rounding mode) the even one. They differ only when x lies exactly halfway, which a double does when
 * 2 * x * 10^prec is an odd integer: checked exactly, on x's binary mantissa and exponent.
 */
function toFixedEven(x: number, prec: number): string {
  const s = x.toFixed(prec);
  if (!Number.isFinite(x) || x === 0 || Math.abs(x) >= 2 ** 53) return s;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const mant = (bits & ((1n << 52n) - 1n)) | (biased === 0 ? 0n : 1n << 52n);
  const exp = (biased === 0 ? 1 : biased) - 1075; // |x| = mant * 2^exp
  // 2 * |x| * 10^prec = mant * 10^prec * 2^(exp + 1): an integer only if 2^-(exp + 1) divides mant * 10^prec.
  const shift = -(exp + 1);
  if (shift <= 0) return s;
  const num = mant * 10n ** BigInt(prec);
  const den = 1n << BigInt(shift);
  if (num % den !== 0n || (num / den) % 2n === 0n) return s;
  // A tie: toFixed went up; go down instead when the lower neighbour is even.
  const lower = (num / den - 1n) / 2n; // |x| * 10^prec rounded down
  if (lower % 2n !== 0n) return s;
  const digits = lower.toString().padStart(prec + 1, '0');
  const body = prec === 0 ? digits : `${digits.slice(0, digits.length - prec)}.${digits.slice(digits.length - prec)}`;
  return x < 0 ? `-${body}` : body;
}

/** Pads body (sign apart) to width by C's flags: - left, 0 zeros after the sign (zeroOk: not with an integer's precision). */
export function pad(sign: string, body: string, width: number, flags: string, zeroOk: boolean): string {
  const s = sign + body;
  if (s.length >= width) return s;
  if (flags.includes('-')) return s.padEnd(width);
  if (flags.includes('0') && zeroOk) return sign + body.padStart(width - sign.length, '0');
  return s.padStart(width);
}

/** C's %f, %e or %g (conv, either case) of x >= 0 with precision prec; lower case (the caller raises %E's). */
export function formatFloat(x: number, conv: string, precIn: number, alt: boolean): string {
  const k = conv.toLowerCase();
  const prec = Math.min(precIn, 100); // JavaScript's limit; C prints zeros past a double's digits anyway
  if (k === 'f') return toFixedEven(x, prec);
  if (k === 'e') return x.toExponential(prec).replace(/e([+-])(\d)$/, 'e$10$2');
  return formatG(x, prec, alt);
}

/**
 * seq's -f FORMAT (long_double_format()): text around exactly one floating-point conversion
 * %[flags][width][.prec](f|g|e|F|G|E), %% for a percent sign; coreutils' own messages otherwise.
 */
function seqFormatter(fmt: string): ((x: number) => string) | string {
  let i = 0;
  while (!(fmt[i] === '%' && fmt[i + 1] !== '%')) {
    if (i >= fmt.length) return `format '${fmt}' has no % directive`;
    i += (fmt[i] === '%' ? 1 : 0) + 1;
  }
  const spec = /^%([-+ #0']*)(\d*)(?:\.(\d*))?(.?)/.exec(fmt.slice(i)) as RegExpExecArray;
  const [whole, flags = '', widthS = '', precS, kind = ''] = spec;
  if (kind === 'a' || kind === 'A') return `%${kind} (hexadecimal floating point) is not supported by this shell`;
  if (kind === '' || !'efgEFG'.includes(kind)) return `format '${fmt}' has unknown %${kind} directive`;
  for (let j = i + whole.length; j < fmt.length; j += (fmt[j] === '%' ? 1 : 0) + 1) {
    if (fmt[j] === '%' && fmt[j + 1] !== '%') return `format '${fmt}' has too many % directives`;
  }
  const before = fmt.slice(0, i).replace(/%%/g, '%');
  const after = fmt.slice(i + whole.length).replace(/%%/g, '%');
  const width = widthS === '' ? 0 : Number(widthS);
  const prec = precS === undefined ? 6 : precS === '' ? 0 : Number(precS);
  const k = kind.toLowerCase();
  return (x: number): string => {
    let body = formatFloat(Math.abs(x), k, prec, flags.includes('#'));
    if (kind !== k) body = body.toUpperCase();
    const sign = x < 0 ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
    return before + pad(sign, body, width, flags, true) + after;
  };
}

/**
 * seq (GNU coreutils): FIRST, INCREMENT and LAST (1 and 1 by default), printed with as many fraction digits as
 * FIRST and INCREMENT were written with; -s SEP between them, -w to pad with zeros to one width, -f FORMAT.
 * Each number is FIRST + i*INCREMENT, so steps like 0.1 do not drift. Handy in a loop: for i in $(seq 1 4).
 */
export const seq: Command = (_env, argv) => {
  let sep = '\n';
  let equalWidth = false;
  let format: string | null = null;
  const nums: string[] = [];
  const usage = "Try 'seq --help' for more information.";
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    // A negative number is an operand, not an option (seq -1 1).
    if (nums.length > 0 || !a.startsWith('-') || a === '-' || /^-[\d.]/.test(a)) {
      nums.push(a);
      continue;
    }
    if (a === '--') {
      nums.push(...argv.slice(i + 1));
      break;
    }
    if (a === '--equal-width') equalWidth = true;
    else if (a.startsWith('--separator=')) sep = a.slice('--separator='.length);
    else if (a.startsWith('--format=')) format = a.slice('--format='.length);
    else if (a === '--separator' || a === '--format') {
      const v = argv[++i];
      if (v === undefined) return fail('seq', `option '${a}' requires an argument\n${usage}`);
      if (a === '--separator') sep = v;
      else format = v;
    } else if (a.startsWith('--')) return fail('seq', `unrecognized option '${a}'\n${usage}`);
    else {
      for (let j = 1; j < a.length; j++) {
        const c = a[j] as string;
        if (c === 'w') equalWidth = true;
        else if (c === 's' || c === 'f') {
          const v = j + 1 < a.length ? a.slice(j + 1) : argv[++i];
          if (v === undefined) return fail('seq', `option requires an argument -- '${c}'\n${usage}`);
          if (c === 's') sep = v;
          else format = v;
          break;
        } else return fail('seq', `invalid option -- '${c}'\n${usage}`);
      }
    }
  }
  if (nums.length === 0) return fail('seq', `missing operand\n${usage}`);
  if (nums.length > 3) return fail('seq', `extra operand '${nums[3]}'\n${usage}`);
  const args: SeqArg[] = [];
  for (const n of nums) {
    const a = scanSeqArg(n);
    if (a === null || !Number.isFinite(a.value)) return fail('seq', `invalid floating point argument: '${n}'\n${usage}`);
    args.push(a);
  }
  const one: SeqArg = { value: 1, precision: 0 };
  const first = args.length > 1 ? (args[0] as SeqArg) : one;
  const step = args.length === 3 ? (args[1] as SeqArg) : one;
  const last = args[args.length - 1] as SeqArg;
  if (step.value === 0) return fail('seq', `invalid Zero increment value: '${nums[1]}'\n${usage}`);
  if (format !== null && equalWidth) return fail('seq', `format string may not be specified when printing equal width strings\n${usage}`);
  let fmt: (x: number) => string;
  if (format !== null) {
    const f = seqFormatter(format);
    if (typeof f === 'string') return fail('seq', f);
    fmt = f;
  } else {
    const prec = Math.max(first.precision, step.precision);
    const plain = (x: number): string => (prec > 0 ? x.toFixed(prec) : String(Math.round(x)));
    if (equalWidth) {
      const width = Math.max(plain(first.value).length, plain(last.value).length);
      fmt = (x) => {
        const s = plain(x);
        return x < 0 ? `-${s.slice(1).padStart(width - 1, '0')}` : s.padStart(width, '0');
      };
    } else fmt = plain;
  }
  const out: string[] = [];
  for (let i = 0; ; i++) {
    const x = first.value + i * step.value;
    if (step.value > 0 ? x > last.value : x < last.value) {
      // 0.1 * 3 is 0.30000000000000004: a number past LAST that prints as LAST is LAST (coreutils does the same).
      if (fmt(x) === fmt(last.value) && out[out.length - 1] !== fmt(x)) out.push(fmt(x));
      break;
    }
    if (out.length === SEQ_MAX) return { out: `${out.join(sep)}\n`, err: `seq: stopped after ${SEQ_MAX} numbers (this shell's output limit)\n`, status: 1 };
    out.push(fmt(x));
  }
  return ok(out.length > 0 ? `${out.join(sep)}\n` : '');
};
