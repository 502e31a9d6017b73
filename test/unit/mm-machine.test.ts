/**
 * Memory on a running machine: a leak ends in an OOM kill of the biggest task (never one with
 * oom_score_adj -1000) and the memory comes back; overcommit_memory=2 refuses with ENOMEM instead; drop_caches
 * and the shrinkers; the module memory API; /proc numbers that add up; invariants after every event.
 */
import { describe, expect, it } from 'vitest';
import { checkMemory } from '../../src/kernel/debug/mm-invariants.js';
import { InvariantChecker } from '../../src/kernel/debug/invariants.js';
import { memCounters } from '../../src/kernel/mm/meminfo.js';
import { isStem, nameSplit } from '../../src/kernel/mm/files.js';
import { AnonVma, FileVma, PfnList } from '../../src/kernel/mm/mm-struct.js';
import { Owner } from '../../src/kernel/mm/page-alloc.js';
import { syncAll } from '../../src/kernel/mm/reclaim.js';
import type { Slab } from '../../src/kernel/mm/slab.js';
import { Xoshiro128 } from '../../src/kernel/core/rng.js';
import type { Kernel } from '../../src/kernel/index.js';
import type { ProgramFactory, UserAction, UserResult } from '../../src/kernel/task/user.js';
import { parseScenarioText } from '../../src/sim/config.js';
import { Session } from '../../src/sim/session.js';
import { machine, MS, SEC, spawn } from '../helpers/machine.js';
import { sizeToHuman } from '../../src/shell/cmd-swapon.js';
import { runShell } from '../../src/shell/shell.js';
import { shellEnv } from '../../src/sim/machine-hooks.js';

type Gen = Generator<UserAction, void, UserResult | undefined>;

const holder = (bytes: number): ProgramFactory =>
  function* (): Gen {
    yield { op: 'mem', call: { fn: 'mmap', bytes, touch: true, tag: 'heap' } };
    yield { op: 'sleep', ns: Infinity };
  };

const leaker: ProgramFactory = function* (): Gen {
  for (;;) {
    const r = yield { op: 'mem', call: { fn: 'mmap', bytes: 8 * 1024 * 1024, touch: true, tag: 'leak' } };
    if (r !== undefined && !r.ok) {
      yield { op: 'exit', code: 1, reason: 'enomem', stderr: 'mmap: Cannot allocate memory' };
      return;
    }
    yield { op: 'sleep', ns: 50 * MS };
  }
};

function assertMemory(k: Kernel): void {
  const p = checkMemory(k);
  if (p.length > 0) throw new Error(`memory invariant at t=${k.now}: ${p.slice(0, 3).join('; ')}`);
}

function meminfoAddsUp(k: Kernel): void {
  const c = memCounters(k);
  const own = k.mm.pages.ownerPages;
  expect(c.memTotal).toBe(c.memFree + c.cached + c.anonPages + c.slab + c.pageTables + c.vmallocUsed + (own[Owner.Kernel] as number));
  expect(c.slab).toBe(c.sReclaimable + c.sUnreclaim);
  expect(c.active + c.inactive).toBe(c.anonPages + c.cached);
}

describe('PfnList (the page frames of a mapping)', () => {
  it('is a stack across its growing first buffer and its fixed chunks, shrinking and growing again', () => {
    const l = new PfnList();
    expect(l.pop()).toBe(-1);
    for (let i = 0; i < 5000; i++) l.push(i * 7);
    expect(l.length).toBe(5000);
    for (let i = 4999; i >= 1500; i--) expect(l.pop()).toBe(i * 7);
    for (let i = 1500; i < 3100; i++) l.push(i * 7);
    for (let i = 3099; i >= 0; i--) expect(l.pop()).toBe(i * 7);
    expect(l.length).toBe(0);
    expect(l.pop()).toBe(-1);
  });
});

describe('the bulk order-0 fast path (allocPagesInto)', () => {
  /** Pop a PfnList into an array (top first). */
  const drain = (l: PfnList): number[] => {
    const out: number[] = [];
    while (l.length > 0) out.push(l.pop());
    return out;
  };

  it('hands out exactly the pages that one tryAllocPages call per page would, through the low watermark and past it', () => {
    // Two identical machines; one takes pages in bulk, the other page by page. Each round frees a pseudo-random
    // half of what it got (the same half on both), so the free lists fragment, and the rounds run the zones
    // down through their low watermarks into the slow path, where tryAllocPages wakes kswapd and then fails.
    const bulk = machine({ nrCpus: 1, memoryBytes: 256 * 1024 ** 2 });
    const single = machine({ nrCpus: 1, memoryBytes: 256 * 1024 ** 2 });
    const rng = new Xoshiro128(7, 'test');
    let crossedLow = false;
    for (let round = 0; round < 10; round++) {
      const n = 10000 + rng.intBelow(30000);
      const a = new PfnList();
      const gotA = bulk.mm.allocPagesInto(n, Owner.Anon, a);
      const b = new PfnList();
      let gotB = 0;
      for (; gotB < n; gotB++) {
        const pfn = single.mm.tryAllocPages(0, Owner.Anon);
        if (pfn < 0) break;
        b.push(pfn);
      }
      expect(gotA).toBe(gotB);
      const pa = drain(a);
      expect(pa).toEqual(drain(b));
      expect(bulk.mm.kswapdRunning).toBe(single.mm.kswapdRunning);
      crossedLow ||= bulk.mm.kswapdRunning;
      for (const pfn of pa) {
        if (rng.intBelow(2) === 0) {
          bulk.mm.freePages(pfn, 0);
          single.mm.freePages(pfn, 0);
        }
      }
      expect(bulk.mm.pages.renderBuddyinfo()).toBe(single.mm.pages.renderBuddyinfo());
      expect(bulk.mm.pages.verify()).toBeNull();
    }
    // The test is only worth something if the rounds reached the slow path.
    expect(crossedLow).toBe(true);
  });
});

