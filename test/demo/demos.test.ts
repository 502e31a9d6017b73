/**
 * Every demo under demo/ runs, and does what its description promises. Each claim is checked on the machine's
 * own numbers (the headless JSON), not on text; a golden summary of every demo's first seconds catches any
 * unintended change of behaviour (regenerate with UPDATE_GOLDEN=1 after an intended one, and say why).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

const DEMO_DIR = join(import.meta.dirname, '../../demo');
const demos = readdirSync(DEMO_DIR).filter((f) => f.endsWith('.json')).sort();

interface TaskRow {
  pid: number;
  comm: string;
  policy: string;
  state: string;
  cpuTimeNs: number;
  runDelayNs: number;
  nrVoluntarySwitches: number;
  exitReason?: string;
}
interface Summary {
  simTimeNs: number;
  tasks: TaskRow[];
  memory: Record<string, number>;
  oomKills: { t: number; victimComm: string; trigger: string }[];
  actions: { t: number; action: string; error: string | null; output?: string }[];
  dmesg: { tNs: number; level: number; text: string }[];
}

function run(file: string, ...args: string[]): Summary {
  const r = cli('headless', '--scenario', join(DEMO_DIR, file), '--json', ...args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Summary;
}

const byComm = (j: Summary, comm: string): TaskRow[] => j.tasks.filter((t) => t.comm === comm);
/** What the demo's `sh` action at t seconds printed. */
const shOutput = (j: Summary, t: number): string => j.actions.find((a) => a.t === t * 1e9 && a.output !== undefined && a.output !== '')?.output ?? '';
/** The number a regular expression's first group finds in a text. */
const num = (text: string, re: RegExp): number => Number(re.exec(text)?.[1]);

/** demo/NAME.out is `kernsim headless --scenario demo/NAME.json` (runs longer than 30 s are cut at 30 s). */
function goldenArgs(file: string): string[] {
  const scenario = JSON.parse(readFileSync(join(DEMO_DIR, file), 'utf8')) as { duration?: string };
  const long = scenario.duration !== undefined && /^(\d+)m$/.test(scenario.duration);
  return ['headless', '--scenario', `demo/${file}`, ...(long ? ['--duration', '30s'] : [])];
}

describe('demo/*.out: each demo\'s headless output, as documented', () => {
  it.each(demos)('%s', (file) => {
    const r = cli(...goldenArgs(file).map((a) => (a.startsWith('demo/') ? join(DEMO_DIR, a.slice(5)) : a)));
    expect(r.stderr).toBe('');
    const golden = join(DEMO_DIR, file.replace(/\.json$/, '.out'));
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(golden)) {
      // A missing golden file is a failure in CI (it must be committed), a fresh one locally.
      if (process.env.CI !== undefined && process.env.UPDATE_GOLDEN !== '1') throw new Error(`missing ${golden}`);
      writeFileSync(golden, r.stdout);
    }
    expect(r.stdout).toBe(readFileSync(golden, 'utf8'));
  });
});

