/**
 * The command language's syntax: words with single and double quotes and backslash escapes, variables
 * ($NAME, ${NAME}), command substitution ($(...) and `...`), arithmetic ($((...))), pipelines (|, ! before
 * one), output redirection (> and >>, 2> and 2>> for errors, 2>&1, >&2 and &>), input from a file (<),
 * command lists (;, &&, ||), for loops (for NAME in WORDS; do LIST; done), while/until loops and if.
 * A small POSIX-shell subset.
 */

import { markGlob } from './glob.js';

export interface SimpleCommand {
  argv: string[];
  /** Redirection of the last command of a pipeline. */
  redirect: { path: string; append: boolean } | null;
  /**
   * Where its error output goes: 2>FILE, 2>>FILE, or 'stdout' for 2>&1 (with the output: into the pipe, or into
   * the file of a > before it); absent, to the terminal.
   */
  errRedirect?: { path: string; append: boolean } | 'stdout';
  /** >&2: its output goes to the error output. */
  outToErr?: true;
  /** < FILE: its input is the file (instead of the pipe). */
  input?: string;
}

export interface Pipeline {
  commands: SimpleCommand[];
  /** `! PIPELINE`: its status inverted (if ! grep -q ...; then). */
  negate?: boolean;
}

/** for NAME in WORDS; do BODY; done: BODY runs once per word (after expansion), NAME set to it. */
export interface ForLoop {
  name: string;
  words: string[];
  body: CommandList;
}

/** while COND; do BODY; done (until: while COND fails). */
export interface WhileLoop {
  until: boolean;
  cond: CommandList;
  body: CommandList;
}

/** if COND; then BODY; [elif COND; then BODY;]... [else BODY;] fi. */
export interface IfClause {
  branches: { cond: CommandList; body: CommandList }[];
  orElse: CommandList | null;
}

export interface ListItem {
  pipeline: Pipeline;
  /** A compound command in place of the pipeline, or after it (`cmd | while read x; ...`): its input. */
  loop?: ForLoop;
  whileLoop?: WhileLoop;
  ifClause?: IfClause;
  /** `done < FILE` / `fi < FILE`: the compound command's input. */
  input?: string;
  /** What joins it to the next: a list operator, or `|` after a compound command (`done | sort`). */
  op: ';' | '&&' | '||' | '|' | null;
}

export interface CommandList {
  items: ListItem[];
  /** The command lines of $(...) and `...`, in order; a word holds SUBST_MARK(i) where the i-th stood. */
  subs: string[];
}

export class ParseError extends Error {}

/** Where an unquoted or double-quoted `$?` stood: the shell puts the last exit status there when it runs. */
export const LAST_STATUS = '\u0000?';
/** Where `$$` stood: the pid of the shell (the task a scenario's sh step runs as, or the login shell). */
export const SHELL_PID = '\u0000$';

/**
 * Where a command substitution stood: unquoted (its output is split into words, \u0001) or inside double quotes
 * (one word, \u0002). The shell runs the command when it expands the word.
 */
export const substMark = (i: number, quoted: boolean): string => (quoted ? `\u0002${i}\u0002` : `\u0001${i}\u0001`);
export const SUBST_RE = /([\u0001\u0002])(\d+)\1/g;

/** Where an arithmetic expansion $((EXPR)) stood (its text is in subs too): the shell evaluates it then. */
export const arithMark = (i: number): string => `\u0005${i}\u0005`;
export const ARITH_RE = /\u0005(\d+)\u0005/g;

/** A $(( ... )) at i: its expression and where the word goes on. */
function arithmetic(line: string, i: number): { expr: string; next: number } {
  let depth = 0;
  for (let j = i + 3; j < line.length; j++) {
    const c = line[j] as string;
    if (c === '(') depth++;
    else if (c === ')') {
      if (depth > 0) depth--;
      else if (line[j + 1] === ')') return { expr: line.slice(i + 3, j), next: j + 2 };
      else break;
    }
  }
  throw new ParseError("unexpected EOF while looking for matching `))'");
}

/** Where $NAME or ${NAME} stood: unquoted (split into words, \u0003) or in double quotes (\u0004). */
export const varMark = (name: string, quoted: boolean): string => (quoted ? `\u0004${name}\u0004` : `\u0003${name}\u0003`);
export const VAR_RE = /([\u0003\u0004])([A-Za-z_][A-Za-z0-9_]*|[0-9])\1/g;