describe('slab slots', () => {
  it('are handed out as from a free stack that starts [n-1, ..., 1, 0]: freed slots first, last freed first', () => {
    const k = machine({ nrCpus: 2, memoryBytes: 256 * 1024 ** 2 });
    const cache = k.mm.slab.create('test_slots', 200, 8);
    if (cache === null) throw new Error('cache not created');
    // The reference: one explicit stack per slab, as the slab allocator kept before it counted fresh slots.
    const stacks = new Map<Slab, number[]>();
    const live: { slab: Slab; index: number }[] = [];
    const rng = new Xoshiro128(11, 'test');
    const alloc = (): void => {
      const o = cache.alloc((order) => k.mm.allocKernelPages(order, Owner.Slab));
      if (o === null) throw new Error('out of memory');
      let st = stacks.get(o.slab);
      if (st === undefined) {
        st = Array.from({ length: o.slab.objects }, (_, i) => o.slab.objects - 1 - i);
        stacks.set(o.slab, st);
      }
      expect(o.index).toBe(st.pop());
      live.push(o);
    };
    for (let i = 0; i < 3000; i++) {
      if (live.length > 0 && rng.intBelow(5) < 2) {
        const o = live.splice(rng.intBelow(live.length), 1)[0] as { slab: Slab; index: number };
        // A slab emptied beyond min_partial goes back to the buddy allocator; a new one starts a new stack.
        cache.free(o);
        if (o.slab.inuse === 0 && cache.slabById(o.slab.id) !== o.slab) stacks.delete(o.slab);
        else stacks.get(o.slab)?.push(o.index);
      } else alloc();
    }
    expect(cache.verify()).toBeNull();
  });
});

