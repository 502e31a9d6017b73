/**
 * /proc/PID/maps, smaps and smaps_rollup, and pmap: the lines are the task's VMAs (they add up to VmSize, their
 * Rss to VmRSS, their Swap to VmSwap), placed as x86-64 places them (the executable near 0x55..., the heap after
 * it, the stack below 0x7fff..., mmaps top-down from mmap_base into the highest gap), and a mapping keeps its
 * address from one read to the next. Reading changes nothing in the machine.
 */
import { describe, expect, it } from 'vitest';
import { stateHash, type Kernel } from '../../src/kernel/index.js';
import type { ProgramFactory, UserAction, UserResult } from '../../src/kernel/task/user.js';
import { runShell } from '../../src/shell/shell.js';
import { shellEnv } from '../../src/sim/machine-hooks.js';
import { machine, MS, SEC, spawn } from '../helpers/machine.js';

type Gen = Generator<UserAction, void, UserResult | undefined>;
const MB = 1024 ** 2;

/** Three mmaps (a, b, c), a file mapping, then a's unmapping at 300 ms, then d at 500 ms. */
const mapper: ProgramFactory = function* (): Gen {
  yield { op: 'mem', call: { fn: 'mmap', bytes: 4 * MB, touch: true, tag: 'a' } };
  yield { op: 'mem', call: { fn: 'mmap', bytes: 8 * MB, touch: true, tag: 'b' } };
  yield { op: 'mem', call: { fn: 'mmap', bytes: 1 * MB, touch: false, tag: 'c' } };
  yield { op: 'mem', call: { fn: 'mmap_file', file: '/data/table.db', bytes: 2 * MB } };
  yield { op: 'sleep', ns: 300 * MS };
  yield { op: 'mem', call: { fn: 'munmap', bytes: Infinity, tag: 'a' } };
  yield { op: 'sleep', ns: 200 * MS };
  yield { op: 'mem', call: { fn: 'mmap', bytes: 2 * MB, touch: true, tag: 'd' } };
  yield { op: 'sleep', ns: Infinity };
};

interface Line {
  start: bigint;
  end: bigint;
  perms: string;
  name: string;
}

const LINE = /^([0-9a-f]{8,})-([0-9a-f]{8,}) ([r-][w-][x-][ps]) 00000000 ([0-9a-f]{2}:[0-9a-f]{2}) (\d+) (?: {0,40} (\S.*))?$/;

function parseMaps(text: string): Line[] {
  return text
    .trimEnd()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const m = LINE.exec(l);
      if (m === null) throw new Error(`not a maps line: ${JSON.stringify(l)}`);
      return { start: BigInt(`0x${m[1]}`), end: BigInt(`0x${m[2]}`), perms: m[3] as string, name: m[6] ?? '' };
    });
}

function status(k: Kernel, pid: number, field: string): number {
  const r = k.proc.read(`/proc/${pid}/status`);
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(r.ok ? r.text : '')?.[1]);
}

function read(k: Kernel, path: string): string {
  const r = k.proc.read(path);
  if (!r.ok) throw new Error(`${path}: ${r.errno}`);
  return r.text;
}

