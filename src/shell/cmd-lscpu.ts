/**
 * lscpu (util-linux 2.39), read the way lscpu reads a machine: /proc/cpuinfo and /sys/devices/system/cpu. The
 * summary is its output to a pipe, which this command line is ("Field: data", the data in one column one space
 * after the longest field; the terminal's indented tree is a terminal's). Sections lscpu fills from what this
 * machine does not expose (sysfs caches and NUMA nodes, the hypervisor's cpuid leaf) are left out, as lscpu
 * leaves them out on a machine without them. -e is the extended table.
 */
import { CpuMask, parseCpuList } from '../kernel/sched/topology.js';
import { fail, ok, type Command, type ShellEnv } from './context.js';

/** The first processor's block of /proc/cpuinfo, by key. */
function cpuinfo(env: ShellEnv): Map<string, string> {
  const r = env.k.proc.read('/proc/cpuinfo');
  const m = new Map<string, string>();
  if (!r.ok) return m;
  for (const line of r.text.split('\n')) {
    if (line === '') break;
    const i = line.indexOf(':');
    if (i > 0) m.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return m;
}

function cpuSet(env: ShellEnv, name: string): number[] {
  const r = env.k.proc.read(`/sys/devices/system/cpu/${name}`);
  const text = r.ok ? r.text.trim() : '';
  return text === '' ? [] : parseCpuList(text, env.k.nrCpus);
}

/** libsmartcols' table without headings: the field column as wide as its widest cell, one space, the data. */
function fieldTable(rows: readonly [string, string][]): string {
  const w = Math.max(...rows.map(([f]) => f.length));
  return rows.map(([f, d]) => `${f.padEnd(w)} ${d}`.trimEnd()).join('\n') + '\n';
}

function summary(env: ShellEnv): string {
  // cpulist_create()'s "0-3,6" is the kernel's %*pbl list, which CpuMask prints.
  const cpuList = (cpus: readonly number[]): string => new CpuMask(env.k.nrCpus, cpus).toList();
  const info = cpuinfo(env);
  const present = cpuSet(env, 'present');
  const online = cpuSet(env, 'online');
  const rows: [string, string][] = [
    ['Architecture:', 'x86_64'],
    ['CPU op-mode(s):', '32-bit, 64-bit'],
  ];
  const addr = info.get('address sizes');
  if (addr !== undefined) rows.push(['Address sizes:', addr]);
  rows.push(['Byte Order:', 'Little Endian'], ['CPU(s):', String(present.length)], ['On-line CPU(s) list:', cpuList(online)]);
  const offline = present.filter((c) => !online.includes(c));
  if (offline.length > 0) rows.push(['Off-line CPU(s) list:', cpuList(offline)]);
  const vendor = info.get('vendor_id');
  if (vendor !== undefined) rows.push(['Vendor ID:', vendor]);
  rows.push(['Model name:', info.get('model name') ?? '-']);
  const family = info.get('cpu family');
  if (family !== undefined) rows.push(['CPU family:', family]);
  const model = info.get('model');
  if (model !== undefined) rows.push(['Model:', model]);
  // The topology of cpuinfo's siblings (threads in a package) and cpu cores (cores in a package).
  const siblings = Number(info.get('siblings') ?? online.length);
  const cores = Number(info.get('cpu cores') ?? online.length);
  const threads = Math.max(1, Math.floor(siblings / Math.max(1, cores)));
  rows.push(['Thread(s) per core:', String(threads)], ['Core(s) per socket:', String(cores)], ['Socket(s):', String(Math.max(1, Math.floor(online.length / Math.max(1, siblings))))]);
  const stepping = info.get('stepping');
  if (stepping !== undefined) rows.push(['Stepping:', stepping]);
  const bogomips = info.get('bogomips');
  if (bogomips !== undefined) rows.push(['BogoMIPS:', bogomips]);
  const flags = info.get('flags');
  if (flags !== undefined) rows.push(['Flags:', flags]);
  return fieldTable(rows);
}

/** lscpu -e: a row per CPU (CPU, SOCKET, CORE, ONLINE; right-aligned under right-aligned headings). */
function extended(env: ShellEnv): string {
  const present = cpuSet(env, 'present');
  const online = new Set(cpuSet(env, 'online'));
  const info = cpuinfo(env);
  const cores = Math.max(1, Number(info.get('cpu cores') ?? present.length));
  const rows = present.map((c) => (online.has(c) ? [String(c), String(Math.floor(c / cores)), String(c % cores), 'yes'] : [String(c), '-', '-', 'no']));
  const head = ['CPU', 'SOCKET', 'CORE', 'ONLINE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i] as number)).join(' ');
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

export const lscpu: Command = (env, argv) => {
  let ext = false;
  const usage = "Try 'lscpu --help' for more information.";
  for (const a of argv.slice(1)) {
    if (a === '-e' || a === '--extended') ext = true;
    else if (a === '-a' || a === '--all' || a === '-b' || a === '--online' || a === '-c' || a === '--offline') {
      if (!argv.includes('-e') && !argv.includes('--extended')) return fail('lscpu', 'options --all, --online and --offline may only be used with options --extended or --parse.');
    } else if (/^(-[BCJpsxy]|--(bytes|caches|json|parse|sysroot|hex|physical|output-all))/.test(a)) {
      return fail('lscpu', `${a}: not on this machine (its lscpu prints the summary and -e)`);
    } else if (a.startsWith('-')) return fail('lscpu', a.startsWith('--') ? `unrecognized option '${a}'\n${usage}` : `invalid option -- '${a.slice(1, 2)}'\n${usage}`);
    else return fail('lscpu', `bad usage\n${usage}`);
  }
  return ok(ext ? extended(env) : summary(env));
};
