/**
 * CPU masks (struct cpumask). Masks are immutable values: changing a task's affinity replaces its mask, so
 * the common "all CPUs" mask is shared by every task that has it.
 */
export class CpuMask {
  readonly bits: Uint8Array;
  /** Allowed CPU ids in increasing order. */
  readonly cpus: readonly number[];

  constructor(nrCpus: number, cpus: Iterable<number>) {
    this.bits = new Uint8Array(nrCpus);
    const list: number[] = [];
    for (const c of cpus) {
      if (!Number.isInteger(c) || c < 0 || c >= nrCpus) throw new RangeError(`cpu ${c} out of range 0-${nrCpus - 1}`);
      if (this.bits[c] === 0) list.push(c);
      this.bits[c] = 1;
    }
    list.sort((a, b) => a - b);
    this.cpus = list;
  }

  static all(nrCpus: number): CpuMask {
    return new CpuMask(nrCpus, Array.from({ length: nrCpus }, (_, i) => i));
  }

  has(cpu: number): boolean {
    return this.bits[cpu] === 1;
  }

  get weight(): number {
    return this.cpus.length;
  }

  get first(): number {
    return this.cpus[0] ?? -1;
  }

  equals(o: CpuMask): boolean {
    if (o.cpus.length !== this.cpus.length) return false;
    for (let i = 0; i < this.cpus.length; i++) if (o.cpus[i] !== this.cpus[i]) return false;
    return true;
  }

  /** The kernel's %*pbl list format: "0-3,6". */
  toList(): string {
    const parts: string[] = [];
    let i = 0;
    const c = this.cpus;
    while (i < c.length) {
      let j = i;
      while (j + 1 < c.length && (c[j + 1] as number) === (c[j] as number) + 1) j++;
      parts.push(i === j ? String(c[i]) : `${c[i]}-${c[j]}`);
      i = j + 1;
    }
    return parts.join(',');
  }

  /** Hex mask as in /proc/PID/status Cpus_allowed (32-bit groups, comma separated). */
  toHex(): string {
    const groups: string[] = [];
    const n = this.bits.length;
    for (let base = 0; base < n; base += 32) {
      let v = 0;
      for (let b = 0; b < 32 && base + b < n; b++) if (this.bits[base + b]) v += 2 ** b;
      const width = Math.min(8, Math.ceil((n - base) / 4));
      groups.unshift(v.toString(16).padStart(width, '0'));
    }
    return groups.join(',');
  }
}

/** Parse "0-3,6" style lists (taskset -c, cpus=). Throws a RangeError with a user-facing message. */
export function parseCpuList(text: string, nrCpus: number): number[] {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (!m) throw new RangeError(`bad CPU list '${text}'`);
    const a = Number(m[1]);
    const b = m[2] !== undefined ? Number(m[2]) : a;
    if (b < a) throw new RangeError(`bad CPU range '${part.trim()}'`);
    for (let c = a; c <= b; c++) {
      if (c >= nrCpus) throw new RangeError(`CPU ${c} does not exist (machine has ${nrCpus})`);
      out.push(c);
    }
  }
  return out;
}
