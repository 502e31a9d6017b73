/**
 * Pathname expansion (bash's globbing) on the machine's files: an unquoted *, ? or [...] in a word matches the
 * names of a directory, segment by segment (`cat /proc/[0-9]*\/comm`, `ls /proc/sys/vm/dirty_*`), the matches in
 * the C locale's byte order; a word that matches nothing stays as typed. The tokenizer marks the unquoted
 * pattern characters (GLOB_STAR, GLOB_ONE, GLOB_CLASS), so a quoted or escaped one stays a character.
 */
import type { Kernel } from '../kernel/index.js';
import { escapeRegExp } from '../lib/regexp.js';
import { resolvePath } from './cmd-files.js';
import { cmpC } from './cmd-text.js';

const GLOB_STAR = '\u0006';
const GLOB_ONE = '\u000e';
const GLOB_CLASS = '\u000f';
const MARKS = /[\u0006\u000e\u000f]/;

/** text with its *, ? and [ marked as patterns: an unquoted word's, or an unquoted expansion's. */
export function markGlob(text: string): string {
  return text.replace(/[*?[]/g, (c) => (c === '*' ? GLOB_STAR : c === '?' ? GLOB_ONE : GLOB_CLASS));
}

/** The word as typed: the marks back to *, ? and [. */
export function unmarkGlob(w: string): string {
  return w.replace(/[\u0006\u000e\u000f]/g, (c) => (c === GLOB_STAR ? '*' : c === GLOB_ONE ? '?' : '['));
}

export function hasGlob(w: string): boolean {
  return MARKS.test(w);
}

/** One path segment's pattern as a RegExp; null if it has no pattern character (a name to take as it is). */
function segmentRe(seg: string): RegExp | null {
  if (!MARKS.test(seg)) return null;
  let src = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i] as string;
    if (c === GLOB_STAR) src += '.*';
    else if (c === GLOB_ONE) src += '.';
    else if (c === GLOB_CLASS) {
      // [...] up to its ], [!...] or [^...] for a complement; an unclosed [ is a character.
      const end = seg.indexOf(']', i + 2);
      if (end < 0) {
        src += '\\[';
        continue;
      }
      let body = unmarkGlob(seg.slice(i + 1, end));
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      src += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else src += escapeRegExp(c);
  }
  // A name starting with a dot is matched only by a pattern starting with one, as bash does.
  return new RegExp(`^(?!\\.)${src}$`);
}

/** The paths a marked word matches, sorted; null when none does (the word then stays as typed). */
export function expandGlob(k: Kernel, cwd: string, word: string): string[] | null {
  if (!hasGlob(word)) return null;
  const absolute = word.startsWith('/');
  const segs = word.split('/');
  // Candidates as typed (relative stays relative) with their resolved paths.
  let found: { typed: string; path: string }[] = [{ typed: '', path: absolute ? '/' : resolvePath('.', cwd) }];
  segs.forEach((seg, n) => {
    if (seg === '' && n === 0 && absolute) return;
    if (seg === '') {
      found = found.map((f) => ({ typed: `${f.typed}/`, path: f.path }));
      return;
    }
    const re = segmentRe(seg);
    const next: { typed: string; path: string }[] = [];
    for (const f of found) {
      // The name after what was typed so far: "/" first for an absolute word, one "/" between segments.
      const prefix = f.typed === '' ? (absolute ? '/' : '') : f.typed.endsWith('/') ? f.typed : `${f.typed}/`;
      const join = (name: string): { typed: string; path: string } => ({ typed: `${prefix}${name}`, path: f.path === '/' ? `/${name}` : `${f.path}/${name}` });
      if (re === null) {
        const name = unmarkGlob(seg);
        const p = join(name);
        if (name === '.' || name === '..' || k.proc.exists(p.path) || k.proc.isDir(p.path)) next.push({ typed: p.typed, path: resolvePath(p.path) });
        continue;
      }
      if (!k.proc.isDir(f.path)) continue;
      for (const name of k.proc.list(f.path) ?? []) if (re.test(name)) next.push(join(name));
    }
    found = next;
  });
  if (found.length === 0) return null;
  return found.map((f) => f.typed).sort(cmpC);
}