describe('demos do what their descriptions say', () => {
  it('default: 8 CPUs, every class busy, and an OOM kill of the leak within the first minute', () => {
    const j = run('default.json', '--duration', '60s');
    expect(j.oomKills.length).toBeGreaterThanOrEqual(1);
    expect(j.oomKills[0]?.victimComm).toBe('leaky');
    expect(j.oomKills[0]?.t).toBeLessThan(60e9);
    const policies = new Set(j.tasks.filter((t) => t.cpuTimeNs > 0).map((t) => t.policy));
    for (const p of ['normal', 'batch', 'fifo', 'deadline']) expect(policies).toContain(p);
    expect(byComm(j, 'database')[0]?.exitReason).toBeUndefined();
    expect(byComm(j, 'cc1').length).toBeGreaterThan(20);
    // Shares follow the weights: the nice -5 hog got more CPU than the nice 5 one.
    expect(byComm(j, 'hog-nice-5')[0]?.cpuTimeNs).toBeGreaterThan(byComm(j, 'hog-nice5')[0]?.cpuTimeNs ?? Infinity);
  });

  it('rt-throttling: 5% for the fair hog while throttling is on, nothing once sched_rt_runtime_us is -1', () => {
    const first = run('rt-throttling.json', '--duration', '5s');
    const all = run('rt-throttling.json');
    const fair = (j: Summary): number => byComm(j, 'fair-hog')[0]?.cpuTimeNs ?? NaN;
    expect(Math.abs(fair(first) - 250e6)).toBeLessThan(5e6);
    expect(fair(all)).toBe(fair(first));
    expect(byComm(all, 'rt-hog')[0]?.cpuTimeNs).toBeGreaterThan(9.7e9);
  });

  it('interactive-vs-batch: the editor waits about as long beside batch hogs as beside normal ones, half as long beside idle ones', () => {
    // Mean wait per wakeup in each 3-4 s phase, from the cumulative run delay and voluntary switches.
    const at = (d: string, file = 'interactive-vs-batch.json'): [number, number] => {
      const e = byComm(run(file, '--duration', d), 'editor')[0] as TaskRow;
      return [e.runDelayNs, e.nrVoluntarySwitches];
    };
    const [a, b, c] = [at('3s'), at('6s'), at('10s')];
    const mean = (x: [number, number], y: [number, number]): number => (y[0] - x[0]) / (y[1] - x[1]);
    const normal = mean([0, 0], a);
    const batch = mean(a, b);
    const idle = mean(b, c);
    expect(batch / normal).toBeGreaterThan(0.7);
    expect(batch / normal).toBeLessThan(1.3);
    expect(idle / normal).toBeLessThan(0.7);
    expect(idle).toBeGreaterThan(0);
  });

  it('pressure: little cpu pressure, a fifth io some and no io full; cpu some toward 100% once every CPU has a second hog', () => {
    const j = run('pressure.json') as Summary & { actions: { t: number; output?: string }[] };
    const psi = (t: number): { some: number[]; full: number[] }[] => {
      const lines = shOutput(j, t).trim().split('\n').map((l) => (/avg10=([\d.]+) avg60=([\d.]+) avg300=([\d.]+) total=(\d+)/.exec(l) ?? []).slice(1).map(Number));
      const res: { some: number[]; full: number[] }[] = [];
      for (let i = 0; i + 1 < lines.length; i += 2) res.push({ some: lines[i] as number[], full: lines[i + 1] as number[] });
      return res;
    };
    const [cpu19, io19] = psi(19);
    const [cpu59, io59, mem59] = psi(59);
    if (cpu19 === undefined || io19 === undefined || cpu59 === undefined || io59 === undefined || mem59 === undefined) throw new Error('missing /proc/pressure output');
    // total is in µs: shares of the 19 s so far.
    expect(cpu19.some[3] as number).toBeGreaterThan(0);
    expect((cpu19.some[3] as number) / 19e6).toBeLessThan(0.1);
    expect((io19.some[3] as number) / 19e6).toBeGreaterThan(0.15);
    expect((io19.some[3] as number) / 19e6).toBeLessThan(0.25);
    expect(io19.full[3]).toBe(0);
    expect(cpu59.some[0]).toBeGreaterThan(90);
    expect(cpu59.some[1]).toBeLessThan(cpu59.some[0] as number);
    expect(cpu59.some[2]).toBeLessThan(cpu59.some[1] as number);
    // The database, waiting longer for its CPU, spends less of its time on I/O: io some grows slower after 20 s.
    expect(((io59.some[3] as number) - (io19.some[3] as number)) / 40e6).toBeLessThan((io19.some[3] as number) / 19e6);
    expect(io59.full[3]).toBe(0);
    expect(mem59.some[3]).toBe(0);
  });

  it('thrashing: no memory pressure until the job starts, then refaults and full memory stalls, and no OOM kill', () => {
    const j = run('thrashing.json');
    const before = shOutput(j, 9);
    const after = shOutput(j, 29);
    expect(num(before, /^some .* total=(\d+)$/m)).toBe(0);
    expect(num(before, /^workingset_refault_file (\d+)$/m)).toBe(0);
    expect(num(after, /^workingset_refault_file (\d+)$/m)).toBeGreaterThan(50_000);
    const some = num(after, /^some .* total=(\d+)$/m);
    const full = num(after, /^full .* total=(\d+)$/m);
    expect(num(after, /^some avg10=([\d.]+)/m)).toBeGreaterThan(5);
    expect(full).toBeGreaterThan(some * 0.9);
    expect(full).toBeLessThanOrEqual(some);
    expect(j.oomKills).toHaveLength(0);
  });

  it('swapping: no paging while one cache fits, then swap-outs, refaults read back as memory stalls, and no OOM kill', () => {
    const j = run('swapping.json');
    const before = shOutput(j, 9);
    const after = shOutput(j, 29);
    for (const name of ['pswpin', 'pswpout', 'pgmajfault']) expect(num(before, new RegExp(`^${name} (\\d+)$`, 'm'))).toBe(0);
    const swpin = num(after, /^pswpin (\d+)$/m);
    // Both caches keep cycling through 500 MiB each: well over their size is read back and written out.
    expect(swpin).toBeGreaterThan(2 * 128_000);
    expect(num(after, /^pswpout (\d+)$/m)).toBeGreaterThan(2 * 128_000);
    // Each major fault reads a cluster of 8 pages back (vm.page-cluster 3), and here every page is a refault of
    // the workingset: evicted only a pass ago.
    expect(num(after, /^pgmajfault (\d+)$/m)).toBeGreaterThanOrEqual(swpin / 8);
    expect(num(after, /^pgmajfault (\d+)$/m)).toBeLessThan((swpin / 8) * 1.05);
    expect(num(after, /^workingset_refault_anon (\d+)$/m)).toBeGreaterThan(0.9 * swpin);
    // /proc/swaps: the partition's Used (kB) is the swap free calls used (MiB, rounded down).
    const used = num(after, /^\/dev\/vda2 +partition\t\d+\t+(\d+)\t+-2$/m);
    expect(Math.floor(used / 1024)).toBe(num(after, /^Swap: +\d+ +(\d+) /m));
    expect(used).toBeGreaterThan(10_000);
    // So the waits are memory stalls, full ones (nothing else runs on the caches' CPUs).
    expect(num(after, /^some avg10=([\d.]+)/m)).toBeGreaterThan(10);
    const some = num(after, /^some .* total=(\d+)$/m);
    const full = num(after, /^full .* total=(\d+)$/m);
    expect(full).toBeGreaterThan(some * 0.9);
    expect(full).toBeLessThanOrEqual(some);
    // vmstat 5 from 4 s: si and so (KiB/s over each 5 s) are 0 while one cache fits (the line at 9 s), then both
    // run at thousands once the second has started (14 s on), and the idle CPUs wait on them (wa); free's Swap
    // line agrees.
    const vm = shOutput(j, 4)
      .trimEnd()
      .split('\n')
      .slice(2)
      .map((l) => l.trim().split(/\s+/).map(Number));
    expect(vm).toHaveLength(6);
    expect([vm[1]?.[6], vm[1]?.[7]]).toEqual([0, 0]);
    for (const line of vm.slice(3)) {
      expect(line[6]).toBeGreaterThan(1000);
      expect(line[7]).toBeGreaterThan(1000);
      expect(line[15]).toBeGreaterThan(10);
    }
    expect(num(after, /^Swap: +\d+ +(\d+)/m)).toBeGreaterThan(0);
    // The caches wait instead of dying: both alive, blocked most of the time.
    expect(j.oomKills).toHaveLength(0);
    for (const comm of ['cache-a', 'cache-b']) {
      const t = byComm(j, comm)[0];
      expect(t?.exitReason).toBeUndefined();
      expect(t?.cpuTimeNs).toBeLessThan(2e9);
    }
  });

  it('load-average: runq-sz follows the hogs at once, ldavg-1 lags by the kernel\'s 5 s damping; 8 hogs on 4 CPUs each wait half', () => {
    const j = run('load-average.json');
    const sar = (j.actions.find((a) => a.action === 'sh sar -q 5 15')?.output ?? '').split('\n');
    const rows = sar.filter((l) => /^00:0\d:\d\d +\d/.test(l)).map((l) => l.trim().split(/\s+/).map(Number));
    expect(rows).toHaveLength(15);
    const runq = rows.map((r) => r[1]);
    const ld1 = rows.map((r) => r[3] as number);
    // Samples at 7.5 ... 77.5 s: 2 before the six arrive at 20 s, 8 until they die at 50 s, 2 again.
    expect(runq).toEqual([2, 2, 2, 8, 8, 8, 8, 8, 8, 2, 2, 2, 2, 2, 2]);
    // ldavg-1 rises every sample while 8 run, never reaching 6, then falls every sample, still far above 2.
    for (let i = 4; i < 9; i++) expect(ld1[i]).toBeGreaterThan(ld1[i - 1] as number);
    expect(ld1[8]).toBeLessThan(6);
    for (let i = 10; i < 15; i++) expect(ld1[i]).toBeLessThan(ld1[i - 1] as number);
    expect(ld1[14]).toBeGreaterThan(2.5);
    // Over the 5 s from 42.5 to 47.5 s, one update: load = load * 1884/2048 + 8 * 164/2048, to the display's 0.01.
    expect(ld1[8]).toBeCloseTo((ld1[7] as number) * (1884 / 2048) + (8 * 164) / 2048, 1);
    // The 15-minute average hardly moves.
    expect(Math.max(...rows.map((r) => r[5] as number))).toBeLessThan(0.5);
    const pid = (j.actions.find((a) => a.action === 'sh pidstat 5 1')?.output ?? '').split('\n').filter((l) => /^00:00:45 +0 +\d+ /.test(l));
    expect(pid).toHaveLength(8);
    for (const l of pid) {
      const f = l.trim().split(/\s+/).map(Number);
      expect(f[3]).toBeCloseTo(50, 0);
      expect(f[6]).toBeCloseTo(50, 0);
    }
  });

  it('oom-leak: the leak is killed, the protected task survives; a sleeping loop watches its RSS grow until it goes', () => {
    const j = run('oom-leak.json');
    expect(j.oomKills[0]?.victimComm).toBe('leaky');
    expect(byComm(j, 'big-but-protec')[0]?.exitReason).toBeUndefined();
    const out = (j.actions[0]?.output ?? '').trimEnd().split('\n');
    const rss = out.filter((l) => l.startsWith('VmRSS:')).map((l) => Number(/(\d+) kB/.exec(l)?.[1]));
    // One reading every 2 s from 1 s while the task lives (killed near 12 s), each 64 MiB/s x 2 s more.
    expect(rss.length).toBe(Math.ceil(((j.oomKills[0]?.t ?? 0) / 1e9 - 1) / 2));
    for (let i = 1; i < rss.length; i++) expect((rss[i] as number) - (rss[i - 1] as number)).toBeGreaterThan(120_000);
    expect(out.at(-1)).toMatch(/Out of memory: Killed process \d+ \(leaky\)/);
  });

  it('overcommit: ENOMEM under mode 2 with no OOM kill, then an OOM kill after switching to mode 0', () => {
    const j = run('overcommit.json');
    expect(byComm(j, 'leaky')[0]?.exitReason).toBe('enomem');
    expect(j.oomKills.map((o) => o.victimComm)).toEqual(['leaky2']);
    expect(j.oomKills[0]?.t).toBeGreaterThan(8e9);
    expect(j.dmesg.some((r) => r.text.startsWith('__vm_enough_memory: pid:'))).toBe(true);
  });

  it('dentry-storm: the shrinkers give back reclaimable slab and nobody is killed', () => {
    const j = run('dentry-storm.json');
    expect(j.oomKills).toEqual([]);
    const at = (t: number): string => j.actions.find((a) => a.t === t && a.action.includes('/proc/meminfo'))?.output ?? '';
    const srecl = (text: string): number => Number(/SReclaimable:\s+(\d+)/.exec(text)?.[1]);
    expect(srecl(at(7e9))).toBeGreaterThan(500_000);
    expect(srecl(at(15e9))).toBeLessThan(srecl(at(7e9)) * 0.7);
  });

  it('module-memory: size classes, the page allocator past 8k, vmalloc behind kvmalloc, a refused destroy; all as pr_debug', () => {
    const j = run('module-memory.json');
    const debug = j.dmesg.filter((r) => r.level === 7 && r.text.startsWith('mydrv: ')).map((r) => r.text.slice('mydrv: '.length));
    const result = (call: string): string => debug.find((d) => d.startsWith(`${call} -> `))?.slice(call.length + 4) ?? '';
    expect(result('kmalloc(100, GFP_KERNEL)')).toMatch(/^ffff8880[0-9a-f]{8} \(kmalloc-128, ksize 128\)$/);
    expect(result('ksize(small)')).toBe('128');
    expect(result('kmalloc(200, GFP_KERNEL)')).toContain('(kmalloc-256, ksize 256)');
    expect(result('kzalloc(3000, GFP_KERNEL)')).toContain('(kmalloc-4k, ksize 4096)');
    expect(result('kmalloc(20000, GFP_KERNEL)')).toContain('(8 pages, order 3)');
    expect(result('kvmalloc(8388608, GFP_KERNEL)')).toMatch(/^ffffc900[0-9a-f]{8} \(vmalloc, 2048 pages\)$/);
    expect(result('vmalloc(10000)')).toContain('(vmalloc, 3 pages)');
    expect(result('kmem_cache_destroy("mydrv_req")')).toBe('refused: 500 objects still allocated');
    expect(debug.filter((d) => d.includes('-> freed '))).toHaveLength(6);
    expect(j.dmesg.some((r) => r.level === 4 && r.text.startsWith('kmem_cache_destroy mydrv_req: Slab cache still has objects'))).toBe(true);
    const out = (t: number, what: string): string => j.actions.find((a) => a.t === t && a.action.includes(what))?.output ?? '';
    expect(out(1e9, 'slabinfo')).toMatch(/^mydrv_req\s+500\s+500\s+200\s+20\s+1 : tunables\s+0\s+0\s+0 : slabdata\s+25\s+25\s+0$/m);
    expect(out(4e9, 'slabinfo')).not.toContain('mydrv_req');
    expect(out(1e9, 'vmallocinfo').split('\n').filter((l) => l.includes('[mydrv]'))).toHaveLength(2);
    expect(out(4e9, 'vmallocinfo')).toBe('no vmalloc area of mydrv left\n');
  });

  it('oom-protect: +800 dies first, -1000 never does', () => {
    const j = run('oom-protect.json');
    expect(j.oomKills.map((o) => o.victimComm)).toEqual(['batch-job', 'leaky']);
    expect(byComm(j, 'database')[0]?.exitReason).toBeUndefined();
    expect(byComm(j, 'browser')[0]?.exitReason).toBeUndefined();
  });

  it('log-levels: pr_debug exists only with -DDEBUG; the console follows console_loglevel and ignore_loglevel', () => {
    const j = run('log-levels.json');
    expect(j.dmesg.some((r) => r.text.includes('otherdrv: pr_debug'))).toBe(false);
    expect(j.dmesg.some((r) => r.text.includes('mydrv: KERN_DEBUG'))).toBe(true);
    const c = run('log-levels.json', '--console') as Summary & { console: { tNs: number; text: string }[] };
    const consoleLines = c.console.filter((r) => /^(my|other)drv/.test(r.text)).map((r) => `[${(r.tNs / 1e9).toFixed(6)}] ${r.text}`);
    const t = (l: string): number => Number(/^\[([\d.]+)\]/.exec(l)?.[1]);
    // quiet: console_loglevel 4 -> only levels 0-3 before 2 s; everything from 2 s to 6 s; 0-3 again after.
    expect(consoleLines.filter((l) => t(l) < 2 && /KERN_(WARNING|NOTICE|INFO|DEBUG)|pr_info/.test(l))).toEqual([]);
    expect(consoleLines.filter((l) => t(l) > 2 && t(l) < 6 && l.includes('KERN_DEBUG')).length).toBe(4);
    expect(consoleLines.filter((l) => t(l) > 6 && /KERN_(WARNING|NOTICE|INFO|DEBUG)/.test(l))).toEqual([]);
  });

  it('sysrq-tour: the mask blocks keys but not the trigger file; n, f, u, e and c act', () => {
    const j = run('sysrq-tour.json');
    const texts = j.dmesg.map((r) => r.text);
    expect(texts).toContain('sysrq: This sysrq operation is disabled.');
    expect(texts).toContain('sysrq: Emergency Sync');
    expect(byComm(j, 'rt-hog')[0]?.policy).toBe('normal');
    expect(j.oomKills[0]?.trigger).toBe('sysrq');
    expect(byComm(j, 'logger')[0]?.exitReason).toBe('error');
    expect(byComm(j, 'editor')[0]?.exitReason).toBe('signal');
    expect(texts).toContain('Kernel panic - not syncing: sysrq triggered crash');
    expect(j.simTimeNs).toBe(12e9);
  });
});
