/** printf-style helpers for the kernel's seq_file formats. */

export function padL(v: string | number, w: number): string {
  return String(v).padStart(w);
}

export function padR(v: string | number, w: number): string {
  return String(v).padEnd(w);
}

/** SPLIT_NS(x) printed as "%Ld.%06ld" (ms and ns remainder), with C's truncating division for negatives. */
export function splitNsParts(ns: number): [string, string] {
  const neg = ns < 0;
  const a = Math.abs(ns);
  const ms = Math.floor(a / 1_000_000);
  const rem = a - ms * 1_000_000;
  return [`${neg ? '-' : ''}${ms}`, String(rem).padStart(6, '0')];
}

/** "%Ld.%06ld" of SPLIT_NS, with an optional width for the integer part ("%9Ld.%06ld"). */
export function splitNs(ns: number, width = 0): string {
  const [a, b] = splitNsParts(ns);
  return `${a.padStart(width)}.${b}`;
}

/** /proc/meminfo style: label padded to 16 incl. colon, value right-aligned in 8, " kB". */
export function kbLine(label: string, kb: number): string {
  return `${`${label}:`.padEnd(15)} ${String(kb).padStart(8)} kB`;
}

/** Nanoseconds to USER_HZ (100) clock ticks, as /proc/stat and /proc/PID/stat report times. */
export function nsToClockTicks(ns: number): number {
  return Math.floor(ns / 10_000_000);
}

/**
 * kstrtoull(s, 0) as the kernel's attribute writes parse: decimal, 0x hex or leading-0 octal, an optional leading
 * '+' and one trailing newline. 'EINVAL' for anything else, 'ERANGE' past 2^64 - 1.
 */
export function parseKstrtoull(data: string): bigint | 'EINVAL' | 'ERANGE' {
  const s = data.endsWith('\n') ? data.slice(0, -1) : data;
  const m = /^\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (m === null) return 'EINVAL';
  const body = m[1] as string;
  const v = /^0[xX]/.test(body) ? BigInt(body) : body.length > 1 && body.startsWith('0') ? BigInt(`0o${body.slice(1)}`) : BigInt(body);
  return v > 2n ** 64n - 1n ? 'ERANGE' : v;
}
