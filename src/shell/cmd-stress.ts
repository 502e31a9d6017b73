/**
 * stress-ng, the load generator of every scheduler lesson, for the stressors a kernel lesson uses: --cpu (a busy
 * loop), --io (sync(2) over and over: a system call, then a wait on the disk in D state), --vm (mmap, touch every
 * page, munmap) and --hdd (write a file through the page cache). As the real one does, a parent `stress-ng`
 * forks the workers (stress-ng-cpu, ...) and waits for them; with --timeout it stops them then (pkill -P, here)
 * and exits. The command itself returns at once, like `stress-ng ... &`: the machine runs on.
 */
import { parseCpuList } from '../kernel/sched/topology.js';
import { fail, ok, parseIntArg, type Command } from './context.js';

type Stressor = 'cpu' | 'io' | 'vm' | 'hdd';

/** stress-ng's sizes: a number with an optional b, k, m or g (powers of 1024). */
function parseSize(v: string): number | null {
  const m = /^(\d+)([bkmg]?)$/i.exec(v);
  if (m === null) return null;
  const n = Number(m[1]) * ({ '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] as string).toLowerCase()] ?? 1);
  return Number.isSafeInteger(n) ? n : null;
}

/** stress-ng's times: seconds, or a number with s, m, h or d. In ns. */
function parseTime(v: string): number | null {
  const m = /^(\d+)([smhd]?)$/.exec(v);
  if (m === null) return null;
  const ns = Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as string] ?? 1) * 1e9;
  return Number.isSafeInteger(ns) ? ns : null;
}

/** What each worker runs, in scenario syntax. */
function workerProgram(s: Stressor, vmBytes: number, hddBytes: number): unknown[] {
  switch (s) {
    case 'cpu':
      return [{ run: 'forever' }];
    case 'io':
      return [{ loop: [{ run: '20us', kernel: true }, { io: { uniform: ['500us', '2ms'] } }] }];
    case 'vm':
      return [{ loop: [{ alloc: vmBytes }, { free: 'all' }] }];
    case 'hdd':
      return [{ loop: [{ 'write-file': { file: '/tmp/stress-ng-hdd', size: hddBytes } }, { run: '1ms' }] }];
  }
}

const USAGE =
  'usage: stress-ng [--cpu N] [--io N] [--vm N [--vm-bytes SIZE]] [--hdd N [--hdd-bytes SIZE]] [--timeout T] [--sched POLICY [--sched-prio N]] [--taskset LIST]\n' +
  '       N <= 0 means one per online CPU; T like 60, 60s, 2m; SIZE like 256M';

export const stressNg: Command = (env, argv) => {
  if (env.spawn === undefined) return fail('stress-ng', 'not available', 1);
  const counts = new Map<Stressor, number>();
  let vmBytes = 256 * 1024 ** 2;
  let hddBytes = 1024 ** 3;
  let timeoutNs: number | null = null;
  let policy: string | undefined;
  let rtPriority: number | undefined;
  let cpus: string | undefined;
  const online = env.k.rqs.filter((r) => r.online).length;
  for (let i = 1; i < argv.length; i++) {
    const raw = argv[i] as string;
    // --opt=value and --opt value, as getopt_long takes them.
    const eq = raw.indexOf('=');
    const a = raw.startsWith('--') && eq > 0 ? raw.slice(0, eq) : raw;
    const value = (): string | undefined => (raw.startsWith('--') && eq > 0 ? raw.slice(eq + 1) : argv[++i]);
    const stressor = /^--(cpu|io|vm|hdd)$/.exec(a)?.[1] as Stressor | undefined;
    if (stressor !== undefined) {
      const v = value();
      const n = parseIntArg(v);
      if (n === null) return fail('stress-ng', `invalid number of ${stressor} stressors '${v ?? ''}'`, 1);
      counts.set(stressor, n <= 0 ? online : Math.min(n, 4096));
    } else if (a === '--vm-bytes' || a === '--hdd-bytes') {
      const v = value();
      const b = parseSize(v ?? '');
      if (b === null || b < 4096) return fail('stress-ng', `invalid ${a.slice(2)} '${v ?? ''}'`, 1);
      if (a === '--vm-bytes') vmBytes = b;
      else hddBytes = b;
    } else if (a === '--timeout' || a === '-t') {
      const v = value() ?? '';
      const ns = parseTime(v);
      if (ns === null || ns <= 0) return fail('stress-ng', `invalid timeout '${v}'`, 1);
      timeoutNs = ns;
    } else if (a === '--sched') {
      const v = value() ?? '';
      const names: Record<string, string> = { other: 'normal', normal: 'normal', batch: 'batch', idle: 'idle', fifo: 'fifo', rr: 'rr' };
      if (names[v] === undefined) return fail('stress-ng', `invalid scheduler '${v}' (other, batch, idle, fifo or rr)`, 1);
      policy = names[v];
    } else if (a === '--sched-prio') {
      const v = value();
      const n = parseIntArg(v);
      if (n === null) return fail('stress-ng', `invalid sched-prio '${v ?? ''}'`, 1);
      rtPriority = n;
    } else if (a === '--taskset') {
      cpus = value();
    } else return fail('stress-ng', `unrecognized option '${raw}'\n${USAGE}`, 1);
  }
  const used = [...counts].filter(([, n]) => n > 0);
  if (used.length === 0) return fail('stress-ng', `no stressors given\n${USAGE}`, 1);
  if ((policy === 'fifo' || policy === 'rr') && rtPriority === undefined) rtPriority = 1;
  const program: unknown[] = used.map(([s, n]) => ({ fork: { comm: `stress-ng-${s}`, program: workerProgram(s, vmBytes, hddBytes) }, count: n }));
  if (timeoutNs !== null) program.push({ sleep: `${timeoutNs}ns` }, { sh: 'pkill -P $$' });
  program.push({ wait: 'all' }, { exit: 0 });
  const req: Parameters<NonNullable<typeof env.spawn>>[0] = { preset: null, json: JSON.stringify({ comm: 'stress-ng', program }) };
  if (policy !== undefined) req.policy = policy;
  if (rtPriority !== undefined) req.rtPriority = rtPriority;
  if (cpus !== undefined) {
    try {
      req.cpus = parseCpuList(cpus, env.k.nrCpus);
    } catch (e) {
      return fail('stress-ng', `invalid taskset '${cpus}': ${(e as Error).message}`, 1);
    }
  }
  const r = env.spawn(req);
  if (r.error !== null || r.pids.length === 0) return fail('stress-ng', r.message ?? `cannot start: ${r.error ?? 'no task'}`, 1);
  const pid = r.pids[0] as number;
  return ok(`stress-ng: info:  [${pid}] dispatching hogs: ${used.map(([s, n]) => `${n} ${s}`).join(', ')}\n`);
};
