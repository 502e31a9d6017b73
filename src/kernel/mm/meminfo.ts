/**
 * /proc/meminfo (fs/proc/meminfo.c field order and format), si_mem_available(), show_mem() (the Mem-Info block
 * of the OOM report and SysRq-m) and /proc/zoneinfo. Every number is derived from the allocator's counters.
 */
import type { Kernel } from '../kernel.js';
import { kbLine } from '../proc/fmt.js';
import { NR_PAGE_ORDERS, Owner } from './page-alloc.js';
import { VMALLOC_TOTAL_BYTES } from './vmalloc.js';

export interface MemCounters {
  memTotal: number;
  memFree: number;
  memAvailable: number;
  buffers: number;
  cached: number;
  swapCached: number;
  active: number;
  inactive: number;
  activeAnon: number;
  inactiveAnon: number;
  activeFile: number;
  inactiveFile: number;
  swapTotal: number;
  swapFree: number;
  dirty: number;
  writeback: number;
  anonPages: number;
  mapped: number;
  shmem: number;
  kReclaimable: number;
  slab: number;
  sReclaimable: number;
  sUnreclaim: number;
  kernelStackKb: number;
  pageTables: number;
  commitLimit: number;
  committedAs: number;
  vmallocUsed: number;
  percpuKb: number;
}

/** All counters in pages (kernelStackKb and percpuKb in kB). */
export function memCounters(k: Kernel): MemCounters {
  const mm = k.mm;
  const pa = mm.pages;
  const own = pa.ownerPages;
  const fc = mm.files;
  const anon = own[Owner.Anon] as number;
  const activeAnon = mm.activeAnonPages;
  const sRecl = mm.slab.reclaimablePages;
  const sUnrecl = mm.slab.unreclaimablePages;
  const cached = fc.nrPages;
  const free = pa.freePages;
  const memTotal = pa.managedPages;
  // si_mem_available()
  const wmarkLow = pa.sumWmarkLow();
  const pagecache = cached;
  let available = free - pa.totalReservePages();
  available += pagecache - Math.min(Math.floor(pagecache / 2), wmarkLow);
  available += sRecl - Math.min(Math.floor(sRecl / 2), wmarkLow);
  if (available < 0) available = 0;
  return {
    memTotal,
    memFree: free,
    memAvailable: available,
    buffers: 0,
    cached,
    swapCached: 0,
    active: activeAnon + fc.activePages,
    inactive: anon - activeAnon + fc.inactivePages,
    activeAnon,
    inactiveAnon: anon - activeAnon,
    activeFile: fc.activePages,
    inactiveFile: fc.inactivePages,
    swapTotal: mm.totalSwapPages(),
    swapFree: mm.totalSwapPages() - mm.swapUsed,
    dirty: fc.nrDirty,
    writeback: fc.nrWriteback,
    anonPages: anon,
    mapped: mm.mappedFilePages(),
    shmem: 0,
    kReclaimable: sRecl,
    slab: sRecl + sUnrecl,
    sReclaimable: sRecl,
    sUnreclaim: sUnrecl,
    kernelStackKb: mm.kernelStacks * 16,
    pageTables: own[Owner.PageTable] as number,
    commitLimit: mm.commitLimit(),
    committedAs: mm.committedAs,
    vmallocUsed: mm.vmalloc.nrPages,
    percpuKb: mm.percpuKb,
  };
}

/** si_mem_available() in pages. */
export function memAvailablePages(free: number, totalReserve: number, pagecache: number, sReclaimable: number, wmarkLow: number): number {
  let available = free - totalReserve;
  available += pagecache - Math.min(Math.floor(pagecache / 2), wmarkLow);
  available += sReclaimable - Math.min(Math.floor(sReclaimable / 2), wmarkLow);
  return Math.max(0, available);
}

/**
 * /proc/vmstat (mm/vmstat.c vmstat_text order): the node and zone counters this machine keeps, then the
 * event counters. Counters the simulation does not model (NUMA, THP, compaction) are left out rather than
 * shown as made-up zeros.
 */
