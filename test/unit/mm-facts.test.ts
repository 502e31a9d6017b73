/**
 * kernel-facts §12-17 checkable facts: the buddy allocator, SLUB geometry and slabinfo, shrinker scan targets,
 * commit accounting in the three overcommit modes, MemAvailable, oom_score and the oom_adj conversions, vmalloc.
 */
import { describe, expect, it } from 'vitest';
import { memAvailablePages } from '../../src/kernel/mm/meminfo.js';
import { oomScoreFromBadness } from '../../src/kernel/mm/oom.js';
import { commitLimitPages, vmEnoughMemory } from '../../src/kernel/mm/overcommit.js';
import { Xoshiro128 } from '../../src/kernel/core/rng.js';
import { PfnList } from '../../src/kernel/mm/mm-struct.js';
import { Owner, PageAllocator } from '../../src/kernel/mm/page-alloc.js';
import { shrinkTarget } from '../../src/kernel/mm/shrinker.js';
import { calculateOrder, kmallocClass, SlabAllocator } from '../../src/kernel/mm/slab.js';
import { VmallocSpace, vmAreaSize } from '../../src/kernel/mm/vmalloc.js';
import { oomAdjFromScoreAdj, oomScoreAdjFromOomAdj } from '../../src/kernel/proc/procfs.js';
import { SysctlValues } from '../../src/kernel/sysctl.js';

describe('buddy allocator', () => {
  const zone64M = (): PageAllocator => {
    const pa = new PageAllocator(16384, [['Normal', 0, 16384]]);
    pa.memblockFreeAll([[0, 16384]]);
    return pa;
  };
  it('an aligned 64 MiB zone starts as 16 order-10 blocks', () => {
    const pa = zone64M();
    expect(pa.zones[0]?.nrFree).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16]);
  });
  it('one order-0 allocation leaves one block at each of orders 0-9 and 15 at order 10; freeing merges back', () => {
    const pa = zone64M();
    const z = pa.zones[0]!;
    const pfn = pa.rmqueue(z, 0, Owner.Anon);
    expect(z.nrFree).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 15]);
    expect(pa.verify()).toBeNull();
    pa.free(pfn, 0);
    expect(z.nrFree).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16]);
    expect(pa.verify()).toBeNull();
  });
  it('boot frees the given ranges in aligned blocks and keeps every other page reserved', () => {
    const pa = new PageAllocator(4096, [['Normal', 0, 4096]]);
    pa.memblockFreeAll([[10, 2000], [3000, 4096]]);
    expect(pa.freePages).toBe(1990 + 1096);
    expect(pa.ownerPages[Owner.Reserved]).toBe(10 + 1000);
    // 10-2000: orders 1, 2, 4, 5, 6, 7, 8, 9 up to 1024, then 9, 8, 7, 6, 4; 3000-4096: orders 3, 6, 10.
    expect(pa.zones[0]!.nrFree).toEqual([0, 1, 1, 1, 2, 1, 3, 2, 2, 2, 1]);
    expect(pa.verify()).toBeNull();
    expect(() => pa.memblockFreeAll([[0, 10]])).toThrow(/already booted/);
  });
  it('the buddy of pfn 0x1234 at order 3 is 0x123C', () => {
    expect(0x1234 ^ (1 << 3)).toBe(0x123c);
  });
  it('bulk allocation and freeing leave exactly what page-at-a-time rmqueue() and free() leave', () => {
    // Two zones with a boundary that is not block-aligned, lists that interleave, partial frees.
    const layout: [ 'DMA' | 'Normal', number, number][] = [['DMA', 0, 1000], ['Normal', 1000, 9000]];
    const bulk = new PageAllocator(9000, layout);
    const ref = new PageAllocator(9000, layout);
    bulk.memblockFreeAll([[0, 9000]]);
    ref.memblockFreeAll([[0, 9000]]);
    const rng = new Xoshiro128(7);
    const bulkLists: PfnList[] = [];
    const refLists: PfnList[] = [];
    const contents = (l: PfnList): number[] => {
      const out: number[] = [];
      while (l.length > 0) out.push(l.pop());
      return out;
    };
    for (let step = 0; step < 400; step++) {
      const zi = rng.intBelow(2);
      if (bulkLists.length === 0 || rng.chance(1, 2)) {
        const i = rng.intBelow(bulkLists.length + 1);
        if (i === bulkLists.length) {
          bulkLists.push(new PfnList());
          refLists.push(new PfnList());
        }
        const n = rng.chance(1, 3) ? rng.intBelow(8) : rng.intBelow(700);
        const got = bulk.rmqueueBulk(bulk.zones[zi]!, n, Owner.Anon, bulkLists[i]!);
        let refGot = 0;
        for (; refGot < n; refGot++) {
          const pfn = ref.rmqueue(ref.zones[zi]!, 0, Owner.Anon);
          if (pfn < 0) break;
          refLists[i]!.push(pfn);
        }
        expect(got).toBe(refGot);
      } else {
        const i = rng.intBelow(bulkLists.length);
        const k = rng.intBelow(bulkLists[i]!.length + 1);
        bulk.freeListTail(bulkLists[i]!, k);
        for (let j = 0; j < k; j++) ref.free(refLists[i]!.pop(), 0);
      }
      expect(bulk.zones.map((z) => z.nrFree)).toEqual(ref.zones.map((z) => z.nrFree));
    }
    expect(bulkLists.map(contents)).toEqual(refLists.map(contents));
    expect(bulk.verify()).toBeNull();
    expect(ref.verify()).toBeNull();
    // The same free lists, in the same order: page-at-a-time allocation drains both alike.
    const drain = (pa: PageAllocator): number[] => pa.zones.flatMap((z) => Array.from({ length: z.freePages }, () => pa.rmqueue(z, 0, Owner.Anon)));
    expect(drain(bulk)).toEqual(drain(ref));
  });
  it('/proc/buddyinfo rows: 11 columns of %6lu and a trailing space', () => {
    const pa = zone64M();
    expect(pa.renderBuddyinfo()).toBe(`Node 0, zone   Normal ${[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16].map((n) => `${String(n).padStart(6)} `).join('')}\n`);
  });
});

