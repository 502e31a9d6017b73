/**
 * Counts (and lets a recorder see) every byte written to the terminal. blessed writes to its output stream
 * directly, so write() is wrapped in place: isTTY, columns and 'resize' stay those of the real stream.
 */
export interface OutputTap {
  bytes: number;
  writes: number;
  /** Called with each chunk, after it was written. */
  listeners: ((chunk: string) => void)[];
  restore(): void;
}

export function tapOutput(stream: NodeJS.WritableStream): OutputTap {
  const original = stream.write;
  const tap: OutputTap = {
    bytes: 0,
    writes: 0,
    listeners: [],
    restore: () => {
      stream.write = original;
    },
  };
  stream.write = function (this: NodeJS.WritableStream, chunk: unknown, ...rest: unknown[]): boolean {
    const s = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
    tap.bytes += Buffer.byteLength(s);
    tap.writes++;
    const ok = (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
    for (const l of tap.listeners) l(s);
    return ok;
  } as typeof stream.write;
  return tap;
}
