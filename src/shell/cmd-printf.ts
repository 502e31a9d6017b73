/**
 * printf FORMAT [ARGUMENT]... as bash's builtin prints: the format's backslash escapes, then its directives
 * (%s %b %c %d %i %u %o %x %X %f %F %e %E %g %G %%, with flags, width and precision, * taking them from the
 * arguments), the format used again while arguments remain; a missing argument is "" or 0. A number that does
 * not parse is bash's error, printed as 0, and the status is 1.
 */
import { fail, type Command, type CommandOutput } from './context.js';
import { formatFloat, pad } from './cmd-text.js';

/** C's one-letter backslash escapes, which printf, awk's strings and tr's sets share (each adds its own). */
export const C_ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', '"': '"' };

/** bash's printf also knows \e, \' and \?. */
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { ...C_ESCAPES, e: '\x1b', "'": "'", '?': '?' };

/** Backslash escapes (the format's, or a %b argument's and echo -e's); stop is set by \c, which ends all output. */
export function unescape(s: string, octalNeedsZero: boolean): { text: string; stop: boolean } {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c !== '\\' || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const d = s[i + 1] as string;
    const simple = SIMPLE_ESCAPES[d];
    if (simple !== undefined) {
      out += simple;
      i++;
    } else if (d === 'c') return { text: out, stop: true };
    else if (d === 'x') {
      const m = /^[0-9a-fA-F]{1,2}/.exec(s.slice(i + 2));
      if (m === null) out += '\\x';
      else out += String.fromCharCode(parseInt(m[0], 16));
      i += 1 + (m?.[0].length ?? 0);
    } else if (/[0-7]/.test(d)) {
      // The format: \NNN; %b's argument: \0NNN (and \NNN).
      const m = (octalNeedsZero && d === '0' ? /^0[0-7]{0,3}/ : /^[0-7]{1,3}/).exec(s.slice(i + 1)) as RegExpExecArray;
      const digits = octalNeedsZero && d === '0' ? m[0].slice(1) : m[0];
      out += String.fromCharCode(parseInt(digits === '' ? '0' : digits, 8) & 0xff);
      i += m[0].length;
    } else out += '\\';
  }
  return { text: out, stop: false };
}

/**
 * %q as bash quotes a word to be read back: '' for nothing, $'...' when it holds control characters, else a
 * backslash before each character the shell would take specially (sh_backslash_quote()).
 */
