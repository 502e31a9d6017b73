/**
 * A fixed-capacity ring buffer: push overwrites the oldest element once full (design rule: every buffer has a limit).
 */
export class Ring<T> {
  private readonly buf: (T | undefined)[];
  private head = 0; // index of the oldest element
  private len = 0;
  /** Elements ever pushed, including overwritten ones. */
  pushed = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new RangeError(`ring capacity ${capacity}`);
    this.buf = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.len;
  }

  push(v: T): T | undefined {
    this.pushed++;
    if (this.len < this.capacity) {
      this.buf[(this.head + this.len) % this.capacity] = v;
      this.len++;
      return undefined;
    }
    const old = this.buf[this.head];
    this.buf[this.head] = v;
    this.head = (this.head + 1) % this.capacity;
    return old;
  }

  /** Remove and return the oldest element. */
  shift(): T | undefined {
    if (this.len === 0) return undefined;
    const v = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.len--;
    return v;
  }

  /** i = 0 is the oldest element. */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.len) return undefined;
    return this.buf[(this.head + i) % this.capacity];
  }

  last(): T | undefined {
    return this.at(this.len - 1);
  }

  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.len; i++) out.push(this.buf[(this.head + i) % this.capacity] as T);
    return out;
  }

  clear(): void {
    this.buf.fill(undefined);
    this.head = 0;
    this.len = 0;
  }
}
