/** cat, echo, ls, sysctl, sync and the text filters (grep, head, tail, wc). */
import type { Kernel } from '../kernel/index.js';
import { syncAll } from '../kernel/mm/reclaim.js';
import { pathToSysctlName, sysctlNameToPath } from '../kernel/proc/sysctl-table.js';
import { strerror } from '../lib/errno.js';
import { fail, failErrno, getopt, ok, parseIntArg, type Command, type CommandOutput } from './context.js';

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

export const cat: Command = (env, argv, stdin) => {
  const files = argv.slice(1).filter((a) => a !== '-');
  if (argv.length === 1) return ok(stdin);
  let out = '';
  let err = '';
  let status = 0;
  let errno: string | undefined;
  for (const f of files) {
    const r = env.k.proc.read(resolvePath(f, env.cwd));
    if (r.ok) out += r.text;
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
    if (args[0].includes('n')) newline = false;
    if (args[0].includes('e')) escapes = true;
    args = args.slice(1);
  }
  let text = args.join(' ');
  if (escapes) text = text.replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\\\\/g, '\\');
  return ok(newline ? `${text}\n` : text);
};

export const ls: Command = (env, argv) => {
  const proc = env.k.proc;
  const long = argv.slice(1).some((a) => /^-[a-zA-Z]*l/.test(a));
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
    if (proc.isDir(path)) dirs.push(p);
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

export const grep: Command = (env, argv, stdin) => {
  let invert = false;
  let ignoreCase = false;
  let count = false;
  let extended = false;
  let fixed = false;
  let quiet = false;
  let words = false;
  const rest: string[] = [];
  for (const a of argv.slice(1)) {
    if (/^-[vicEFqw]+$/.test(a)) {
      if (a.includes('v')) invert = true;
      if (a.includes('i')) ignoreCase = true;
      if (a.includes('c')) count = true;
      if (a.includes('E')) extended = true;
      if (a.includes('F')) fixed = true;
      // -q: no output, only the status (if grep -q ...; then); -w: the match must be a whole word.
      if (a.includes('q')) quiet = true;
      if (a.includes('w')) words = true;
    } else rest.push(a);
  }
  const pat = rest[0];
  if (pat === undefined) return fail('grep', 'usage: grep [-vicEFqw] PATTERN [FILE]...', 2);
  let re: RegExp;
  try {
    const src = fixed ? pat.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : extended ? pat : breToJs(pat);
    re = new RegExp(words ? `(?<![\\w])(?:${src})(?![\\w])` : src, ignoreCase ? 'i' : '');
  } catch {
    return fail('grep', `invalid regular expression: ${pat}`, 2);
  }
  const input = filterInput(env, 'grep', rest.slice(1), stdin);
  const lines = input.text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const hit = lines.filter((l) => re.test(l) !== invert);
  if (quiet) return withInputErr({ out: '', err: '', status: hit.length > 0 ? 0 : 1 }, input);
  if (count) return withInputErr({ out: `${hit.length}\n`, err: '', status: hit.length > 0 ? 0 : 1 }, input);
  return withInputErr({ out: hit.length > 0 ? `${hit.join('\n')}\n` : '', err: '', status: hit.length > 0 ? 0 : 1 }, input);
};

/** head/tail's count: -n N, -nN or -N lines (10 by default); with `bytes` allowed, -c N or -cN bytes instead. */
function countArg(argv: string[], name: string, files: string[], bytes = false): { n: number; bytes: boolean } | CommandOutput {
  let n = 10;
  let inBytes = false;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith('-') || a === '-') files.push(a);
    else if (a === '-n' || (bytes && a === '-c')) {
      const v = parseIntArg(argv[++i]);
      if (v === null || v < 0) return fail(name, `invalid number of ${a === '-c' ? 'bytes' : 'lines'}: '${argv[i] ?? ''}'`);
      n = v;
      inBytes = a === '-c';
    } else if (/^-\d+$/.test(a)) n = Number(a.slice(1));
    else if (a.startsWith('-n') || (bytes && a.startsWith('-c'))) {
      const v = parseIntArg(a.slice(2));
      if (v === null || v < 0) return fail(name, `invalid number of ${a.startsWith('-c') ? 'bytes' : 'lines'}: '${a.slice(2)}'`);
      n = v;
      inBytes = a.startsWith('-c');
    }
  }
  return { n, bytes: inBytes };
}

export const head: Command = (env, argv, stdin) => {
  const files: string[] = [];
  const c = countArg(argv, 'head', files, true);
  if (!('n' in c)) return c;
  const n = c.n;
  const input = filterInput(env, 'head', files, stdin);
  // -c N: the first N bytes (GNU's --bytes) instead of lines.
  if (c.bytes) return withInputErr(ok(Buffer.from(input.text).subarray(0, n).toString()), input);
  const lines = input.text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const sel = lines.slice(0, n);
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
  const sel = n === 0 ? [] : lines.slice(-n);
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

/** Write a command's output to a file (the shell's > / >> redirection). */
export function redirectWrite(k: Kernel, cmdName: string, builtin: boolean, path: string, data: string, append = false, cwd = '/'): CommandOutput | null {
  const p = resolvePath(path, cwd);
  if (!k.proc.exists(p) && pathToSysctlName(p) === null) {
    return fail('bash', `${path}: No such file or directory`, 1, 'ENOENT');
  }
  if (k.proc.isDir(p)) return fail('bash', `${path}: Is a directory`, 1, 'EISDIR');
  const e = k.proc.write(p, data, !append);
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
