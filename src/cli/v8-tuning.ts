/**
 * V8 tuning for the long-running dashboard.
 *
 * Heap sizing. At x100 the simulation allocates tens of MB of short-lived objects per wall second (timers, trace
 * events, program steps); with V8's defaults the young generation grows to its 16 MB semi-spaces and the old
 * generation to several times the live heap before a full GC, and the process sat at 170-220 MB RSS while its
 * live heap was about 20 MB. A young generation that stays at its first size and an old generation that grows
 * 20% past the live heap keep it at 96-101 MB over 30 minutes (`npm run bench -- memory --long`). The growth
 * factor only stops growth: by the time the dashboard starts, loading has already grown the semi-spaces to 4 MB,
 * so bin/kernsim.mjs sets it first thing (young generation 2 MB instead of 8 MB resident: about 6 MB less RSS,
 * for about 1% of a core more GC at x1 on the default demo, 3% at 64 CPUs).
 *
 * Tier-up. A function is compiled by TurboFan once it has used up an interrupt budget of bytecode; at 4x V8's
 * default (67584) fewer of the dashboard's functions are compiled while it warms up, and with more type feedback
 * fewer are compiled twice. On the default demo at x1 that is 10% less CPU over its first 45 s (of which a third
 * is background compilation), about 5% less over two minutes; a headless run to completion is within 3% either way,
 * so it keeps V8's default.
 *
 * Inlining. TurboFan's time goes mostly into inlining: with at most 230 bytecodes inlined into one function (V8's
 * default is 920), compiling the dashboard's hot functions over the default demo's first 45 s took 1.0-1.1 s
 * instead of 1.6-1.7 s of a background thread, while the frames cost the same afterwards (in-process render case:
 * 3.6-3.8% vs 3.9-4.0% at 8 CPUs, 7.2-7.3% vs 7.2-7.6% at 64). Over the first two minutes of the real program that
 * was 8.0% and 9.5% of a core against 9.0% and 10.4%, in two interleaved pairs.
 *
 * V8 reads these flags when it sizes the heap after each GC and when it resets a function's budget, so setting
 * them after start-up takes effect (measured); V8 documents late flag changes as unsupported, so this is a
 * tuning, never something the program depends on.
 */
import { setFlagsFromString } from 'node:v8';

/** The dashboard: small young generation, old generation 20% past the live heap, 4x tier-up budget, less inlining. */
export function tuneV8ForLongRun(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--heap-growing-percent=20');
  setFlagsFromString('--interrupt-budget=270336');
  setFlagsFromString('--max-inlined-bytecode-size-cumulative=230');
}

/**
 * A big simulated machine (more than 16 CPUs) on the dashboard: the young generation may grow again (V8's factor
 * 2). A 64-CPU machine allocates about 14 MB per virtual second; in a young generation kept at its first size,
 * the garbage collector took about 4.5% of a core at x1 (the real program's steady state went from 14-16% to
 * 9-10% of a core, at 154 MB RSS instead of 124). The default demo's 8 CPUs keep the small young generation.
 */
export function tuneV8ForBigMachine(): void {
  setFlagsFromString('--semi-space-growth-factor=2');
}

/**
 * A run to completion (headless, import): V8's default young-generation growth (factor 2), which bin/kernsim.mjs
 * turned off while loading. Throughput matters here, not resident memory.
 */
export function tuneV8ForThroughput(): void {
  setFlagsFromString('--semi-space-growth-factor=2');
}
