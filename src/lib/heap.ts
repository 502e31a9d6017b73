/**
 * A binary min-heap with a caller-supplied total order. Used by the engine's event queue.
 * Invariant: for every i > 0, !less(a[i], a[parent(i)]).
 */
export class Heap<T> {
  private readonly a: T[] = [];
  constructor(private readonly less: (x: T, y: T) => boolean) {}

  get size(): number {
    return this.a.length;
  }

  peek(): T | undefined {
    return this.a[0];
  }

  push(v: T): void {
    const a = this.a;
    let i = a.length;
    a.push(v);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pv = a[p] as T;
      if (!this.less(v, pv)) break;
      a[i] = pv;
      i = p;
    }
    a[i] = v;
  }

  pop(): T | undefined {
    const a = this.a;
    const n = a.length;
    if (n === 0) return undefined;
    const top = a[0] as T;
    const last = a.pop() as T;
    if (n > 1) this.siftDown(last);
    return top;
  }

  /** Remove every element for which drop() is true, then restore the heap in O(n). */
  filter(keep: (v: T) => boolean): void {
    const kept = this.a.filter(keep);
    this.a.length = 0;
    for (const v of kept) this.a.push(v);
    for (let i = (this.a.length >> 1) - 1; i >= 0; i--) this.siftDownFrom(i);
  }

  toArray(): readonly T[] {
    return this.a;
  }

  private siftDown(v: T): void {
    this.a[0] = v;
    this.siftDownFrom(0);
  }

  private siftDownFrom(start: number): void {
    const a = this.a;
    const n = a.length;
    const v = a[start] as T;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let cv = a[l] as T;
      if (r < n && this.less(a[r] as T, cv)) {
        c = r;
        cv = a[r] as T;
      }
      if (!this.less(cv, v)) break;
      a[i] = cv;
      i = c;
    }
    a[i] = v;
  }
}
