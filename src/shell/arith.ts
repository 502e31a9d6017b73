/**
 * The shell's arithmetic expansion, $((EXPR)): integers, variables by name ($i or i; unset or empty is 0),
 * + - * / % ** with C's precedence, unary + - ! ~, comparisons, == !=, && ||, ?: and parentheses. Division
 * truncates toward zero, as bash's 64-bit arithmetic does (JS numbers are exact to 2^53). Errors are bash's.
 */

export class ArithError extends Error {}

/** A token and where it starts in the expression's text (for bash's error token). */
type Tok = ({ n: number } | { op: string } | { name: string }) & { at: number };

const OPS = ['**', '<=', '>=', '==', '!=', '&&', '||', '<<', '>>', '+', '-', '*', '/', '%', '<', '>', '!', '~', '(', ')', '?', ':', '&', '|', '^'];

function tokens(expr: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(0[xX][0-9a-fA-F]+|\d+)/.exec(expr.slice(i));
    if (num !== null) {
      const t = num[1] as string;
      // A leading 0 is octal in bash (010 is 8, 08 an error).
      if (/^0\d*[89]/.test(t)) throw new ArithError(`value too great for base (error token is "${expr.slice(i).trim()}")`);
      out.push({ n: /^0[0-7]+$/.test(t) ? parseInt(t, 8) : Number(t), at: i });
      i += t.length;
      continue;
    }
    const name = /^\$?\{?([A-Za-z_][A-Za-z0-9_]*)\}?/.exec(expr.slice(i));
    if (name !== null) {
      out.push({ name: name[1] as string, at: i });
      i += name[0].length;
      continue;
    }
    const op = OPS.find((o) => expr.startsWith(o, i));
    if (op === undefined) throw new ArithError(`syntax error: invalid arithmetic operator (error token is "${expr.slice(i)}")`);
    out.push({ op, at: i });
    i += op.length;
  }
  return out;
}

/** Binary operators by precedence, lowest first (C's, as bash's expr.c has them). */
const LEVELS: readonly (readonly string[])[] = [['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '<=', '>', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];

class Parser {
  private i = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly expr: string,
    private readonly lookup: (name: string) => string,
    private readonly depth: number,
  ) {}

  run(): number {
    if (this.toks.length === 0) return 0;
    const v = this.ternary();
    if (this.i < this.toks.length) throw this.error('syntax error in expression');
    return v;
  }

  /** bash's "error token": the expression's text from the offending token on. */
  private rest(from: number): string {
    const t = this.toks[from];
    return t === undefined ? '' : this.expr.slice(t.at).trim();
  }

  private error(what: string, from = this.i): ArithError {
    return new ArithError(`${what} (error token is "${this.rest(from)}")`);
  }

  private peekOp(): string | null {
    const t = this.toks[this.i];
    return t !== undefined && 'op' in t ? t.op : null;
  }

  private ternary(): number {
    const c = this.binary(0);
    if (this.peekOp() !== '?') return c;
    this.i++;
    const a = this.ternary();
    if (this.peekOp() !== ':') throw this.error("`:' expected for conditional expression");
    this.i++;
    const b = this.ternary();
    return c !== 0 ? a : b;
  }

  private binary(level: number): number {
    if (level === LEVELS.length) return this.power();
    let v = this.binary(level + 1);
    for (;;) {
      const op = this.peekOp();
      if (op === null || !(LEVELS[level] as readonly string[]).includes(op)) return v;
      this.i++;
      const w = this.binary(level + 1);
      // bash names the last token it read: the divisor's last.
      v = apply(op, v, w, () => this.error('division by 0', this.i - 1));
    }
  }

  private power(): number {
    const b = this.unary();
    if (this.peekOp() !== '**') return b;
    this.i++;
    const e = this.power(); // right-associative
    if (e < 0) throw this.error('exponent less than 0', this.i - 1);
    return Math.trunc(b ** e);
  }

  private unary(): number {
    const op = this.peekOp();
    if (op === '-' || op === '+' || op === '!' || op === '~') {
      this.i++;
      const v = this.unary();
      return op === '-' ? -v : op === '+' ? v : op === '!' ? (v === 0 ? 1 : 0) : ~v;
    }
    return this.primary();
  }

  private primary(): number {
    const t = this.toks[this.i];
    // Nothing after an operator: the operator is the error token.
    if (t === undefined) throw this.error('syntax error: operand expected', Math.max(0, this.i - 1));
    this.i++;
    if ('n' in t) return t.n;
    if ('name' in t) return variableValue(t.name, this.lookup, this.depth);
    if (t.op === '(') {
      const v = this.ternary();
      if (this.peekOp() !== ')') throw this.error("missing `)'");
      this.i++;
      return v;
    }
    this.i--;
    throw this.error('syntax error: operand expected');
  }
}

function apply(op: string, a: number, b: number, divByZero: () => ArithError): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      if (b === 0) throw divByZero();
      return Math.trunc(a / b);
    case '%':
      if (b === 0) throw divByZero();
      return a % b;
    case '<':
      return a < b ? 1 : 0;
    case '<=':
      return a <= b ? 1 : 0;
    case '>':
      return a > b ? 1 : 0;
    case '>=':
      return a >= b ? 1 : 0;
    case '==':
      return a === b ? 1 : 0;
    case '!=':
      return a !== b ? 1 : 0;
    case '&&':
      return a !== 0 && b !== 0 ? 1 : 0;
    case '||':
      return a !== 0 || b !== 0 ? 1 : 0;
    case '<<':
      return a * 2 ** b;
    case '>>':
      return Math.floor(a / 2 ** b);
    case '&':
      return Number(BigInt(a) & BigInt(b));
    case '|':
      return Number(BigInt(a) | BigInt(b));
    default:
      return Number(BigInt(a) ^ BigInt(b));
  }
}

/** A variable's value as a number: empty is 0; a value that is itself an expression is evaluated (bash does). */
function variableValue(name: string, lookup: (name: string) => string, depth: number): number {
  const v = lookup(name).trim();
  if (v === '') return 0;
  if (/^-?\d+$/.test(v)) return Number(v);
  if (depth > 16) throw new ArithError('expression recursion level exceeded');
  return evaluate(v, lookup, depth + 1);
}

function evaluate(expr: string, lookup: (name: string) => string, depth: number): number {
  return new Parser(tokens(expr), expr, lookup, depth).run();
}

/** $((EXPR)) with the shell's variables; throws ArithError with bash's message. */
export function arith(expr: string, lookup: (name: string) => string): number {
  return evaluate(expr, lookup, 0);
}
