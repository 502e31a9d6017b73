/**
 * tr [-c] [-d] [-s] SET1 [SET2] (GNU coreutils) in the C locale: sets with backslash escapes (\n \t \\ \NNN),
 * ranges (a-z), [:class:] names and [c*n] repeats; translate, -d delete, -s squeeze repeats, -c the complement
 * of SET1. The classic: tr '\0' ' ' < /proc/PID/cmdline, here cat /proc/PID/cmdline | tr '\0' ' '.
 */
import { C_ESCAPES } from './cmd-printf.js';
import { fail, type Command } from './context.js';

const CLASSES: Readonly<Record<string, (c: number) => boolean>> = {
  alnum: (c) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122),
  alpha: (c) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122),
  blank: (c) => c === 32 || c === 9,
  cntrl: (c) => c < 32 || c === 127,
  digit: (c) => c >= 48 && c <= 57,
  graph: (c) => c > 32 && c < 127,
  lower: (c) => c >= 97 && c <= 122,
  print: (c) => c >= 32 && c < 127,
  punct: (c) => c > 32 && c < 127 && !((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)),
  space: (c) => c === 32 || (c >= 9 && c <= 13),
  upper: (c) => c >= 65 && c <= 90,
  xdigit: (c) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102),
};

/** A set's characters in order (codes 0-255), or tr's message. fillTo: the length a [c*] in SET2 fills it to. */
function expand(set: string, fillTo: number | null): number[] | string {
  const out: number[] = [];
  let fillAt = -1;
  let fillChar = 0;
  const charAt = (i: number): { c: number; next: number } => {
    if (set[i] === '\\' && i + 1 < set.length) {
      const m = /^[0-7]{1,3}/.exec(set.slice(i + 1));
      if (m !== null) return { c: parseInt(m[0], 8) & 0xff, next: i + 1 + m[0].length };
      const d = set[i + 1] as string;
      return { c: (C_ESCAPES[d] ?? d).charCodeAt(0), next: i + 2 };
    }
    return { c: set.charCodeAt(i), next: i + 1 };
  };
  for (let i = 0; i < set.length; ) {
    const cls = /^\[:([a-z]+):\]/.exec(set.slice(i));
    if (cls !== null) {
      const test = CLASSES[cls[1] as string];
      if (test === undefined) return `invalid character class '${cls[1]}'`;
      for (let c = 0; c < 256; c++) if (test(c)) out.push(c);
      i += cls[0].length;
      continue;
    }
    const rep = /^\[(\\?.)\*(\d*)\]/.exec(set.slice(i));
    if (rep !== null) {
      const { c } = charAt(i + 1);
      if (rep[2] === '' || Number(rep[2]) === 0) {
        fillAt = out.length;
        fillChar = c;
      } else for (let n = 0; n < Number(rep[2]); n++) out.push(c);
      i += rep[0].length;
      continue;
    }
    const a = charAt(i);
    if (set[a.next] === '-' && a.next + 1 < set.length) {
      const b = charAt(a.next + 1);
      if (b.c < a.c) return `range-endpoints of '${String.fromCharCode(a.c)}-${String.fromCharCode(b.c)}' are in reverse collating sequence order`;
      for (let c = a.c; c <= b.c; c++) out.push(c);
      i = b.next;
      continue;
    }
    out.push(a.c);
    i = a.next;
  }
  if (fillAt >= 0 && fillTo !== null) out.splice(fillAt, 0, ...new Array<number>(Math.max(0, fillTo - out.length)).fill(fillChar));
  return out;
}

export const tr: Command = (_env, argv, stdin) => {
  let complement = false;
  let del = false;
  let squeeze = false;
  const sets: string[] = [];
  for (const a of argv.slice(1)) {
    if (sets.length === 0 && /^-[cCds]+$/.test(a)) {
      complement ||= /[cC]/.test(a);
      del ||= a.includes('d');
      squeeze ||= a.includes('s');
    } else sets.push(a);
  }
  const usage = "Try 'tr --help' for more information.";
  if (sets.length === 0) return fail('tr', `missing operand\n${usage}`, 1);
  // Two sets to translate or to delete and squeeze; one to delete; one or two to squeeze.
  const min = del === squeeze ? 2 : 1;
  const max = del && !squeeze ? 1 : 2;
  if (sets.length < min) return fail('tr', `missing operand after '${sets[sets.length - 1]}'\n${del ? 'Two strings must be given when both deleting and squeezing repeats.' : 'Two strings must be given when translating.'}\n${usage}`, 1);
  if (sets.length > max) return fail('tr', `extra operand '${sets[max]}'\n${max === 1 ? 'Only one string may be given when deleting without squeezing repeats.\n' : ''}${usage}`, 1);
  const s1 = expand(sets[0] as string, null);
  if (typeof s1 === 'string') return fail('tr', s1, 1);
  let in1 = new Set(s1);
  if (complement) in1 = new Set(Array.from({ length: 256 }, (_, c) => c).filter((c) => !in1.has(c)));
  const s2raw = sets[1] !== undefined ? expand(sets[1], complement ? in1.size : s1.length) : [];
  if (typeof s2raw === 'string') return fail('tr', s2raw, 1);
  // Translation: SET1's i-th character becomes SET2's i-th, SET2's last one repeated past its end.
  const map = new Map<number, number>();
  const translating = !del && sets.length === 2;
  if (translating) {
    if (s2raw.length === 0) return fail('tr', 'when not truncating set1, string2 must be non-empty', 1);
    const from = complement ? [...in1] : s1;
    from.forEach((c, i) => map.set(c, s2raw[Math.min(i, s2raw.length - 1)] as number));
  }
  const squeezeSet = new Set(del || translating ? s2raw : [...in1]);
  let out = '';
  let last = -1;
  for (const ch of stdin) {
    let c = ch.charCodeAt(0);
    if (c > 255) {
      out += ch;
      last = -1;
      continue;
    }
    if (del && in1.has(c)) continue;
    c = map.get(c) ?? c;
    if (squeeze && c === last && squeezeSet.has(c)) continue;
    out += String.fromCharCode(c);
    last = c;
  }
  return { out, err: '', status: 0 };
};
