/**
 * Programs: the scenario's steps turned into a user program (a generator of UserActions, like a SimPy
 * process). Distributions are sampled from the task's own random stream; a refused allocation (ENOMEM) ends
 * the task with a message on its stderr, as a program that does not check malloc's result would.
 */
import { ERRNO_TEXT } from '../lib/errno.js';
import type { MemCall, ProgramContext, ProgramFactory, UserAction, UserProgram, UserResult } from '../kernel/task/user.js';
import { sample } from './dist.js';
import type { MemStep, Step } from './scenario.js';

type Gen = Generator<UserAction, void, UserResult | undefined>;

interface RunState {
  ctx: ProgramContext;
  debug: boolean;
  /** Next expiry of each timer step (by step object identity). */
  timers: Map<Step, number>;
  startNs: number;
}

export function compileProgram(steps: readonly Step[], debug: boolean): ProgramFactory {
  // Every step resumes the generators down to the one running it (yield* forwards through each), so a program
  // that is one loop runs as its body repeated: one generator resumed per step, where such a loop had three.
  const only = steps.length === 1 ? steps[0] : undefined;
  return (ctx: ProgramContext): UserProgram => {
    const st: RunState = { ctx, debug, timers: new Map(), startNs: ctx.now() };
    return only?.kind === 'loop' ? runSteps(only.body, st, only.count ?? Infinity) : runSteps(steps, st);
  };
}

function memCall(m: MemStep): MemCall | null {
  switch (m.fn) {
    case 'alloc':
      return { fn: 'mmap', bytes: m.bytes, touch: m.touch, tag: m.tag };
    case 'touch':
      return { fn: 'touch', bytes: m.bytes, tag: m.tag };
    case 'free':
      return { fn: 'munmap', bytes: m.bytes === 'all' ? Infinity : m.bytes, tag: m.tag };
    case 'leak':
      return null;
    default:
      return m as MemCall;
  }
}

const ALLOC_FNS = new Set(['mmap', 'touch', 'kmalloc', 'kvmalloc', 'vmalloc', 'get_free_pages', 'alloc_pages_exact', 'kmem_cache_alloc', 'kmem_cache_create', 'mmap_file', 'read_file', 'write_file', 'open_files']);

/**
 * The actions of the hot steps (run, sleep, io and timer's sleep), one mutable object each, shared by every
 * program: the kernel reads a yielded action before it asks any program for its next one (stepProgram ->
 * doAction copies ns and kernel into the burst or the sleep), so nothing holds one across steps. With loops in
 * one generator, a loop of run/sleep allocates nothing per iteration but the generator's own results.
 */
const RUN: { op: 'run'; ns: number; kernel: boolean } = { op: 'run', ns: 0, kernel: false };
const SLEEP: { op: 'sleep'; ns: number } = { op: 'sleep', ns: 0 };
const IO: { op: 'io'; ns: number } = { op: 'io', ns: 0 };

/** The steps, `repeat` times over: a loop runs in one generator, not in a new one per iteration. */
function* runSteps(steps: readonly Step[], st: RunState, repeat = 1): Gen {
  for (let round = 0; round < repeat; round++) {
    for (let si = 0; si < steps.length; si++) {
      const s = steps[si] as Step;
      switch (s.kind) {
        case 'run':
          RUN.ns = s.dist === 'forever' ? Infinity : sample(s.dist, st.ctx.rng);
          RUN.kernel = s.kernel === true;
          yield RUN;
          break;
        case 'sleep':
          SLEEP.ns = s.dist === 'forever' ? Infinity : sample(s.dist, st.ctx.rng);
          yield SLEEP;
          break;
        case 'io':
          IO.ns = sample(s.dist, st.ctx.rng);
          yield IO;
          break;
        case 'yield':
          yield { op: 'yield' };
          break;
        case 'exit':
          yield { op: 'exit', code: s.code };
          return;
        case 'wait':
          if (s.all) {
            for (;;) {
              const r = yield { op: 'wait' };
              if (r === undefined || !r.ok) break;
            }
          } else {
            yield { op: 'wait' };
          }
          break;
        case 'fork': {
          const child = compileProgram(s.program, st.debug);
          for (let i = 0; i < s.count; i++) {
            const r = yield { op: 'fork', child: s.comm !== undefined ? { comm: s.comm, program: child } : { program: child } };
            if (r !== undefined && !r.ok) {
              yield { op: 'exit', code: 1, reason: 'error', stderr: `fork: ${ERRNO_TEXT[r.errno ?? ''] ?? r.errno}` };
              return;
            }
          }
          break;
        }
        case 'loop':
          yield* runSteps(s.body, st, s.count ?? Infinity);
          break;
        case 'timer': {
          // rt-app's absolute timer: wake at start + k*period, never drifting with preemption.
          const now = st.ctx.now();
          let next = st.timers.get(s) ?? st.startNs + s.periodNs;
          while (next <= now) next += s.periodNs;
          st.timers.set(s, next + s.periodNs);
          SLEEP.ns = next - now;
          yield SLEEP;
          break;
        }
        case 'printk':
          // KERN_DEBUG from a program is pr_debug(): compiled out unless the program is built with -DDEBUG.
          if (s.level === 7 && !st.debug) break;
          yield { op: 'printk', level: s.level, text: s.text };
          break;
        case 'sh':
          yield { op: 'sh', line: s.line };
          break;
        case 'mem': {
          if (s.call.fn === 'leak') {
            const ok = yield* leak(s.call, st);
            if (!ok) return;
            break;
          }
          const call = memCall(s.call) as MemCall;
          const r = yield { op: 'mem', call };
          if (r !== undefined && !r.ok && ALLOC_FNS.has(call.fn)) {
            yield enomemExit(call.fn, r);
            return;
          }
          break;
        }
      }
    }
  }
}

function enomemExit(fn: string, r: UserResult): UserAction {
  const errno = r.errno ?? 'EIO';
  return { op: 'exit', code: 1, reason: errno === 'ENOMEM' ? 'enomem' : 'error', stderr: `${fn}: ${ERRNO_TEXT[errno] ?? errno}` };
}

/** Allocate and touch chunk after chunk at the given rate, up to the limit (or forever). */
function* leak(m: Extract<MemStep, { fn: 'leak' }>, st: RunState): Generator<UserAction, boolean, UserResult | undefined> {
  const intervalNs = Math.max(1, Math.round((m.chunk / m.rate) * 1e9));
  let total = 0;
  for (;;) {
    if (m.limit !== null && total >= m.limit) return true;
    const bytes = m.limit !== null ? Math.min(m.chunk, m.limit - total) : m.chunk;
    const t0 = st.ctx.now();
    const r = yield { op: 'mem', call: { fn: 'mmap', bytes, touch: true, tag: 'leak' } };
    if (r !== undefined && !r.ok) {
      yield enomemExit('mmap', r);
      return false;
    }
    total += bytes;
    const spent = st.ctx.now() - t0;
    yield { op: 'sleep', ns: Math.max(0, intervalNs - spent) };
  }
}
