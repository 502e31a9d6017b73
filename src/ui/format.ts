/** Units and text fitting for the widgets (ns -> ms/s, kB -> K/M/G the way htop prints them). */

/** Virtual time as h:mm:ss.mmm (the header's uptime). */
export function fmtUptime(ns: number): string {
  const ms = Math.floor(ns / 1e6);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(ms % 1000).padStart(3, '0')}`;
}

/** A duration in the most readable unit: 950ns, 12.3us, 4.50ms, 1.25s. */
export function fmtDur(ns: number): string {
  const a = Math.abs(ns);
  if (a < 1000) return `${ns}ns`;
  if (a < 1e6) return `${(ns / 1e3).toFixed(a < 1e4 ? 2 : 1)}us`;
  if (a < 1e9) return `${(ns / 1e6).toFixed(a < 1e7 ? 2 : 1)}ms`;
  return `${(ns / 1e9).toFixed(a < 1e10 ? 2 : 1)}s`;
}

/** htop's TIME+: m:ss.cc */
export function fmtTimePlus(ns: number): string {
  const cs = Math.floor(ns / 1e7);
  const m = Math.floor(cs / 6000);
  const s = Math.floor(cs / 100) % 60;
  return `${m}:${String(s).padStart(2, '0')}.${String(cs % 100).padStart(2, '0')}`;
}

/** kB as htop prints memory: 512K, 1.21G, 14.0M. */
export function fmtKb(kb: number): string {
  if (kb < 1024) return `${Math.round(kb)}K`;
  const mb = kb / 1024;
  if (mb < 1024) return mb < 100 ? `${mb.toFixed(1)}M` : `${Math.round(mb)}M`;
  const gb = mb / 1024;
  return gb < 100 ? `${gb.toFixed(2)}G` : `${gb.toFixed(1)}G`;
}

export function fmtPages(pages: number): string {
  return fmtKb(pages * 4);
}

export function fmtBytesRate(bps: number): string {
  if (bps < 1024) return `${Math.round(bps)}B/s`;
  if (bps < 1024 * 1024) return `${(bps / 1024).toFixed(1)}K/s`;
  return `${(bps / 1024 / 1024).toFixed(1)}M/s`;
}

export function fmtCount(n: number): string {
  if (n < 10_000) return String(Math.round(n));
  if (n < 10_000_000) return `${(n / 1000).toFixed(n < 100_000 ? 1 : 0)}k`;
  return `${(n / 1e6).toFixed(1)}M`;
}

/**
 * A count in at most w characters: whole, else in k or M with a decimal, else rounded (9763 in 3: "10k"); a
 * fraction of a million drops its leading zero (".1M") rather than round to nothing.
 */
export function fitCount(n: number, w: number): string {
  const m = (n / 1e6).toFixed(1);
  const forms = [String(Math.round(n)), `${(n / 1000).toFixed(1)}k`, `${Math.round(n / 1000)}k`, `${m}M`, `${m.replace(/^0/, '')}M`, `${Math.round(n / 1e6)}M`];
  return forms.find((f) => f.length <= w && f !== '0M') ?? (forms[5] as string);
}

export function fmtSpeed(x: number): string {
  return x >= 1 ? `x${x % 1 === 0 ? x : x.toFixed(1)}` : `x${x}`;
}

export function padL(s: string | number, w: number): string {
  const t = String(s);
  return t.length >= w ? t.slice(t.length - w) : ' '.repeat(w - t.length) + t;
}

export function padR(s: string | number, w: number): string {
  const t = String(s);
  return t.length >= w ? t.slice(0, w) : t + ' '.repeat(w - t.length);
}

/** Cut text to w columns with an ellipsis. */
export function fit(s: string, w: number, ellipsis = '~'): string {
  if (w <= 0) return '';
  if (s.length <= w) return s;
  return w === 1 ? s.slice(0, 1) : s.slice(0, w - 1) + ellipsis;
}

/** The first of forms (longest first) that fits in w, else the last one cut to w. */
/**
 * s in at most w characters by cutting its middle: up to three characters of its start, the rest from its end
 * (hog-nice-10 in 9: hog~ce-10), because names alike (hog-nice-5, kworker/3:1) differ at the end.
 */
export function cutMiddle(s: string, w: number, mark = '~'): string {
  if (s.length <= w) return s;
  if (w <= mark.length) return s.slice(0, w);
  const keep = w - mark.length;
  const head = Math.min(3, Math.ceil(keep / 2));
  return `${s.slice(0, head)}${mark}${s.slice(s.length - (keep - head))}`;
}

export function fitFirst(forms: readonly string[], w: number): string {
  return forms.find((f) => f.length <= w) ?? fit(forms[forms.length - 1] ?? '', w);
}

/** ps's CLS column for a policy. */
export function policyShort(policy: string): string {
  switch (policy) {
    case 'fifo':
      return 'FF';
    case 'rr':
      return 'RR';
    case 'batch':
      return 'B';
    case 'idle':
      return 'IDL';
    case 'deadline':
      return 'DLN';
    default:
      return 'TS';
  }
}

/** A "nice" step of 1, 2 or 5 x 10^n at or above x. */
export function niceStep(x: number): number {
  if (x <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * p >= x - 1e-9) return m * p;
  return 10 * p;
}

export function stepDown(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  const m = Math.round(x / p);
  if (m <= 1) return 5 * (p / 10);
  if (m <= 2) return p;
  if (m <= 5) return 2 * p;
  return 5 * p;
}

export function stepUp(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  const m = Math.round(x / p);
  if (m < 2) return 2 * p;
  if (m < 5) return 5 * p;
  return 10 * p;
}

/** Tabs to spaces at 8-column stops, as a terminal shows them (proc files and kernel messages use tabs). */
export function expandTabs(s: string): string {
  if (!s.includes('\t')) return s;
  let out = '';
  for (const ch of s) {
    if (ch === '\t') out += ' '.repeat(8 - (out.length % 8));
    else out += ch;
  }
  return out;
}

/**
 * strcmp() order, as slabtop and htop sort names. Not localeCompare: its first call builds an ICU collator
 * (about 15 ms, on the first frame) and every call after costs far more than comparing code units.
 */
export function strcmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Items packed onto lines of at most width columns, sep between two on a line (words with ' ', a pane's
 * fields with two spaces); an item longer than a line gets a line of its own, for the caller to fit.
 */
export function wrapItems(items: readonly string[], width: number, sep = '  '): string[] {
  const rows: string[] = [];
  let row = '';
  for (const it of items) {
    if (row === '') row = it;
    else if (row.length + sep.length + it.length <= width) row += sep + it;
    else {
      rows.push(row);
      row = it;
    }
  }
  if (row !== '' || rows.length === 0) rows.push(row);
  return rows;
}
