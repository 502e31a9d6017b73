/**
 * awk [-F FS] [-v VAR=VALUE]... 'PROGRAM' [FILE | VAR=VALUE]... : the POSIX awk language, as gawk runs it, for
 * reading the machine's files: patterns (BEGIN, END, expressions, /regex/) and actions (print, printf, if, while,
 * for, for-in, next, exit, delete, break, continue), fields ($0, $N, NF, assigned too), NR, FNR, FS, OFS, ORS,
 * FILENAME, SUBSEP, RSTART, RLENGTH, associative arrays, awk's numeric and string comparisons, and the built-in
 * functions length, substr, index, split, sub, gsub, match, sprintf, tolower, toupper, int, sqrt, exp, log, sin,
 * cos, atan2, rand and srand (a fixed seed: the same numbers every run, as awk's are without srand()).
 * Not here: getline, output redirection and pipes, system(), user-defined functions.
 * A program runs at one instant of virtual time, so it may take at most MAX_STEPS steps.
 */
import { fail, getopt, type Command, type CommandOutput } from './context.js';
import { resolvePath } from './cmd-files.js';
import { C_ESCAPES, formatPrintf } from './cmd-printf.js';
import { cmpC, formatFloat } from './cmd-text.js';
import { strerror } from '../lib/errno.js';

/** Statements and loop turns one program may run (a runaway `while (1)` is stopped, not a hung machine). */
export const MAX_STEPS = 1_000_000;

/** A field or -v value that looks like a number: compared as a number, printed as its text. */
class StrNum {
  constructor(readonly s: string) {}
}
type Value = number | string | StrNum;

const NUMERIC = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
const NUM_PREFIX = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/;

function fromInput(s: string): Value {
  return NUMERIC.test(s) ? new StrNum(s) : s;
}

function toNum(v: Value): number {
  if (typeof v === 'number') return v;
  const s = typeof v === 'string' ? v : v.s;
  const m = NUM_PREFIX.exec(s);
  return m === null ? 0 : Number(m[0]);
}

/** A number as awk prints it: an integer whole, anything else with %.6g (OFMT and CONVFMT). */
function numStr(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n);
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'nan' : n > 0 ? 'inf' : '-inf';
  return (n < 0 ? '-' : '') + formatFloat(Math.abs(n), 'g', 6, false);
}

function toStr(v: Value): string {
  return typeof v === 'number' ? numStr(v) : typeof v === 'string' ? v : v.s;
}

function toBool(v: Value): boolean {
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v !== '';
  return toNum(v) !== 0;
}