function shellQuote(s: string): string {
  if (s === '') return "''";
  if (/[\x00-\x1f\x7f]/.test(s)) {
    const esc: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\v': '\\v', '\x1b': '\\E', "'": "\\'", '\\': '\\\\' };
    return `$'${[...s].map((c) => esc[c] ?? (c < ' ' || c === '\x7f' ? `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}` : c)).join('')}'`;
  }
  return s.replace(/[^\w@%+=:,./-]/g, (c) => `\\${c}`).replace(/^([~#])/, '\\$1');
}

/** An integer argument: decimal, 0x hex, 0 octal, or 'C / "C for a character's code. */
function intArg(a: string, errs: string[]): bigint {
  if (/^['"]/.test(a)) return BigInt(a.codePointAt(1) ?? 0);
  const t = a.trim();
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)/.exec(t);
  if (m === null || t === '') {
    if (t !== '') errs.push(`${a}: invalid number`);
    return 0n;
  }
  if (m[0].length !== t.length) errs.push(`${a}: invalid number`);
  const body = m[2] as string;
  const v = /^0[xX]/.test(body) ? BigInt(body) : body.length > 1 && body.startsWith('0') ? BigInt(`0o${body.slice(1)}`) : BigInt(body);
  return m[1] === '-' ? -v : v;
}

function floatArg(a: string, errs: string[]): number {
  if (/^['"]/.test(a)) return a.codePointAt(1) ?? 0;
  const t = a.trim();
  if (t === '') return 0;
  const m = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|^[+-]?(inf|infinity|nan)/i.exec(t);
  if (m === null) {
    errs.push(`${a}: invalid number`);
    return 0;
  }
  if (m[0].length !== t.length) errs.push(`${a}: invalid number`);
  return /inf/i.test(m[0]) ? (m[0].startsWith('-') ? -Infinity : Infinity) : /nan/i.test(m[0]) ? NaN : Number(m[0]);
}

/**
 * The formatter: format applied to args, again while they remain (reuse: bash's printf; awk's uses it once).
 * lenient: a number argument is its leading number, truncated for integer conversions, with no complaint (awk).
 * badFormat: the message of a directive with no conversion; stopped: \c ended the output.
 */
export function formatPrintf(format: string, rest: readonly string[], opts: { reuse: boolean; lenient: boolean }): { out: string; errs: string[]; badFormat?: string } {
  const errs: string[] = [];
  let out = '';
  let next = 0;
  const take = (): string | undefined => (next < rest.length ? rest[next++] : undefined);
  const int = (a: string): bigint => (opts.lenient ? BigInt(Math.trunc(Number(/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(a)?.[0] ?? 0)) || 0) : intArg(a, errs));
  const flt = (a: string): number => (opts.lenient ? Number(/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(a)?.[0] ?? 0) : floatArg(a, errs));
  const DIRECTIVE = /%([-+ #0]*)(\*|\d*)(?:\.(\*|\d*))?([sbcdiuoxXfFeEgGq%]?)/y;
  for (;;) {
    const used = next;
    for (let i = 0; i < format.length; ) {
      const c = format[i] as string;
      if (c === '\\') {
        const end = /^\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/.exec(format.slice(i));
        const u = unescape(end?.[0] ?? '\\', false);
        out += u.text;
        if (u.stop) return { out, errs };
        i += end?.[0].length ?? 1;
        continue;
      }
      if (c !== '%') {
        out += c;
        i++;
        continue;
      }
      DIRECTIVE.lastIndex = i;
      const m = DIRECTIVE.exec(format) as RegExpExecArray;
      const conv = m[4] as string;
      if (conv === '%') {
        out += '%';
        i += m[0].length;
        continue;
      }
      if (conv === '') {
        // bash's two messages: a % at the end, or a character that is no conversion.
        const bad = format[i + m[0].length];
        return { out, errs, badFormat: bad === undefined ? "`%': missing format character" : `\`${bad}': invalid format character` };
      }
      const flags = m[1] as string;
      const width = m[2] === '*' ? Number(int(take() ?? '0')) : Number(m[2] || 0);
      const precS = m[3] === '*' ? String(int(take() ?? '0')) : m[3];
      const prec = precS === undefined ? null : Number(precS || 0);
      const a = take();
      i += m[0].length;
      const padFlags = width < 0 ? `${flags}-` : flags;
      if (conv === 's' || conv === 'b' || conv === 'q') {
        let s = a ?? '';
        if (conv === 'b') {
          const u = unescape(s, true);
          s = u.text;
          if (u.stop) return { out: out + pad('', prec === null ? s : s.slice(0, prec), Math.abs(width), padFlags, false), errs };
        }
        if (conv === 'q') s = shellQuote(s);
        out += pad('', prec === null ? s : s.slice(0, prec), Math.abs(width), padFlags, false);
      } else if (conv === 'c') {
        // awk's %c of a number is the character with that code.
        const ch = opts.lenient && a !== undefined && /^\s*\d+(\.\d*)?\s*$/.test(a) ? String.fromCharCode(Number(a)) : (a ?? '').slice(0, 1);
        out += pad('', ch, Math.abs(width), padFlags, false);
      } else if ('diuoxX'.includes(conv)) {
        let v = int(a ?? '0');
        let sign = '';
        let digits: string;
        if (conv === 'd' || conv === 'i') {
          if (v < 0n) {
            sign = '-';
            v = -v;
          } else sign = flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
          digits = v.toString();
        } else {
          // Unsigned conversions see a negative number's 64-bit two's complement, as C does.
          if (v < 0n) v += 1n << 64n;
          digits = v.toString(conv === 'o' ? 8 : conv === 'u' ? 10 : 16);
          if (conv === 'X') digits = digits.toUpperCase();
          if (flags.includes('#') && v !== 0n) sign = conv === 'o' ? '0' : conv === 'x' ? '0x' : conv === 'X' ? '0X' : '';
        }
        if (prec !== null) digits = prec === 0 && v === 0n ? '' : digits.padStart(prec, '0');
        out += pad(sign, digits, Math.abs(width), padFlags, prec === null);
      } else {
        const x = flt(a ?? '0');
        const body = Number.isFinite(x) ? formatFloat(Math.abs(x), conv, prec ?? 6, flags.includes('#')) : Number.isNaN(x) ? 'nan' : 'inf';
        const sign = x < 0 || Object.is(x, -0) ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
        out += pad(sign, 'EFG'.includes(conv) ? body.toUpperCase() : body, Math.abs(width), padFlags, Number.isFinite(x));
      }
    }
    // The format again while arguments remain (and only if it took any).
    if (!opts.reuse || next >= rest.length || next === used) break;
  }
  return { out, errs };
}

export const printf: Command = (_env, argv) => {
  let args = argv.slice(1);
  if (args[0] === '--') args = args.slice(1);
  const format = args[0];
  if (format === undefined) return fail('bash: printf', 'usage: printf [-v var] format [arguments]', 2);
  if (format.startsWith('-') && format !== '-') return fail('bash: printf', `${format.slice(0, 2)}: invalid option\nprintf: usage: printf [-v var] format [arguments]`, 2);
  const r = formatPrintf(format, args.slice(1), { reuse: true, lenient: false });
  if (r.badFormat !== undefined) return { ...fail('bash: printf', r.badFormat, 1), out: r.out };
  return result(r.out, r.errs);
};

function result(out: string, errs: readonly string[]): CommandOutput {
  if (errs.length === 0) return { out, err: '', status: 0 };
  return { out, err: errs.map((e) => `bash: printf: ${e}\n`).join(''), status: 1, errno: 'EINVAL' };
}
