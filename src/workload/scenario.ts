/**
 * The scenario file: the machine, the scheduler settings, the tasks and their programs, and timed actions.
 * Validated with zod; every error names its place, as `tasks[2].program[0].run: expected a duration like "5ms"`.
 * The result is plain data (durations in ns, sizes in bytes) that runner.ts turns into kernel calls.
 */
import * as z from 'zod';
import type { Dist } from './dist.js';
import { parseDurationNs, parseRateBytesPerSec, parseSizeBytes } from './units.js';
import { InputError } from '../lib/input-error.js';

// zod compiles each object schema with new Function at its first parse unless jitless; for files parsed once
// (scenario, config, theme, journal) that costs more than it saves: 22 ms -> 9 ms of start-up on the default
// demo. The setting is read when a schema is built, so each module with schemas sets it before building them.
z.config({ jitless: true });

/* ------------------------------------------------------------------ value types */

const DUR_MSG = 'expected a duration like "5ms"';
const SIZE_MSG = 'expected a size like "64M"';

export const durationNs = z.custom<string>((v) => typeof v === 'string', { message: DUR_MSG }).transform((v, ctx) => {
  const ns = parseDurationNs(v);
  if (ns === null) {
    ctx.addIssue({ code: 'custom', message: DUR_MSG });
    return z.NEVER;
  }
  return ns;
});

export const sizeBytes = z
  .custom<string | number>((v) => typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v) && v >= 0), {
    message: SIZE_MSG,
  })
  .transform((v, ctx) => {
    const b = parseSizeBytes(v);
    if (b === null) {
      ctx.addIssue({ code: 'custom', message: SIZE_MSG });
      return z.NEVER;
    }
    return b;
  });

const RATE_MSG = 'expected a rate like "50M/s"';
export const rateBytesPerSec = z.custom<string>((v) => typeof v === 'string', { message: RATE_MSG }).transform((v, ctx) => {
  const r = parseRateBytesPerSec(v);
  if (r === null || r <= 0) {
    ctx.addIssue({ code: 'custom', message: RATE_MSG });
    return z.NEVER;
  }
  return r;
});

const int = (min: number, max: number, what = 'an integer'): z.ZodType<number> =>
  z
    .number({ message: `expected ${what} from ${min} to ${max}` })
    .int({ message: `expected ${what} from ${min} to ${max}` })
    .min(min, { message: `expected ${what} from ${min} to ${max}` })
    .max(max, { message: `expected ${what} from ${min} to ${max}` });

const DIST_MSG = 'expected a duration like "5ms", {"exp": "2ms"} or {"uniform": ["5ms", "15ms"]}';