describe('the OOM killer', () => {
  it('kills the leak (highest badness), spares oom_score_adj -1000, and the memory comes back', () => {
    const k = machine({ nrCpus: 2, memoryBytes: 512 * 1024 ** 2 });
    const protectedBig = spawn(k, { comm: 'protected', oomScoreAdj: -1000, program: holder(150 * 1024 ** 2) });
    const small = spawn(k, { comm: 'small', program: holder(20 * 1024 ** 2) });
    const leak = spawn(k, { comm: 'leak', program: leaker });
    let n = 0;
    k.engine.afterEvent = () => {
      if (++n % 50 === 0) assertMemory(k);
    };
    k.engine.runUntil(20 * SEC);
    expect(leak.exitReason).toBe('oom-kill');
    expect(protectedBig.alive).toBe(true);
    expect(small.alive).toBe(true);
    expect(k.mm.oomKills).toHaveLength(1);
    const kill = k.mm.oomKills[0]!;
    expect(kill.victimPid).toBe(leak.pid);
    expect(kill.candidates[0]?.pid).toBe(leak.pid);
    expect(kill.candidates.some((c) => c.pid === protectedBig.pid)).toBe(false);
    const log = k.printkRing.all().map((r) => r.text);
    expect(log.some((t) => /^leak invoked oom-killer: gfp_mask=0x140cca\(GFP_HIGHUSER_MOVABLE\|__GFP_COMP\), order=0, oom_score_adj=0$/.test(t))).toBe(true);
    expect(log).toContain('Tasks state (memory values in pages):');
    expect(log.some((t) => t.startsWith('oom-kill:constraint=CONSTRAINT_NONE,'))).toBe(true);
    expect(log.some((t) => new RegExp(`^Out of memory: Killed process ${leak.pid} \\(leak\\) total-vm:\\d+kB, anon-rss:\\d+kB, file-rss:\\d+kB, shmem-rss:0kB, UID:0 pgtables:\\d+kB oom_score_adj:0$`).test(t))).toBe(true);
    // The victim's memory is free again.
    expect(memCounters(k).memFree).toBeGreaterThan(50_000);
    assertMemory(k);
    meminfoAddsUp(k);
  });

  it('vm.panic_on_oom=1 panics instead of killing', () => {
    const k = machine({ nrCpus: 1, memoryBytes: 256 * 1024 ** 2 });
    expect(k.proc.write('/proc/sys/vm/panic_on_oom', '1')).toBeNull();
    spawn(k, { comm: 'leak', program: leaker });
    k.engine.runUntil(20 * SEC);
    expect(k.halted).toBe('panic');
    expect(k.printkRing.all().some((r) => r.text === 'Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled')).toBe(true);
  });

  it('vm.oom_kill_allocating_task=1 kills the allocating task even if another is bigger', () => {
    const k = machine({ nrCpus: 1, memoryBytes: 384 * 1024 ** 2 });
    expect(k.proc.write('/proc/sys/vm/oom_kill_allocating_task', '1')).toBeNull();
    const big = spawn(k, { comm: 'big', program: holder(250 * 1024 ** 2) });
    k.engine.runUntil(2 * SEC);
    const leak = spawn(k, { comm: 'leak', program: leaker });
    k.engine.runUntil(20 * SEC);
    expect(leak.exitReason).toBe('oom-kill');
    expect(big.alive).toBe(true);
    expect(k.printkRing.all().some((r) => r.text.startsWith('Out of memory (oom_kill_allocating_task): Killed process'))).toBe(true);
  });

  it('/proc/PID/oom_score of a tiny task reads 666 on a 4 GiB machine (667 on 1 GiB: its 1.2 MB count there)', () => {
    const small = machine({ nrCpus: 1 });
    const s = spawn(small, { comm: 'tiny', program: holder(4096) });
    small.engine.runUntil(10 * MS);
    expect(small.proc.read(`/proc/${s.pid}/oom_score`)).toEqual({ ok: true, text: '667\n' });
    const k = machine({ nrCpus: 1, memoryBytes: 4 * 1024 ** 3 });
    const t = spawn(k, { comm: 'tiny', program: holder(4096) });
    k.engine.runUntil(10 * MS);
    expect(k.proc.read(`/proc/${t.pid}/oom_score`)).toEqual({ ok: true, text: '666\n' });
    expect(k.proc.write(`/proc/${t.pid}/oom_score_adj`, '-1000')).toBeNull();
    expect(k.proc.read(`/proc/${t.pid}/oom_score`)).toEqual({ ok: true, text: '0\n' });
    expect(k.proc.read(`/proc/${t.pid}/oom_adj`)).toEqual({ ok: true, text: '-17\n' });
    expect(k.proc.write(`/proc/${t.pid}/oom_adj`, '10')).toBeNull();
    expect(t.oomScoreAdj).toBe(588);
    expect(k.proc.write(`/proc/${t.pid}/oom_score_adj`, '1001')).toBe('EINVAL');
  });
});

describe('overcommit', () => {
  it('overcommit_memory=2: the leak gets ENOMEM, exits with a message, no OOM kill; the kernel warns', () => {
    const k = machine({ nrCpus: 1, memoryBytes: 512 * 1024 ** 2 });
    expect(k.proc.write('/proc/sys/vm/overcommit_memory', '2')).toBeNull();
    const leak = spawn(k, { comm: 'leak', program: leaker });
    k.engine.runUntil(20 * SEC);
    expect(leak.exitReason).toBe('enomem');
    expect(leak.stderr).toEqual(['mmap: Cannot allocate memory']);
    expect(k.mm.oomKills).toHaveLength(0);
    expect(k.printkRing.all().some((r) => /^__vm_enough_memory: pid: \d+, comm: leak, bytes: 8388608 not enough memory for the allocation$/.test(r.text))).toBe(true);
    const c = memCounters(k);
    expect(c.committedAs).toBeLessThanOrEqual(c.commitLimit);
  });

  it('writing overcommit_kbytes zeroes overcommit_ratio and the reverse', () => {
    const k = machine({ nrCpus: 1 });
    expect(k.proc.write('/proc/sys/vm/overcommit_kbytes', '100000')).toBeNull();
    expect(k.proc.read('/proc/sys/vm/overcommit_ratio')).toEqual({ ok: true, text: '0\n' });
    expect(k.proc.write('/proc/sys/vm/overcommit_ratio', '60')).toBeNull();
    expect(k.proc.read('/proc/sys/vm/overcommit_kbytes')).toEqual({ ok: true, text: '0\n' });
    expect(k.proc.write('/proc/sys/vm/overcommit_memory', '3')).toBe('EINVAL');
  });
});