export function renderVmstat(k: Kernel): string {
  const c = memCounters(k);
  const r = k.mm.reclaimStats;
  const rows: [string, number][] = [
    ['nr_free_pages', c.memFree],
    ['nr_zone_inactive_anon', c.inactiveAnon],
    ['nr_zone_active_anon', c.activeAnon],
    ['nr_zone_inactive_file', c.inactiveFile],
    ['nr_zone_active_file', c.activeFile],
    ['nr_zone_unevictable', 0],
    ['nr_zone_write_pending', c.dirty + c.writeback],
    ['nr_mlock', 0],
    ['nr_inactive_anon', c.inactiveAnon],
    ['nr_active_anon', c.activeAnon],
    ['nr_inactive_file', c.inactiveFile],
    ['nr_active_file', c.activeFile],
    ['nr_unevictable', 0],
    ['nr_slab_reclaimable', c.sReclaimable],
    ['nr_slab_unreclaimable', c.sUnreclaim],
    ['workingset_refault_anon', r.workingsetRefaultAnon],
    ['workingset_refault_file', r.workingsetRefaultFile],
    ['nr_anon_pages', c.anonPages],
    ['nr_mapped', c.mapped],
    ['nr_file_pages', c.cached],
    ['nr_dirty', c.dirty],
    ['nr_writeback', c.writeback],
    ['nr_shmem', c.shmem],
    ['nr_kernel_stack', c.kernelStackKb],
    ['nr_page_table_pages', c.pageTables],
    ['nr_swapcached', c.swapCached],
    ['pgpgin', r.pgpginKb],
    ['pgpgout', r.pgpgoutKb],
    ['pswpin', r.swappedIn],
    ['pswpout', r.swappedOut],
    ['pgfault', r.pgfault],
    ['pgmajfault', r.pgmajfault],
    ['pgsteal_kswapd', r.kswapdReclaimed],
    ['pgsteal_direct', r.directReclaimed],
    ['pgscan_kswapd', r.kswapdScanned],
    ['pgscan_direct', r.directScanned],
    ['slabs_scanned', r.slabsScanned],
    ['allocstall_normal', r.allocstall],
    ['oom_kill', k.mm.oomKillsTotal],
  ];
  return rows.map(([name, v]) => `${name} ${v}\n`).join('');
}

export function renderMeminfo(k: Kernel): string {
  const c = memCounters(k);
  const p = (label: string, pages: number): string => kbLine(label, pages * 4);
  const kbl = (label: string, kb: number): string => kbLine(label, kb);
  const memBytes = k.config.memoryBytes;
  const direct1G = Math.floor(memBytes / 1024 ** 3) > 4 ? Math.floor(memBytes / 1024 ** 3 - 4) * 1024 * 1024 : 0;
  const direct4k = 180_000;
  const direct2M = Math.max(0, Math.floor(memBytes / 1024) - direct4k - direct1G);
  const lines = [
    p('MemTotal', c.memTotal),
    p('MemFree', c.memFree),
    p('MemAvailable', c.memAvailable),
    p('Buffers', c.buffers),
    p('Cached', c.cached),
    p('SwapCached', c.swapCached),
    p('Active', c.active),
    p('Inactive', c.inactive),
    p('Active(anon)', c.activeAnon),
    p('Inactive(anon)', c.inactiveAnon),
    p('Active(file)', c.activeFile),
    p('Inactive(file)', c.inactiveFile),
    p('Unevictable', 0),
    p('Mlocked', 0),
    p('SwapTotal', c.swapTotal),
    p('SwapFree', c.swapFree),
    p('Zswap', 0),
    p('Zswapped', 0),
    p('Dirty', c.dirty),
    p('Writeback', c.writeback),
    p('AnonPages', c.anonPages),
    p('Mapped', c.mapped),
    p('Shmem', c.shmem),
    p('KReclaimable', c.kReclaimable),
    p('Slab', c.slab),
    p('SReclaimable', c.sReclaimable),
    p('SUnreclaim', c.sUnreclaim),
    kbl('KernelStack', c.kernelStackKb),
    p('PageTables', c.pageTables),
    p('SecPageTables', 0),
    p('NFS_Unstable', 0),
    p('Bounce', 0),
    p('WritebackTmp', 0),
    p('CommitLimit', c.commitLimit),
    p('Committed_AS', c.committedAs),
    kbl('VmallocTotal', VMALLOC_TOTAL_BYTES / 1024 - 1),
    p('VmallocUsed', c.vmallocUsed),
    p('VmallocChunk', 0),
    kbl('Percpu', c.percpuKb),
    `HardwareCorrupted: ${String(0).padStart(5)} kB`,
    p('AnonHugePages', 0),
    p('ShmemHugePages', 0),
    p('ShmemPmdMapped', 0),
    p('FileHugePages', 0),
    p('FilePmdMapped', 0),
    `HugePages_Total:   ${String(0).padStart(5)}`,
    `HugePages_Free:    ${String(0).padStart(5)}`,
    `HugePages_Rsvd:    ${String(0).padStart(5)}`,
    `HugePages_Surp:    ${String(0).padStart(5)}`,
    kbl('Hugepagesize', 2048),
    kbl('Hugetlb', 0),
    kbl('DirectMap4k', direct4k),
    kbl('DirectMap2M', direct2M),
  ];
  if (direct1G > 0) lines.push(kbl('DirectMap1G', direct1G));
  return `${lines.join('\n')}\n`;
}

