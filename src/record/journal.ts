/**
 * The journal: a small JSON-lines file from which a session can be rebuilt exactly (design.md section 7).
 *   {"t":"header","format":"kernsim-journal","version":1,"kernsim":"0.1.0","kernelModel":"1","seed":42,
 *    "checkpointNs":1000000000,"scenario":{"file":"demo/default.json","text":"..."}}
 *   {"t":"cmd","boot":1,"atNs":..,"events":..,"cmd":{"kind":"sh","line":"renice -n 5 -p 63"}}
 *   {"t":"chk","boot":1,"atNs":..,"events":..,"hash":"0123456789abcdef"}
 *   {"t":"end","boot":1,"atNs":..,"events":..}
 * Every line is written and flushed as it happens, so a killed session leaves a journal valid up to its last line.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import * as z from 'zod';
import type { Command } from '../sim/session.js';
import { fileErrorText, InputError } from '../lib/input-error.js';

// Before this module builds its schemas: see workload/scenario.ts.
z.config({ jitless: true });

export const JOURNAL_FORMAT = 'kernsim-journal';
export const JOURNAL_VERSION = 1;
/**
 * The simulation's behaviour version: bumped whenever the same inputs would give a different run, so that an
 * old journal is refused rather than replayed into a different picture. 2: swap-in reads page clusters, and
 * vmstat_update is queued with round_jiffies_relative(). 3: the command line expands $NAME, ${NAME}, $(...)
 * and `...` (a recorded command line with them did something else before). 4: sleep waits (and the line runs
 * on after it), while/until/if/test/[ and ! run, /dev/null exists. 5: the boot log prints calibrate_delay's and
 * pid_init's lines instead of a made-up scheduler line (one record more, which the checkpoints count), and a
 * refused task start is logged by init, not by the kernel; and command lines that were errors now run (2>, 2>&1,
 * <, cd, read and pipes into and out of loops, awk, printf, xargs, tr, tee, sudo...).
 */
export const KERNEL_MODEL = '5';

export class JournalError extends InputError {
  override readonly name = 'JournalError';
  constructor(
    file: string,
    readonly line: number,
    detail: string,
  ) {
    super(file, line > 0 ? `line ${line}` : '', detail);
  }
}

export interface JournalHeader {
  t: 'header';
  format: string;
  version: number;
  kernsim: string;
  kernelModel: string;
  seed: number;
  checkpointNs: number;
  scenario: { file: string; text: string };
}

const pos = { boot: z.number().int().min(1), atNs: z.number().int().min(0), events: z.number().int().min(0) };
const commandSchema = z.union([
  z.strictObject({ kind: z.literal('sh'), line: z.string().max(4096) }),
  z.strictObject({ kind: z.literal('sysrq'), key: z.string().length(1) }),
  z.strictObject({ kind: z.literal('mark'), label: z.string().max(200) }),
  z.strictObject({ kind: z.literal('jobstop'), job: z.number().int().min(1) }),
]);
const headerSchema = z.strictObject({
  t: z.literal('header'),
  format: z.string(),
  version: z.number().int(),
  kernsim: z.string(),
  kernelModel: z.string(),
  seed: z.number().int().min(0).max(2 ** 32 - 1),
  checkpointNs: z.number().int().positive(),
  scenario: z.strictObject({ file: z.string(), text: z.string() }),
});
const lineSchema = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('cmd'), ...pos, cmd: commandSchema }),
  z.strictObject({ t: z.literal('chk'), ...pos, hash: z.string().regex(/^[0-9a-f]{16}$/) }),
  z.strictObject({ t: z.literal('end'), ...pos }),
]);

export type JournalLine = z.output<typeof lineSchema>;

export interface Journal {
  file: string;
  header: JournalHeader;
  commands: Extract<JournalLine, { t: 'cmd' }>[];
  checkpoints: Extract<JournalLine, { t: 'chk' }>[];
  end: Extract<JournalLine, { t: 'end' }> | null;
  /** Line number of each command and checkpoint (for messages). */
  lineOf: Map<object, number>;
}

export class JournalWriter {
  private fd: number | null;