describe('page cache, dentries, shrinkers and drop_caches', () => {
  it('a dentry storm grows dentry/inode_cache; drop_caches=2 shrinks them; =1 drops clean page cache', () => {
    const k = machine({ nrCpus: 1 });
    const dentry = k.mm.slab.get('dentry');
    const before = dentry.activeObjects;
    spawn(k, {
      comm: 'find',
      program: function* (): Gen {
        yield { op: 'mem', call: { fn: 'open_files', count: 20000, prefix: '/usr/share/doc/f' } };
        yield { op: 'mem', call: { fn: 'read_file', file: '/var/lib/big.db', bytes: 64 * 1024 ** 2 } };
        yield { op: 'sleep', ns: Infinity };
      },
    });
    k.engine.runUntil(5 * SEC);
    expect(dentry.activeObjects - before).toBeGreaterThanOrEqual(20000);
    const cachedBefore = memCounters(k).cached;
    expect(cachedBefore).toBeGreaterThan(16384);
    const sreclBefore = memCounters(k).sReclaimable;
    expect(k.proc.write('/proc/sys/vm/drop_caches', '2')).toBeNull();
    expect(dentry.activeObjects).toBeLessThan(before);
    expect(memCounters(k).sReclaimable).toBeLessThan(sreclBefore);
    expect(k.proc.write('/proc/sys/vm/drop_caches', '1')).toBeNull();
    expect(memCounters(k).cached).toBeLessThan(cachedBefore / 10);
    expect(k.printkRing.all().some((r) => /^\S+ \(\d+\): drop_caches: 1$/.test(r.text))).toBe(true);
    assertMemory(k);
    meminfoAddsUp(k);
  });

  it('/proc/vmstat pgpgin counts the KiB read from disk on page cache misses only, pgpgout the KiB written back', () => {
    const k = machine({ nrCpus: 1 });
    const vm = (name: string): number => {
      const r = k.proc.read('/proc/vmstat');
      return Number(r.ok ? new RegExp(`^${name} (\\d+)$`, 'm').exec(r.text)?.[1] : NaN);
    };
    const in0 = vm('pgpgin');
    spawn(k, {
      comm: 'rw',
      program: function* (): Gen {
        yield { op: 'mem', call: { fn: 'read_file', file: '/data/a', bytes: 8 * 1024 ** 2 } };
        // The second read hits the page cache: no disk I/O.
        yield { op: 'mem', call: { fn: 'read_file', file: '/data/a', bytes: 8 * 1024 ** 2 } };
        yield { op: 'mem', call: { fn: 'write_file', file: '/data/log', bytes: 1024 ** 2 } };
        yield { op: 'sleep', ns: Infinity };
      },
    });
    k.engine.runUntil(2 * SEC);
    expect(vm('pgpgin') - in0).toBe(8 * 1024);
    const out0 = vm('pgpgout');
    // sync writes the 1 MiB of dirty page cache back.
    expect(k.proc.read('/proc/meminfo')).toMatchObject({ ok: true, text: expect.stringMatching(/^Dirty:\s+1024 kB$/m) });
    syncAll(k);
    expect(vm('pgpgout') - out0).toBe(1024);
  });

  it('a partial munmap of touched-again pages takes them off Active(anon) too', () => {
    const k = machine({ nrCpus: 1 });
    const active0 = memCounters(k).activeAnon;
    spawn(k, {
      comm: 'app',
      program: function* (): Gen {
        yield { op: 'mem', call: { fn: 'mmap', bytes: 8 * 1024 ** 2, touch: true, tag: 'heap2' } };
        yield { op: 'mem', call: { fn: 'touch', bytes: 8 * 1024 ** 2, tag: 'heap2' } };
        yield { op: 'mem', call: { fn: 'munmap', bytes: 6 * 1024 ** 2, tag: 'heap2' } };
        yield { op: 'sleep', ns: Infinity };
      },
    });
    k.engine.runUntil(k.now + SEC);
    // 2048 pages mapped and touched twice (active), 1536 unmapped: 512 stay, all active.
    expect(memCounters(k).activeAnon - active0).toBe(512);
    assertMemory(k);
    meminfoAddsUp(k);
  });

  it('names are one namespace however they are looked up: by number under a prefix, or by path', () => {
    // Prefix + counter names go by number under the prefix; the same names read by path must meet the same
    // entries, a leading zero makes another name, and a prefix that ends in a digit still meets its names.
    expect([nameSplit('/tmp/f12'), nameSplit('/tmp/f0'), nameSplit('/tmp/f03'), nameSplit('/tmp/f'), nameSplit('/x/1234567890'), nameSplit('libc.so.6')]).toEqual([6, 6, -1, -1, -1, 8]);
    expect([isStem('/tmp/f'), isStem('/tmp/g1'), isStem('')]).toEqual([true, false, false]);
    const k = machine({ nrCpus: 1 });
    const dentry = k.mm.slab.get('dentry');
    /** Dentries a task doing this one thing adds. */
    const run = (action: UserAction): number => {
      const before = dentry.activeObjects;
      spawn(k, { comm: 'find', program: function* (): Gen { yield action; } });
      k.engine.runUntil(k.now + SEC);
      return dentry.activeObjects - before;
    };
    const openFiles = (prefix: string, count: number): number => run({ op: 'mem', call: { fn: 'open_files', count, prefix } });
    const readFile = (file: string): number => run({ op: 'mem', call: { fn: 'read_file', file, bytes: 1024 ** 2 } });
    // The first task named find caches the dentry of /usr/bin/find.
    expect(run({ op: 'sleep', ns: 1 })).toBe(1);
    const base = k.mm.files.named;
    expect(openFiles('/tmp/f', 10)).toBe(10);
    expect(k.mm.files.named - base).toBe(10);
    expect(readFile(`/tmp/f${base + 3}`)).toBe(0);
    expect(readFile(`/tmp/f0${base + 3}`)).toBe(1);
    expect(k.mm.files.lookup(`/tmp/f${base + 9}`)?.path).toBe(`/tmp/f${base + 9}`);
    expect(k.mm.files.lookup(`/tmp/f${base + 10}`)).toBeUndefined();
    const base2 = k.mm.files.named;
    expect(openFiles('/tmp/g1', 3)).toBe(3);
    expect(readFile(`/tmp/g1${base2 + 2}`)).toBe(0);
    expect(k.mm.files.lookup(`/tmp/g1${base2}`)?.path).toBe(`/tmp/g1${base2}`);
    // Files whose names end in a number lose their page cache with their dentry, as any other file does.
    expect(readFile('/var/log/syslog.1')).toBe(1);
    const files = [`/tmp/f${base + 3}`, `/tmp/g1${base2 + 2}`, '/var/log/syslog.1'].map((p) => k.mm.files.files.get(p));
    expect(files.map((f) => f?.pages.length)).toEqual([256, 256, 256]);
    expect(k.proc.write('/proc/sys/vm/drop_caches', '2')).toBeNull();
    expect(k.mm.files.lookup('/var/log/syslog.1')).toBeUndefined();
    expect(k.mm.files.lookup(`/tmp/f${base}`)).toBeUndefined();
    expect(files.map((f) => f?.pages.length)).toEqual([0, 0, 0]);
    assertMemory(k);
    meminfoAddsUp(k);
  });
});

