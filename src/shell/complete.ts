/**
 * Tab completion for the command line, as bash's readline does it: the word before the cursor is a command
 * name when it is the first of its command, else a path, from "/" or from the working directory (the machine's
 * /proc, /sys and /dev, directories ending in "/"). One match completes (a space after a command or file); several extend
 * to their common prefix, and when that adds nothing the candidates are listed for the person to choose.
 */
import type { Kernel } from '../kernel/index.js';
import { resolvePath } from './cmd-files.js';

export interface Completion {
  text: string;
  cursor: number;
  /** The choices when the word is ambiguous (shown, not inserted); empty otherwise. */
  candidates: string[];
}

function commonPrefix(xs: readonly string[]): string {
  let p = xs[0] ?? '';
  for (const x of xs) while (!x.startsWith(p)) p = p.slice(0, -1);
  return p;
}

/** Complete the word before cursor in text; commands are the command line's names (help lists them). */
export function completeLine(k: Kernel, commands: readonly string[], text: string, cursor: number, cwd = '/'): Completion {
  const before = text.slice(0, cursor);
  const word = /[^\s|;&<>`'"$()]*$/.exec(before)?.[0] ?? '';
  const start = before.length - word.length;
  // The first word of a command: at the line's start or after |, ;, &&, ||, or $( .
  const first = /(^|[|;&(`])\s*$/.test(before.slice(0, start));
  let matches: string[];
  let prefixLen: number;
  if (word.startsWith('/') || (!first && !word.startsWith('-'))) {
    // A path: absolute, or (not a command's name) relative to the working directory.
    const slash = word.lastIndexOf('/');
    const typed = slash < 0 ? '' : word.slice(0, slash + 1);
    const dir = resolvePath(typed === '' ? '.' : typed, cwd);
    const leaf = word.slice(slash + 1);
    const under = (n: string): string => (dir === '/' ? `/${n}` : `${dir}/${n}`);
    matches = (k.proc.list(dir) ?? []).filter((n) => n.startsWith(leaf)).map((n) => `${typed}${n}${k.proc.isDir(under(n)) ? '/' : ''}`);
    prefixLen = slash + 1;
  } else if (first) {
    matches = commands.filter((c) => c.startsWith(word)).sort();
    prefixLen = 0;
  } else return { text, cursor, candidates: [] };
  if (matches.length === 0) return { text, cursor, candidates: [] };
  const one = matches.length === 1;
  const common = one ? (matches[0] as string) : commonPrefix(matches);
  const add = one && !common.endsWith('/') ? `${common} ` : common;
  if (add.length > word.length) {
    const after = text.slice(cursor);
    return { text: text.slice(0, start) + add + after, cursor: start + add.length, candidates: [] };
  }
  // Nothing to add: list the choices (their last part, as readline does for paths).
  return { text, cursor, candidates: one ? [] : matches.map((m) => m.slice(prefixLen)) };
}