describe('SLUB geometry (calculate_order) and /proc/slabinfo', () => {
  const table: Record<number, Record<number, [number, number]>> = {
    1: { 8: [512, 1], 96: [42, 1], 192: [21, 1], 512: [8, 1], 1024: [8, 2], 4096: [8, 8], 8192: [4, 8] },
    4: { 192: [21, 1], 256: [16, 1], 512: [16, 2], 1024: [16, 4], 2048: [16, 8], 4096: [8, 8] },
    8: { 192: [21, 1], 256: [32, 2], 512: [32, 4], 1024: [32, 8], 2048: [16, 8] },
    16: { 192: [42, 2], 256: [32, 2], 128: [32, 1] },
    128: { 128: [64, 2], 256: [64, 4], 512: [64, 8], 1024: [32, 8] },
  };
  for (const [cpus, row] of Object.entries(table)) {
    for (const [size, [objs, pages]] of Object.entries(row)) {
      it(`${cpus} CPUs: kmalloc-${size} has ${objs} objects in ${pages} page(s)`, () => {
        const order = calculateOrder(Number(size), Number(cpus));
        expect(1 << order).toBe(pages);
        expect(Math.floor((4096 << order) / Number(size))).toBe(objs);
      });
    }
  }
  it('other sizes on 4 vs 64 CPUs: 200 B 20/0 vs 40/1, 424 B 19/1 vs 38/2, 832 B 19/2 vs 39/3', () => {
    expect([calculateOrder(200, 4), calculateOrder(200, 64)]).toEqual([0, 1]);
    expect([calculateOrder(424, 4), calculateOrder(424, 64)]).toEqual([1, 2]);
    expect([calculateOrder(832, 4), calculateOrder(832, 64)]).toEqual([2, 3]);
  });
  it('kmalloc classes round up, with 96 and 192; above 8 KiB is the page allocator', () => {
    expect([1, 8, 9, 65, 96, 97, 129, 192, 193, 8192].map(kmallocClass)).toEqual([8, 8, 16, 96, 96, 128, 192, 192, 256, 8192]);
    expect(kmallocClass(8193)).toBeNull();
  });
  it('a slabinfo row: 100 kmalloc-192 objects on a 4-CPU machine', () => {
    const pa = new PageAllocator(4096, [['Normal', 0, 4096]]);
    pa.memblockFreeAll([[0, 4096]]);
    const sl = new SlabAllocator(pa, 4);
    const c = sl.create('kmalloc-192', 192, 8)!;
    for (let i = 0; i < 100; i++) c.alloc((o) => pa.rmqueue(pa.zones[0]!, o, Owner.Slab));
    expect(c.slabinfoRow()).toBe('kmalloc-192          100    105    192   21    1 : tunables    0    0    0 : slabdata      5      5      0');
    expect(sl.renderSlabinfo().split('\n').slice(0, 2)).toEqual([
      'slabinfo - version: 2.1',
      '# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>',
    ]);
  });
});
  it('allocBulk(n) leaves the cache and the pages exactly as n alloc() calls do, freed slots first', () => {
    const setup = () => {
      const pa = new PageAllocator(4096, [['Normal', 0, 4096]]);
      pa.memblockFreeAll([[0, 4096]]);
      const c = new SlabAllocator(pa, 4).create('kmalloc-192', 192, 8)!;
      const pages = (o: number): number => pa.rmqueue(pa.zones[0]!, o, Owner.Slab);
      // Some freed slots on a partial slab's returned stack before the bulk allocation.
      const objs = Array.from({ length: 50 }, () => c.alloc(pages)!);
      for (const i of [3, 17, 18, 40, 49]) c.free(objs[i]!);
      return { pa, c, pages };
    };
    const one = setup();
    const bulk = setup();
    for (let i = 0; i < 130; i++) one.c.alloc(one.pages);
    expect(bulk.c.allocBulk(130, bulk.pages)).toBe(130);
    expect(bulk.c.slabinfoRow()).toBe(one.c.slabinfoRow());
    expect(bulk.pa.zones[0]!.nrFree).toEqual(one.pa.zones[0]!.nrFree);
    // The next objects come from the same slots.
    const next = (s: ReturnType<typeof setup>) => Array.from({ length: 30 }, () => { const o = s.c.alloc(s.pages)!; return [o.slab.id, o.index]; });
    expect(next(bulk)).toEqual(next(one));
    expect(bulk.pa.verify()).toBeNull();
    // Out of pages: it stops where alloc() starts returning null.
    const tiny = new PageAllocator(4, [['Normal', 0, 4]]);
    tiny.memblockFreeAll([[0, 4]]);
    const t = new SlabAllocator(tiny, 1).create('kmalloc-192', 192, 8)!;
    expect(t.allocBulk(10_000, (o) => tiny.rmqueue(tiny.zones[0]!, o, Owner.Slab))).toBe(t.slabinfoRow().split(/\s+/).map(Number)[2]);
  });

