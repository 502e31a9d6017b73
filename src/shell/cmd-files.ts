/** cat, echo, ls, sysctl, sync and the text filters (grep, head, tail, wc). */
import type { Kernel } from '../kernel/index.js';
import { syncAll } from '../kernel/mm/reclaim.js';
import { pathToSysctlName, sysctlNameToPath } from '../kernel/proc/sysctl-table.js';
import { strerror } from '../lib/errno.js';
import { fail, failErrno, ok, parseIntArg, type Command, type CommandOutput } from './context.js';

export function resolvePath(path: string): string {
  if (path.startsWith('/')) return path;
  return `/${path}`;
}

export const cat: Command = (env, argv, stdin) => {
  const files = argv.slice(1).filter((a) => a !== '-');
  if (argv.length === 1) return ok(stdin);
  let out = '';
  let err = '';
  let status = 0;
  let errno: string | undefined;
  for (const f of files) {
    const r = env.k.proc.read(resolvePath(f));
    if (r.ok) out += r.text;
    else {
      err += `cat: ${f}: ${strerror(r.errno)}\n`;
      status = 1;
      errno ??= r.errno;
    }
  }
  const res: CommandOutput = { out, err, status };
  if (errno !== undefined) res.errno = errno;
  return res;
};

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
  const paths = argv.slice(1).filter((a) => !a.startsWith('-'));
  if (paths.length === 0) paths.push('/proc');
  let out = '';
  let err = '';
  let status = 0;
  for (const p of paths) {
    const entries = env.k.proc.list(resolvePath(p));
    if (entries === null) {
      if (env.k.proc.exists(resolvePath(p))) out += `${p}\n`;
      else {
        err += `ls: cannot access '${p}': No such file or directory\n`;
        status = 2;
      }
      continue;
    }
    if (paths.length > 1) out += `${p}:\n`;
    out += entries.length > 0 ? `${entries.join('\n')}\n` : '';
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
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq >= 0) {
      const name = sysctlKey(a.slice(0, eq).trim());
      const value = a.slice(eq + 1).trim();
      const e = k.proc.sysctl.get(name);
      if (e === undefined) {
        if (!ignoreUnknown) {
          err += `sysctl: cannot stat ${sysctlNameToPath(name)}: No such file or directory\n`;
          status = 255;
          errno ??= 'ENOENT';
        }
        continue;
      }
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
    const e = k.proc.sysctl.get(name);
    if (e === undefined) {
      if (!ignoreUnknown) {
        err += `sysctl: cannot stat ${sysctlNameToPath(name)}: No such file or directory\n`;
        status = 255;
        errno ??= 'ENOENT';
      }
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

export const grep: Command = (_env, argv, stdin) => {
  let invert = false;
  let ignoreCase = false;
  let count = false;
  const rest: string[] = [];
  for (const a of argv.slice(1)) {
    if (/^-[vic]+$/.test(a)) {
      if (a.includes('v')) invert = true;
      if (a.includes('i')) ignoreCase = true;
      if (a.includes('c')) count = true;
    } else rest.push(a);
  }
  const pat = rest[0];
  if (pat === undefined) return fail('grep', 'usage: grep [-vic] PATTERN', 2);
  let re: RegExp;
  try {
    re = new RegExp(pat, ignoreCase ? 'i' : '');
  } catch {
    return fail('grep', `invalid regular expression: ${pat}`, 2);
  }
  const lines = stdin.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const hit = lines.filter((l) => re.test(l) !== invert);
  if (count) return { out: `${hit.length}\n`, err: '', status: hit.length > 0 ? 0 : 1 };
  return { out: hit.length > 0 ? `${hit.join('\n')}\n` : '', err: '', status: hit.length > 0 ? 0 : 1 };
};

function countArg(argv: string[], name: string): number | CommandOutput {
  let n = 10;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-n') {
      const v = parseIntArg(argv[++i]);
      if (v === null || v < 0) return fail(name, `invalid number of lines: '${argv[i] ?? ''}'`);
      n = v;
    } else if (/^-\d+$/.test(a)) n = Number(a.slice(1));
    else if (a.startsWith('-n')) {
      const v = parseIntArg(a.slice(2));
      if (v === null || v < 0) return fail(name, `invalid number of lines: '${a.slice(2)}'`);
      n = v;
    }
  }
  return n;
}

export const head: Command = (_env, argv, stdin) => {
  const n = countArg(argv, 'head');
  if (typeof n !== 'number') return n;
  const lines = stdin.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const sel = lines.slice(0, n);
  return ok(sel.length > 0 ? `${sel.join('\n')}\n` : '');
};

export const tail: Command = (_env, argv, stdin) => {
  const n = countArg(argv, 'tail');
  if (typeof n !== 'number') return n;
  const lines = stdin.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const sel = n === 0 ? [] : lines.slice(-n);
  return ok(sel.length > 0 ? `${sel.join('\n')}\n` : '');
};

export const wc: Command = (_env, argv, stdin) => {
  const lines = (stdin.match(/\n/g) ?? []).length;
  if (argv.includes('-l')) return ok(`${lines}\n`);
  const words = stdin.split(/\s+/).filter((w) => w !== '').length;
  return ok(`${String(lines).padStart(7)} ${String(words).padStart(7)} ${String(Buffer.byteLength(stdin)).padStart(7)}\n`);
};

/** Write a command's output to a file (the shell's > / >> redirection). */
export function redirectWrite(k: Kernel, cmdName: string, builtin: boolean, path: string, data: string): CommandOutput | null {
  const p = resolvePath(path);
  if (!k.proc.exists(p) && pathToSysctlName(p) === null) {
    return fail('bash', `${path}: No such file or directory`, 1, 'ENOENT');
  }
  if (k.proc.isDir(p)) return fail('bash', `${path}: Is a directory`, 1, 'EISDIR');
  const e = k.proc.write(p, data);
  if (e === null) return null;
  if (e === 'EACCES' || e === 'ENOENT') return failErrno('bash', path, e);
  return fail(builtin ? `bash: ${cmdName}` : cmdName, `write error: ${strerror(e)}`, 1, e);
}