describe('the kernel memory API (a task acting as a module)', () => {
  it('kmalloc / ksize / kfree, kvmalloc fallback, vmalloc, pages, and its own cache with a shrinker', () => {
    const k = machine({ nrCpus: 4 });
    const got: (UserResult | undefined)[] = [];
    const mod = spawn(k, {
      comm: 'mydrv',
      program: function* (): Gen {
        got.push(yield { op: 'mem', call: { fn: 'kmalloc', bytes: 100, zero: false, tag: 'a' } });
        got.push(yield { op: 'mem', call: { fn: 'ksize', tag: 'a' } });
        got.push(yield { op: 'mem', call: { fn: 'kmalloc', bytes: 20000, zero: true, tag: 'big' } });
        got.push(yield { op: 'mem', call: { fn: 'vmalloc', bytes: 10000, zero: false, tag: 'v' } });
        got.push(yield { op: 'mem', call: { fn: 'get_free_pages', order: 2, tag: 'p' } });
        got.push(yield { op: 'mem', call: { fn: 'alloc_pages_exact', bytes: 5 * 4096, tag: 'x' } });
        got.push(yield { op: 'mem', call: { fn: 'kmem_cache_create', name: 'mydrv_req', size: 200, align: 8, reclaimable: false } });
        got.push(yield { op: 'mem', call: { fn: 'kmem_cache_alloc', name: 'mydrv_req', count: 100, tag: 'req' } });
        got.push(yield { op: 'mem', call: { fn: 'kmem_cache_destroy', name: 'mydrv_req' } });
        got.push(yield { op: 'mem', call: { fn: 'register_shrinker', name: 'mydrv_req', seeks: 2, batch: 0 } });
        got.push(yield { op: 'mem', call: { fn: 'kfree', tag: 'a' } });
        yield { op: 'sleep', ns: Infinity };
      },
    });
    k.engine.runUntil(1 * SEC);
    expect(got.map((r) => r?.ok)).toEqual([true, true, true, true, true, true, true, true, false, true, true]);
    expect(got[1]?.value).toBe(128);
    expect(got[8]?.errno).toBe('EBUSY');
    expect(k.printkRing.all().some((r) => r.text === 'kmem_cache_destroy mydrv_req: Slab cache still has objects when called from mydrv_exit+0x12/0x30 [mydrv]')).toBe(true);
    const slabinfo = k.proc.read('/proc/slabinfo');
    expect(slabinfo.ok && slabinfo.text).toMatch(/\nmydrv_req\s+100\s+\d+\s+200\s+20\s+1 : tunables/);
    const vm = k.proc.read('/proc/vmallocinfo');
    expect(vm.ok && vm.text).toContain('mydrv_init+0x2a/0x60 [mydrv] pages=3 vmalloc N0=3');
    const calls = k.mm.kernelCalls.get(mod)?.map((c) => c.call) ?? [];
    expect(calls[0]).toBe('kmalloc(100, GFP_KERNEL)');
    assertMemory(k);
    // The registered shrinker gives the module's cache objects back under drop_caches.
    expect(k.proc.write('/proc/sys/vm/drop_caches', '2')).toBeNull();
    expect(k.mm.slab.get('mydrv_req').activeObjects).toBe(0);
    assertMemory(k);
  });

  it('a second cache of the same name is refused with EEXIST, in the words of 6.12+ SLUB and sysfs', () => {
    const k = machine({ nrCpus: 1 });
    const got: (UserResult | undefined)[] = [];
    spawn(k, {
      comm: 'mydrv',
      program: function* (): Gen {
        for (let i = 0; i < 2; i++) got.push(yield { op: 'mem', call: { fn: 'kmem_cache_create', name: 'mydrv_req', size: 200, align: 8, reclaimable: false } });
        yield { op: 'sleep', ns: Infinity };
      },
    });
    const from = k.printkRing.nextSeq;
    k.engine.runUntil(1 * SEC);
    expect(got.map((r) => r?.errno ?? null)).toEqual([null, 'EEXIST']);
    expect(k.printkRing.since(from).map((r) => [r.level, r.text])).toEqual([
      [4, "sysfs: cannot create duplicate filename '/kernel/slab/mydrv_req'"],
      [4, '__kmem_cache_create_args(mydrv_req) failed with error -17'],
    ]);
  });

  it('what a module task never frees stays allocated after it exits, and the task itself is let go', () => {
    const k = machine({ nrCpus: 2 });
    const mod = spawn(k, {
      comm: 'leakdrv',
      program: function* (): Gen {
        yield { op: 'mem', call: { fn: 'kmalloc', bytes: 3000, zero: false, tag: 'a' } };
        yield { op: 'mem', call: { fn: 'vmalloc', bytes: 10000, zero: false, tag: 'v' } };
        yield { op: 'exit', code: 0 };
      },
    });
    const kmalloc4k = (): number => k.mm.slab.get('kmalloc-4k').activeObjects;
    const before = kmalloc4k();
    k.engine.runUntil(1 * SEC);
    expect(mod.alive).toBe(false);
    expect(k.mm.moduleAllocs.has(mod)).toBe(false);
    expect(k.mm.leakedModuleAllocs.map((a) => a.kind)).toEqual(['slab', 'vmalloc']);
    expect(kmalloc4k()).toBe(before + 1);
    const vm = k.proc.read('/proc/vmallocinfo');
    expect(vm.ok && vm.text).toContain('leakdrv_init+0x2a/0x60 [leakdrv] pages=3 vmalloc N0=3');
    assertMemory(k);
  });
});