/** $NAME or ${NAME} at i (line[i] is '$'): the name and where the word goes on, or null if it is not one. */
function variable(line: string, i: number): { name: string; next: number } | null {
  if (line[i + 1] === '{') {
    const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(line.slice(i));
    if (m === null) throw new ParseError(`${line.slice(i, line.indexOf('}', i) + 1 || undefined)}: bad substitution`);
    return { name: m[1] as string, next: i + m[0].length };
  }
  // $0 to $9: the positional parameters (an interactive shell has none; $0 is its name).
  const m = /^\$([A-Za-z_][A-Za-z0-9_]*|[0-9])/.exec(line.slice(i));
  return m === null ? null : { name: m[1] as string, next: i + m[0].length };
}

type Token = { t: 'word'; v: string } | { t: 'op'; v: '|' | '>' | '>>' | ';' | '&&' | '||' | '2>' | '2>>' | '2>&1' | '>&2' | '&>' | '<' };

/** The end (index of the closing parenthesis) of a $( ... ) whose text starts at `from`, quotes respected. */
function closingParen(line: string, from: number): number {
  let depth = 1;
  for (let j = from; j < line.length; j++) {
    const c = line[j] as string;
    if (c === '\\') j++;
    else if (c === "'") {
      const end = line.indexOf("'", j + 1);
      if (end < 0) break;
      j = end;
    } else if (c === '"') {
      j++;
      while (j < line.length && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return j;
  }
  throw new ParseError("unexpected EOF while looking for matching `)'");
}

/** A $(...) or `...` at i: its command line and where the word goes on. */
function substitution(line: string, i: number): { cmd: string; next: number } {
  if (line[i] === '`') {
    const end = line.indexOf('`', i + 1);
    if (end < 0) throw new ParseError("unexpected EOF while looking for matching ``'");
    return { cmd: line.slice(i + 1, end), next: end + 1 };
  }
  const end = closingParen(line, i + 2);
  return { cmd: line.slice(i + 2, end), next: end + 1 };
}

export function tokenize(line: string, subs: string[] = []): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
      continue;
    }
    if (c === '#') break;
    // File descriptor redirections where a word would start: 2>&1, 2>>, 2>, 1>>, 1> (as >> and >), >&2, &>.
    const fd = /^(?:2>&1|1?>&2|2>>|2>|1>>|1>|&>)/.exec(line.slice(i));
    if (fd !== null) {
      const v = fd[0].replace(/^1/, '');
      out.push({ t: 'op', v: v === '>&2' || v === '2>&1' || v === '2>>' || v === '2>' || v === '&>' ? v : (v as '>' | '>>') });
      i += fd[0].length;
      continue;
    }
    if (line.startsWith('>>', i)) {
      out.push({ t: 'op', v: '>>' });
      i += 2;
      continue;
    }
    if (line.startsWith('&&', i) || line.startsWith('||', i)) {
      out.push({ t: 'op', v: line.slice(i, i + 2) as '&&' | '||' });
      i += 2;
      continue;
    }
    if (c === '|' || c === '>' || c === ';') {
      out.push({ t: 'op', v: c });
      i++;
      continue;
    }
    if (c === '<' && line[i + 1] !== '<' && line[i + 1] !== '(') {
      out.push({ t: 'op', v: '<' });
      i++;
      continue;
    }
    if (c === '&' || c === '<') {
      throw new ParseError(`syntax error near unexpected token \`${c}'`);
    }
    let word = '';
    while (i < line.length) {
      const ch = line[i] as string;
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '|' || ch === '>' || ch === ';' || ch === '&' || ch === '<') break;
      if (ch === "'") {
        const end = line.indexOf("'", i + 1);
        if (end < 0) throw new ParseError("unexpected EOF while looking for matching `''");
        word += line.slice(i + 1, end);
        i = end + 1;
      } else if (ch === '"') {
        i++;
        let closed = false;
        while (i < line.length) {
          const d = line[i] as string;
          if (d === '"') {
            closed = true;
            i++;
            break;
          }
          if (d === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1] as string)) {
            word += line[i + 1];
            i += 2;
            continue;
          }
          if (d === '$' && (line[i + 1] === '?' || line[i + 1] === '$')) {
            word += line[i + 1] === '?' ? LAST_STATUS : SHELL_PID;
            i += 2;
            continue;
          }
          if (d === '$' && line.startsWith('((', i + 1)) {
            const a = arithmetic(line, i);
            word += arithMark(subs.push(a.expr) - 1);
            i = a.next;
            continue;
          }
          if (d === '`' || (d === '$' && line[i + 1] === '(')) {
            const sub = substitution(line, i);
            word += substMark(subs.push(sub.cmd) - 1, true);
            i = sub.next;
            continue;
          }
          const v = d === '$' ? variable(line, i) : null;
          if (v !== null) {
            word += varMark(v.name, true);
            i = v.next;
            continue;
          }
          word += d;
          i++;
        }
        if (!closed) throw new ParseError('unexpected EOF while looking for matching `"\'');
      } else if (ch === '\\' && i + 1 < line.length) {
        word += line[i + 1];
        i += 2;
      } else if (ch === '$' && (line[i + 1] === '?' || line[i + 1] === '$')) {
        word += line[i + 1] === '?' ? LAST_STATUS : SHELL_PID;
        i += 2;
      } else if (ch === '$' && line.startsWith('((', i + 1)) {
        const a = arithmetic(line, i);
        word += arithMark(subs.push(a.expr) - 1);
        i = a.next;
      } else if (ch === '`' || (ch === '$' && line[i + 1] === '(')) {
        const sub = substitution(line, i);
        word += substMark(subs.push(sub.cmd) - 1, false);
        i = sub.next;
      } else {
        const v = ch === '$' ? variable(line, i) : null;
        if (v !== null) {
          word += varMark(v.name, false);
          i = v.next;
        } else {
          // An unquoted pattern character is marked for pathname expansion (glob.ts); quoted, it stays itself.
          word += markGlob(ch);
          i++;
        }
      }
    }
    out.push({ t: 'word', v: word });
  }
  return out;
}

