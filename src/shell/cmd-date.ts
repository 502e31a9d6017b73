/**
 * date (GNU coreutils) on the machine's clock: it booted at btime (/proc/stat) and the virtual time since has
 * passed. The default format is the C locale's "%a %b %e %H:%M:%S %Z %Y"; +FORMAT takes strftime's common
 * conversions and GNU's %N (nanoseconds) and %s. The machine's zone is UTC.
 */
import { BOOT_TIME_SEC } from '../kernel/proc/system.js';
import { fail, ok, type Command } from './context.js';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** strftime over a UTC date, with the nanoseconds within its second for %N. */
export function strftime(fmt: string, d: Date, ns: number): string {
  let out = '';
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i] as string;
    if (c !== '%' || i + 1 >= fmt.length) {
      out += c;
      continue;
    }
    const f = fmt[++i] as string;
    const day = d.getUTCDay();
    const mon = d.getUTCMonth();
    const start = Date.UTC(d.getUTCFullYear(), 0, 1);
    const yday = Math.floor((d.getTime() - start) / 86_400_000) + 1;
    switch (f) {
      case 'a': out += (DAYS[day] as string).slice(0, 3); break;
      case 'A': out += DAYS[day]; break;
      case 'b': case 'h': out += (MONTHS[mon] as string).slice(0, 3); break;
      case 'B': out += MONTHS[mon]; break;
      case 'd': out += two(d.getUTCDate()); break;
      case 'e': out += String(d.getUTCDate()).padStart(2); break;
      case 'm': out += two(mon + 1); break;
      case 'Y': out += String(d.getUTCFullYear()); break;
      case 'y': out += two(d.getUTCFullYear() % 100); break;
      case 'H': out += two(d.getUTCHours()); break;
      case 'I': out += two(((d.getUTCHours() + 11) % 12) + 1); break;
      case 'M': out += two(d.getUTCMinutes()); break;
      case 'S': out += two(d.getUTCSeconds()); break;
      case 'p': out += d.getUTCHours() < 12 ? 'AM' : 'PM'; break;
      case 'j': out += String(yday).padStart(3, '0'); break;
      case 'u': out += String(day === 0 ? 7 : day); break;
      case 'w': out += String(day); break;
      case 'N': out += String(ns).padStart(9, '0'); break;
      case 's': out += String(Math.floor(d.getTime() / 1000)); break;
      case 'Z': out += 'UTC'; break;
      case 'z': out += '+0000'; break;
      case 'F': out += `${d.getUTCFullYear()}-${two(mon + 1)}-${two(d.getUTCDate())}`; break;
      case 'T': out += `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`; break;
      case 'R': out += `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`; break;
      case 'D': out += `${two(mon + 1)}/${two(d.getUTCDate())}/${two(d.getUTCFullYear() % 100)}`; break;
      case 'c': out += strftime('%a %b %e %H:%M:%S %Y', d, ns); break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case '%': out += '%'; break;
      default: out += `%${f}`; // glibc prints an unknown conversion as it stands
    }
  }
  return out;
}

/** The machine's wall clock at virtual time ns: its boot time (/proc/stat btime) plus the time since. */
export function machineDate(ns: number): Date {
  return new Date(BOOT_TIME_SEC * 1000 + Math.floor(ns / 1e6));
}

export const date: Command = (env, argv) => {
  let format: string | null = null;
  for (const a of argv.slice(1)) {
    if (a.startsWith('+')) {
      if (format !== null) return fail('date', `extra operand '${a}'\nTry 'date --help' for more information.`);
      format = a.slice(1);
    } else if (a === '-u' || a === '--utc' || a === '--universal') continue;
    else if (a.startsWith('-')) return fail('date', `invalid option -- '${a.slice(1, 2)}'\nTry 'date --help' for more information.`);
    // Setting the clock: the machine's clock is the simulation's, which no command moves.
    else return fail('date', `cannot set date: Operation not permitted`);
  }
  return ok(`${strftime(format ?? '%a %b %e %H:%M:%S %Z %Y', machineDate(env.k.now), env.k.now % 1e9)}\n`);
};