/** show_mem(): the Mem-Info block (OOM report, SysRq-m). Lines without the printk prefix. */
export function renderShowMem(k: Kernel): string[] {
  const c = memCounters(k);
  const mm = k.mm;
  const pa = mm.pages;
  const out: string[] = ['Mem-Info:'];
  out.push(
    `active_anon:${c.activeAnon} inactive_anon:${c.inactiveAnon} isolated_anon:0\n active_file:${c.activeFile} inactive_file:${c.inactiveFile} isolated_file:0\n unevictable:0 dirty:${c.dirty} writeback:${c.writeback}\n slab_reclaimable:${c.sReclaimable} slab_unreclaimable:${c.sUnreclaim}\n mapped:${c.mapped} shmem:0 pagetables:${c.pageTables}\n sec_pagetables:0 bounce:0\n kernel_misc_reclaimable:0\n free:${c.memFree} free_pcp:0 free_cma:0`,
  );
  out.push(
    `Node 0 active_anon:${c.activeAnon * 4}kB inactive_anon:${c.inactiveAnon * 4}kB active_file:${c.activeFile * 4}kB inactive_file:${c.inactiveFile * 4}kB unevictable:0kB isolated(anon):0kB isolated(file):0kB mapped:${c.mapped * 4}kB dirty:${c.dirty * 4}kB writeback:${c.writeback * 4}kB shmem:0kB shmem_thp:0kB shmem_pmdmapped:0kB anon_thp:0kB writeback_tmp:0kB kernel_stack:${c.kernelStackKb}kB pagetables:${c.pageTables * 4}kB sec_pagetables:0kB all_unreclaimable? ${c.memFree < pa.sumWmarkLow() ? 'yes' : 'no'}`,
  );
  for (const z of pa.zones) {
    out.push(
      `Node 0 ${z.name} free:${z.freePages * 4}kB boost:0kB min:${z.wmarkMin * 4}kB low:${z.wmarkLow * 4}kB high:${z.wmarkHigh * 4}kB reserved_highatomic:0KB present:${z.spannedPages * 4}kB managed:${z.managedPages * 4}kB mlocked:0kB bounce:0kB free_pcp:0kB local_pcp:0kB free_cma:0kB`,
    );
    out.push(`lowmem_reserve[]: ${[...z.lowmemReserve, ...new Array<number>(Math.max(0, 5 - z.lowmemReserve.length)).fill(z.lowmemReserve[z.lowmemReserve.length - 1] ?? 0)].join(' ')}`);
  }
  for (const z of pa.zones) {
    const parts: string[] = [];
    let total = 0;
    for (let o = 0; o < NR_PAGE_ORDERS; o++) {
      const n = z.nrFree[o] as number;
      parts.push(`${n}*${4 << o}kB`);
      total += n * (4 << o);
    }
    out.push(`Node 0 ${z.name}: ${parts.join(' ')} = ${total}kB`);
  }
  out.push('Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=1048576kB');
  out.push('Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=2048kB');
  out.push(`${c.cached} total pagecache pages`);
  out.push('0 pages in swap cache');
  out.push(`Free swap  = ${c.swapFree * 4}kB`);
  out.push(`Total swap = ${c.swapTotal * 4}kB`);
  out.push(`${pa.totalPages} pages RAM`);
  out.push('0 pages HighMem/MovableOnly');
  out.push(`${pa.totalPages - pa.managedPages} pages reserved`);
  out.push('0 pages hwpoisoned');
  void mm;
  return out;
}

/** /proc/zoneinfo, the per-zone summary part. */
export function renderZoneinfo(k: Kernel): string {
  const pa = k.mm.pages;
  const lines: string[] = [];
  for (const z of pa.zones) {
    lines.push(`Node 0, zone ${z.name.padStart(8)}`);
    lines.push(`  pages free     ${z.freePages}`);
    lines.push(`        boost    0`);
    lines.push(`        min      ${z.wmarkMin}`);
    lines.push(`        low      ${z.wmarkLow}`);
    lines.push(`        high     ${z.wmarkHigh}`);
    lines.push(`        promo    ${z.wmarkPromo}`);
    lines.push(`        spanned  ${z.spannedPages}`);
    lines.push(`        present  ${z.spannedPages}`);
    lines.push(`        managed  ${z.managedPages}`);
    lines.push(`        cma      0`);
    lines.push(`        protection: (${[...z.lowmemReserve, z.lowmemReserve[z.lowmemReserve.length - 1] ?? 0, z.lowmemReserve[z.lowmemReserve.length - 1] ?? 0].join(', ')})`);
    lines.push(`      nr_free_pages ${z.freePages}`);
    lines.push(`  pagesets`);
    lines.push(`  node_unreclaimable:  0`);
    lines.push(`  start_pfn:           ${z.startPfn}`);
  }
  return `${lines.join('\n')}\n`;
}
