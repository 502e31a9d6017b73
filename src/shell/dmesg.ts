/**
 * dmesg (util-linux): the kernel log as people read it - plain, --decode, --ctime, --raw, --level, with the
 * caller column when CONFIG_PRINTK_CALLER is on.
 */
import { timestamp } from '../kernel/printk/readers.js';
import { LOGLEVEL_NAMES, type PrintkRecord } from '../kernel/printk/printk.js';
import { machineDate, strftime } from './cmd-date.js';

const FACILITY_NAMES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp'];

export interface DmesgOptions {
  decode?: boolean;
  ctime?: boolean;
  raw?: boolean;
  noTime?: boolean;
  levels?: ReadonlySet<number>;
  callerInfo?: boolean;
}

/** ctime()-style date of a record relative to the simulated boot date (dmesg -T). */
export function ctimeOf(tsNs: number): string {
  return strftime('%a %b %e %H:%M:%S %Y', machineDate(tsNs), 0);
}

/** dmesg's rendering of records. */
export function formatDmesg(records: readonly PrintkRecord[], o: DmesgOptions = {}): string {
  let out = '';
  for (const r of records) {
    if (o.levels !== undefined && !o.levels.has(r.level)) continue;
    let prefix = '';
    if (o.raw === true) prefix = `<${r.facility * 8 + r.level}>`;
    else if (o.decode === true) prefix = `${(FACILITY_NAMES[r.facility] ?? 'kern').padEnd(6)}:${(LOGLEVEL_NAMES[r.level] ?? 'warn').padEnd(6)}: `;
    let time = '';
    if (o.noTime !== true) time = o.ctime === true ? `[${ctimeOf(r.tsNs)}] ` : `[${timestamp(r.tsNs)}] `;
    const caller = o.callerInfo === true ? `[${r.caller.padStart(6)}] ` : '';
    for (const line of r.text.split('\n')) out += `${prefix}${time}${caller}${line}\n`;
  }
  return out;
}

/** dmesg --level names (util-linux): emerg, alert, crit, err, warn, notice, info, debug. */
export function parseLevelList(list: string): Set<number> | null {
  const out = new Set<number>();
  for (const name of list.split(',')) {
    const n = name.trim().toLowerCase();
    const i = (LOGLEVEL_NAMES as readonly string[]).indexOf(n === 'warning' ? 'warn' : n === 'error' ? 'err' : n);
    if (i < 0) {
      if (/^[0-7]$/.test(n)) out.add(Number(n));
      else return null;
    } else out.add(i);
  }
  return out;
}
