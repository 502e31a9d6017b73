/**
 * The kernel's own readers of its log: /dev/kmsg records and /proc/kmsg (syslog) lines. Multi-line records
 * print one line per line of text, each with the prefix, as record_print_text() does.
 */
import type { PrintkRecord } from './printk.js';

/** Escape for /dev/kmsg: non-printable bytes and backslash as \xNN. */
function kmsgEscape(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    if (c < 0x20 || c === 0x7f || c === 0x5c) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

/** One /dev/kmsg record: "prio,seq,usec,flag[,caller=...];text\n". */
export function devKmsgLine(r: PrintkRecord, callerInfo: boolean): string {
  const prio = r.facility * 8 + r.level;
  const usec = Math.floor(r.tsNs / 1000);
  const caller = callerInfo ? `,caller=${r.caller}` : '';
  return `${prio},${r.seq},${usec},-${caller};${kmsgEscape(r.text)}\n`;
}

export function timestamp(tsNs: number): string {
  const us = Math.floor(tsNs / 1000);
  const s = Math.floor(us / 1_000_000);
  return `${String(s).padStart(5)}.${String(us % 1_000_000).padStart(6, '0')}`;
}

/** /proc/kmsg (syslog format): "<N>[    t] text" per line. */
export function procKmsgLines(r: PrintkRecord): string {
  const prio = r.facility * 8 + r.level;
  return r.text
    .split('\n')
    .map((l) => `<${prio}>[${timestamp(r.tsNs)}] ${l}\n`)
    .join('');
}