/** A duration distribution, parsed by hand so that every error names its exact place. */
function parseDist(v: unknown, ctx: z.RefinementCtx, allowForever: boolean): Dist | 'forever' | typeof z.NEVER {
  const fail = (message: string, path: (string | number)[] = []): typeof z.NEVER => {
    ctx.addIssue({ code: 'custom', message, path });
    return z.NEVER;
  };
  const dur = (x: unknown, path: (string | number)[]): number | null => {
    const ns = typeof x === 'string' ? parseDurationNs(x) : null;
    if (ns === null) fail(DUR_MSG, path);
    return ns;
  };
  if (typeof v === 'string') {
    if (v === 'forever' && allowForever) return 'forever';
    const ns = dur(v, []);
    return ns === null ? z.NEVER : { kind: 'fixed', ns };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(allowForever ? `${DIST_MSG}, or "forever"` : DIST_MSG);
  const keys = Object.keys(v);
  const o = v as Record<string, unknown>;
  if (keys.length !== 1) return fail(DIST_MSG);
  const key = keys[0] as string;
  if (key === 'fixed' || key === 'exp') {
    const ns = dur(o[key], [key]);
    if (ns === null) return z.NEVER;
    return key === 'fixed' ? { kind: 'fixed', ns } : { kind: 'exp', meanNs: ns };
  }
  if (key === 'uniform') {
    const u = o.uniform;
    if (!Array.isArray(u) || u.length !== 2) return fail('expected two durations like ["5ms", "15ms"]', ['uniform']);
    const a = dur(u[0], ['uniform', 0]);
    const b = dur(u[1], ['uniform', 1]);
    if (a === null || b === null) return z.NEVER;
    return { kind: 'uniform', loNs: Math.min(a, b), hiNs: Math.max(a, b) };
  }
  return fail(`unknown distribution "${key}" (${DIST_MSG})`, [key]);
}

export const distSchema = z.unknown().transform((v, ctx) => parseDist(v, ctx, false) as Dist);
const runValue = z.unknown().transform((v, ctx) => parseDist(v, ctx, true));

/* ------------------------------------------------------------------ program steps */

export type Step =
  | { kind: 'run'; dist: Dist | 'forever'; kernel: boolean }
  | { kind: 'sleep'; dist: Dist | 'forever' }
  | { kind: 'io'; dist: Dist }
  | { kind: 'yield' }
  | { kind: 'fork'; comm?: string; count: number; program: Step[] }
  | { kind: 'exit'; code: number }
  | { kind: 'wait'; all: boolean }
  | { kind: 'loop'; count: number | null; body: Step[] }
  | { kind: 'timer'; periodNs: number }
  | { kind: 'printk'; level: number; text: string }
  | { kind: 'sh'; line: string }
  | { kind: 'mem'; call: MemStep };

/** Memory steps (mm/): user-space mappings and, for "module" tasks, the kernel memory API. */
export type MemStep =
  | { fn: 'alloc'; bytes: number; touch: boolean; tag: string }
  | { fn: 'touch'; bytes: number; tag: string }
  | { fn: 'free'; bytes: number | 'all'; tag: string }
  | { fn: 'leak'; rate: number; chunk: number; limit: number | null }
  | { fn: 'mmap_file'; file: string; bytes: number }
  | { fn: 'read_file'; file: string; bytes: number }
  | { fn: 'write_file'; file: string; bytes: number }
  | { fn: 'open_files'; count: number; prefix: string }
  | { fn: 'kmalloc'; bytes: number; zero: boolean; tag: string }
  | { fn: 'kfree'; tag: string }
  | { fn: 'ksize'; tag: string }
  | { fn: 'kvmalloc'; bytes: number; tag: string }
  | { fn: 'kvfree'; tag: string }
  | { fn: 'vmalloc'; bytes: number; zero: boolean; tag: string }
  | { fn: 'vfree'; tag: string }
  | { fn: 'get_free_pages'; order: number; tag: string }
  | { fn: 'free_pages'; tag: string }
  | { fn: 'alloc_pages_exact'; bytes: number; tag: string }
  | { fn: 'free_pages_exact'; tag: string }
  | { fn: 'kmem_cache_create'; name: string; size: number; align: number; reclaimable: boolean }
  | { fn: 'kmem_cache_alloc'; name: string; count: number; tag: string }
  | { fn: 'kmem_cache_free'; name: string; count: number; tag: string }
  | { fn: 'kmem_cache_destroy'; name: string }
  | { fn: 'register_shrinker'; name: string; seeks: number; batch: number };

interface Issue {
  path: (string | number)[];
  message: string;
}

/** Each step kind: its key and a schema for the step object. */
const tagOpt = z.string().min(1).max(64).optional();

const STEP_SCHEMAS: Readonly<Record<string, z.ZodType<Step>>> = {
  run: z
    .strictObject({ run: runValue, kernel: z.boolean().optional(), mode: z.enum(['user', 'kernel']).optional() })
    .transform((o): Step => ({ kind: 'run', dist: o.run as Dist | 'forever', kernel: o.kernel === true || o.mode === 'kernel' })),
  sleep: z.strictObject({ sleep: runValue }).transform((o): Step => ({ kind: 'sleep', dist: o.sleep as Dist | 'forever' })),
  io: z.strictObject({ io: distSchema }).transform((o): Step => ({ kind: 'io', dist: o.io })),
  yield: z.strictObject({ yield: z.union([z.literal(true), z.object({})]) }).transform((): Step => ({ kind: 'yield' })),
  exit: z.strictObject({ exit: z.union([int(0, 255, 'an exit status'), z.literal(true)]) }).transform((o): Step => ({ kind: 'exit', code: o.exit === true ? 0 : o.exit })),
  wait: z.strictObject({ wait: z.union([z.literal(true), z.literal('all'), z.literal('one')]) }).transform((o): Step => ({ kind: 'wait', all: o.wait === 'all' })),
  timer: z.strictObject({ timer: z.strictObject({ period: durationNs }) }).transform((o): Step => ({ kind: 'timer', periodNs: o.timer.period })),
  printk: z
    .strictObject({ printk: z.strictObject({ level: int(0, 7, 'a log level'), text: z.string().max(1000) }) })
    .transform((o): Step => ({ kind: 'printk', level: o.printk.level, text: o.printk.text })),
  sh: z.strictObject({ sh: z.string().min(1).max(4096) }).transform((o): Step => ({ kind: 'sh', line: o.sh })),
  alloc: z
    .strictObject({ alloc: sizeBytes, touch: z.boolean().optional(), tag: tagOpt })
    .transform((o): Step => ({ kind: 'mem', call: { fn: 'alloc', bytes: o.alloc, touch: o.touch !== false, tag: o.tag ?? 'heap' } })),
  touch: z.strictObject({ touch: sizeBytes, tag: tagOpt }).transform((o): Step => ({ kind: 'mem', call: { fn: 'touch', bytes: o.touch, tag: o.tag ?? 'heap' } })),
  free: z
    .strictObject({ free: z.union([z.literal('all'), sizeBytes]), tag: tagOpt })
    .transform((o): Step => ({ kind: 'mem', call: { fn: 'free', bytes: o.free as number | 'all', tag: o.tag ?? 'heap' } })),
  leak: z
    .strictObject({ leak: z.strictObject({ rate: rateBytesPerSec, chunk: sizeBytes.optional(), limit: sizeBytes.optional() }) })
    .transform((o): Step => ({ kind: 'mem', call: { fn: 'leak', rate: o.leak.rate, chunk: o.leak.chunk ?? 1024 * 1024, limit: o.leak.limit ?? null } })),
  'mmap-file': z
    .strictObject({ 'mmap-file': z.strictObject({ file: z.string().min(1), size: sizeBytes }) })
    .transform((o): Step => ({ kind: 'mem', call: { fn: 'mmap_file', file: o['mmap-file'].file, bytes: o['mmap-file'].size } })),
  'read-file': z
    .strictObject({ 'read-file': z.strictObject({ file: z.string().min(1), size: sizeBytes }) })
    .transform((o): Step => ({ kind: 'mem', call: { fn: 'read_file', file: o['read-file'].file, bytes: o['read-file'].size } })),
  'write-file': z
    .strictObject({ 'write-file': z.strictObject({ file: z.string().min(1), size: sizeBytes }) })
    .transform((o): Step => ({ kind: 'mem', call: { fn: 'write_file', file: o['write-file'].file, bytes: o['write-file'].size } })),
  'open-files': z
    .strictObject({ 'open-files': z.strictObject({ count: int(1, 1_000_000), prefix: z.string().min(1).optional() }) })
    .transform((o): Step => ({ kind: 'mem', call: { fn: 'open_files', count: o['open-files'].count, prefix: o['open-files'].prefix ?? '/tmp/f' } })),
  kmalloc: z
    .strictObject({ kmalloc: sizeBytes, tag: tagOpt })
    .transform((o): Step => ({ kind: 'mem', call: { fn: 'kmalloc', bytes: o.kmalloc, zero: false, tag: o.tag ?? 'kmalloc' } })),
  kzalloc: z
    .strictObject({ kzalloc: sizeBytes, tag: tagOpt })
    .transform((o): Step => ({ kind: 'mem', call: { fn: 'kmalloc', bytes: o.kzalloc, zero: true, tag: o.tag ?? 'kmalloc' } })),
  kfree: z.strictObject({ kfree: z.string().min(1) }).transform((o): Step => ({ kind: 'mem', call: { fn: 'kfree', tag: o.kfree } })),
  ksize: z.strictObject({ ksize: z.string().min(1) }).transform((o): Step => ({ kind: 'mem', call: { fn: 'ksize', tag: o.ksize } })),
  kvmalloc: z
    .strictObject({ kvmalloc: sizeBytes, tag: tagOpt })
    .transform((o): Step => ({ kind: 'mem', call: { fn: 'kvmalloc', bytes: o.kvmalloc, tag: o.tag ?? 'kvmalloc' } })),
  kvfree: z.strictObject({ kvfree: z.string().min(1) }).transform((o): Step => ({ kind: 'mem', call: { fn: 'kvfree', tag: o.kvfree } })),
  vmalloc: z
    .strictObject({ vmalloc: sizeBytes, tag: tagOpt })
    .transform((o): Step => ({ kind: 'mem', call: { fn: 'vmalloc', bytes: o.vmalloc, zero: false, tag: o.tag ?? 'vmalloc' } })),
  vzalloc: z
    .strictObject({ vzalloc: sizeBytes, tag: tagOpt })
    .transform((o): Step => ({ kind: 'mem', call: { fn: 'vmalloc', bytes: o.vzalloc, zero: true, tag: o.tag ?? 'vmalloc' } })),
  vfree: z.strictObject({ vfree: z.string().min(1) }).transform((o): Step => ({ kind: 'mem', call: { fn: 'vfree', tag: o.vfree } })),
  __get_free_pages: z
    .strictObject({ __get_free_pages: int(0, 10, 'an order'), tag: tagOpt })
    .transform((o): Step => ({ kind: 'mem', call: { fn: 'get_free_pages', order: o.__get_free_pages, tag: o.tag ?? 'pages' } })),
  free_pages: z.strictObject({ free_pages: z.string().min(1) }).transform((o): Step => ({ kind: 'mem', call: { fn: 'free_pages', tag: o.free_pages } })),
  alloc_pages_exact: z
    .strictObject({ alloc_pages_exact: sizeBytes, tag: tagOpt })
    .transform((o): Step => ({ kind: 'mem', call: { fn: 'alloc_pages_exact', bytes: o.alloc_pages_exact, tag: o.tag ?? 'pages_exact' } })),
  free_pages_exact: z
    .strictObject({ free_pages_exact: z.string().min(1) })
    .transform((o): Step => ({ kind: 'mem', call: { fn: 'free_pages_exact', tag: o.free_pages_exact } })),
  kmem_cache_create: z
    .strictObject({
      kmem_cache_create: z.strictObject({
        name: z.string().min(1).max(32).regex(/^[A-Za-z0-9_:-]+$/, { message: 'expected a cache name of letters, digits, _ : -' }),
        size: sizeBytes,
        align: int(0, 4096, 'an alignment').optional(),
        reclaimable: z.boolean().optional(),
      }),
    })
    .transform((o): Step => ({
      kind: 'mem',
      call: { fn: 'kmem_cache_create', name: o.kmem_cache_create.name, size: o.kmem_cache_create.size, align: o.kmem_cache_create.align ?? 8, reclaimable: o.kmem_cache_create.reclaimable === true },
    })),
  kmem_cache_alloc: z
    .strictObject({ kmem_cache_alloc: z.string().min(1), count: int(1, 10_000_000).optional(), tag: tagOpt })
    .transform((o): Step => ({ kind: 'mem', call: { fn: 'kmem_cache_alloc', name: o.kmem_cache_alloc, count: o.count ?? 1, tag: o.tag ?? o.kmem_cache_alloc } })),
  kmem_cache_free: z
    .strictObject({ kmem_cache_free: z.string().min(1), count: int(1, 10_000_000).optional(), tag: tagOpt })
    .transform((o): Step => ({ kind: 'mem', call: { fn: 'kmem_cache_free', name: o.kmem_cache_free, count: o.count ?? 1, tag: o.tag ?? o.kmem_cache_free } })),
  kmem_cache_destroy: z
    .strictObject({ kmem_cache_destroy: z.string().min(1) })
    .transform((o): Step => ({ kind: 'mem', call: { fn: 'kmem_cache_destroy', name: o.kmem_cache_destroy } })),
  register_shrinker: z
    .strictObject({ register_shrinker: z.strictObject({ cache: z.string().min(1), seeks: int(0, 100).optional(), batch: int(0, 1_000_000).optional() }) })
    .transform((o): Step => ({
      kind: 'mem',
      call: { fn: 'register_shrinker', name: o.register_shrinker.cache, seeks: o.register_shrinker.seeks ?? 2, batch: o.register_shrinker.batch ?? 128 },
    })),
};

export const STEP_KINDS = ['loop', 'fork', ...Object.keys(STEP_SCHEMAS)];

function zodIssues(out: Issue[], issues: readonly z.core.$ZodIssue[], prefix: (string | number)[]): void {
  for (const iss of issues) {
    const d = unionDetail(iss);
    out.push({ path: [...prefix, ...(d.path as (string | number)[])], message: d.message });
  }
}

/** A step is an object whose key names its kind; loop and fork nest programs. Problems go to out. */
function parseStep(v: unknown, out: Issue[], at: (string | number)[], depth: number): Step | null {
  const bad = (message: string, sub: (string | number)[] = []): null => {
    out.push({ path: [...at, ...sub], message });
    return null;
  };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('expected a step object like {"run": "5ms"}');
  const keys = Object.keys(v);
  const kind = keys.find((key) => STEP_KINDS.includes(key));
  if (kind === undefined) return bad(`unknown step ${keys.length > 0 ? `"${keys[0]}"` : '{}'} (steps: ${STEP_KINDS.join(', ')})`);
  if (depth > 16) return bad('programs nest more than 16 levels deep');
  const o = v as Record<string, unknown>;
  if (kind === 'loop' || kind === 'fork') {
    const extra = keys.find((key) => key !== kind && key !== 'count');
    if (extra !== undefined) return bad(`unknown key "${extra}" in a ${kind} step`, [extra]);
  }
  if (kind === 'loop') {
    let count: number | null = null;
    if (o.count !== undefined) {
      const c = int(0, 1_000_000_000, 'a loop count').safeParse(o.count);
      if (!c.success) return bad(c.error.issues[0]?.message ?? 'bad count', ['count']);
      count = c.data;
    }
    const body = parseSteps(o.loop, out, [...at, 'loop'], depth + 1);
    if (body === null) return null;
    if (body.length === 0) return bad('a loop needs at least one step', ['loop']);
    return { kind: 'loop', count, body };
  }
  if (kind === 'fork') {
    const f = o.fork;
    if (typeof f !== 'object' || f === null || Array.isArray(f)) return bad('expected {"program": [...]} with an optional "comm"', ['fork']);
    const fo = f as Record<string, unknown>;
    const extra = Object.keys(fo).find((key) => key !== 'comm' && key !== 'program');
    if (extra !== undefined) return bad(`unknown key "${extra}"`, ['fork', extra]);
    let comm: string | undefined;
    if (fo.comm !== undefined) {
      const c = commSchema.safeParse(fo.comm);
      if (!c.success) return bad(c.error.issues[0]?.message ?? 'bad comm', ['fork', 'comm']);
      comm = c.data;
    }
    let count = 1;
    if (o.count !== undefined) {
      const c = int(1, 100_000, 'a fork count').safeParse(o.count);
      if (!c.success) return bad(c.error.issues[0]?.message ?? 'bad count', ['count']);
      count = c.data;
    }
    const program = parseSteps(fo.program, out, [...at, 'fork', 'program'], depth + 1);
    if (program === null) return null;
    return comm !== undefined ? { kind: 'fork', comm, count, program } : { kind: 'fork', count, program };
  }
  const r = (STEP_SCHEMAS[kind] as z.ZodType<Step>).safeParse(v);
  if (!r.success) {
    zodIssues(out, r.error.issues.slice(0, 1), at);
    return null;
  }
  return r.data;
}

function parseSteps(v: unknown, out: Issue[], at: (string | number)[], depth: number): Step[] | null {
  if (!Array.isArray(v)) {
    out.push({ path: at, message: 'expected a list of steps' });
    return null;
  }
  const steps: Step[] = [];
  for (let i = 0; i < v.length; i++) {
    const s = parseStep(v[i], out, [...at, i], depth);
    if (s === null) return null;
    steps.push(s);
  }
  return steps;
}

export const programSchema = z.unknown().transform((v, ctx) => {
  const out: Issue[] = [];
  const p = parseSteps(v, out, [], 0);
  for (const iss of out) ctx.addIssue({ code: 'custom', message: iss.message, path: iss.path });
  return p === null ? z.NEVER : p;
});

/* ------------------------------------------------------------------ tasks, actions, scenario */

export const commSchema = z
  .string({ message: 'expected a task name' })
  .min(1, { message: 'expected a non-empty task name' })
  .max(15, { message: 'a task name (comm) has at most 15 characters (TASK_COMM_LEN)' })
  .regex(/^[^\n\r\t\0]+$/, { message: 'a task name cannot contain control characters' });

const cpuList = z.union([z.array(int(0, 4095, 'a CPU number')).min(1, { message: 'expected at least one CPU' }), z.string().regex(/^\d+(-\d+)?(,\d+(-\d+)?)*$/, { message: 'expected a CPU list like "0-3,6"' })]);

export const dlSchema = z.strictObject({ runtime: durationNs, deadline: durationNs, period: durationNs.optional() });

export const policySchema = z.enum(['normal', 'batch', 'idle', 'fifo', 'rr', 'deadline'], {
  message: 'expected a policy: normal, batch, idle, fifo, rr or deadline',
});

export const taskSchema = z.strictObject({
  comm: commSchema,
  count: int(1, 100_000, 'a task count').optional(),
  policy: policySchema.optional(),
  nice: z.number({ message: 'expected a nice value from -20 to 19' }).int({ message: 'expected a nice value from -20 to 19' }).optional(),
  rtPriority: z.number({ message: 'expected an RT priority from 1 to 99' }).int({ message: 'expected an RT priority from 1 to 99' }).optional(),
  dl: dlSchema.optional(),
  cpus: cpuList.optional(),
  start: durationNs.optional(),
  oomScoreAdj: int(-1000, 1000, 'an oom_score_adj').optional(),
  debug: z.boolean().optional(),
  program: programSchema,
});
export type TaskSpecIn = z.output<typeof taskSchema>;

const sel = { pid: int(1, 4_194_304, 'a pid').optional(), comm: commSchema.optional() };
const selRefine = (o: { pid?: number | undefined; comm?: string | undefined }): boolean => (o.pid === undefined) !== (o.comm === undefined);
const SEL_MSG = 'select the task with exactly one of "pid" or "comm"';

export const actionSchema = z.union([
  z.strictObject({ t: durationNs, renice: z.strictObject({ ...sel, nice: z.number().int() }).refine(selRefine, { message: SEL_MSG }) }),
  z.strictObject({
    t: durationNs,
    chrt: z.strictObject({ ...sel, policy: policySchema, rtPriority: z.number().int().optional(), dl: dlSchema.optional() }).refine(selRefine, { message: SEL_MSG }),
  }),
  z.strictObject({ t: durationNs, taskset: z.strictObject({ ...sel, cpus: cpuList }).refine(selRefine, { message: SEL_MSG }) }),
  z.strictObject({ t: durationNs, kill: z.strictObject({ ...sel, signal: z.union([z.string(), z.number().int()]).optional() }).refine(selRefine, { message: SEL_MSG }) }),
  z.strictObject({ t: durationNs, spawn: taskSchema }),
  z.strictObject({ t: durationNs, sysrq: z.string().length(1, { message: 'expected one SysRq key' }) }),
  z.strictObject({ t: durationNs, sh: z.string().min(1).max(4096) }),
  z.strictObject({ t: durationNs, mark: z.string().min(1).max(200) }),
]);
export type ActionIn = z.output<typeof actionSchema>;

const FEATURE_NAME = /^[A-Z_]+$/;

export const scenarioSchema = z.strictObject({
  name: z.string().min(1).max(200),
  description: z.string().max(4000).optional(),
  seed: int(0, 2 ** 32 - 1, 'a seed').optional(),
  duration: durationNs.optional(),
  machine: z
    .strictObject({
      cpus: int(1, 1024, 'a CPU count').optional(),
      memory: sizeBytes.optional(),
      swap: sizeBytes.optional(),
      hz: z.union([z.literal(100), z.literal(250), z.literal(300), z.literal(1000)], { message: 'expected HZ 100, 250, 300 or 1000' }).optional(),
      hostname: z.string().min(1).max(64).regex(/^[A-Za-z0-9.-]+$/).optional(),
    })
    .optional(),
  sched: z
    .strictObject({
      mode: z.enum(['eevdf', 'cfs'], { message: 'expected "eevdf" or "cfs"' }).optional(),
      preempt: z.enum(['none', 'voluntary', 'full', 'lazy'], { message: 'expected "none", "voluntary", "full" or "lazy"' }).optional(),
      rtStarvation: z.enum(['throttle', 'fair-server'], { message: 'expected "throttle" or "fair-server"' }).optional(),
      baseSlice: durationNs.optional(),
      features: z.record(z.string().regex(FEATURE_NAME, { message: 'expected a feature name like "DELAY_DEQUEUE"' }), z.boolean()).optional(),
    })
    .optional(),
  sysctl: z.record(z.string().regex(/^(kernel|vm)\.[a-z0-9_]+$/, { message: 'expected a sysctl name like "kernel.sysrq"' }), z.union([z.number(), z.string()])).optional(),
  cmdline: z.string().max(1000).optional(),
  printk: z.string().regex(/^\s*\d+(\s+\d+){0,3}\s*$/, { message: 'expected up to four levels like "4 4 1 7"' }).optional(),
  tasks: z.array(taskSchema).max(10_000).optional(),
  at: z.array(actionSchema).max(100_000).optional(),
});

export type ScenarioIn = z.output<typeof scenarioSchema>;

/* ------------------------------------------------------------------ errors */

/** tasks[2].program[0].run */
export function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) {
    if (typeof p === 'number') s += `[${p}]`;
    else s += s === '' ? String(p) : `.${String(p)}`;
  }
  return s;
}