  constructor(readonly file: string, header: Omit<JournalHeader, 't' | 'format' | 'version' | 'kernelModel'>) {
    this.fd = openSync(file, 'w');
    this.line({ t: 'header', format: JOURNAL_FORMAT, version: JOURNAL_VERSION, kernsim: header.kernsim, kernelModel: KERNEL_MODEL, seed: header.seed, checkpointNs: header.checkpointNs, scenario: header.scenario });
  }

  private line(o: object): void {
    if (this.fd === null) return;
    writeSync(this.fd, `${JSON.stringify(o)}\n`);
  }

  command(p: { boot: number; atNs: number; events: number }, cmd: Command): void {
    this.line({ t: 'cmd', boot: p.boot, atNs: p.atNs, events: p.events, cmd });
  }

  checkpoint(p: { boot: number; atNs: number; events: number }, hash: string): void {
    this.line({ t: 'chk', boot: p.boot, atNs: p.atNs, events: p.events, hash });
  }

  close(p: { boot: number; atNs: number; events: number }): void {
    this.line({ t: 'end', boot: p.boot, atNs: p.atNs, events: p.events });
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

function issueText(e: z.ZodError): string {
  const i = e.issues[0] as z.core.$ZodIssue;
  const path = i.path.map(String).join('.');
  return path === '' ? i.message : `${path}: ${i.message}`;
}

/** Read and validate a journal; the first problem is an error naming its line. */
export function readJournal(file: string, text?: string): Journal {
  let src = text;
  if (src === undefined) {
    try {
      src = readFileSync(file, 'utf8');
    } catch (e) {
      throw new JournalError(file, 0, fileErrorText(e));
    }
  }
  const lines = src.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new JournalError(file, 0, 'empty file (not a kernsim journal)');
  const parse = (s: string, n: number): unknown => {
    try {
      return JSON.parse(s);
    } catch {
      throw new JournalError(file, n, n === lines.length ? 'truncated or invalid JSON (the last line was cut short?)' : 'invalid JSON');
    }
  };
  const h0 = parse(lines[0] as string, 1) as { format?: unknown; version?: unknown; kernelModel?: unknown; kernsim?: unknown };
  if (h0 === null || typeof h0 !== 'object' || h0.format !== JOURNAL_FORMAT) throw new JournalError(file, 1, `not a kernsim journal (expected a header with "format": "${JOURNAL_FORMAT}")`);
  if (h0.version !== JOURNAL_VERSION) throw new JournalError(file, 1, `journal format version ${String(h0.version)} is not supported (this kernsim reads version ${JOURNAL_VERSION})`);
  const hr = headerSchema.safeParse(h0);
  if (!hr.success) throw new JournalError(file, 1, `bad header: ${issueText(hr.error)}`);
  if (hr.data.kernelModel !== KERNEL_MODEL) {
    throw new JournalError(file, 1, `recorded by kernsim ${hr.data.kernsim} with kernel model ${hr.data.kernelModel}; this kernsim simulates model ${KERNEL_MODEL}, so a replay would not be the same run`);
  }
  const j: Journal = { file, header: hr.data as JournalHeader, commands: [], checkpoints: [], end: null, lineOf: new Map() };
  let last = { boot: 1, events: 0, atNs: 0 };
  for (let i = 1; i < lines.length; i++) {
    const n = i + 1;
    const s = lines[i] as string;
    if (s.trim() === '') continue;
    const r = lineSchema.safeParse(parse(s, n));
    if (!r.success) throw new JournalError(file, n, issueText(r.error));
    const l = r.data;
    if (j.end !== null) throw new JournalError(file, n, 'a line after the "end" record');
    const ordered = l.boot > last.boot || (l.boot === last.boot && l.events >= last.events && l.atNs >= last.atNs);
    if (!ordered) throw new JournalError(file, n, `out of order: boot ${l.boot}, ${l.atNs} ns, event ${l.events} comes after boot ${last.boot}, ${last.atNs} ns, event ${last.events}`);
    last = l;
    if (l.t === 'cmd') j.commands.push(l);
    else if (l.t === 'chk') j.checkpoints.push(l);
    else j.end = l;
    j.lineOf.set(l, n);
  }
  return j;
}
