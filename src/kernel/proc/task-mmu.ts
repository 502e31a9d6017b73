/**
 * /proc/PID/maps, smaps and smaps_rollup (fs/proc/task_mmu.c): a process's mappings at the addresses x86-64's layout
 * gives them. The memory model keeps what each mapping holds, not where it is, so addresses are given the first
 * time a mapping is shown and kept from then on (a WeakMap, nothing stored in the mm): the executable at
 * ELF_ET_DYN_BASE, the heap after it, the stack below STACK_TOP, and every other mapping top-down from
 * mmap_base into the highest gap that fits, as vm_unmapped_area() places a new one. Each base moves by an
 * ASLR offset taken from a hash of the seed and the tgid (not the PRNG: reading a file must change nothing),
 * within the kernel's ranges (28 bits of pages for mmap and the executable, 16 GiB for the stack, 32 MiB brk).
 * Adjacent anonymous mappings show as one, as vma_merge() would have made them. One line per mapping: a file
 * is mapped whole with the executable's or the library's permissions, not split into ELF segments, and there
 * is no [vdso]/[vvar] (not in VmSize either, so the lines add up to VmSize). /proc/PID/stat's code, heap and
 * stack addresses come from the same layout.
 */
import type { FileCache } from '../mm/files.js';
import type { Mm, Vma } from '../mm/mm-struct.js';
import { PAGE_SHIFT, PAGE_SIZE } from '../mm/page-alloc.js';

/** TASK_SIZE (47-bit): 0x7ffffffff000, in pages; STACK_TOP is the same. */
const TASK_SIZE_PAGES = 0x7ffffffff;
/** ELF_ET_DYN_BASE: two thirds of the address space, page aligned (0x555555554000). */
const ELF_ET_DYN_BASE_PAGES = 0x555555554;
const MMAP_RND_BITS = 28;
/** STACK_RND_MASK: 22 bits of pages (16 GiB). */
const STACK_RND_MASK = 0x3fffff;
/** mmap_base()'s gap: RLIMIT_STACK (8 MiB) + stack_guard_gap (1 MiB) + the stack's random range. */
const MMAP_GAP_PAGES = 2048 + 256 + STACK_RND_MASK + 1;
/** arch_randomize_brk(): up to 32 MiB past the end of the executable. */
const BRK_RND_PAGES = 0x2000;
/** The root file system's device (virtio-blk vda1, major 252) for file mappings. */
const ROOT_DEV = 'fc:01';

interface Layout {
  exe: number;
  brk: number;
  mmapBase: number;
  stackTop: number;
}

/** murmur3's fmix32: a deterministic spread of the seed and the tgid into ASLR bits. */
function mix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** FNV-1a of a path: the file system is not modelled, so a file's inode number is this, stable per path. */
function inodeOf(path: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193) >>> 0;
  return 1 + (h % 4_000_000);
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** The auxiliary vector's entries on x86-64 (AT_SYSINFO_EHDR ... AT_NULL) as execve() builds it. */
const AUXV_PAIRS = 21;

/** mm_struct's addresses in /proc/PID/stat (do_task_stat()), in bytes. */
export interface StatAddresses {
  startCode: number;
  endCode: number;
  startStack: number;
  startData: number;
  endData: number;
  startBrk: number;
  argStart: number;
  argEnd: number;
  envStart: number;
  envEnd: number;
}

export interface MapLine {
  startPage: number;
  endPage: number;
  perms: string;
  file: string | null;
  /** [heap] or [stack]; null for an anonymous mapping without a name. */
  special: string | null;
  /** The mappings shown as this one (more than one where anonymous ones merged). */
  vmas: Vma[];
}

export class MapsLayout {
  private readonly starts = new WeakMap<Vma, number>();
  private readonly layouts = new WeakMap<Mm, Layout>();

  constructor(private readonly seed: number) {}

  private layoutOf(mm: Mm, tgid: number): Layout {
    let l = this.layouts.get(mm);
    if (l === undefined) {
      const r = (salt: number): number => mix32(mix32(this.seed ^ Math.imul(tgid, 0x9e3779b1)) ^ salt);
      const exe = ELF_ET_DYN_BASE_PAGES + (r(1) & ((1 << MMAP_RND_BITS) - 1));
      const stackTop = TASK_SIZE_PAGES - (r(2) & STACK_RND_MASK);
      const mmapBase = TASK_SIZE_PAGES - MMAP_GAP_PAGES - (r(3) & ((1 << MMAP_RND_BITS) - 1));
      l = { exe, brk: 0, mmapBase, stackTop };
      const exeVma = mm.vmas.find((v) => v.kind === 'exe');
      l.brk = exe + (exeVma?.pages ?? 0) + (r(4) % BRK_RND_PAGES);
      this.layouts.set(mm, l);
    }
    return l;
  }

