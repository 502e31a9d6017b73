/**
 * Memory accounting invariants: every page frame is free, reserved, or owned by exactly one user (anonymous
 * memory of an mm, page cache, a slab, page tables, vmalloc, module pages), and every counter /proc/meminfo
 * prints is the sum of its parts. Returns problems as text.
 */
import type { Kernel } from '../kernel.js';
import type { Mm } from '../mm/mm-struct.js';
import { Owner } from '../mm/page-alloc.js';

export function checkMemory(k: Kernel): string[] {
  const out: string[] = [];
  const mm = k.mm;
  const pa = mm.pages;
  const bad = (s: string): void => void out.push(s);
  const v = pa.verify();
  if (v !== null) bad(`buddy: ${v}`);
  const mms = new Set<Mm>();
  for (const t of [...k.tasks.values()]) if (t.mm !== null) mms.add(t.mm as Mm);
  let anon = 0;
  let pt = 0;
  let committed = 0;
  let swapped = 0;
  let activeAnon = 0;
  for (const m of mms) {
    for (const vma of m.vmas) {
      anon += vma.anon.length;
      committed += vma.committed;
      swapped += vma.swapped;
      activeAnon += vma.activePages;
      if (vma.activePages > vma.anon.length) bad(`vma ${vma.tag}: ${vma.activePages} active of ${vma.anon.length} pages`);
    }
    pt += m.ptPages.length;
  }
  const own = pa.ownerPages;
  if (anon !== own[Owner.Anon]) bad(`anon pages owned ${own[Owner.Anon]} != ${anon} held by mms`);
  if (pt !== own[Owner.PageTable]) bad(`page-table pages owned ${own[Owner.PageTable]} != ${pt} held by mms`);
  if (committed !== mm.committedAs) bad(`Committed_AS ${mm.committedAs} != ${committed} committed by mms`);
  if (swapped !== mm.swapUsed) bad(`swap used ${mm.swapUsed} != ${swapped} swap entries`);
  if (activeAnon !== mm.activeAnonPages) bad(`Active(anon) ${mm.activeAnonPages} != ${activeAnon}`);
  let cache = 0;
  let active = 0;
  let dirty = 0;
  for (const f of mm.files.files.values()) {
    cache += f.pages.length;
    if (f.active) active += f.pages.length;
    dirty += f.dirty;
    if (f.dirty > f.pages.length) bad(`${f.path}: ${f.dirty} dirty of ${f.pages.length} pages`);
  }
  if (cache !== own[Owner.PageCache] || cache !== mm.files.nrPages) bad(`page cache: owned ${own[Owner.PageCache]}, counter ${mm.files.nrPages}, files hold ${cache}`);
  if (active !== mm.files.activePages) bad(`Active(file) ${mm.files.activePages} != ${active}`);
  if (dirty !== mm.files.nrDirty) bad(`Dirty ${mm.files.nrDirty} != ${dirty}`);
  if (mm.vmalloc.nrPages !== own[Owner.Vmalloc]) bad(`vmalloc pages owned ${own[Owner.Vmalloc]} != ${mm.vmalloc.nrPages} in areas`);
  let slabPages = 0;
  for (const c of mm.slab.caches) {
    slabPages += c.pagesUsed;
    const e = c.verify();
    if (e !== null) bad(`slab: ${e}`);
  }
  if (slabPages !== own[Owner.Slab] || slabPages !== mm.slab.totalPages()) bad(`slab pages owned ${own[Owner.Slab]}, counters ${mm.slab.totalPages()}, caches hold ${slabPages}`);
  let modulePages = 0;
  for (const tags of mm.moduleAllocs.values()) {
    for (const list of tags.values()) for (const a of list) if (a.kind === 'pages') modulePages += a.pageCount;
  }
  if (modulePages !== own[Owner.Kernel]) bad(`module pages owned ${own[Owner.Kernel]} != ${modulePages} held by tasks`);
  let sum = 0;
  for (const n of own) sum += n;
  if (sum !== pa.totalPages) bad(`owners add up to ${sum} pages, the machine has ${pa.totalPages}`);
  return out;
}
