/** cat, echo, ls, sysctl, sync and the text filters (grep, head, tail, wc). */
import type { Kernel } from '../kernel/index.js';
import { syncAll } from '../kernel/mm/reclaim.js';
import { pathToSysctlName, sysctlNameToPath } from '../kernel/proc/sysctl-table.js';
import { strerror } from '../lib/errno.js';
import { escapeRegExp } from '../lib/regexp.js';
import { unescape } from './cmd-printf.js';
import { fail, failErrno, getopt, ok, type Command, type CommandOutput } from './context.js';

/** A path as the kernel sees it: a relative one from the working directory, "." and ".." taken away. */
export function resolvePath(path: string, cwd = '/'): string {
  const parts: string[] = [];
  for (const p of (path.startsWith('/') ? path : `${cwd}/${path}`).split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return `/${parts.join('/')}`;
}

/**
 * cat's line options (coreutils): -n numbers every line, -b the non-blank ones, -s squeezes repeated blank lines,
 * -E ends each line with $, -T shows tabs as ^I, -v other control characters as ^X and M-x, -A = -vET, -e, -t.
 */
function catLines(text: string, o: { n: boolean; b: boolean; s: boolean; E: boolean; T: boolean; v: boolean }, line: { no: number; blankRun: number }): string {
  const lines = text.split('\n');
  const last = lines.pop() as string;
  let out = '';
  const show = (l: string): string => {
    let x = l;
    if (o.v) x = [...x].map((c) => {
      const code = c.charCodeAt(0);
      if (code === 9 || code === 10) return c;
      if (code < 32) return `^${String.fromCharCode(code + 64)}`;
      if (code === 127) return '^?';
      if (code >= 128 && code < 256) return `M-${code - 128 < 32 ? `^${String.fromCharCode(code - 64)}` : String.fromCharCode(code - 128)}`;
      return c;
    }).join('');
    if (o.T) x = x.replace(/\t/g, '^I');
    return x;
  };
  for (const [i, l] of [...lines, last].entries()) {
    const end = i < lines.length;
    if (!end && l === '') break;
    if (l === '' && end) {
      line.blankRun++;
      if (o.s && line.blankRun > 1) continue;
    } else line.blankRun = 0;
    const num = o.b ? l !== '' : o.n;
    out += `${num ? `${String(++line.no).padStart(6)}\t` : ''}${show(l)}${end ? `${o.E ? '$' : ''}\n` : ''}`;
  }
  return out;
}

export const cat: Command = (env, argv, stdin) => {
  const o = { n: false, b: false, s: false, E: false, T: false, v: false };
  const files: string[] = [];
  const bad = getopt(argv, files, (c) => {
    if (c === 'A') o.v = o.E = o.T = true;
    else if (c === 'e') o.v = o.E = true;
    else if (c === 't') o.v = o.T = true;
    else if (c === 'u') return undefined;
    else if (c in o) o[c as keyof typeof o] = true;
    else return fail('cat', `invalid option -- '${c}'\nTry 'cat --help' for more information.`);
    return undefined;
  });
  if (bad !== null) return bad;
  const shaped = o.n || o.b || o.s || o.E || o.T || o.v;
  const line = { no: 0, blankRun: 0 };
  if (files.length === 0) return ok(shaped ? catLines(stdin, o, line) : stdin);
  let out = '';
  let err = '';
  let status = 0;
  let errno: string | undefined;
  for (const f of files) {
    const r = f === '-' ? { ok: true as const, text: stdin } : env.k.proc.read(resolvePath(f, env.cwd));
    if (r.ok) out += shaped ? catLines(r.text, o, line) : r.text;
    else {
      err += `cat: ${f}: ${strerror(r.errno)}\n`;
      status = 1;
      errno ??= r.errno;
    }
  }
  const res: CommandOutput = { out, err, status };
  if (errno !== undefined) res.errno = errno;
  // trace_pipe blocks for more: a reader that has it alone goes on receiving records as they are written.
  const only = files.length === 1 ? resolvePath(files[0] as string, env.cwd) : '';
  if (status === 0 && /^\/sys\/kernel(\/debug)?\/tracing\/trace_pipe$/.test(only)) {
    res.follow = {
      intervalNs: TRACE_PIPE_POLL_NS,
      count: Infinity,
      optional: true,
      report: () => {
        const r = env.k.proc.read(only);
        return r.ok ? r.text : '';
      },
    };
  }
  return res;
};

/** How often a blocked trace_pipe reader is handed what arrived (the kernel wakes it as pages fill). */
const TRACE_PIPE_POLL_NS = 100_000_000;

export const echo: Command = (_env, argv) => {
  let args = argv.slice(1);
  let newline = true;
  let escapes = false;
  while (args[0] !== undefined && /^-[neE]+$/.test(args[0])) {
    for (const f of args[0].slice(1)) {
      if (f === 'n') newline = false;
      else escapes = f === 'e';
    }
    args = args.slice(1);
  }
  // bash's echo -e knows the escapes of printf's %b, \c (no more output) included.
  const u = escapes ? unescape(args.join(' '), true) : { text: args.join(' '), stop: false };
  return ok(newline && !u.stop ? `${u.text}\n` : u.text);
};

export const ls: Command = (env, argv) => {
  const proc = env.k.proc;
  const long = argv.slice(1).some((a) => /^-[a-zA-Z]*l/.test(a));
  // -d: a directory is listed as itself, not its entries.
  const dirsAsFiles = argv.slice(1).some((a) => /^-[a-zA-Z]*d/.test(a));
  const paths = argv.slice(1).filter((a) => !a.startsWith('-'));
  if (paths.length === 0) paths.push('.');
  // ls -l: mode, links, owner, group, size (0 in proc and debugfs, a page in sysfs), the boot time, the name.
  const longLine = (path: string, name: string): string => {
    // /proc/self is a symbolic link to the reading process's directory.
    if (path === '/proc/self') return `lrwxrwxrwx  1 root root    0 Jan  1 00:00 ${name} -> ${env.k.caller.pid}`;
    const mode = proc.mode(path) ?? '----------';
    const dir = mode.startsWith('d');
    const links = dir ? 2 + (proc.list(path) ?? []).filter((n) => proc.isDir(`${path}/${n}`)).length : 1;
    // A character device shows its major, minor (mem's minors: null 3, kmsg 11, aligned as in one listing)
    // where a file shows its size.
    const size = mode.startsWith('c') ? (path === '/dev/null' ? '1,  3' : '1, 11') : !dir && path.startsWith('/sys/') && !path.startsWith('/sys/kernel/debug/') ? '4096' : '0';
    return `${mode} ${String(links).padStart(2)} root root ${size.padStart(4)} Jan  1 00:00 ${name}`;
  };
  // As ls does: the files named first, then each directory, a blank line between and its name over it when
  // there are several.
  let out = '';
  let err = '';
  let status = 0;
  const dirs: string[] = [];
  for (const p of paths) {
    const path = resolvePath(p, env.cwd);
    if (proc.isDir(path) && !dirsAsFiles) dirs.push(p);
    else if (proc.isDir(path)) out += `${long ? longLine(path, p) : p}\n`;
    else if (proc.exists(path)) out += `${long ? longLine(path, p) : p}\n`;
    else {
      err += `ls: cannot access '${p}': No such file or directory\n`;
      status = 2;
    }
  }
  for (const p of dirs) {
    const path = resolvePath(p, env.cwd);
    const entries = proc.list(path) ?? [];
    if (out !== '') out += '\n';
    if (paths.length > 1) out += `${p}:\n`;
    if (long) out += `total 0\n${entries.map((n) => `${longLine(path === '/' ? `/${n}` : `${path}/${n}`, n)}\n`).join('')}`;
    else out += entries.length > 0 ? `${entries.join('\n')}\n` : '';
  }
  return { out, err, status };
};

function sysctlKey(arg: string): string {
  return arg.replace(/\//g, '.');
}

export const sysctl: Command = (env, argv) => {
  const k = env.k;
  let valuesOnly = false;
  let quiet = false;
  let all = false;
  let ignoreUnknown = false;
  const args: string[] = [];
  for (const a of argv.slice(1)) {
    if (a === '-a' || a === '-A' || a === '-X' || a === '--all') all = true;
    else if (a === '-n' || a === '--values') valuesOnly = true;
    else if (a === '-q' || a === '--quiet') quiet = true;
    else if (a === '-e' || a === '--ignore') ignoreUnknown = true;
    else if (a === '-w' || a === '--write') continue;
    else if (a === '-N') continue;
    else if (a.startsWith('-')) return fail('sysctl', `invalid option -- '${a.replace(/^-+/, '')}'`, 1);
    else args.push(a);
  }
  const show = (name: string, value: string): string => (valuesOnly ? `${value}\n` : `${name} = ${value}\n`);
  if (all) {
    let out = '';
    for (const [name, e] of [...k.proc.sysctl.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      if (e.writeOnly === true) continue;
      out += show(name, e.read(k).replace(/\n$/, ''));
    }
    return ok(out);
  }
  if (args.length === 0) return fail('sysctl', 'no variables specified\nTry `sysctl --help\' for more information.', 1);
  let out = '';
  let err = '';
  let status = 0;
  let errno: string | undefined;
  const lookup = (name: string) => {
    const e = k.proc.sysctl.get(name);
    if (e === undefined && !ignoreUnknown) {
      err += `sysctl: cannot stat ${sysctlNameToPath(name)}: No such file or directory\n`;
      status = 255;
      errno ??= 'ENOENT';
    }
    return e;
  };
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq >= 0) {
      const name = sysctlKey(a.slice(0, eq).trim());
      const value = a.slice(eq + 1).trim();
      const e = lookup(name);
      if (e === undefined) continue;
      const w = e.write === undefined ? 'EACCES' : e.write(k, value);
      if (w !== null) {
        err += w === 'EACCES' ? `sysctl: permission denied on key "${name}"\n` : `sysctl: setting key "${name}": ${strerror(w)}\n`;
        status = 255;
        errno ??= w;
        continue;
      }
      if (!quiet) out += show(name, value);
      continue;
    }
    const name = sysctlKey(a);
    const e = lookup(name);
    if (e === undefined) continue;
    if (e.writeOnly === true) {
      // A mode 0200 key (vm.drop_caches) cannot be read, by root either.
      err += `sysctl: permission denied on key '${name}'\n`;
      status = 255;
      errno ??= 'EACCES';
      continue;
    }
    out += show(name, e.read(k).replace(/\n$/, ''));
  }
  const r: CommandOutput = { out, err, status };
  if (errno !== undefined) r.errno = errno;
  return r;
};

export const sync: Command = (env) => {
  syncAll(env.k);
  return ok('');
};

/** A filter's input: its file operands read in order, or stdin when it has none (like the coreutils). */
export function filterInput(env: Parameters<Command>[0], name: string, files: readonly string[], stdin: string): { text: string; err: string; errno?: string } {
  if (files.length === 0) return { text: stdin, err: '' };
  let text = '';
  let err = '';
  let errno: string | undefined;
  for (const f of files) {
    if (f === '-') {
      text += stdin;
      continue;
    }
    const r = env.k.proc.read(resolvePath(f, env.cwd));
    if (r.ok) text += r.text;
    else {
      err += `${name}: ${f}: ${strerror(r.errno)}\n`;
      errno ??= r.errno;
    }
  }
  return errno === undefined ? { text, err } : { text, err, errno };
}

export function withInputErr(r: CommandOutput, input: { err: string; errno?: string }): CommandOutput {
  if (input.err === '') return r;
  const out: CommandOutput = { out: r.out, err: input.err + r.err, status: 2 };
  if (input.errno !== undefined) out.errno = input.errno;
  return out;
}

/**
 * A POSIX basic regular expression (grep's default, GNU flavour) as a JS RegExp source: \| \( \) \{ \} \+ \?
 * are the operators and the bare characters are literals - the opposite of JS.
 */
export function breToJs(bre: string): string {
  let out = '';
  for (let i = 0; i < bre.length; i++) {
    const ch = bre[i] as string;
    if (ch === '\\' && i + 1 < bre.length) {
      const nx = bre[++i] as string;
      out += '|(){}+?'.includes(nx) ? nx : `\\${nx}`;
    } else if ('|(){}+?'.includes(ch)) out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

/**
 * grep (GNU) on the machine's files or its input: basic (default), extended (-E) or fixed (-F) patterns, one or
 * more (-e); -v -i -w -c -q -s; -n line numbers, -o only the matches, -l / -L the files that match or not, -H / -h
 * file names on or off (on by default for several files), -r / -R through directories (`grep -r . /proc/sys/vm`
 * prints every tunable there as FILE:VALUE). The status: 0 if a line was selected, else 1; 2 after an error
 * unless -q selected one.
 */
export const grep: Command = (env, argv, stdin) => {
  const o = { v: false, i: false, c: false, E: false, F: false, q: false, w: false, n: false, o: false, l: false, L: false, s: false, r: false };
  let names: boolean | null = null;
  let after = 0;
  let before = 0;
  const patterns: string[] = [];
  const operands: string[] = [];
  const USAGE = "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.";
  const bad = getopt(argv, operands, (c, value) => {
    if (c === 'e') {
      const v = value();
      if (v === undefined) return fail('grep', `option requires an argument -- 'e'\n${USAGE}`, 2);
      patterns.push(v);
    } else if (c === 'A' || c === 'B' || c === 'C') {
      // Context lines after, before, or both.
      const v = value();
      if (v === undefined || !/^\d+$/.test(v)) return fail('grep', `${v ?? ''}: invalid context length argument`, 2);
      if (c !== 'B') after = Number(v);
      if (c !== 'A') before = Number(v);
    } else if (c === 'H' || c === 'h') names = c === 'H';
    else if (c === 'R') o.r = true;
    else if (c in o) o[c as keyof typeof o] = true;
    else return fail('grep', `invalid option -- '${c}'\n${USAGE}`, 2);
    return undefined;
  });
  if (bad !== null) return bad;
  if (patterns.length === 0) {
    const p = operands.shift();
    if (p === undefined) return fail('grep', USAGE, 2);
    patterns.push(p);
  }
  let re: RegExp;
  try {
    const one = (pat: string): string => (o.F ? escapeRegExp(pat) : o.E ? pat : breToJs(pat));
    // A pattern argument may hold several, one per line (as -e does for each).
    const src = patterns.flatMap((p) => p.split('\n')).map(one).join('|');
    re = new RegExp(o.w ? `(?<![\\w])(?:${src})(?![\\w])` : src, o.i ? 'gi' : 'g');
  } catch {
    return fail('grep', `invalid regular expression: ${patterns.join(' ')}`, 2);
  }
  const test = (l: string): boolean => {
    re.lastIndex = 0;
    return re.test(l);
  };
  // The inputs: standard input, or the files (directories walked with -r, "." when none is named).
  const files: string[] = [];
  let err = '';
  let errno: string | undefined;
  const problem = (f: string, e: string): void => {
    if (!o.s) err += `grep: ${f}: ${strerror(e)}\n`;
    errno ??= e;
  };
  const walk = (name: string): void => {
    const path = resolvePath(name, env.cwd);
    if (!env.k.proc.exists(path) && !env.k.proc.isDir(path)) problem(name, 'ENOENT');
    else if (!env.k.proc.isDir(path)) files.push(name);
    else if (!o.r) problem(name, 'EISDIR');
    else for (const n of env.k.proc.list(path) ?? []) walk(name.endsWith('/') ? `${name}${n}` : `${name}/${n}`);
  };
  // -r with no file searches the working directory, its files named without the "./" an explicit "." gives.
  const implicit = operands.length === 0 && o.r;
  if (implicit) operands.push('.');
  for (const f of operands) {
    if (f === '-') files.push(f);
    else walk(f);
  }
  const withNames = names ?? (files.length > 1 || o.r);
  // -q, -c, -l and -L print no lines.
  const noLines = o.q || o.c || o.l || o.L;
  let out = '';
  let selected = 0;
  const inputs = operands.length === 0 ? [{ name: '(standard input)', text: stdin }] : files.flatMap((f) => {
    if (f === '-') return [{ name: '(standard input)', text: stdin }];
    const r = env.k.proc.read(resolvePath(f, env.cwd));
    if (r.ok) return [{ name: implicit ? f.replace(/^\.\//, '') : f, text: r.text }];
    problem(f, r.errno);
    return [];
  });
  for (const { name, text } of inputs) {
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    let hits = 0;
    // What goes before a line: the file's name and the line's number, each followed by ":" (or "-" for context).
    const lead = (idx: number, sep: string): string => `${withNames ? `${name}${sep}` : ''}${o.n ? `${idx + 1}${sep}` : ''}`;
    // With -A/-B/-C, the lines around each selected one too, marked "-" where selected ones are marked ":", and
    // "--" between groups that do not touch (GNU's layout).
    const context = (after > 0 || before > 0) && !o.o;
    let printedTo = -1;
    let pendingAfter = 0;
    const emit = (idx: number, sep: string): void => {
      if (context && printedTo >= 0 && idx > printedTo + 1) out += '--\n';
      out += `${lead(idx, sep)}${lines[idx]}\n`;
      printedTo = idx;
    };
    lines.forEach((l, idx) => {
      if (test(l) === o.v) {
        if (pendingAfter > 0 && !noLines) {
          emit(idx, '-');
          pendingAfter--;
        }
        return;
      }
      hits++;
      if (noLines) return;
      if (o.o && !o.v) {
        re.lastIndex = 0;
        for (const m of l.matchAll(re)) if (m[0] !== '') out += `${lead(idx, ':')}${m[0]}\n`;
        return;
      }
      if (context) for (let b = Math.max(printedTo + 1, idx - before); b < idx; b++) emit(b, '-');
      emit(idx, ':');
      pendingAfter = after;
    });
    selected += hits;
    if (o.q) continue;
    if (o.l && hits > 0) out += `${name}\n`;
    else if (o.L && hits === 0) out += `${name}\n`;
    else if (o.c && !o.l && !o.L) out += `${withNames ? `${name}:` : ''}${hits}\n`;
  }
  const status = o.q && selected > 0 ? 0 : errno !== undefined ? 2 : (o.L ? out !== '' : selected > 0) ? 0 : 1;
  const r: CommandOutput = { out: o.q ? '' : out, err, status };
  if (errno !== undefined) r.errno = errno;
  return r;
};

/**
 * head/tail's count: -n N, -nN or -N lines (10 by default); with `bytes` allowed, -c N or -cN bytes instead.
 * A sign is kept apart: head -n -N (all but the last N), tail -n +N (from line N on).
 */
function countArg(argv: string[], name: string, files: string[], bytes = false): { n: number; bytes: boolean; sign: '' | '-' | '+' } | CommandOutput {
  let n = 10;
  let inBytes = false;
  let sign: '' | '-' | '+' = '';
  const take = (text: string | undefined, what: string): CommandOutput | null => {
    const m = /^([+-]?)(\d+)$/.exec(text ?? '');
    if (m === null) return fail(name, `invalid number of ${what}: '${text ?? ''}'`);
    n = Number(m[2]);
    sign = m[1] as '' | '-' | '+';
    return null;
  };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith('-') || a === '-') files.push(a);
    else if (a === '-n' || (bytes && a === '-c')) {
      const e = take(argv[++i], a === '-c' ? 'bytes' : 'lines');
      if (e !== null) return e;
      inBytes = a === '-c';
    } else if (/^-\d+$/.test(a)) n = Number(a.slice(1));
    else if (a.startsWith('-n') || (bytes && a.startsWith('-c'))) {
      const e = take(a.slice(2), a.startsWith('-c') ? 'bytes' : 'lines');
      if (e !== null) return e;
      inBytes = a.startsWith('-c');
    }
  }
  return { n, bytes: inBytes, sign };
}

export const head: Command = (env, argv, stdin) => {
  const files: string[] = [];
  const c = countArg(argv, 'head', files, true);
  if (!('n' in c)) return c;
  const n = c.n;
  const input = filterInput(env, 'head', files, stdin);
  // -c N: the first N bytes (GNU's --bytes) instead of lines.
  if (c.bytes) {
    const buf = Buffer.from(input.text);
    return withInputErr(ok(buf.subarray(0, c.sign === '-' ? Math.max(0, buf.length - n) : n).toString()), input);
  }
  const lines = input.text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const sel = c.sign === '-' ? lines.slice(0, Math.max(0, lines.length - n)) : lines.slice(0, n);
  return withInputErr(ok(sel.length > 0 ? `${sel.join('\n')}\n` : ''), input);
};

export const tail: Command = (env, argv, stdin) => {
  const files: string[] = [];
  const c = countArg(argv, 'tail', files);
  if (!('n' in c)) return c;
  const n = c.n;
  const input = filterInput(env, 'tail', files, stdin);
  const lines = input.text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const sel = c.sign === '+' ? lines.slice(Math.max(0, n - 1)) : n === 0 ? [] : lines.slice(-n);
  return withInputErr(ok(sel.length > 0 ? `${sel.join('\n')}\n` : ''), input);
};

/**
 * wc (coreutils): lines, words and bytes (-l, -w, -c, -m for characters; all three by default), in that order.
 * One count of standard input prints bare; otherwise counts of standard input are 7 wide (coreutils cannot
 * know a pipe's size beforehand) and those of a file as wide as its size needs: a /proc file's size is 0, so 1.
 */
export const wc: Command = (env, argv, stdin) => {
  const want = { l: false, w: false, c: false, m: false };
  const files: string[] = [];
  const bad = getopt(argv, files, (c) => {
    if (c === 'l' || c === 'w' || c === 'c' || c === 'm') want[c] = true;
    else return fail('wc', `invalid option -- '${c}'\nTry 'wc --help' for more information.`);
    return undefined;
  });
  if (bad !== null) return bad;
  if (!want.l && !want.w && !want.c && !want.m) want.l = want.w = want.c = true;
  const input = filterInput(env, 'wc', files, stdin);
  const text = input.text;
  const counts: number[] = [];
  if (want.l) counts.push((text.match(/\n/g) ?? []).length);
  if (want.w) counts.push(text.split(/\s+/).filter((w) => w !== '').length);
  if (want.m) counts.push([...text].length);
  if (want.c) counts.push(Buffer.byteLength(text));
  const width = files.length === 0 && counts.length > 1 ? 7 : 1;
  const row = counts.map((n) => String(n).padStart(width)).join(' ');
  return withInputErr(ok(`${row}${files.length === 1 ? ` ${files[0]}` : ''}\n`), input);
};

/**
 * Whether the shell can open path for a > or >> redirection (it does so before the command runs): null, or the
 * errno it fails with (no such file, a directory, a file that takes no writes).
 */
export function openForWrite(k: Kernel, path: string, cwd = '/'): string | null {
  const p = resolvePath(path, cwd);
  if (!k.proc.exists(p) && pathToSysctlName(p) === null) return 'ENOENT';
  if (k.proc.isDir(p)) return 'EISDIR';
  const mode = k.proc.mode(p);
  return mode !== null && mode[2] !== 'w' ? 'EACCES' : null;
}

/** Write a command's output to a file the shell has opened (its > / >> redirection). */
export function redirectWrite(k: Kernel, cmdName: string, builtin: boolean, path: string, data: string, append = false, cwd = '/'): CommandOutput | null {
  // The shell opened it (openForWrite) before the command ran: what can fail now is the write itself.
  const e = k.proc.write(resolvePath(path, cwd), data, !append);
  if (e === null) return null;
  if (e === 'EACCES' || e === 'ENOENT') return failErrno('bash', path, e);
  return fail(builtin ? `bash: ${cmdName}` : cmdName, `write error: ${strerror(e)}`, 1, e);
}

/**
 * tee [-a] FILE...: its input to each file and to its output; the sudo-less form of `echo 3 | sudo tee
 * /proc/sys/vm/drop_caches`. A file it cannot write is its error, the others are still written.
 */
export const tee: Command = (env, argv, stdin) => {
  let append = false;
  const files: string[] = [];
  for (const a of argv.slice(1)) {
    if (a === '-a' || a === '--append') append = true;
    else if (a.startsWith('-') && a !== '-') return fail('tee', `invalid option -- '${a.replace(/^-+/, '').slice(0, 1)}'\nTry 'tee --help' for more information.`, 1);
    else files.push(a);
  }
  let err = '';
  let errno: string | undefined;
  for (const f of files) {
    // tee's own words, whether open(2) or write(2) failed: "tee: FILE: Invalid argument".
    const p = resolvePath(f, env.cwd);
    const e = !env.k.proc.exists(p) && pathToSysctlName(p) === null ? 'ENOENT' : env.k.proc.isDir(p) ? 'EISDIR' : env.k.proc.write(p, stdin, !append);
    if (e === null) continue;
    err += `tee: ${f}: ${strerror(e)}\n`;
    errno ??= e;
  }
  const out: CommandOutput = { out: stdin, err, status: err === '' ? 0 : 1 };
  if (errno !== undefined) out.errno = errno;
  return out;
};
