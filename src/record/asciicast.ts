/**
 * asciicast writer (formats.md C1, C2): v2 (absolute event times) or v3 (intervals, a "term" header, the
 * exit event). Each event is written with one synchronous write as it happens, so a killed recorder leaves a
 * valid file up to its last event. Times come from the caller (the composition reads the wall clock).
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export type CastFormat = 'v2' | 'v3';

export interface CastHeader {
  cols: number;
  rows: number;
  /** Unix seconds at the start. */
  timestamp: number;
  title: string;
  term: string;
  shell?: string;
  /** The terminal theme players should use: fg, bg, and 16 palette colours (#rrggbb). */
  theme?: { fg: string; bg: string; palette: string[] };
}

/** Seconds with microsecond precision, trailing zeros trimmed (as asciinema writes them). */
function secs(t: number): number {
  return Math.round(Math.max(0, t) * 1e6) / 1e6;
}

export class AsciicastWriter {
  private fd: number | null;
  private lastT = 0;
  events = 0;

  constructor(
    readonly file: string,
    readonly format: CastFormat,
    h: CastHeader,
  ) {
    this.fd = openSync(file, 'w');
    const theme = h.theme === undefined ? undefined : { fg: h.theme.fg, bg: h.theme.bg, palette: h.theme.palette.join(':') };
    const env: Record<string, string> = h.shell !== undefined ? { SHELL: h.shell } : {};
    const header =
      format === 'v2'
        ? { version: 2, width: h.cols, height: h.rows, timestamp: h.timestamp, title: h.title, env: { ...env, TERM: h.term }, ...(theme !== undefined ? { theme } : {}) }
        : { version: 3, term: { cols: h.cols, rows: h.rows, type: h.term, ...(theme !== undefined ? { theme } : {}) }, timestamp: h.timestamp, title: h.title, ...(h.shell !== undefined ? { env } : {}) };
    this.write(JSON.stringify(header));
  }

  private write(line: string): void {
    if (this.fd === null) return;
    writeSync(this.fd, `${line}\n`);
  }

  private event(t: number, code: string, data: string): void {
    if (this.fd === null) return;
    const time = this.format === 'v2' ? secs(t) : secs(t - this.lastT);
    this.lastT = Math.max(this.lastT, t);
    this.events++;
    this.write(JSON.stringify([time, code, data]));
  }

  output(t: number, data: string): void {
    if (data !== '') this.event(t, 'o', data);
  }

  input(t: number, data: string): void {
    this.event(t, 'i', data);
  }

  resize(t: number, cols: number, rows: number): void {
    this.event(t, 'r', `${cols}x${rows}`);
  }

  marker(t: number, label: string): void {
    this.event(t, 'm', label);
  }

  /** Close the file; v3 records the exit status. */
  close(t: number, exitStatus: number): void {
    if (this.format === 'v3') this.event(t, 'x', String(exitStatus));
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** A cast file read back (tests, and rendering a recording again). Unknown event codes are skipped. */
export interface CastEvent {
  t: number;
  code: string;
  data: string;
}

export function parseCast(text: string): { header: Record<string, unknown>; cols: number; rows: number; events: CastEvent[] } {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
  const v3 = header.version === 3;
  const term = (header.term ?? {}) as { cols?: number; rows?: number };
  const cols = v3 ? (term.cols ?? 80) : ((header.width as number | undefined) ?? 80);
  const rows = v3 ? (term.rows ?? 24) : ((header.height as number | undefined) ?? 24);
  const events: CastEvent[] = [];
  let t = 0;
  for (const l of lines.slice(1)) {
    if (v3 && l.startsWith('#')) continue;
    const [time, code, data] = JSON.parse(l) as [number, string, string];
    t = v3 ? t + time : time;
    events.push({ t, code, data });
  }
  return { header, cols, rows, events };
}