describe('/proc/PID/maps', () => {
  it('a process: the executable, [heap], its mmaps and libc top-down below mmap_base, [stack]; the sizes are VmSize', () => {
    const k = machine({ nrCpus: 2 });
    const t = spawn(k, { comm: 'mapper', program: mapper });
    k.engine.runUntil(100 * MS);
    const text = read(k, `/proc/${t.pid}/maps`);
    const lines = parseMaps(text);
    // show_map_vma(): a name starts at column 74 (the header padded to 72, then a space).
    for (const l of text.trimEnd().split('\n')) if (/\S$/.test(l) && !/ 0 $/.test(l)) expect(l.indexOf('/') >= 0 ? l.indexOf('/') : l.indexOf('[')).toBe(73);
    const names = lines.map((l) => l.name);
    expect(names[0]).toBe('/usr/bin/mapper');
    expect(names[1]).toBe('[heap]');
    expect(names[names.length - 1]).toBe('[stack]');
    expect(names).toContain('/usr/lib/x86_64-linux-gnu/libc.so.6');
    expect(names).toContain('/data/table.db');
    expect(lines[0]?.perms).toBe('r-xp');
    expect(lines.find((l) => l.name === '[stack]')?.perms).toBe('rw-p');
    // x86-64 ranges: PIE executable from ELF_ET_DYN_BASE, stack within 16 GiB below TASK_SIZE.
    expect(lines[0]!.start >= 0x555555554000n && lines[0]!.start < 0x565555554000n).toBe(true);
    const stack = lines[lines.length - 1]!;
    expect(stack.end <= 0x7ffffffff000n && stack.end > 0x7ffbfffff000n).toBe(true);
    expect(stack.end - stack.start).toBe(132n * 1024n);
    // Sorted, not overlapping; the three anonymous mmaps were placed one under the other and show as one VMA.
    for (let i = 1; i < lines.length; i++) expect(lines[i]!.start >= lines[i - 1]!.end).toBe(true);
    const anon = lines.filter((l) => l.name === '' && l.perms === 'rw-p');
    expect(anon.map((l) => l.end - l.start)).toEqual([13n * BigInt(MB)]);
    const total = lines.reduce((a, l) => a + (l.end - l.start), 0n);
    expect(total).toBe(BigInt(status(k, t.pid, 'VmSize')) * 1024n);
  });

  it('addresses hold from read to read; an unmapped range is a gap, and a new mapping takes the highest gap that fits', () => {
    const k = machine({ nrCpus: 2 });
    const t = spawn(k, { comm: 'mapper', program: mapper });
    k.engine.runUntil(100 * MS);
    const before = parseMaps(read(k, `/proc/${t.pid}/maps`));
    expect(read(k, `/proc/${t.pid}/maps`)).toBe(read(k, `/proc/${t.pid}/maps`));
    const merged = before.find((l) => l.name === '' && l.perms === 'rw-p')!;
    k.engine.runUntil(400 * MS);
    // a (4 MiB, the first mmap: the highest) is gone; b and c stay where they were.
    const mid = parseMaps(read(k, `/proc/${t.pid}/maps`));
    const anonMid = mid.filter((l) => l.name === '' && l.perms === 'rw-p');
    expect(anonMid).toEqual([{ start: merged.start, end: merged.end - 4n * BigInt(MB), perms: 'rw-p', name: '' }]);
    k.engine.runUntil(600 * MS);
    // d (2 MiB) fits in a's hole, the highest gap below mmap_base: it goes to the top of it.
    const after = parseMaps(read(k, `/proc/${t.pid}/maps`));
    const d = after.filter((l) => l.name === '' && l.perms === 'rw-p' && l.start >= merged.end - 4n * BigInt(MB));
    expect(d).toEqual([{ start: merged.end - 2n * BigInt(MB), end: merged.end, perms: 'rw-p', name: '' }]);
    for (const l of before.filter((x) => x.name !== '')) expect(after).toContainEqual(l);
  });

  it('a kernel thread has no mm: empty maps, smaps and smaps_rollup; the same seed gives the same layout, another seed another', () => {
    const layout = (seed: number): string => {
      const k = machine({ nrCpus: 2, seed });
      const t = spawn(k, { comm: 'mapper', program: mapper });
      k.engine.runUntil(100 * MS);
      expect(read(k, '/proc/2/maps') + read(k, '/proc/2/smaps') + read(k, '/proc/2/smaps_rollup')).toBe('');
      return read(k, `/proc/${t.pid}/maps`);
    };
    expect(layout(5)).toBe(layout(5));
    expect(layout(6)).not.toBe(layout(5));
  });
});

describe('/proc/PID/stat\'s addresses', () => {
  it('start_code..end_code is the executable\'s mapping, start_brk the heap\'s start, start_stack and the argument strings lie in [stack]', () => {
    const k = machine({ nrCpus: 2 });
    const t = spawn(k, { comm: 'mapper', program: mapper });
    k.engine.runUntil(100 * MS);
    const f = read(k, `/proc/${t.pid}/stat`).trimEnd().split(' ');
    expect(f).toHaveLength(52);
    const field = (n: number): bigint => BigInt(f[n - 1] as string);
    const maps = parseMaps(read(k, `/proc/${t.pid}/maps`));
    const exe = maps.find((l) => l.name === '/usr/bin/mapper');
    const heap = maps.find((l) => l.name === '[heap]');
    const stack = maps.find((l) => l.name === '[stack]');
    expect([field(26), field(27)]).toEqual([exe?.start, exe?.end]);
    // No separate data segment in this model: start_data = end_data = end_code.
    expect([field(45), field(46)]).toEqual([exe?.end, exe?.end]);
    expect(field(47)).toBe(heap?.start);
    const inStack = (a: bigint): boolean => a >= (stack?.start ?? 0n) && a < (stack?.end ?? 0n);
    // start_stack (argc) sits under the argument strings, 16-byte aligned; the environment is empty.
    expect(inStack(field(28)) && field(28) % 16n === 0n && field(28) < field(48)).toBe(true);
    expect(field(49) - field(48)).toBe(BigInt(read(k, `/proc/${t.pid}/cmdline`).length));
    expect([field(50), field(51)]).toEqual([field(49), field(49)]);
    expect(inStack(field(51))).toBe(true);
    // A kernel thread has no mm: every address is 0.
    const kt = read(k, '/proc/2/stat').trimEnd().split(' ');
    expect([26, 27, 28, 45, 46, 47, 48, 49, 50, 51].map((n) => kt[n - 1])).toEqual(new Array(10).fill('0'));
  });
});

