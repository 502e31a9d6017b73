/**
 * printk: the kernel log ring buffer (kernel/printk/printk.c, printk_ringbuffer.c). Records carry a sequence
 * number, timestamp, level, facility, caller and text; the ring is bounded like the real one (a 2^LOG_BUF_SHIFT
 * byte text ring and 2^(shift-5) descriptors) and drops the oldest records when full. Whether a record reaches
 * the console is decided when it is printed (level < console_loglevel, or ignore_loglevel), as in the kernel.
 */

export const LOGLEVEL_NAMES = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'] as const;
export const KERN_NAMES = ['KERN_EMERG', 'KERN_ALERT', 'KERN_CRIT', 'KERN_ERR', 'KERN_WARNING', 'KERN_NOTICE', 'KERN_INFO', 'KERN_DEBUG'];
export const CONSOLE_LOGLEVEL_SILENT = 0;
export const CONSOLE_LOGLEVEL_DEBUG = 10;
export const CONSOLE_LOGLEVEL_MOTORMOUTH = 15;

export interface PrintkRecord {
  seq: number;
  tsNs: number;
  /** 0..7 */
  level: number;
  /** 0 = kernel, 1 = user (writes to /dev/kmsg). */
  facility: number;
  /** Caller id: T<pid> in task context, C<cpu> otherwise. */
  caller: string;
  pid: number;
  cpu: number;
  text: string;
  /** The record went to the console when it was printed. */
  console: boolean;
  /** Still open for KERN_CONT continuation. */
  open: boolean;
}

export interface PrintkSettings {
  consoleLoglevel: number;
  defaultMessageLoglevel: number;
  minimumConsoleLoglevel: number;
  defaultConsoleLoglevel: number;
}

/** Size a record takes in the text data ring: id word + text, 8-byte aligned (prb data blocks). */
function recordBytes(text: string): number {
  return Math.ceil((8 + Buffer.byteLength(text)) / 8) * 8;
}

export class PrintkRing {
  readonly records: PrintkRecord[] = [];
  private head = 0; // index of the oldest live record in records[]
  private bytes = 0;
  nextSeq = 0;
  /** Records dropped because the ring was full. */
  dropped = 0;
  readonly settings: PrintkSettings;
  ignoreLoglevel = false;
  /** CONFIG_PRINTK_CALLER: add ",caller=" to /dev/kmsg and "[T123]" to dmesg. */
  callerInfo: boolean;
  readonly maxBytes: number;
  readonly maxRecords: number;

  /** What reached the console, in order (bounded): the console view of the dashboard. */
  readonly consoleLog: PrintkRecord[] = [];
  consoleDropped = 0;
  /** /proc/kmsg's read position (syslog_seq). */
  syslogSeq = 0;

  constructor(opts: { logBufShift?: number; settings: PrintkSettings; ignoreLoglevel?: boolean; callerInfo?: boolean }) {
    const shift = opts.logBufShift ?? 17;
    this.maxBytes = 2 ** shift;
    this.maxRecords = 2 ** (shift - 5);
    this.settings = { ...opts.settings };
    this.ignoreLoglevel = opts.ignoreLoglevel ?? false;
    this.callerInfo = opts.callerInfo ?? false;
  }

  /** Would a record of this level reach the console now? (suppress_message_printing) */
  passesConsole(level: number): boolean {
    return this.ignoreLoglevel || level < this.settings.consoleLoglevel;
  }

  /**
   * Store a record. level -1 means "no level given": default_message_loglevel applies. forceConsole prints it
   * on the console whatever the level (SysRq raises the console level for its own header).
   */
  log(r: { tsNs: number; level: number; text: string; pid: number; cpu: number; facility?: number; forceConsole?: boolean }): PrintkRecord {
    const level = r.level < 0 ? this.settings.defaultMessageLoglevel : r.level;
    const rec: PrintkRecord = {
      seq: this.nextSeq++,
      tsNs: r.tsNs,
      level,
      facility: r.facility ?? 0,
      caller: r.pid > 0 ? `T${r.pid}` : `C${r.cpu}`,
      pid: r.pid,
      cpu: r.cpu,
      text: r.text,
      console: r.forceConsole === true || this.passesConsole(level),
      open: false,
    };
    this.records.push(rec);
    this.bytes += recordBytes(rec.text);
    this.trim();
    if (rec.console) this.toConsole(rec);
    return rec;
  }

  private toConsole(rec: PrintkRecord): void {
    this.consoleLog.push(rec);
    if (this.consoleLog.length > 4000) {
      this.consoleLog.splice(0, 1000);
      this.consoleDropped += 1000;
    }
  }

  /** SysRq-R (console_replay_all): print every record still in the ring on the console again. */
  replayToConsole(): void {
    for (const r of this.all()) this.toConsole(r);
  }

  /** KERN_CONT: append to the newest record when it came from the same caller. Returns false otherwise. */
  cont(text: string, caller: string): PrintkRecord | null {
    const last = this.records[this.records.length - 1];
    if (last === undefined || this.records.length <= this.head || last.caller !== caller) return null;
    this.bytes -= recordBytes(last.text);
    last.text += text;
    this.bytes += recordBytes(last.text);
    this.trim();
    return last;
  }

  private trim(): void {
    while (this.live > 1 && (this.bytes > this.maxBytes || this.live > this.maxRecords)) {
      const old = this.records[this.head] as PrintkRecord;
      this.bytes -= recordBytes(old.text);
      this.head++;
      this.dropped++;
    }
    // Compact the backing array now and then so that it stays bounded.
    if (this.head > 4096 && this.head * 2 > this.records.length) {
      this.records.splice(0, this.head);
      this.head = 0;
    }
  }

  get live(): number {
    return this.records.length - this.head;
  }

  /** The live records, oldest first. */
  all(): readonly PrintkRecord[] {
    return this.head === 0 ? this.records : this.records.slice(this.head);
  }

  /** Records with seq >= fromSeq. */
  since(fromSeq: number): PrintkRecord[] {
    const out: PrintkRecord[] = [];
    for (let i = this.records.length - 1; i >= this.head; i--) {
      const r = this.records[i] as PrintkRecord;
      if (r.seq < fromSeq) break;
      out.push(r);
    }
    return out.reverse();
  }

  firstSeq(): number {
    return this.live === 0 ? this.nextSeq : (this.records[this.head] as PrintkRecord).seq;
  }

  usedBytes(): number {
    return this.bytes;
  }

  clear(): void {
    this.head = this.records.length;
    this.bytes = 0;
  }
}