describe('memory invariants under random workloads with leaks, forks and exits', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`seed ${seed}`, () => {
      const scenario = {
        name: `mm random ${seed}`,
        seed,
        machine: { cpus: 2, memory: '256M', swap: seed % 2 === 0 ? '64M' : '0' },
        tasks: [
          { comm: 'leak', program: [{ leak: { rate: '40M/s', chunk: '512K' } }] },
          { comm: 'forker', program: [{ loop: [{ fork: { comm: 'kid', program: [{ alloc: '2M' }, { run: '3ms' }, { free: 'all' }, { exit: 0 }] } }, { wait: true }, { sleep: '5ms' }] }] },
          { comm: 'reader', program: [{ loop: [{ 'read-file': { file: '/data/a', size: '16M' } }, { 'write-file': { file: '/data/log', size: '256K' } }, { sleep: '10ms' }] }] },
          { comm: 'holder', count: 2, program: [{ alloc: '20M' }, { loop: [{ touch: '20M' }, { sleep: '100ms' }] }] },
        ],
        at: [
          { t: '1500ms', kill: { comm: 'holder', signal: 'SIGKILL' } },
          { t: '2s', sh: 'echo 3 > /proc/sys/vm/drop_caches' },
        ],
      };
      const s = new Session(parseScenarioText(`mm-${seed}.json`, JSON.stringify(scenario)));
      let n = 0;
      // The scheduler's invariants too: reclaim puts tasks in memory stalls, which PSI must track exactly.
      const sched = new InvariantChecker(s.k);
      s.k.engine.afterEvent = () => {
        if (++n % 25 === 0) {
          assertMemory(s.k);
          sched.assert();
        }
      };
      s.runUntil(4 * SEC);
      assertMemory(s.k);
      sched.assert();
      meminfoAddsUp(s.k);
      expect(s.k.mm.oomKillsTotal + s.k.mm.reclaimStats.kswapdReclaimed).toBeGreaterThan(0);
      const pressure = s.k.proc.read('/proc/pressure/memory');
      expect(pressure.ok && pressure.text).toMatch(/^some avg10=\d+\.\d\d avg60=\d+\.\d\d avg300=\d+\.\d\d total=[1-9]\d*\n/);
    });
  }
});