  /**
   * The mm's own addresses that /proc/PID/stat prints (start_code ... env_end), from the same layout as maps:
   * the code is the executable's mapping (mapped whole, there is no separate data segment: start_data = end_data =
   * end_code), the heap starts at start_brk, and at the top of the stack execve() left, top down, an 8-byte end
   * marker, the file name, the environment (empty: it is not modelled), the argument strings (argBytes, NULs
   * included), 16 random bytes (AT_RANDOM), and under them, 16-byte aligned, auxv, envp, argv and argc, where
   * start_stack points.
   */
  statAddresses(mm: Mm, tgid: number, argBytes: number, argc: number): StatAddresses {
    // The executable, the heap and the stack have fixed places in the layout: nothing needs placing to answer.
    const l = this.layoutOf(mm, tgid);
    const exe = mm.vmas.find((v) => v.kind === 'exe');
    const startCode = l.exe * PAGE_SIZE;
    const endCode = startCode + (exe?.pages ?? 0) * PAGE_SIZE;
    const top = l.stackTop * PAGE_SIZE - 8 - ((exe?.file?.length ?? 0) + 1);
    const envEnd = top;
    const argEnd = envEnd;
    const argStart = argEnd - argBytes;
    // AT_RANDOM's 16 bytes, then the pointer block: argc, argv[argc + 1], envp[1], and AUXV_PAIRS pairs.
    const block = 8 + (argc + 1) * 8 + 8 + AUXV_PAIRS * 16;
    const startStack = Math.floor((argStart - 16 - block) / 16) * 16;
    return { startCode, endCode, startStack, startData: endCode, endData: endCode, startBrk: l.brk * PAGE_SIZE, argStart, argEnd, envStart: envEnd, envEnd };
  }

  /** vm_unmapped_area() top-down: the highest gap below mmap_base that holds `pages`. */
  private unmappedArea(placed: { start: number; end: number }[], l: Layout, pages: number): number {
    let hi = l.mmapBase;
    for (const r of placed.filter((x) => x.start < l.mmapBase).sort((a, b) => b.start - a.start)) {
      if (r.end <= hi && hi - r.end >= pages) break;
      hi = Math.min(hi, r.start);
    }
    return hi - pages;
  }

  /** The mappings in address order, each with its place (given now if it has none yet). */
  lines(mm: Mm, tgid: number): MapLine[] {
    const l = this.layoutOf(mm, tgid);
    const placed: { start: number; end: number }[] = [];
    const pending: Vma[] = [];
    for (const v of mm.vmas) {
      const s = this.starts.get(v);
      if (s !== undefined) placed.push({ start: s, end: s + v.pages });
      else pending.push(v);
    }
    for (const v of pending) {
      let start: number;
      if (v.kind === 'exe') start = l.exe;
      else if (v.kind === 'stack') start = l.stackTop - v.pages;
      else if (v.kind === 'anon' && v.tag === 'brk') start = l.brk;
      else start = this.unmappedArea(placed, l, v.pages);
      this.starts.set(v, start);
      placed.push({ start, end: start + v.pages });
    }
    const out: MapLine[] = [];
    const sorted = mm.vmas.map((v) => ({ v, start: this.starts.get(v) as number })).sort((a, b) => a.start - b.start);
    for (const { v, start } of sorted) {
      if (v.pages === 0) continue;
      const file = v.file;
      const special = v.kind === 'stack' ? '[stack]' : v.kind === 'anon' && v.tag === 'brk' ? '[heap]' : null;
      const perms = v.kind === 'exe' || v.kind === 'lib' ? 'r-xp' : file !== null ? 'r--p' : 'rw-p';
      const prev = out[out.length - 1];
      // vma_merge(): an anonymous mapping right after another with the same permissions is the same VMA.
      if (prev !== undefined && file === null && special === null && prev.file === null && prev.special === null && prev.endPage === start && prev.perms === perms) {
        prev.endPage = start + v.pages;
        prev.vmas.push(v);
        continue;
      }
      out.push({ startPage: start, endPage: start + v.pages, perms, file, special, vmas: [v] });
    }
    return out;
  }

  /** show_map_vma(): "start-end perms offset dev inode", padded to column 73 before a name. */
  render(mm: Mm, tgid: number): string {
    let text = '';
    for (const m of this.lines(mm, tgid)) text += header(m);
    return text;
  }

  /** show_smap(): each mapping's header line, then its page counts (__show_smap) and VmFlags. */
  renderSmaps(mm: Mm, tgid: number, files: FileCache): string {
    let text = '';
    for (const m of this.lines(mm, tgid)) {
      const c = countPages(m.vmas, files);
      text += header(m);
      text += field('Size', (m.endPage - m.startPage) * 4);
      text += field('KernelPageSize', 4) + field('MMUPageSize', 4);
      text += smapFields(c, false);
      text += `${'THPeligible:'.padEnd(16)}${'0'.padStart(8)}\n`;
      text += `VmFlags: ${vmFlags(m)}\n`;
    }
    return text;
  }

