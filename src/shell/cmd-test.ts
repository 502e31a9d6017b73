/**
 * test and [ (bash's builtins): the conditions of if, while and until. Strings (-z, -n, =, !=, <, >), integers
 * (-eq -ne -lt -le -gt -ge), files of the machine's /proc, /sys and /dev (-e, -f, -d, -r, -w, -s), with !, ( ),
 * -a and -o. Status 0 true, 1 false, 2 an error, with bash's messages.
 */
import { resolvePath } from './cmd-files.js';
import type { Command, CommandOutput, ShellEnv } from './context.js';

class TestError extends Error {}

const UNARY = new Set(['-z', '-n', '-e', '-f', '-d', '-r', '-w', '-s', '-a']);
const BINARY = new Set(['=', '==', '!=', '<', '>', '-eq', '-ne', '-lt', '-le', '-gt', '-ge']);

/** bash's integer operand: optional blanks and sign, then digits. */
function integer(s: string): number {
  if (!/^\s*[+-]?\d+\s*$/.test(s)) throw new TestError(`${s}: integer expression expected`);
  return Number(s);
}

function fileTest(env: ShellEnv, op: string, name: string): boolean {
  const proc = env.k.proc;
  const path = resolvePath(name, env.cwd);
  if (!proc.exists(path)) return false;
  const dir = proc.isDir(path);
  const mode = proc.mode(path) ?? '';
  switch (op) {
    case '-e':
    case '-a':
      return true;
    case '-f':
      return !dir;
    case '-d':
      return dir;
    case '-r':
      return dir || mode[1] === 'r';
    case '-w':
      return mode[2] === 'w';
    default: {
      // -s: a file of this machine has a size when it has text to read (procfs files show size 0 in ls).
      if (dir) return true;
      const r = proc.read(path);
      return r.ok && r.text.length > 0;
    }
  }
}

function binary(a: string, op: string, b: string): boolean {
  switch (op) {
    case '=':
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '>':
      return a > b;
    case '-eq':
      return integer(a) === integer(b);
    case '-ne':
      return integer(a) !== integer(b);
    case '-lt':
      return integer(a) < integer(b);
    case '-le':
      return integer(a) <= integer(b);
    case '-gt':
      return integer(a) > integer(b);
    default:
      return integer(a) >= integer(b);
  }
}

/** A recursive-descent reading of the arguments: or := and (-o and)*; and := not (-a not)*; not := ! not | primary. */
class TestParser {
  private i = 0;
  constructor(
    private readonly env: ShellEnv,
    private readonly args: readonly string[],
  ) {}

  /** POSIX decides by the number of arguments up to four (bash's posixtest()); longer ones are expressions. */
  run(): boolean {
    const a = this.args;
    switch (a.length) {
      case 0:
        return false;
      case 1:
        return a[0] !== '';
      case 2:
        return this.two(a[0] as string, a[1] as string);
      case 3:
        return this.three(a[0] as string, a[1] as string, a[2] as string);
      case 4:
        if (a[0] === '!') return !this.three(a[1] as string, a[2] as string, a[3] as string);
        if (a[0] === '(' && a[3] === ')') return this.two(a[1] as string, a[2] as string);
        break;
    }
    const v = this.or();
    if (this.i < a.length) throw new TestError('too many arguments');
    return v;
  }

  private unary(op: string, x: string): boolean {
    if (op === '-z') return x === '';
    if (op === '-n') return x !== '';
    return fileTest(this.env, op, x);
  }

  private two(a: string, b: string): boolean {
    if (a === '!') return b === '';
    if (UNARY.has(a)) return this.unary(a, b);
    throw new TestError(`${a}: unary operator expected`);
  }

  private three(a: string, b: string, c: string): boolean {
    if (BINARY.has(b)) return binary(a, b, c);
    if (b === '-a') return a !== '' && c !== '';
    if (b === '-o') return a !== '' || c !== '';
    if (a === '!') return !this.two(b, c);
    if (a === '(' && c === ')') return b !== '';
    throw new TestError(`${b}: binary operator expected`);
  }

  private peek(k = 0): string | undefined {
    return this.args[this.i + k];
  }

  private or(): boolean {
    let v = this.and();
    while (this.peek() === '-o' && this.i + 1 < this.args.length) {
      this.i++;
      const w = this.and();
      v = v || w;
    }
    return v;
  }

  private and(): boolean {
    let v = this.not();
    while (this.peek() === '-a' && this.i + 1 < this.args.length) {
      this.i++;
      const w = this.not();
      v = v && w;
    }
    return v;
  }

  private not(): boolean {
    // A lone "!" (nothing after it) is a non-empty string, true.
    if (this.peek() === '!' && this.i + 1 < this.args.length) {
      this.i++;
      return !this.not();
    }
    return this.primary();
  }

  private primary(): boolean {
    const a = this.peek();
    if (a === undefined) throw new TestError('argument expected');
    const op = this.peek(1);
    // A binary operator takes precedence (POSIX: with three arguments, the middle one decides).
    if (op !== undefined && BINARY.has(op) && this.peek(2) !== undefined) {
      this.i += 3;
      return binary(a, op, this.args[this.i - 1] as string);
    }
    if (a === '(' && this.args.lastIndexOf(')') > this.i) {
      this.i++;
      const v = this.or();
      if (this.peek() !== ')') throw new TestError("`)' expected");
      this.i++;
      return v;
    }
    if (UNARY.has(a) && op !== undefined) {
      this.i += 2;
      return this.unary(a, op);
    }
    if (op !== undefined && op.startsWith('-') && op !== '-a' && op !== '-o' && this.peek(2) !== undefined) throw new TestError(`${op}: binary operator expected`);
    if (a.startsWith('-') && a.length > 1 && op !== undefined && op !== '-a' && op !== '-o' && op !== ')') throw new TestError(`${a}: unary operator expected`);
    this.i++;
    return a !== '';
  }
}

function evaluate(env: ShellEnv, name: string, args: readonly string[]): CommandOutput {
  try {
    return { out: '', err: '', status: new TestParser(env, args).run() ? 0 : 1 };
  } catch (e) {
    if (e instanceof TestError) return { out: '', err: `bash: ${name}: ${e.message}\n`, status: 2 };
    throw e;
  }
}

export const test: Command = (env, argv) => evaluate(env, 'test', argv.slice(1));

export const bracket: Command = (env, argv) => {
  if (argv[argv.length - 1] !== ']') return { out: '', err: "bash: [: missing `]'\n", status: 2 };
  return evaluate(env, '[', argv.slice(1, -1));
};