describe('shrinker scan targets (do_shrink_slab)', () => {
  it('freeable 40960, seeks 2: 20 objects at priority 12, capped at 2 x freeable at priority 0', () => {
    expect(shrinkTarget(40960, 0, 12, 2).totalScan).toBe(20);
    expect(shrinkTarget(40960, 0, 0, 2).totalScan).toBe(81920);
  });
  it('below 4096 freeable objects nothing is scanned at priority 12', () => {
    expect(shrinkTarget(4095, 0, 12, 2).delta).toBe(0);
  });
});

describe('commit accounting (__vm_enough_memory)', () => {
  const GiB = 262144;
  const state = { totalRamPages: 16 * GiB, totalSwapPages: 2 * GiB, hugetlbPages: 0, committedAs: 0 };
  it('16 GiB RAM + 2 GiB swap at ratio 50: CommitLimit 2,621,440 pages', () => {
    expect(commitLimitPages(state, new SysctlValues(250, 1))).toBe(2_621_440);
  });
  it('mode 0 refuses only a single request larger than RAM + swap', () => {
    const s = new SysctlValues(250, 1);
    expect(vmEnoughMemory({ ...state, committedAs: 20 * GiB }, s, 20 * GiB, null, true)).toBe(false);
    expect(vmEnoughMemory({ ...state, committedAs: 17 * GiB }, s, 17 * GiB, null, true)).toBe(true);
  });
  it('mode 1 always allows (1 TiB)', () => {
    const s = new SysctlValues(250, 1);
    s.overcommitMemory = 1;
    expect(vmEnoughMemory({ ...state, committedAs: 1024 * GiB }, s, 1024 * GiB, null, true)).toBe(true);
  });
  it('mode 2, non-root, Committed_AS 10,000,000 kB: a 600,000 kB request fails', () => {
    const s = new SysctlValues(250, 1);
    s.overcommitMemory = 2;
    s.adminReserveKbytes = 8192;
    s.userReserveKbytes = 131072;
    expect(vmEnoughMemory({ ...state, committedAs: (10_000_000 + 600_000) / 4 }, s, 600_000 / 4, 1000, false)).toBe(false);
    expect(vmEnoughMemory({ ...state, committedAs: (9_000_000 + 600_000) / 4 }, s, 600_000 / 4, 1000, false)).toBe(true);
  });
});

