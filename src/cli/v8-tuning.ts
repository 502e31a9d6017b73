/**
 * V8 heap sizing for the long-running dashboard. At x100 the simulation allocates tens of MB of short-lived
 * objects per wall second (timers, trace events, program steps); with V8's defaults the young generation grows
 * to its 16 MB semi-spaces and the old generation to several times the live heap before a full GC, and the
 * process sat at 170-220 MB RSS while its live heap was about 20 MB. A young generation that stays at its first
 * size and an old generation that grows 20% past the live heap keep it at 96-101 MB over 30 minutes
 * (`npm run bench -- memory --long`).
 *
 * V8 reads these flags when it sizes the heap after each GC, so setting them after start-up takes effect (measured
 * at x100); V8 documents late flag changes as unsupported, so this is a tuning, never something the program
 * depends on. The growth factor only stops growth: by the time the dashboard starts, loading has already grown
 * the semi-spaces to 4 MB, so bin/kernsim.mjs sets it first thing (young generation 2 MB instead of 8 MB
 * resident: about 6 MB less RSS, for about 1% of a core more GC at x1 on the default demo, 3% at 64 CPUs).
 */
import { setFlagsFromString } from 'node:v8';

/** The dashboard: small young generation, old generation 20% past the live heap. */
export function tuneHeapForLongRun(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--heap-growing-percent=20');
}

/**
 * A run to completion (headless, import): V8's default young-generation growth (factor 2), which bin/kernsim.mjs
 * turned off while loading. Throughput matters here, not resident memory.
 */
export function tuneHeapForThroughput(): void {
  setFlagsFromString('--semi-space-growth-factor=2');
}