  /** show_smaps_rollup(): one header from the first mapping's start to the last one's end, the sums of smaps. */
  renderSmapsRollup(mm: Mm, tgid: number, files: FileCache): string {
    const lines = this.lines(mm, tgid);
    const first = lines[0];
    const last = lines[lines.length - 1];
    if (first === undefined || last === undefined) return '';
    const c = countPages(lines.flatMap((m) => m.vmas), files);
    const head = `${hex(first.startPage * 2 ** PAGE_SHIFT, 8)}-${hex(last.endPage * 2 ** PAGE_SHIFT, 8)} ---p 00000000 00:00 0 `;
    return `${head.padEnd(72)} [rollup]\n${smapFields(c, true)}`;
  }
}

function header(m: MapLine): string {
  const dev = m.file !== null ? ROOT_DEV : '00:00';
  const ino = m.file !== null ? inodeOf(m.file) : 0;
  const head = `${hex(m.startPage * 2 ** PAGE_SHIFT, 8)}-${hex(m.endPage * 2 ** PAGE_SHIFT, 8)} ${m.perms} 00000000 ${dev} ${ino} `;
  const name = m.file ?? m.special;
  return name === null ? `${head}\n` : `${head.padEnd(72)} ${name}\n`;
}

/** SEQ_PUT_DEC(): the name and colon in 16 columns, the value in 8, then " kB". */
const field = (name: string, kb: number): string => `${`${name}:`.padEnd(16)}${String(kb).padStart(8)} kB\n`;

interface PageCounts {
  rssKb: number;
  anonKb: number;
  /** Pss in kB << PSS_SHIFT (12), as smaps_account() sums it, page by page. */
  pssFileFixed: number;
  sharedCleanKb: number;
  privateCleanKb: number;
  swapKb: number;
}

/**
 * smaps_account(): a private anonymous page counts whole in Pss and is dirty; a page-cache page mapped by n
 * processes adds 1/n of a page to Pss (PSS_SHIFT fixed point) and is shared clean when n > 1.
 */
function countPages(vmas: Vma[], files: FileCache): PageCounts {
  const c: PageCounts = { rssKb: 0, anonKb: 0, pssFileFixed: 0, sharedCleanKb: 0, privateCleanKb: 0, swapKb: 0 };
  for (const v of vmas) {
    c.anonKb += v.anon.length * 4;
    c.swapKb += v.swapped * 4;
    if (v.file === null || v.fileMapped === 0) continue;
    const n = Math.max(1, files.files.get(v.file)?.mapCount ?? 1);
    c.pssFileFixed += v.fileMapped * Math.floor((4096 * 4096) / n);
    if (n > 1) c.sharedCleanKb += v.fileMapped * 4;
    else c.privateCleanKb += v.fileMapped * 4;
  }
  c.rssKb = c.anonKb + c.sharedCleanKb + c.privateCleanKb;
  return c;
}

/** __show_smap(): the page counts, from Rss to Locked (the rollup has them alone). */
function smapFields(c: PageCounts, rollup: boolean): string {
  const pssFile = Math.floor(c.pssFileFixed / 4096 / 1024);
  return (
    field('Rss', c.rssKb) +
    field('Pss', c.anonKb + pssFile) +
    field('Pss_Dirty', c.anonKb) +
    (rollup ? field('Pss_Anon', c.anonKb) + field('Pss_File', pssFile) + field('Pss_Shmem', 0) : '') +
    field('Shared_Clean', c.sharedCleanKb) +
    field('Shared_Dirty', 0) +
    field('Private_Clean', c.privateCleanKb) +
    field('Private_Dirty', c.anonKb) +
    field('Referenced', c.rssKb) +
    field('Anonymous', c.anonKb) +
    field('KSM', 0) +
    field('LazyFree', 0) +
    field('AnonHugePages', 0) +
    field('ShmemPmdMapped', 0) +
    field('FilePmdMapped', 0) +
    field('Shared_Hugetlb', 0) +
    field('Private_Hugetlb', 0) +
    field('Swap', c.swapKb) +
    field('SwapPss', c.swapKb) +
    field('Locked', 0)
  );
}

/** show_smap_vma_flags(): two letters a flag, each followed by a space (sd: soft-dirty, on in x86 distributions). */
function vmFlags(m: MapLine): string {
  const f = ['rd'];
  if (m.perms[1] === 'w') f.push('wr');
  if (m.perms[2] === 'x') f.push('ex');
  f.push('mr', 'mw', 'me');
  if (m.special === '[stack]') f.push('gd');
  // VM_ACCOUNT: private writable memory charged to Committed_AS.
  if (m.perms[1] === 'w') f.push('ac');
  f.push('sd');
  return `${f.join(' ')} `;
}