describe('/proc/PID/statm and limits', () => {
  it('statm is status\'s sizes in pages: VmSize, VmRSS, RssFile + RssShmem, VmExe, 0, VmData + VmStk, 0', () => {
    const k = machine({ nrCpus: 2 });
    const t = spawn(k, { comm: 'mapper', program: mapper });
    k.engine.runUntil(100 * MS);
    const f = read(k, `/proc/${t.pid}/statm`).trimEnd().split(' ').map(Number);
    const kb = (name: string): number => status(k, t.pid, name);
    expect(f).toEqual([kb('VmSize') / 4, kb('VmRSS') / 4, (kb('RssFile') + kb('RssShmem')) / 4, kb('VmExe') / 4, 0, (kb('VmData') + kb('VmStk')) / 4, 0]);
    expect(f[1]).toBeGreaterThan(0);
    expect(read(k, '/proc/2/statm')).toBe('0 0 0 0 0 0 0\n');
  });

  it('limits: init\'s rlimits in proc_pid_limits()\'s columns, NPROC and SIGPENDING at max_threads / 2 (SigQ\'s limit)', () => {
    const k = machine({ nrCpus: 2 });
    const lines = read(k, '/proc/1/limits').split('\n');
    expect(lines[0]).toBe('Limit                     Soft Limit           Hard Limit           Units     ');
    expect(lines[4]).toBe('Max stack size            8388608              unlimited            bytes     ');
    const sigq = /^SigQ:\t0\/(\d+)$/m.exec(read(k, '/proc/1/status'))?.[1];
    expect(lines[7]).toBe(`Max processes             ${(sigq ?? '').padEnd(20)} ${(sigq ?? '').padEnd(20)} processes `);
    expect(lines[12]).toBe(`Max pending signals       ${(sigq ?? '').padEnd(20)} ${(sigq ?? '').padEnd(20)} signals   `);
    // No unit: the line ends after the hard limit's padding.
    expect(lines[14]).toBe(`Max nice priority         ${'0'.padEnd(20)} ${'0'.padEnd(20)} `);
    expect(lines).toHaveLength(18);
  });
});