describe('MemAvailable (si_mem_available)', () => {
  it('free 1,000,000, reserve 20,000, file LRU 400,000, SReclaimable 100,000, wmark_low 15,000 -> 1,450,000 pages', () => {
    expect(memAvailablePages(1_000_000, 20_000, 400_000, 100_000, 15_000)).toBe(1_450_000);
  });
});

describe('oom_score and oom_adj (fs/proc/base.c)', () => {
  const total = 1_048_576;
  const badness = (rss: number, pt: number, adj: number): number => rss + pt + adj * Math.floor(total / 1000);
  it('4 GiB, no swap: rss 262,144 + 512 page-table pages -> 833; adj 500 -> 1166; adj -500 -> 500', () => {
    expect(oomScoreFromBadness(badness(262_144, 512, 0), total)).toBe(833);
    expect(oomScoreFromBadness(badness(262_144, 512, 500), total)).toBe(1166);
    expect(oomScoreFromBadness(badness(262_144, 512, -500), total)).toBe(500);
  });
  it('a tiny process reads 666; adj -1000 reads 0; all RAM with adj 1000 reads 1999', () => {
    expect(oomScoreFromBadness(badness(1000, 0, 0), total)).toBe(666);
    expect(oomScoreFromBadness(null, total)).toBe(0);
    expect(oomScoreFromBadness(badness(total, 0, 1000), total)).toBe(1999);
  });
  it('legacy oom_adj: -17 -> -1000, -16 -> -941, 10 -> 588, 15 -> 1000; reading with oom_score_adj 500 gives 8', () => {
    expect([-17, -16, 10, 15].map(oomScoreAdjFromOomAdj)).toEqual([-1000, -941, 588, 1000]);
    expect(oomAdjFromScoreAdj(500)).toBe(8);
    expect(oomAdjFromScoreAdj(1000)).toBe(15);
  });
});

describe('vmalloc', () => {
  it('vmalloc(10000): 3 pages, a 16384-byte area with its guard page, "pages=3 vmalloc"', () => {
    expect(vmAreaSize(10000)).toBe(16384);
    const v = new VmallocSpace();
    v.add({ size: vmAreaSize(10000), caller: 'mod_init+0x1a/0x40 [mod]', pages: [11, 12, 13], kind: 'vmalloc' });
    const line = v.render();
    expect(line).toMatch(/^0xffffc90000000000-0xffffc90000004000   16384 mod_init\+0x1a\/0x40 \[mod\] pages=3 vmalloc N0=3\n$/);
  });

  it('address space: the lowest freed range that fits, freed ranges coalesced, as a sorted list of holes does it', () => {
    // The oracle: holes in a sorted array, first fit from the lowest address, neighbours merged on free.
    let holes: [number, number][] = [];
    let top = 0;
    const oracleReserve = (size: number): number => {
      const i = holes.findIndex(([, sz]) => sz >= size);
      if (i < 0) return (top += size) - size;
      const h = holes[i] as [number, number];
      const off = h[0];
      if (h[1] === size) holes.splice(i, 1);
      else holes[i] = [off + size, h[1] - size];
      return off;
    };
    const oracleRelease = (off: number, size: number): void => {
      holes.push([off, size]);
      holes.sort((a, b) => a[0] - b[0]);
      const merged: [number, number][] = [];
      for (const [o, sz] of holes) {
        const last = merged[merged.length - 1];
        if (last !== undefined && last[0] + last[1] === o) last[1] += sz;
        else merged.push([o, sz]);
      }
      holes = merged;
    };
    const v = new VmallocSpace();
    const rng = new Xoshiro128(9, 'vmalloc');
    const live: { area: ReturnType<VmallocSpace['add']>; oracleOff: number }[] = [];
    for (let step = 0; step < 4000; step++) {
      if (live.length > 0 && rng.intBelow(100) < 48) {
        const j = rng.intBelow(live.length);
        const { area } = live[j] as (typeof live)[number];
        live.splice(j, 1);
        v.remove(area);
        oracleRelease(area.offset, area.size);
      } else {
        const size = (1 + rng.intBelow(rng.chance(1, 8) ? 64 : 4)) * 4096;
        const area = v.add({ size, caller: 'bench', pages: [], kind: 'vmalloc' });
        live.push({ area, oracleOff: oracleReserve(size) });
        expect(area.offset).toBe(live[live.length - 1]?.oracleOff);
      }
      expect(v.verify()).toBeNull();
      expect(v.freeRanges()).toEqual(holes);
    }
    expect(v.count).toBe(live.length);
  });
});