describe('PfnList against a plain array stack', () => {
  it('pops what was pushed, last in first out, through runs of consecutive pfns, spills and re-runs', () => {
    const rng = new Xoshiro128(11, 'pfnlist');
    const l = new PfnList();
    const oracle: number[] = [];
    let next = 1000;
    for (let step = 0; step < 40_000; step++) {
      const r = rng.intBelow(12);
      if (r === 10) {
        // pushRun: n consecutive pfns in one call, continuing the top or not, across chunk boundaries.
        const n = rng.intBelow(1500);
        const start = rng.intBelow(2) === 0 ? next : rng.intBelow(1 << 20);
        l.pushRun(start, n);
        for (let i = 0; i < n; i++) oracle.push(start + i);
        next = start + n;
      } else if (r === 11) {
        // popMany: what n pops would do, returning the last of them.
        if (oracle.length === 0) continue;
        const n = 1 + rng.intBelow(Math.min(oracle.length, 1500));
        const want = oracle.splice(oracle.length - n, n)[0] as number;
        expect(l.popMany(n)).toBe(want);
        next = want;
      } else if (r < 6) {
        // Mostly consecutive pfns (a run), sometimes a jump (breaks the run), sometimes the pfn just below.
        const j = rng.intBelow(8);
        next = j === 0 ? rng.intBelow(1 << 20) : j === 1 ? Math.max(0, next - 2) : next;
        l.push(next);
        oracle.push(next);
        next++;
      } else {
        const want = oracle.pop() ?? -1;
        expect(l.pop()).toBe(want);
        if (want >= 0) next = want;
      }
      expect(l.length).toBe(oracle.length);
    }
    const drained: number[] = [];
    while (l.length > 0) drained.push(l.pop());
    expect(drained).toEqual(oracle.reverse());
    expect(l.pop()).toBe(-1);
  });

  it('file mappings share one empty anon list that refuses pages, until one of them gets a private page', () => {
    const v = new FileVma('exe', 'exe', 16, 0, '/usr/bin/x');
    expect(v.anon.length).toBe(0);
    expect(v.anon.pop()).toBe(-1);
    expect(() => v.anon.push(1)).toThrow(TypeError);
    expect(new FileVma('lib', 'libc', 16, 0, '/usr/lib/libc.so.6').anon).toBe(v.anon);
    const heap = new AnonVma('anon', 'brk', 16, 16);
    expect(heap.anon).not.toBe(v.anon);
    // An anonymous mapping's resident pages are the mapping's own list.
    heap.anonList().push(7);
    expect(heap.anon.length).toBe(1);
    expect(heap.resident).toBe(1);
    // A private page of a file mapping gets the mapping a list of its own; the shared one stays empty.
    const w = new FileVma('lib', 'libc', 16, 0, '/usr/lib/libc.so.6');
    w.anonList().push(5);
    expect(w.anon.length).toBe(1);
    expect(v.anon.length).toBe(0);
  });
});

describe('private pages of file mappings', () => {
  it('touching a file mapping by its tag gives it anonymous pages (its private copies), freed when the task exits', () => {
    const scenario = {
      name: 'touch file mappings',
      machine: { cpus: 1, memory: '1G' },
      tasks: [
        {
          comm: 'writer',
          program: [
            { touch: '64K', tag: 'libc' },
            { 'mmap-file': { file: '/data/x', size: '1M' } },
            { touch: '128K', tag: '/data/x' },
            { run: '50ms' },
          ],
        },
        { comm: 'other', program: [{ run: '50ms' }] },
      ],
    };
    const s = new Session(parseScenarioText('touch-file.json', JSON.stringify(scenario)));
    s.runUntil(30 * MS);
    const status = (comm: string): string => {
      const r = s.k.proc.read(`/proc/${[...s.k.tasks.values()].find((t) => t.comm === comm)?.pid}/status`);
      return r.ok ? r.text : '';
    };
    const anonKb = (comm: string): number => Number(/RssAnon:\s+(\d+) kB/.exec(status(comm))?.[1]);
    // 16 + 32 private pages beside what every process has: 192 kB more anonymous memory than a task that
    // touched nothing.
    expect(anonKb('writer') - anonKb('other')).toBe(192);
    assertMemory(s.k);
    s.runUntil(200 * MS);
    assertMemory(s.k);
    meminfoAddsUp(s.k);
  });
});