function compare(a: Value, b: Value): number {
  const numeric = (v: Value): boolean => typeof v === 'number' || v instanceof StrNum;
  if (numeric(a) && numeric(b)) {
    const x = toNum(a);
    const y = toNum(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return cmpC(toStr(a), toStr(b));
}

/* ---------------------------------------------------------------------------------------------- lexer */

type Tok = { k: 'num'; v: number; at: number } | { k: 'str'; v: string; at: number } | { k: 're'; v: string; at: number } | { k: 'name'; v: string; at: number } | { k: 'func'; v: string; at: number } | { k: 'kw'; v: string; at: number } | { k: 'op'; v: string; at: number } | { k: 'nl'; at: number } | { k: 'eof'; at: number };

const KEYWORDS = new Set(['BEGIN', 'END', 'if', 'else', 'while', 'for', 'do', 'in', 'next', 'exit', 'delete', 'print', 'printf', 'break', 'continue', 'getline', 'function']);
const BUILTINS = new Set(['length', 'substr', 'index', 'split', 'sub', 'gsub', 'match', 'sprintf', 'tolower', 'toupper', 'int', 'sqrt', 'exp', 'log', 'sin', 'cos', 'atan2', 'rand', 'srand']);
const OPS = ['&&', '||', '==', '!=', '<=', '>=', '!~', '++', '--', '+=', '-=', '*=', '/=', '%=', '^=', '**', '{', '}', '(', ')', '[', ']', ';', ',', '+', '-', '*', '/', '%', '^', '!', '>', '<', '|', '?', ':', '~', '$', '='];

class AwkSyntaxError extends Error {
  constructor(
    readonly at: number,
    message: string,
  ) {
    super(message);
  }
}

/** awk's string escapes: C's, and \/ for a slash (as in a regex). */
const STR_ESC: Readonly<Record<string, string>> = { ...C_ESCAPES, '/': '/' };

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  // A / starts a regex where an operand would start (not after a value).
  const afterValue = (): boolean => {
    const t = out[out.length - 1];
    return t !== undefined && (t.k === 'num' || t.k === 'str' || t.k === 'name' || t.k === 're' || (t.k === 'op' && (t.v === ')' || t.v === ']' || t.v === '++' || t.v === '--')) || (t.k === 'func' && t.v === 'length'));
  };
  while (i < src.length) {
    const c = src[i] as string;
    if (c === ' ' || c === '\t') i++;
    else if (c === '\\' && src[i + 1] === '\n') i += 2;
    else if (c === '\n') out.push({ k: 'nl', at: i++ });
    else if (c === '#') while (i < src.length && src[i] !== '\n') i++;
    else if (/\d/.test(c) || (c === '.' && /\d/.test(src[i + 1] ?? ''))) {
      const m = /^(0[xX][0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)/.exec(src.slice(i)) as RegExpExecArray;
      out.push({ k: 'num', v: Number(m[0]), at: i });
      i += m[0].length;
    } else if (c === '"') {
      let s = '';
      let j = i + 1;
      for (; j < src.length && src[j] !== '"'; j++) {
        if (src[j] === '\\' && j + 1 < src.length) {
          const d = src[++j] as string;
          const oct = /^[0-7]{1,3}/.exec(src.slice(j));
          if (oct !== null) {
            s += String.fromCharCode(parseInt(oct[0], 8));
            j += oct[0].length - 1;
          } else s += STR_ESC[d] ?? `\\${d}`;
        } else if (src[j] === '\n') throw new AwkSyntaxError(j, 'unterminated string');
        else s += src[j];
      }
      if (j >= src.length) throw new AwkSyntaxError(i, 'unterminated string');
      out.push({ k: 'str', v: s, at: i });
      i = j + 1;
    } else if (c === '/' && !afterValue()) {
      let j = i + 1;
      let re = '';
      let inClass = false;
      for (; j < src.length && (src[j] !== '/' || inClass); j++) {
        if (src[j] === '\n') throw new AwkSyntaxError(j, 'unterminated regexp');
        if (src[j] === '\\' && j + 1 < src.length) {
          re += src[j + 1] === '/' ? '/' : `\\${src[j + 1]}`;
          j++;
          continue;
        }
        if (src[j] === '[') inClass = true;
        else if (src[j] === ']') inClass = false;
        re += src[j];
      }
      if (j >= src.length) throw new AwkSyntaxError(i, 'unterminated regexp');
      out.push({ k: 're', v: re, at: i });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_]\w*/.exec(src.slice(i)) as RegExpExecArray;
      const w = m[0];
      out.push(KEYWORDS.has(w) ? { k: 'kw', v: w, at: i } : BUILTINS.has(w) ? { k: 'func', v: w, at: i } : { k: 'name', v: w, at: i });
      i += w.length;
    } else {
      const op = OPS.find((o) => src.startsWith(o, i));
      if (op === undefined) throw new AwkSyntaxError(i, `invalid char '${c}' in expression`);
      out.push({ k: 'op', v: op === '**' ? '^' : op, at: i });
      i += op.length;
    }
  }
  out.push({ k: 'eof', at: src.length });
  return out;
}

/* ---------------------------------------------------------------------------------------------- parser */

type Expr =
  | { t: 'num'; v: number }
  | { t: 'str'; v: string }
  | { t: 're'; v: string }
  | { t: 'var'; name: string }
  | { t: 'field'; e: Expr }
  | { t: 'elem'; name: string; keys: Expr[] }
  | { t: 'assign'; op: string; lv: Lvalue; e: Expr }
  | { t: 'cond'; c: Expr; a: Expr; b: Expr }
  | { t: 'bin'; op: string; a: Expr; b: Expr }
  | { t: 'un'; op: string; e: Expr }
  | { t: 'incr'; op: string; pre: boolean; lv: Lvalue }
  | { t: 'in'; keys: Expr[]; name: string }
  | { t: 'call'; name: string; args: Expr[] }
  | { t: 'group'; e: Expr }
  /** (a, b): a list in parentheses, for print and for `(a, b) in arr` only. */
  | { t: 'list'; items: Expr[] };

type Lvalue = Extract<Expr, { t: 'var' | 'field' | 'elem' }>;

function isLvalue(e: Expr): e is Lvalue {
  return e.t === 'var' || e.t === 'field' || e.t === 'elem';
}

type Stmt =
  | { t: 'expr'; e: Expr }
  | { t: 'print'; args: Expr[] }
  | { t: 'printf'; args: Expr[] }
  | { t: 'if'; c: Expr; a: Stmt; b: Stmt | null }
  | { t: 'while'; c: Expr; body: Stmt; doFirst: boolean }
  | { t: 'for'; init: Stmt | null; c: Expr | null; step: Stmt | null; body: Stmt }
  | { t: 'forin'; v: string; arr: string; body: Stmt }
  | { t: 'block'; body: Stmt[] }
  | { t: 'next' }
  | { t: 'exit'; e: Expr | null }
  | { t: 'break' }
  | { t: 'continue' }
  | { t: 'delete'; name: string; keys: Expr[] | null };

interface Item {
  kind: 'BEGIN' | 'END' | 'main';
  pattern: Expr | null;
  action: Stmt | null;
  /** A range pattern's end (pattern, until), and whether a range is open. */
  until?: Expr;
  inRange?: boolean;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  private get tok(): Tok {
    return this.toks[this.i] as Tok;
  }
  private is(k: string, v?: string): boolean {
    const t = this.tok;
    return t.k === k && (v === undefined || ('v' in t && t.v === v));
  }
  private fail(what?: string): never {
    const t = this.tok;
    throw new AwkSyntaxError(t.at, what ?? (t.k === 'eof' ? 'unexpected newline or end of string' : 'syntax error'));
  }
  private expect(k: string, v?: string): Tok {
    if (!this.is(k, v)) this.fail();
    return this.toks[this.i++] as Tok;
  }
  private skipNl(): void {
    while (this.is('nl') || this.is('op', ';')) this.i++;
  }
  private optNl(): void {
    while (this.is('nl')) this.i++;
  }

  program(): Item[] {
    const items: Item[] = [];
    this.skipNl();
    while (!this.is('eof')) {
      if (this.is('kw', 'BEGIN') || this.is('kw', 'END')) {
        const kind = (this.toks[this.i++] as { v: string }).v as 'BEGIN' | 'END';
        this.optNl();
        items.push({ kind, pattern: null, action: this.block() });
      } else if (this.is('kw', 'function')) this.fail('user-defined functions are not supported here');
      else {
        const pattern = this.is('op', '{') ? null : this.expr(false);
        let until: Expr | null = null;
        if (pattern !== null && this.is('op', ',')) {
          // A range: from a record that matches the first pattern through one that matches the second.
          this.i++;
          this.optNl();
          until = this.expr(false);
        }
        const action = this.is('op', '{') ? this.block() : null;
        items.push(until === null ? { kind: 'main', pattern, action } : { kind: 'main', pattern, action, until, inRange: false });
      }
      // An item ends at a newline or ;, or right after its closing brace.
      const prev = this.toks[this.i - 1];
      if (!this.is('eof') && !this.is('nl') && !this.is('op', ';') && !(prev?.k === 'op' && prev.v === '}')) this.fail();
      this.skipNl();
    }
    return items;
  }

  private block(): Stmt {
    this.expect('op', '{');
    const body: Stmt[] = [];
    this.skipNl();
    while (!this.is('op', '}')) {
      body.push(this.stmt());
      this.skipNl();
    }
    this.i++;
    return { t: 'block', body };
  }

  /** A statement; its terminator (; newline) is left for the caller, or a } that closes the block. */
  private stmt(): Stmt {
    const end = (): void => {
      if (!this.is('op', ';') && !this.is('nl') && !this.is('op', '}') && !this.is('eof')) this.fail();
    };
    if (this.is('op', '{')) return this.block();
    if (this.is('op', ';')) return { t: 'block', body: [] };
    if (this.is('kw', 'if')) {
      this.i++;
      this.expect('op', '(');
      const c = this.expr(false);
      this.expect('op', ')');
      this.optNl();
      const a = this.stmt();
      const save = this.i;
      this.skipNl();
      if (this.is('kw', 'else')) {
        this.i++;
        this.optNl();
        return { t: 'if', c, a, b: this.stmt() };
      }
      this.i = save;
      return { t: 'if', c, a, b: null };
    }
    if (this.is('kw', 'while')) {
      this.i++;
      this.expect('op', '(');
      const c = this.expr(false);
      this.expect('op', ')');
      if (this.is('op', ';')) return { t: 'while', c, body: { t: 'block', body: [] }, doFirst: false };
      this.optNl();
      return { t: 'while', c, body: this.stmt(), doFirst: false };
    }
    if (this.is('kw', 'do')) {
      this.i++;
      this.optNl();
      const body = this.stmt();
      this.skipNl();
      this.expect('kw', 'while');
      this.expect('op', '(');
      const c = this.expr(false);
      this.expect('op', ')');
      end();
      return { t: 'while', c, body, doFirst: true };
    }
    if (this.is('kw', 'for')) {
      this.i++;
      this.expect('op', '(');
      const t1 = this.toks[this.i];
      const t2 = this.toks[this.i + 1];
      const t3 = this.toks[this.i + 2];
      const t4 = this.toks[this.i + 3];
      if (t1?.k === 'name' && t2?.k === 'kw' && t2.v === 'in' && t3?.k === 'name' && t4?.k === 'op' && t4.v === ')') {
        this.i += 4;
        this.optNl();
        return { t: 'forin', v: t1.v, arr: t3.v, body: this.stmt() };
      }
      const init = this.is('op', ';') ? null : this.simple();
      this.expect('op', ';');
      this.optNl();
      const c = this.is('op', ';') ? null : this.expr(false);
      this.expect('op', ';');
      this.optNl();
      const step = this.is('op', ')') ? null : this.simple();
      this.expect('op', ')');
      if (this.is('op', ';')) return { t: 'for', init, c, step, body: { t: 'block', body: [] } };
      this.optNl();
      return { t: 'for', init, c, step, body: this.stmt() };
    }
    const s = this.simple();
    end();
    return s;
  }

  private simple(): Stmt {
    const t = this.tok;
    if (t.k === 'kw') {
      switch (t.v) {
        case 'next':
        case 'break':
        case 'continue':
          this.i++;
          return { t: t.v };
        case 'exit': {
          this.i++;
          const e = this.is('op', ';') || this.is('nl') || this.is('op', '}') || this.is('eof') ? null : this.expr(false);
          return { t: 'exit', e };
        }
        case 'delete': {
          this.i++;
          const name = (this.expect('name') as { v: string }).v;
          if (!this.is('op', '[')) return { t: 'delete', name, keys: null };
          this.i++;
          const keys = this.exprList(false);
          this.expect('op', ']');
          return { t: 'delete', name, keys };
        }
        case 'print':
        case 'printf': {
          this.i++;
          let args: Expr[] = [];
          const ends = (): boolean => this.is('op', ';') || this.is('nl') || this.is('op', '}') || this.is('eof') || this.is('op', '>') || this.is('op', '|');
          if (!ends()) {
            // print (a, b) is a list in parentheses; print (a) b is an expression that starts with one.
            args = this.exprList(true);
            const only = args[0];
            if (args.length === 1 && only?.t === 'list') args = only.items;
          }
          if (this.is('op', '>') || this.is('op', '|')) this.fail('output redirection and pipes are not supported here');
          if (t.v === 'printf' && args.length === 0) this.fail();
          return { t: t.v, args };
        }
        case 'getline':
          this.fail('getline is not supported here');
      }
    }
    return { t: 'expr', e: this.expr(false) };
  }

  private exprList(noGt: boolean): Expr[] {
    const out = [this.expr(noGt)];
    while (this.is('op', ',')) {
      this.i++;
      this.optNl();
      out.push(this.expr(noGt));
    }
    return out;
  }

  /** noGt: inside print's list, where > would be an output redirection. */
  expr(noGt: boolean): Expr {
    const lhs = this.ternary(noGt);
    const t = this.tok;
    if (t.k === 'op' && ['=', '+=', '-=', '*=', '/=', '%=', '^='].includes(t.v) && isLvalue(lhs)) {
      this.i++;
      this.optNl();
      return { t: 'assign', op: t.v, lv: lhs, e: this.expr(noGt) };
    }
    return lhs;
  }

  private ternary(noGt: boolean): Expr {
    const c = this.or(noGt);
    if (!this.is('op', '?')) return c;
    this.i++;
    this.optNl();
    const a = this.expr(noGt);
    this.optNl();
    this.expect('op', ':');
    this.optNl();
    return { t: 'cond', c, a, b: this.expr(noGt) };
  }

  /** A left-associative level: operands from next, joined by any of ops (after && and || a newline may follow). */
  private binary(ops: readonly string[], next: () => Expr, newlineAfter = false): Expr {
    let a = next();
    for (let t = this.tok; t.k === 'op' && ops.includes(t.v); t = this.tok) {
      this.i++;
      if (newlineAfter) this.optNl();
      a = { t: 'bin', op: t.v, a, b: next() };
    }
    return a;
  }

  private or(noGt: boolean): Expr {
    return this.binary(['||'], () => this.and(noGt), true);
  }

  private and(noGt: boolean): Expr {
    return this.binary(['&&'], () => this.inExpr(noGt), true);
  }

  private inExpr(noGt: boolean): Expr {
    let a = this.match(noGt);
    while (this.is('kw', 'in')) {
      this.i++;
      const name = (this.expect('name') as { v: string }).v;
      a = { t: 'in', keys: a.t === 'list' ? a.items : [a], name };
    }
    return a;
  }

  private match(noGt: boolean): Expr {
    return this.binary(['~', '!~'], () => this.rel(noGt));
  }

  private rel(noGt: boolean): Expr {
    const a = this.concat();
    const t = this.tok;
    if (t.k === 'op' && ['<', '<=', '==', '!=', '>=', '>'].includes(t.v) && !(noGt && t.v === '>')) {
      this.i++;
      return { t: 'bin', op: t.v, a, b: this.concat() };
    }
    return a;
  }

  private startsOperand(): boolean {
    const t = this.tok;
    if (t.k === 'num' || t.k === 'str' || t.k === 're' || t.k === 'name' || t.k === 'func') return true;
    return t.k === 'op' && (t.v === '$' || t.v === '(' || t.v === '!' || t.v === '-' || t.v === '+' || t.v === '++' || t.v === '--');
  }

  private concat(): Expr {
    let a = this.additive();
    // Juxtaposition: a value followed by another (not a sign, which is subtraction or addition).
    while (this.startsOperand() && !(this.is('op', '-') || this.is('op', '+') || this.is('op', '!'))) a = { t: 'bin', op: ' ', a, b: this.additive() };
    return a;
  }

  private additive(): Expr {
    return this.binary(['+', '-'], () => this.mul());
  }

  private mul(): Expr {
    return this.binary(['*', '/', '%'], () => this.unary());
  }

  private unary(): Expr {
    if (this.is('op', '!') || this.is('op', '-') || this.is('op', '+')) {
      const op = (this.toks[this.i++] as { v: string }).v;
      return { t: 'un', op, e: this.unary() };
    }
    return this.pow();
  }

  private pow(): Expr {
    const a = this.incr();
    if (this.is('op', '^')) {
      this.i++;
      // Right-associative, and binds tighter than a unary minus on its right: 2^-1.
      return { t: 'bin', op: '^', a, b: this.is('op', '-') || this.is('op', '+') || this.is('op', '!') ? this.unary() : this.pow() };
    }
    return a;
  }

  private incr(): Expr {
    if (this.is('op', '++') || this.is('op', '--')) {
      const op = (this.toks[this.i++] as { v: string }).v;
      const lv = this.primary();
      if (!isLvalue(lv)) this.fail();
      return { t: 'incr', op, pre: true, lv };
    }
    const e = this.primary();
    if ((this.is('op', '++') || this.is('op', '--')) && isLvalue(e)) {
      const op = (this.toks[this.i++] as { v: string }).v;
      return { t: 'incr', op, pre: false, lv: e };
    }
    return e;
  }

  private primary(): Expr {
    const t = this.tok;
    switch (t.k) {
      case 'num':
        this.i++;
        return { t: 'num', v: t.v };
      case 'str':
        this.i++;
        return { t: 'str', v: t.v };
      case 're':
        this.i++;
        return { t: 're', v: t.v };
      case 'name': {
        this.i++;
        if (this.is('op', '[')) {
          this.i++;
          const keys = this.exprList(false);
          this.expect('op', ']');
          return { t: 'elem', name: t.v, keys };
        }
        return { t: 'var', name: t.v };
      }
      case 'func': {
        this.i++;
        if (!this.is('op', '(')) {
          if (t.v === 'length') return { t: 'call', name: 'length', args: [] };
          this.fail();
        }
        this.i++;
        this.optNl();
        const args = this.is('op', ')') ? [] : this.exprList(false);
        this.optNl();
        this.expect('op', ')');
        return { t: 'call', name: t.v, args };
      }
      case 'op':
        if (t.v === '$') {
          this.i++;
          return { t: 'field', e: this.incr() };
        }
        if (t.v === '(') {
          this.i++;
          this.optNl();
          const list = this.exprList(false);
          this.optNl();
          this.expect('op', ')');
          return list.length === 1 ? { t: 'group', e: list[0] as Expr } : { t: 'list', items: list };
        }
    }
    return this.fail();
  }
}

/* ---------------------------------------------------------------------------------------------- interpreter */

const PRINT_RECORD: Stmt = { t: 'print', args: [] };

class Exit {
  constructor(readonly code: number) {}
}
class Next {}
class Break {}
class Continue {}
class AwkFatal extends Error {}

export const awk: Command = (env, argv, stdin) => {
  let fs = ' ';
  const assigns: [string, string][] = [];
  // Options end at the program, the first operand.
  const operands: string[] = [];
  const bad = getopt(
    argv,
    operands,
    (c, value) => {
      const v = value();
      if (c !== 'F' && c !== 'v') return fail('awk', `-${c}: option not supported here (-F, -v)`, 2);
      if (v === undefined) return fail('awk', `option requires an argument -- ${c}`, 2);
      if (c === 'F') fs = v === 't' ? '\t' : v.replace(/\\t/g, '\t');
      else {
        const m = /^([A-Za-z_]\w*)=(.*)$/s.exec(v);
        if (m === null) return fail('awk', `\`${v}' argument to \`-v' not in \`var=value' form`, 2);
        assigns.push([m[1] as string, m[2] as string]);
      }
      return undefined;
    },
    { inOrder: true },
  );
  if (bad !== null) return bad;
  const src = operands.shift();
  if (src === undefined) return fail('awk', "usage: awk [-F fs][-v var=value] 'prog' [file ...]", 2);
  let items: Item[];
  try {
    items = new Parser(lex(src)).program();
  } catch (e) {
    if (!(e instanceof AwkSyntaxError)) throw e;
    // gawk's report: the line, a caret under the place, the complaint.
    const lineStart = src.lastIndexOf('\n', e.at - 1) + 1;
    const lineEnd = src.indexOf('\n', e.at);
    const lineNo = src.slice(0, e.at).split('\n').length;
    const text = src.slice(lineStart, lineEnd < 0 ? src.length : lineEnd);
    return { out: '', err: `awk: cmd. line:${lineNo}: ${text}\nawk: cmd. line:${lineNo}: ${' '.repeat(Math.max(0, e.at - lineStart))}^ ${e.message}\n`, status: 1, errno: 'EINVAL' };
  }

  const vars = new Map<string, Value>([
    ['FS', fs],
    ['OFS', ' '],
    ['ORS', '\n'],
    ['NR', 0],
    ['FNR', 0],
    ['NF', 0],
    ['FILENAME', ''],
    ['SUBSEP', '\x1c'],
    ['RSTART', 0],
    ['RLENGTH', -1],
  ]);
  const arrays = new Map<string, Map<string, Value>>();
  const unescapeValue = (s: string): string => s.replace(/\\(.)/g, (_, c: string) => STR_ESC[c] ?? `\\${c}`);
  for (const [n, v] of assigns) vars.set(n, fromInput(unescapeValue(v)));
  let fields: Value[] = [''];
  let out = '';
  let err = '';
  let steps = 0;
  let seed = 0;
  let randState = 0x2545f491;
  const step = (): void => {
    if (++steps > MAX_STEPS) throw new AwkFatal(`more than ${MAX_STEPS} steps: stopped (a command line runs at one instant of virtual time)`);
  };
  const regexCache = new Map<string, RegExp>();
  const regex = (src: string): RegExp => {
    let re = regexCache.get(src);
    if (re === undefined) {
      try {
        re = new RegExp(src);
      } catch {
        throw new AwkFatal(`invalid regexp: /${src}/`);
      }
      regexCache.set(src, re);
    }
    return re;
  };
  const reOf = (e: Expr): RegExp => regex(e.t === 're' ? e.v : toStr(evalE(e)));
  const array = (name: string): Map<string, Value> => {
    if (vars.has(name)) throw new AwkFatal(`attempt to use scalar \`${name}' as an array`);
    let a = arrays.get(name);
    if (a === undefined) arrays.set(name, (a = new Map()));
    return a;
  };

  const splitRecord = (rec: string, sep: string): string[] => {
    if (sep === ' ') return rec.split(/[ \t\n]+/).filter((x) => x !== '');
    if (rec === '') return [];
    if (sep.length === 1 && sep !== '\\') return rec.split(sep);
    return rec.split(regex(sep));
  };
  const setRecord = (rec: string): void => {
    fields = [rec, ...splitRecord(rec, toStr(vars.get('FS') ?? ' ')).map(fromInput)];
    vars.set('NF', fields.length - 1);
  };
  const rebuild = (): void => {
    fields[0] = fields.slice(1).map(toStr).join(toStr(vars.get('OFS') ?? ' '));
  };
  const getField = (n: number): Value => {
    if (n < 0) throw new AwkFatal(`attempt to access field ${n}`);
    const v = fields[n];
    return v === undefined ? '' : n === 0 && typeof v === 'string' ? fromInput(v) : v;
  };
  const setField = (n: number, v: Value): void => {
    if (n < 0) throw new AwkFatal(`attempt to access field ${n}`);
    if (n === 0) {
      setRecord(toStr(v));
      return;
    }
    while (fields.length <= n) fields.push('');
    fields[n] = v;
    vars.set('NF', fields.length - 1);
    rebuild();
  };
  const key = (keys: Expr[]): string => keys.map((k) => toStr(evalE(k))).join(toStr(vars.get('SUBSEP') ?? '\x1c'));

  const getLv = (lv: Lvalue): Value => {
    if (lv.t === 'var') return vars.get(lv.name) ?? (arrays.has(lv.name) ? fatalArray(lv.name) : '');
    if (lv.t === 'field') return getField(Math.trunc(toNum(evalE(lv.e))));
    // Naming an element creates it, as in awk.
    const a = array(lv.name);
    const k = key(lv.keys);
    let v = a.get(k);
    if (v === undefined) a.set(k, (v = ''));
    return v;
  };
  const fatalArray = (name: string): never => {
    throw new AwkFatal(`attempt to use array \`${name}' in a scalar context`);
  };
  const setLv = (lv: Lvalue, v: Value): void => {
    if (lv.t === 'var') {
      if (arrays.has(lv.name)) fatalArray(lv.name);
      vars.set(lv.name, v);
      if (lv.name === 'NF') {
        const n = Math.max(0, Math.trunc(toNum(v)));
        fields = fields.slice(0, n + 1);
        while (fields.length <= n) fields.push('');
        vars.set('NF', n);
        rebuild();
      }
    } else if (lv.t === 'field') setField(Math.trunc(toNum(evalE(lv.e))), v);
    else array(lv.name).set(key(lv.keys), v);
  };

  const arith = (op: string, x: number, y: number): number => {
    switch (op) {
      case '+':
        return x + y;
      case '-':
        return x - y;
      case '*':
        return x * y;
      case '/':
        if (y === 0) throw new AwkFatal('division by zero attempted');
        return x / y;
      case '%':
        if (y === 0) throw new AwkFatal('division by zero attempted in `%\'');
        return x % y;
      default:
        return x ** y;
    }
  };

  const subst = (global: boolean, args: Expr[]): number => {
    const [reE, replE, target] = args;
    if (reE === undefined || replE === undefined) throw new AwkFatal(`${global ? 'gsub' : 'sub'}: two or three arguments`);
    const lv: Expr = target ?? { t: 'field', e: { t: 'num', v: 0 } };
    if (!isLvalue(lv)) throw new AwkFatal(`${global ? 'gsub' : 'sub'} third parameter is not a changeable object`);
    const re = new RegExp(reOf(reE).source, global ? 'g' : '');
    const repl = toStr(evalE(replE));
    const s = toStr(getLv(lv));
    let n = 0;
    const result = s.replace(re, (m) => {
      n++;
      // & is the match, \& a literal &.
      return repl.replace(/\\\\|\\&|&/g, (x) => (x === '&' ? m : x === '\\&' ? '&' : '\\'));
    });
    if (n > 0) setLv(lv, result);
    return n;
  };

  const call = (name: string, args: Expr[]): Value => {
    const arg = (k: number): Value => {
      const e = args[k];
      return e === undefined ? '' : evalE(e);
    };
    const num = (k: number): number => toNum(arg(k));
    switch (name) {
      case 'length': {
        const e = args[0];
        if (e === undefined) return toStr(getField(0)).length;
        if (e.t === 'var' && arrays.has(e.name)) return (arrays.get(e.name) as Map<string, Value>).size;
        return toStr(evalE(e)).length;
      }
      case 'substr': {
        // POSIX: characters m to m+n-1 (1-based), rounded, clipped to the string.
        const s = toStr(arg(0));
        const m = Math.round(num(1));
        const end = args[2] === undefined ? Infinity : m + Math.round(num(2));
        const from = Math.max(1, m);
        const to = Math.min(s.length + 1, end);
        return to > from ? s.slice(from - 1, to - 1) : '';
      }
      case 'index':
        return toStr(arg(0)).indexOf(toStr(arg(1))) + 1;
      case 'split': {
        const target = args[1];
        if (target === undefined || target.t !== 'var') throw new AwkFatal('split: second argument is not an array');
        const parts = splitRecord(toStr(arg(0)), args[2] === undefined ? toStr(vars.get('FS') ?? ' ') : args[2].t === 're' ? args[2].v : toStr(evalE(args[2])));
        const a = array(target.name);
        a.clear();
        parts.forEach((p, k) => a.set(String(k + 1), fromInput(p)));
        return parts.length;
      }
      case 'sub':
      case 'gsub':
        return subst(name === 'gsub', args);
      case 'match': {
        const m = reOf(args[1] ?? { t: 'str', v: '' }).exec(toStr(arg(0)));
        vars.set('RSTART', m === null ? 0 : m.index + 1);
        vars.set('RLENGTH', m === null ? -1 : m[0].length);
        return m === null ? 0 : m.index + 1;
      }
      case 'sprintf': {
        if (args.length === 0) throw new AwkFatal('sprintf: no arguments');
        const r = formatPrintf(toStr(arg(0)), args.slice(1).map((e) => toStr(evalE(e))), { reuse: false, lenient: true });
        if (r.badFormat !== undefined) throw new AwkFatal(`sprintf: ${r.badFormat}`);
        return r.out;
      }
      case 'tolower':
        return toStr(arg(0)).toLowerCase();
      case 'toupper':
        return toStr(arg(0)).toUpperCase();
      case 'int':
        return Math.trunc(num(0));
      case 'sqrt':
        return Math.sqrt(num(0));
      case 'exp':
        return Math.exp(num(0));
      case 'log':
        return Math.log(num(0));
      case 'sin':
        return Math.sin(num(0));
      case 'cos':
        return Math.cos(num(0));
      case 'atan2':
        return Math.atan2(num(0), num(1));
      case 'rand': {
        // xorshift32 from the seed: the same sequence every run until srand(), as awk's rand().
        randState ^= randState << 13;
        randState ^= randState >>> 17;
        randState ^= randState << 5;
        return (randState >>> 0) / 4294967296;
      }
      case 'srand': {
        const prev = seed;
        seed = args[0] === undefined ? 0 : Math.trunc(num(0));
        randState = (seed ^ 0x2545f491) | 0 || 1;
        return prev;
      }
      default:
        throw new AwkFatal(`function \`${name}' not defined`);
    }
  };

  const evalE = (e: Expr): Value => {
    switch (e.t) {
      case 'num':
        return e.v;
      case 'str':
        return e.v;
      case 're':
        return regex(e.v).test(toStr(getField(0))) ? 1 : 0;
      case 'var':
      case 'field':
      case 'elem':
        return getLv(e);
      case 'group':
        return evalE(e.e);
      case 'list':
        throw new AwkFatal('a list in parentheses is for print and `in\' only');
      case 'assign': {
        const v = e.op === '=' ? evalE(e.e) : arith(e.op[0] as string, toNum(getLv(e.lv)), toNum(evalE(e.e)));
        // A copied field keeps being a number-looking string.
        setLv(e.lv, v);
        return v;
      }
      case 'cond':
        return toBool(evalE(e.c)) ? evalE(e.a) : evalE(e.b);
      case 'un': {
        const v = evalE(e.e);
        return e.op === '!' ? (toBool(v) ? 0 : 1) : e.op === '-' ? -toNum(v) : toNum(v);
      }
      case 'incr': {
        const old = toNum(getLv(e.lv));
        const nv = e.op === '++' ? old + 1 : old - 1;
        setLv(e.lv, nv);
        return e.pre ? nv : old;
      }
      case 'in':
        return array(e.name).has(key(e.keys)) ? 1 : 0;
      case 'call':
        return call(e.name, e.args);
      case 'bin': {
        const op = e.op;
        if (op === '&&') return toBool(evalE(e.a)) && toBool(evalE(e.b)) ? 1 : 0;
        if (op === '||') return toBool(evalE(e.a)) || toBool(evalE(e.b)) ? 1 : 0;
        if (op === '~' || op === '!~') return reOf(e.b).test(toStr(evalE(e.a))) === (op === '~') ? 1 : 0;
        const a = evalE(e.a);
        const b = evalE(e.b);
        if (op === ' ') return toStr(a) + toStr(b);
        switch (op) {
          case '<':
            return compare(a, b) < 0 ? 1 : 0;
          case '<=':
            return compare(a, b) <= 0 ? 1 : 0;
          case '>':
            return compare(a, b) > 0 ? 1 : 0;
          case '>=':
            return compare(a, b) >= 0 ? 1 : 0;
          case '==':
            return compare(a, b) === 0 ? 1 : 0;
          case '!=':
            return compare(a, b) !== 0 ? 1 : 0;
          default:
            return arith(op, toNum(a), toNum(b));
        }
      }
    }
  };

  /** One turn of a loop's body: false when it breaks out (continue just ends the turn). */
  const turn = (body: Stmt): boolean => {
    try {
      run(body);
    } catch (x) {
      if (x instanceof Break) return false;
      if (!(x instanceof Continue)) throw x;
    }
    return true;
  };

  const run = (s: Stmt): void => {
    step();
    switch (s.t) {
      case 'expr':
        evalE(s.e);
        return;
      case 'print': {
        const parts = s.args.length === 0 ? [toStr(getField(0))] : s.args.map((a) => toStr(evalE(a)));
        out += parts.join(toStr(vars.get('OFS') ?? ' ')) + toStr(vars.get('ORS') ?? '\n');
        return;
      }
      case 'printf': {
        const [f, ...rest] = s.args.map((a) => toStr(evalE(a)));
        const r = formatPrintf(f ?? '', rest, { reuse: false, lenient: true });
        if (r.badFormat !== undefined) throw new AwkFatal(`printf: ${r.badFormat}`);
        out += r.out;
        return;
      }
      case 'if':
        if (toBool(evalE(s.c))) run(s.a);
        else if (s.b !== null) run(s.b);
        return;
      case 'while':
        if (s.doFirst && !turn(s.body)) return;
        while (toBool(evalE(s.c))) {
          step();
          if (!turn(s.body)) break;
        }
        return;
      case 'for':
        if (s.init !== null) run(s.init);
        while (s.c === null || toBool(evalE(s.c))) {
          step();
          if (!turn(s.body)) break;
          if (s.step !== null) run(s.step);
        }
        return;
      case 'forin': {
        for (const k of [...array(s.arr).keys()]) {
          step();
          vars.set(s.v, fromInput(k));
          if (!turn(s.body)) break;
        }
        return;
      }
      case 'block':
        for (const b of s.body) run(b);
        return;
      case 'next':
        throw new Next();
      case 'break':
        throw new Break();
      case 'continue':
        throw new Continue();
      case 'exit':
        throw new Exit(s.e === null ? 0 : Math.trunc(toNum(evalE(s.e))));
      case 'delete':
        if (s.keys === null) array(s.name).clear();
        else array(s.name).delete(key(s.keys));
    }
  };

  const fatal = (msg: string): CommandOutput => {
    const where = toNum(vars.get('NR') ?? 0) > 0 ? ` (FILENAME=${toStr(vars.get('FILENAME') ?? '') || '-'} FNR=${toStr(vars.get('FNR') ?? 0)})` : '';
    return { out, err: `${err}awk: cmd. line:1:${where} fatal: ${msg}\n`, status: 2, errno: 'EINVAL' };
  };

  let exitCode = 0;
  let exited = false;
  const actions = (kind: Item['kind']): Item[] => items.filter((it) => it.kind === kind);
  try {
    try {
      for (const it of actions('BEGIN')) run(it.action as Stmt);
    } catch (x) {
      if (!(x instanceof Exit)) throw x;
      exitCode = x.code;
      exited = true;
    }
    const main = actions('main');
    // A program of BEGIN alone reads no input.
    if (!exited && (main.length > 0 || actions('END').length > 0)) {
      // The files in order, and VAR=VALUE operands among them, set when the input reaches them.
      type Input = { file: string; text: string } | { assign: string; value: string };
      const inputs: Input[] = [];
      const assignment = /^([A-Za-z_]\w*)=(.*)$/s;
      for (const o of operands) {
        const m = assignment.exec(o);
        if (m !== null) inputs.push({ assign: m[1] as string, value: m[2] as string });
        else if (o === '-') inputs.push({ file: '', text: stdin });
        else {
          const r = env.k.proc.read(resolvePath(o, env.cwd));
          if (r.ok) inputs.push({ file: o, text: r.text });
          else {
            err += `awk: fatal: cannot open file \`${o}' for reading: ${strerror(env.k.proc.isDir(resolvePath(o, env.cwd)) ? 'EISDIR' : r.errno)}\n`;
            exitCode = 2;
          }
        }
      }
      // No file: standard input, after the assignments (`awk '{print x}' x=5` prints 5).
      if (operands.every((o) => assignment.test(o))) inputs.push({ file: '', text: stdin });
      records: for (const input of inputs) {
        if ('assign' in input) {
          vars.set(input.assign, fromInput(unescapeValue(input.value)));
          continue;
        }
        vars.set('FILENAME', input.file);
        vars.set('FNR', 0);
        const lines = input.text.split('\n');
        if (lines[lines.length - 1] === '') lines.pop();
        for (const line of lines) {
          step();
          vars.set('NR', toNum(vars.get('NR') ?? 0) + 1);
          vars.set('FNR', toNum(vars.get('FNR') ?? 0) + 1);
          setRecord(line);
          try {
            for (const it of main) {
              if (it.until !== undefined) {
                if (!it.inRange) {
                  if (!toBool(evalE(it.pattern as Expr))) continue;
                  it.inRange = true;
                }
                if (toBool(evalE(it.until))) it.inRange = false;
              } else if (it.pattern !== null && !toBool(evalE(it.pattern))) continue;
              // A pattern alone prints the record.
              run(it.action ?? PRINT_RECORD);
            }
          } catch (x) {
            if (x instanceof Next) continue;
            if (x instanceof Exit) {
              exitCode = x.code;
              break records;
            }
            throw x;
          }
        }
      }
    }
    try {
      for (const it of actions('END')) run(it.action as Stmt);
    } catch (x) {
      if (!(x instanceof Exit)) throw x;
      exitCode = x.code;
    }
  } catch (x) {
    if (x instanceof AwkFatal) return fatal(x.message);
    if (x instanceof Next) return fatal('`next\' used in BEGIN or END action');
    if (x instanceof Break || x instanceof Continue) return fatal('`break\' or `continue\' outside a loop');
    throw x;
  }
  return { out, err, status: exitCode, ...(exitCode !== 0 && err !== '' ? { errno: 'ENOENT' } : {}) };
};
