/**
 * pmap (procps-ng): a process's mappings, read from /proc/PID/maps (and /proc/PID/smaps for -x), printed as
 * pmap.c's one_proc() prints them: "PID:   cmdline", then "%016lx %6luK perms name" a mapping, " total %16ldK".
 */
import { fail, type Command, type ShellEnv } from './context.js';

interface MapsRow {
  start: bigint;
  end: bigint;
  perms: string;
  line: string;
}

function readMaps(text: string): MapsRow[] {
  const rows: MapsRow[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) /.exec(line);
    if (m === null) continue;
    rows.push({ start: BigInt(`0x${m[1] as string}`), end: BigInt(`0x${m[2] as string}`), perms: m[3] as string, line });
  }
  return rows;
}

/** mapping_name(): the file's base name (-p: its path), else [ stack ] or [ anon ] (the heap is anon to pmap). */
function mappingName(row: MapsRow, showPath: boolean): string {
  const slash = row.line.lastIndexOf('/');
  if (slash >= 0) return showPath ? row.line.slice(row.line.indexOf('/')) : row.line.slice(slash + 1);
  return row.line.endsWith(' [stack]') ? '  [ stack ]' : '  [ anon ]';
}

/** pmap's five-letter mode: r, w, x, then s for shared or - for private, then - (no MAP_NORESERVE here). */
const mode = (perms: string): string => `${perms.slice(0, 3)}${perms[3] === 's' ? 's' : '-'}-`;

/** The smaps fields pmap -x reads, per mapping in file order: Rss and the dirty pages, in kB. */
function readSmaps(text: string): { rss: number; dirty: number }[] {
  const out: { rss: number; dirty: number }[] = [];
  let cur: { rss: number; dirty: number } | null = null;
  for (const line of text.split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) out.push((cur = { rss: 0, dirty: 0 }));
    const m = /^(Rss|Shared_Dirty|Private_Dirty):\s+(\d+) kB/.exec(line);
    if (m === null || cur === null) continue;
    if (m[1] === 'Rss') cur.rss = Number(m[2]);
    else cur.dirty += Number(m[2]);
  }
  return out;
}

function onePid(env: ShellEnv, pid: number, extended: boolean, showPath: boolean): string | null {
  const maps = env.k.proc.read(`/proc/${pid}/maps`);
  const cmd = env.k.proc.read(`/proc/${pid}/cmdline`);
  if (!maps.ok || !cmd.ok) return null;
  const args = cmd.text.split('\0').filter((a) => a !== '').join(' ');
  // escape_command(ESC_BRACKETS): a task without a command line shows as [comm].
  const comm = env.k.proc.read(`/proc/${pid}/comm`);
  let out = `${pid}:   ${args !== '' ? args : `[${comm.ok ? comm.text.trim() : ''}]`}\n`;
  const rows = readMaps(maps.text);
  const total = rows.reduce((a, r) => a + (r.end - r.start), 0n) >> 10n;
  if (!extended) {
    for (const r of rows) out += `${r.start.toString(16).padStart(16, '0')} ${String((r.end - r.start) >> 10n).padStart(6)}K ${mode(r.perms)} ${mappingName(r, showPath)}\n`;
    return `${out} total ${String(total).padStart(16)}K\n`;
  }
  const smaps = env.k.proc.read(`/proc/${pid}/smaps`);
  const details = readSmaps(smaps.ok ? smaps.text : '');
  out += 'Address           Kbytes     RSS   Dirty Mode  Mapping\n';
  let rss = 0;
  let dirty = 0;
  rows.forEach((r, i) => {
    const d = details[i] ?? { rss: 0, dirty: 0 };
    rss += d.rss;
    dirty += d.dirty;
    out += `${r.start.toString(16).padStart(16, '0')} ${String((r.end - r.start) >> 10n).padStart(7)} ${String(d.rss).padStart(7)} ${String(d.dirty).padStart(7)} ${mode(r.perms)} ${mappingName(r, showPath)}\n`;
  });
  return `${out}---------------- ------- ------- ------- \ntotal kB         ${String(total).padStart(7)} ${String(rss).padStart(7)} ${String(dirty).padStart(7)}\n`;
}

export const pmap: Command = (env, argv) => {
  let extended = false;
  let showPath = false;
  const pids: number[] = [];
  for (const a of argv.slice(1)) {
    if (a === '-x' || a === '--extended') extended = true;
    else if (a === '-p' || a === '--show-path') showPath = true;
    else if (/^-[xp]+$/.test(a)) {
      extended ||= a.includes('x');
      showPath ||= a.includes('p');
    } else if (/^\d+$/.test(a)) pids.push(Number(a));
    else if (a.startsWith('-')) return fail('pmap', `invalid option -- '${a.replace(/^-+/, '')}'\n\nUsage:\n pmap [options] PID [PID ...]`, 1);
    else return fail('pmap', `invalid process id: ${a}`, 1);
  }
  if (pids.length === 0) return fail('pmap', 'argument missing\n\nUsage:\n pmap [options] PID [PID ...]', 1);
  let out = '';
  let status = 0;
  for (const pid of pids) {
    const text = onePid(env, pid, extended, showPath);
    // procps skips a process that is gone and exits 42 ("not found" in pmap.c's main).
    if (text === null) status = 42;
    else out += text;
  }
  return { out, err: '', status };
};