describe('swap-in', () => {
  const MB = 1024 ** 2;
  /** Maps 150 MiB, then 100 MiB that do not fit beside it on 256 MiB (its first is swapped out), and touches the first again at 1 s. */
  const swapsItself = function* (): Gen {
    yield { op: 'mem', call: { fn: 'mmap', bytes: 150 * MB, touch: true, tag: 'a' } };
    yield { op: 'mem', call: { fn: 'mmap', bytes: 100 * MB, touch: true, tag: 'b' } };
    yield { op: 'sleep', ns: 1 * SEC };
    yield { op: 'mem', call: { fn: 'touch', bytes: 150 * MB, tag: 'a' } };
    yield { op: 'sleep', ns: Infinity };
  };

  it('touching swapped-out pages again faults them back in, a cluster of 2^page-cluster pages per major fault', () => {
    const k = machine({ nrCpus: 2, memoryBytes: 256 * 1024 ** 2, swapBytes: 256 * 1024 ** 2 });
    // Its second mapping does not fit beside the first: reclaim swaps out the largest anon user, itself.
    const owner = spawn(k, {
      comm: 'owner',
      program: swapsItself,
    });
    const vmstat = (): Map<string, number> => {
      const r = k.proc.read('/proc/vmstat');
      return new Map((r.ok ? r.text : '').trim().split('\n').map((l) => [l.split(' ')[0] as string, Number(l.split(' ')[1])]));
    };
    k.engine.runUntil(800 * MS);
    const before = vmstat();
    expect(before.get('pswpout')).toBeGreaterThan(1000);
    expect(before.get('pswpin')).toBe(0);
    k.engine.runUntil(4 * SEC);
    const after = vmstat();
    const stat = k.proc.read(`/proc/${owner.pid}/stat`);
    // majflt is the 12th field, the 10th after "(comm) ".
    const majflt = Number((stat.ok ? stat.text : '').split(') ')[1]?.split(' ')[9]);
    const swpin = after.get('pswpin') as number;
    expect(swpin).toBeGreaterThan(1000);
    // One fault reads 8 pages (vm.page-cluster 3) and waits once; the last cluster of a touch may be shorter.
    const faults = after.get('pgmajfault') as number;
    expect(faults).toBeGreaterThanOrEqual(swpin / 8);
    expect(faults).toBeLessThanOrEqual(Math.ceil(swpin / 8) + 2);
    expect(majflt).toBe(faults);
    // The reads went through the block layer: pgpgin (KiB) grew by at least the pages read back.
    expect((after.get('pgpgin') as number) - (before.get('pgpgin') as number)).toBeGreaterThanOrEqual((after.get('pswpin') as number) * 4);
    checkMemory(k);
  });

  it('/proc/swaps and swapon show the area meminfo counts: size SwapTotal, used SwapTotal - SwapFree', () => {
    const k = machine({ nrCpus: 2, memoryBytes: 256 * MB, swapBytes: 256 * MB });
    const sh = (line: string): { output: string; exitStatus: number } => runShell(shellEnv(k), line);
    const empty = machine({ nrCpus: 2, memoryBytes: 256 * MB, swapBytes: 0 });
    // No swap: the kernel's header alone; swapon's table and summary print nothing at all.
    expect(runShell(shellEnv(empty), 'cat /proc/swaps').output).toBe('Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n');
    expect(runShell(shellEnv(empty), 'swapon; swapon -s').output).toBe('');
    spawn(k, { comm: 'owner', program: swapsItself });
    k.engine.runUntil(800 * MS);
    const m = memCounters(k);
    const usedKb = (m.swapTotal - m.swapFree) * 4;
    expect(usedKb).toBeGreaterThan(4000);
    // swap_show(): the name padded to 40, then a tab after each number under 10^7 (two columns of tabs).
    expect(sh('cat /proc/swaps').output).toBe(`Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/dev/vda2${' '.repeat(31)}partition\t262144\t\t${usedKb}\t\t-2\n`);
    expect(sh('swapon -s').output).toBe(`Filename\t\t\t\tType\t\tSize\tUsed\tPriority\n/dev/vda2${' '.repeat(30)}\tpartition\t262144\t${usedKb}\t-2\n`);
    const human = sizeToHuman(usedKb * 1024);
    expect(sh('swapon').output).toBe(`NAME      TYPE      SIZE ${'USED'.padStart(human.length)} PRIO\n/dev/vda2 partition 256M ${human.padStart(4)}   -2\n`);
    expect(sh('swapon --show=name,used --bytes --noheadings').output).toBe(`/dev/vda2 ${usedKb * 1024}\n`);
    expect(sh('swapon /dev/vda2')).toEqual({ output: 'swapon: /dev/vda2: swapon failed: Device or resource busy\n', exitStatus: 255, error: 'EBUSY' });
    expect(sh('swapon -a').exitStatus).toBe(0);
    expect(sh('swapon --show=size,foo')).toMatchObject({ output: 'swapon: unknown column: foo\n', exitStatus: 1 });
  });

  it('swapon sizes: size_to_human_string rounds to one decimal and carries 10 tenths into the unit', () => {
    expect(sizeToHuman(0)).toBe('0B');
    expect(sizeToHuman(1023)).toBe('1023B');
    expect(sizeToHuman(1024)).toBe('1K');
    expect(sizeToHuman(1536)).toBe('1.5K');
    // 8 GiB less the swap header's page: 1023/1024 of a unit rounds up to the next whole one.
    expect(sizeToHuman(8 * 1024 ** 3 - 4096)).toBe('8G');
    expect(sizeToHuman(363470848)).toBe('346.6M');
  });

  it('vm.page-cluster sets the read-around: 0 reads a page per fault, 5 thirty-two', () => {
    const faultsPerPage = (cluster: number): number => {
      const k = machine({ nrCpus: 2, memoryBytes: 256 * 1024 ** 2, swapBytes: 256 * 1024 ** 2 });
      expect(k.proc.sysctl.get('vm.page-cluster')?.write?.(k, String(cluster))).toBeNull();
      spawn(k, {
        comm: 'owner',
        program: swapsItself,
      });
      k.engine.runUntil(6 * SEC);
      const r = k.proc.read('/proc/vmstat');
      const v = (name: string): number => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(r.ok ? r.text : '')?.[1]);
      expect(v('pswpin')).toBeGreaterThan(1000);
      checkMemory(k);
      return v('pgmajfault') / v('pswpin');
    };
    expect(faultsPerPage(0)).toBe(1);
    expect(faultsPerPage(5)).toBeCloseTo(1 / 32, 2);
  });
});
