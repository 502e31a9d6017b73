/**
 * A task's nanosecond fields (vruntime, deadline, exec_start, sum_exec_runtime, the schedstats) live in one row
 * of a shared Float64Array rather than as object fields. V8 stores a field holding a number above 2^31 as a
 * pointer to a boxed double of its own, so a context switch to a task that had not run for a while missed the
 * cache once per field touched, and each such field cost 24 bytes instead of 8. In a row they share three
 * cache lines, the tree keys first. The objects keep their field names: each is an accessor over the row.
 *
 * Rows are carved from chunks that never move, so a row's (buf, off) pair stays valid for the owner's life.
 * release() hands a reaped task its own copy of the row (a dead task's numbers stay in the report) and puts the
 * row back for the next fork.
 */

/** Doubles per row: the 24 fields below, three whole 64-byte lines. */
export const ROW_DOUBLES = 24;
const CHUNK_ROWS = 1024;

/** An object whose row-backed fields read buf[off + k]. */
export interface RowOwner {
  buf: Float64Array;
  off: number;
}

/** Row layout: the fair tree's keys and what a switch reads first, then the stats, then cold fields. */
export const SE_ROW_FIELDS = [
  'minVruntime',
  'vruntime',
  'deadline',
  'execStartNs',
  'prevSumExecRuntimeNs',
  'vlag',
  'vprot',
  'sleepStartNs',
  'blockStartNs',
  'waitSumNs',
  'waitMaxNs',
  'execMaxNs',
  'sumSleepRuntimeNs',
  'sumBlockRuntimeNs',
  'sleepMaxNs',
  'blockMaxNs',
  'iowaitSumNs',
] as const;
/** The task's own fields, after the entity's in the same row. */
export const TASK_ROW_FIELDS = ['sumExecRuntimeNs', 'lastQueuedNs', 'runDelayNs', 'systemTimeNs', 'maxRunDelayNs', 'startTimeNs', 'cpuAccNs'] as const;

/**
 * Make each name an accessor of proto over the owner's row, from column base on. The class declares the
 * fields (`declare vruntime: number`) so that TypeScript knows them and no own property shadows the accessor.
 */
export function defineRowFields(proto: object, names: readonly string[], base: number): void {
  if (base + names.length > ROW_DOUBLES) throw new Error('rows: more fields than a row holds');
  names.forEach((name, i) => {
    const k = base + i;
    Object.defineProperty(proto, name, {
      get(this: RowOwner): number {
        return this.buf[this.off + k] as number;
      },
      set(this: RowOwner, v: number) {
        this.buf[this.off + k] = v;
      },
      configurable: false,
      enumerable: false,
    });
  });
}

/** The kernel's row allocator (one per kernel, so that a discarded machine takes its rows with it). */
export class TaskRows {
  private chunk = new Float64Array(CHUNK_ROWS * ROW_DOUBLES);
  private used = 0;
  /** Rows ever carved from chunks. */
  private carved = 0;
  private readonly freeBufs: Float64Array[] = [];
  private readonly freeOffs: number[] = [];

  /** A zeroed row for owner. */
  place(owner: RowOwner): void {
    const buf = this.freeBufs.pop();
    if (buf !== undefined) {
      const off = this.freeOffs.pop() as number;
      buf.fill(0, off, off + ROW_DOUBLES);
      owner.buf = buf;
      owner.off = off;
      return;
    }
    if (this.used === CHUNK_ROWS) {
      this.chunk = new Float64Array(CHUNK_ROWS * ROW_DOUBLES);
      this.used = 0;
    }
    owner.buf = this.chunk;
    owner.off = this.used++ * ROW_DOUBLES;
    this.carved++;
  }

  /** The owners (a task and its entity share one row) get a private copy; the row is free again. */
  release(owners: readonly RowOwner[]): void {
    const first = owners[0];
    if (first === undefined || first.buf.length === ROW_DOUBLES) return; // already private
    const { buf, off } = first;
    const own = buf.slice(off, off + ROW_DOUBLES);
    for (const o of owners) {
      o.buf = own;
      o.off = 0;
    }
    this.freeBufs.push(buf);
    this.freeOffs.push(off);
  }

  /** Rows in use (tests). */
  get inUse(): number {
    return this.carved - this.freeOffs.length;
  }
}