export function parse(line: string): CommandList {
  const subs: string[] = [];
  const toks = tokenize(line, subs);
  return parseList(toks, { i: 0 }, subs, null).list;
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The compound commands' closing words, each only where a command starts (as the parser looks for them). */
const END_WORDS: Readonly<Record<string, string>> = { do: 'do', done: 'done', then: 'then', elif: 'elif', else: 'else', fi: 'fi' };

/**
 * A list of pipelines and compound commands joined by ;, && and ||, up to the end of the tokens or (with ends)
 * up to and including the first of those words that stands where a command starts: the `done` of a loop body,
 * the `then` after an if's condition... Returns the list and the word that ended it.
 */
function parseList(toks: Token[], at: { i: number }, subs: string[], ends: readonly string[] | null): { list: CommandList; end: string | null } {
  const list: CommandList = { items: [], subs };
  let cmds: SimpleCommand[] = [];
  let cur: SimpleCommand = { argv: [], redirect: null };
  let negate = false;
  // bash names the token where a command was missing: `;` in "a; ; b", `|` in "| b".
  const endCommand = (at: string): void => {
    if (cur.argv.length === 0) throw new ParseError(`syntax error near unexpected token \`${at}'`);
    cmds.push(cur);
    cur = { argv: [], redirect: null };
  };
  const atCommandStart = (): boolean => cmds.length === 0 && cur.argv.length === 0 && cur.redirect === null;
  const pipeline = (): Pipeline => {
    const p: Pipeline = negate ? { commands: cmds, negate } : { commands: cmds };
    cmds = [];
    negate = false;
    return p;
  };
  const word = (j: number): string | null => {
    const t = toks[j];
    return t !== undefined && t.t === 'word' ? t.v : null;
  };
  while (at.i < toks.length) {
    const tk = toks[at.i] as Token;
    if (tk.t === 'word') {
      if (atCommandStart() && END_WORDS[tk.v] !== undefined) {
        if (ends === null || !ends.includes(tk.v)) throw new ParseError(`syntax error near unexpected token \`${tk.v}'`);
        at.i++;
        return { list: closeList(list), end: tk.v };
      }
      if (tk.v === '!' && atCommandStart() && !negate && toks[at.i + 1] !== undefined) {
        negate = true;
        at.i++;
        continue;
      }
      // A compound command where a command starts, or as the last part of a pipeline (it reads the pipe).
      const afterPipe = cmds.length > 0 && cur.argv.length === 0 && cur.redirect === null;
      const compound = (atCommandStart() || afterPipe) && !negate ? parseCompound(tk.v, toks, at, subs, word) : null;
      if (compound !== null) {
        const item: ListItem = { pipeline: afterPipe ? pipeline() : { commands: [] }, ...compound, op: null };
        list.items.push(item);
        let next = toks[at.i];
        if (next?.t === 'op' && next.v === '<') {
          const file = toks[at.i + 1];
          if (file === undefined || file.t !== 'word') throw new ParseError(`syntax error near unexpected token \`${file === undefined ? 'newline' : file.v}'`);
          item.input = file.v;
          at.i += 2;
          next = toks[at.i];
        }
        if (next === undefined || (next.t === 'word' && ends !== null && ends.includes(next.v))) continue;
        if (next.t === 'op' && (next.v === ';' || next.v === '&&' || next.v === '||' || next.v === '|')) {
          item.op = next.v;
          at.i++;
          if (next.v === '|' && toks[at.i] === undefined) throw new ParseError("syntax error near unexpected token `newline'");
          continue;
        }
        throw new ParseError(`syntax error near unexpected token \`${next.v}'`);
      }
      cur.argv.push(tk.v);
      at.i++;
      continue;
    }
    switch (tk.v) {
      case '|':
        if (cur.redirect !== null) throw new ParseError("syntax error near unexpected token `|'");
        endCommand('|');
        break;
      case '>':
      case '>>':
      case '2>':
      case '2>>':
      case '&>': {
        const next = toks[at.i + 1];
        if (next === undefined || next.t !== 'word') throw new ParseError(`syntax error near unexpected token \`${next === undefined ? 'newline' : next.v}'`);
        const target = { path: next.v, append: tk.v === '>>' || tk.v === '2>>' };
        if (tk.v === '2>' || tk.v === '2>>') cur.errRedirect = target;
        else {
          // Redirections apply left to right: after 2>&1, > FILE moves only the output (the errors stay on the
          // terminal, where the output went when 2>&1 copied it).
          if (cur.errRedirect === 'stdout') delete cur.errRedirect;
          cur.redirect = target;
        }
        if (tk.v === '&>') cur.errRedirect = 'stdout';
        at.i++;
        break;
      }
      case '2>&1':
        cur.errRedirect = 'stdout';
        break;
      case '<': {
        const next = toks[at.i + 1];
        if (next === undefined || next.t !== 'word') throw new ParseError(`syntax error near unexpected token \`${next === undefined ? 'newline' : next.v}'`);
        cur.input = next.v;
        at.i++;
        break;
      }
      case '>&2':
        cur.outToErr = true;
        break;
      default:
        endCommand(tk.v);
        list.items.push({ pipeline: pipeline(), op: tk.v });
    }
    at.i++;
  }
  if (ends !== null) throw new ParseError(`syntax error: unexpected end of file (expected \`${ends[ends.length - 1]}')`);
  if (cur.argv.length > 0 || cur.redirect !== null || cmds.length > 0) endCommand('newline');
  if (cmds.length > 0) list.items.push({ pipeline: pipeline(), op: null });
  return { list: closeList(list), end: null };
}

/** A compound command starting at at.i (for, while, until, if), or null if the word starts none. */
function parseCompound(w: string, toks: Token[], at: { i: number }, subs: string[], word: (j: number) => string | null): Pick<ListItem, 'loop' | 'whileLoop' | 'ifClause'> | null {
  switch (w) {
    case 'for':
      return { loop: parseFor(toks, at, subs, word) };
    case 'while':
    case 'until': {
      at.i++;
      const cond = nonEmpty(parseList(toks, at, subs, ['do']).list, 'do');
      const body = nonEmpty(parseList(toks, at, subs, ['done']).list, 'done');
      return { whileLoop: { until: w === 'until', cond, body } };
    }
    case 'if': {
      at.i++;
      const branches: IfClause['branches'] = [];
      let orElse: CommandList | null = null;
      for (;;) {
        const cond = nonEmpty(parseList(toks, at, subs, ['then']).list, 'then');
        const body = parseList(toks, at, subs, ['elif', 'else', 'fi']);
        branches.push({ cond, body: nonEmpty(body.list, body.end ?? 'fi') });
        if (body.end === 'elif') continue;
        if (body.end === 'else') orElse = nonEmpty(parseList(toks, at, subs, ['fi']).list, 'fi');
        return { ifClause: { branches, orElse } };
      }
    }
    default:
      return null;
  }
}

/** An empty condition or body is bash's syntax error at the word that ends it. */
function nonEmpty(list: CommandList, end: string): CommandList {
  if (list.items.length === 0) throw new ParseError(`syntax error near unexpected token \`${end}'`);
  return list;
}

/** The end of a list: a last item left open by && or || is an error, by ; fine. */
function closeList(list: CommandList): CommandList {
  const last = list.items[list.items.length - 1];
  if (last !== undefined && last.op !== null && last.op !== ';') throw new ParseError(`syntax error near unexpected token \`${last.op}'`);
  return list;
}

/** for NAME [in WORDS]; do LIST; done (at.i on `for`). */
function parseFor(toks: Token[], at: { i: number }, subs: string[], word: (j: number) => string | null): ForLoop {
  const name = word(at.i + 1);
  if (name === null || !NAME_RE.test(name)) throw new ParseError(`\`${name ?? ''}': not a valid identifier`);
  at.i += 2;
  const words: string[] = [];
  if (word(at.i) === 'in') {
    at.i++;
    while (word(at.i) !== null) words.push(word(at.i++) as string);
  }
  const semi = toks[at.i];
  if (semi !== undefined && semi.t === 'op' && semi.v === ';') at.i++;
  if (word(at.i) !== 'do') throw new ParseError(`syntax error near unexpected token \`${toks[at.i]?.v ?? 'newline'}'`);
  at.i++;
  const body = nonEmpty(parseList(toks, at, subs, ['done']).list, 'done');
  return { name, words, body };
}