export class ScenarioError extends InputError {
  override readonly name = 'ScenarioError';
}

/** Pick the most useful issue: the deepest path, preferring our custom messages over zod's union summary. */
function bestIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  let best = issues[0] as z.core.$ZodIssue;
  for (const i of issues) {
    if (i.code === 'invalid_union' && (i as { errors?: z.core.$ZodIssue[][] }).errors !== undefined) continue;
    if (i.path.length > best.path.length || best.code === 'invalid_union') best = i;
  }
  return best;
}

function unionDetail(iss: z.core.$ZodIssue): { path: PropertyKey[]; message: string } {
  if (iss.code === 'invalid_union') {
    const errs = (iss as { errors?: z.core.$ZodIssue[][] }).errors ?? [];
    // The branch that got furthest is the one the author meant.
    let pick: z.core.$ZodIssue | null = null;
    for (const branch of errs) {
      for (const e of branch) {
        if (e.code === 'unrecognized_keys') continue;
        if (pick === null || e.path.length > pick.path.length) pick = e;
      }
    }
    if (pick !== null && pick.path.length > 0) {
      const inner = unionDetail(pick);
      return { path: [...iss.path, ...inner.path], message: inner.message };
    }
  }
  if (iss.code === 'unrecognized_keys') {
    const keys = (iss as { keys?: string[] }).keys ?? [];
    return { path: [...iss.path, keys[0] ?? ''], message: `unknown key "${keys[0] ?? ''}"` };
  }
  return { path: iss.path, message: iss.message };
}

/** Validate parsed JSON; throws ScenarioError with the first problem's place. */
export function validateScenario(file: string, json: unknown): ScenarioIn {
  const r = scenarioSchema.safeParse(json);
  if (r.success) return r.data;
  const d = unionDetail(bestIssue(r.error.issues));
  throw new ScenarioError(file, formatPath(d.path), d.message);
}
