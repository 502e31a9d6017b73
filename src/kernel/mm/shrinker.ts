/**
 * Shrinkers (include/linux/shrinker.h, mm/shrinker.c): caches that can give memory back register count/scan
 * callbacks; reclaim asks each for a share scaled by the reclaim priority and the shrinker's seek cost, in
 * batches, deferring what it could not do to the next pass (do_shrink_slab of 5.16+).
 */

export const DEFAULT_SEEKS = 2;
export const SHRINK_BATCH = 128;
export const DEF_PRIORITY = 12;
/** count_objects: nothing to free at all. */
export const SHRINK_EMPTY = -2;
/** scan_objects: cannot make progress now. */
export const SHRINK_STOP = -1;

export interface Shrinker {
  readonly name: string;
  seeks: number;
  /** 0 means SHRINK_BATCH. */
  batch: number;
  nrDeferred: number;
  /** Freeable objects (0: unknown / skip; SHRINK_EMPTY: none). */
  countObjects(): number;
  /** Free up to nrToScan objects; returns how many were freed, or SHRINK_STOP. */
  scanObjects(nrToScan: number): number;
  /** Statistics for /proc and the dashboard. */
  scanned: number;
  freed: number;
}

/** The scan target of one pass: delta from this pass plus deferred work, capped at twice the freeable. */
export function shrinkTarget(freeable: number, deferred: number, priority: number, seeks: number): { delta: number; totalScan: number } {
  const delta = seeks !== 0 ? Math.floor(((Math.floor(freeable / 2 ** priority) * 4) / seeks)) : Math.floor(freeable / 2);
  let total = Math.floor(deferred / 2 ** priority) + delta;
  total = Math.min(total, 2 * freeable);
  return { delta, totalScan: total };
}

/** do_shrink_slab(): returns the number of objects freed. */
export function doShrinkSlab(s: Shrinker, priority: number): number {
  const freeable = s.countObjects();
  if (freeable === 0 || freeable === SHRINK_EMPTY) return 0;
  const nr = s.nrDeferred;
  s.nrDeferred = 0;
  const batch = s.batch > 0 ? s.batch : SHRINK_BATCH;
  const { delta, totalScan: target } = shrinkTarget(freeable, nr, priority, s.seeks);
  let totalScan = target;
  let scanned = 0;
  let freed = 0;
  while (totalScan >= batch || totalScan >= freeable) {
    const nrToScan = Math.min(batch, totalScan);
    if (nrToScan <= 0) break;
    const ret = s.scanObjects(nrToScan);
    if (ret === SHRINK_STOP) break;
    freed += ret;
    totalScan -= nrToScan;
    scanned += nrToScan;
  }
  let next = Math.max(0, nr + delta - scanned);
  next = Math.min(next, 2 * freeable);
  s.nrDeferred = next;
  s.scanned += scanned;
  s.freed += freed;
  return freed;
}