describe('smaps, smaps_rollup and pmap', () => {
  it('per-mapping Rss adds up to VmRSS, Swap to VmSwap; the rollup is their sum; a shared file page counts 1/n in Pss', () => {
    const k = machine({ nrCpus: 2, memoryBytes: 256 * MB, swapBytes: 256 * MB });
    const t = spawn(k, { comm: 'mapper', program: mapper });
    // A second process pushes the first's anonymous memory out to swap.
    spawn(k, {
      comm: 'pusher',
      program: function* (): Gen {
        yield { op: 'sleep', ns: 150 * MS };
        yield { op: 'mem', call: { fn: 'mmap', bytes: 230 * MB, touch: true, tag: 'x' } };
        yield { op: 'sleep', ns: Infinity };
      },
    });
    k.engine.runUntil(1 * SEC);
    const smaps = read(k, `/proc/${t.pid}/smaps`);
    const sum = (name: string): number => [...smaps.matchAll(new RegExp(`^${name}:\\s+(\\d+) kB$`, 'gm'))].reduce((a, m) => a + Number(m[1]), 0);
    expect(sum('Rss')).toBe(status(k, t.pid, 'VmRSS'));
    expect(sum('Swap')).toBe(status(k, t.pid, 'VmSwap'));
    expect(status(k, t.pid, 'VmSwap')).toBeGreaterThan(0);
    expect(sum('Size')).toBe(status(k, t.pid, 'VmSize'));
    expect(sum('Anonymous')).toBe(status(k, t.pid, 'RssAnon'));
    // Every mapping has the same 23 fields and a VmFlags line, in the kernel's order.
    const blocks = smaps.split(/^(?=[0-9a-f]+-)/m);
    expect(blocks.length).toBe(parseMaps(read(k, `/proc/${t.pid}/maps`)).length);
    for (const b of blocks) expect(b.split('\n')[24]).toMatch(/^VmFlags:( [a-z]{2})+ $/);
    const rollup = read(k, `/proc/${t.pid}/smaps_rollup`);
    expect(rollup.split('\n')[0]).toMatch(/^[0-9a-f]+-[0-9a-f]+ ---p 00000000 00:00 0 +\[rollup\]$/);
    const rolled = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(rollup)?.[1]);
    for (const name of ['Rss', 'Shared_Clean', 'Private_Clean', 'Private_Dirty', 'Anonymous', 'Swap']) expect(rolled(name)).toBe(sum(name));
    // libc is mapped by every process: shared clean, and its Pss is its Rss divided among them.
    const libc = blocks.find((b) => b.includes('libc.so.6')) as string;
    const field = (b: string, name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(b)?.[1]);
    expect(field(libc, 'Shared_Clean')).toBe(field(libc, 'Rss'));
    expect(field(libc, 'Pss')).toBeLessThan(field(libc, 'Rss') / 2);
    expect(rolled('Pss')).toBe(rolled('Pss_Anon') + rolled('Pss_File'));
  });

  it('pmap: procps\'s header, a line a mapping, the total is VmSize; -x adds RSS and Dirty from smaps', () => {
    const k = machine({ nrCpus: 2 });
    const t = spawn(k, { comm: 'mapper', program: mapper });
    k.engine.runUntil(100 * MS);
    const sh = (line: string): { output: string; exitStatus: number } => runShell(shellEnv(k), line);
    const out = sh(`pmap ${t.pid}`).output.split('\n');
    expect(out[0]).toBe(`${t.pid}:   mapper`);
    expect(out[1]).toMatch(/^[0-9a-f]{16} +64K r-x-- mapper$/);
    expect(out[2]).toMatch(/^[0-9a-f]{16} +128K rw--- {3}\[ anon \]$/);
    expect(out).toContainEqual(expect.stringMatching(/^[0-9a-f]{16} +2048K r---- table\.db$/));
    expect(out[out.length - 3]).toMatch(/^[0-9a-f]{16} +132K rw--- {3}\[ stack \]$/);
    expect(out[out.length - 2]).toBe(` total ${`${status(k, t.pid, 'VmSize')}K`.padStart(17)}`);
    const x = sh(`pmap -x ${t.pid}`).output.split('\n');
    expect(x[1]).toBe('Address           Kbytes     RSS   Dirty Mode  Mapping');
    expect(x[x.length - 2]).toBe(`total kB         ${String(status(k, t.pid, 'VmSize')).padStart(7)} ${String(status(k, t.pid, 'VmRSS')).padStart(7)} ${String(status(k, t.pid, 'RssAnon')).padStart(7)}`);
    expect(sh(`pmap -p ${t.pid}`).output).toContain(' /data/table.db\n');
    expect(sh('pmap 2').output).toBe('2:   [kthreadd]\n total                0K\n');
    expect(sh('pmap 99999')).toMatchObject({ output: '', exitStatus: 42 });
    expect(sh('pmap')).toMatchObject({ exitStatus: 1 });
  });

  it('reading maps, smaps and pmap changes nothing in the machine', () => {
    const run = (look: boolean): string => {
      const k = machine({ nrCpus: 2 });
      const t = spawn(k, { comm: 'mapper', program: mapper });
      // The first command line starts the login shell (a task): both runs have it.
      runShell(shellEnv(k), 'true');
      for (let i = 1; i <= 8; i++) {
        k.engine.runUntil(i * 100 * MS);
        if (look) runShell(shellEnv(k), `cat /proc/${t.pid}/maps /proc/${t.pid}/smaps /proc/${t.pid}/smaps_rollup; pmap -x ${t.pid}`);
      }
      return `${stateHash(k)} ${k.engine.processed}`;
    };
    expect(run(true)).toBe(run(false));
  });
});
