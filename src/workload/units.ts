/**
 * Units in scenario files: durations (ns, us, ms, s, and m/h for long runs), sizes (K, M, G, T as powers of
 * 1024, with optional B/iB), and rates (a size per second). Returns null for anything else, so callers can
 * report the exact place of a bad value.
 */

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1_000,
  µs: 1_000,
  ms: 1_000_000,
  s: 1_000_000_000,
  m: 60_000_000_000,
  min: 60_000_000_000,
  h: 3_600_000_000_000,
};

/** "5ms" -> 5000000. Fractions are allowed ("0.7ms") and rounded to the nanosecond. */
export function parseDurationNs(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|\u00b5s|ms|s|m|min|h)\s*$/.exec(text);
  if (!m) return null;
  const v = Math.round(Number(m[1]) * (DURATION_UNITS[m[2] as string] as number));
  return Number.isSafeInteger(v) ? v : null;
}

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** "4G" -> 4294967296; "512M", "64k", "100", "1.5G". */
export function parseSizeBytes(text: string | number): number | null {
  if (typeof text === 'number') return Number.isSafeInteger(text) && text >= 0 ? text : null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)(?:i?[bB])?\s*$/.exec(text);
  if (!m) return null;
  const v = Math.round(Number(m[1]) * (SIZE_UNITS[(m[2] as string).toLowerCase()] as number));
  return Number.isSafeInteger(v) ? v : null;
}

/** "50M/s" -> bytes per second. */
export function parseRateBytesPerSec(text: string): number | null {
  const m = /^\s*(.+?)\s*\/\s*s\s*$/.exec(text);
  if (!m) return null;
  return parseSizeBytes(m[1] as string);
}

/** Format ns for people: 1.5s, 250ms, 40us, 12ns. */
export function formatDuration(ns: number): string {
  if (ns >= 1e9 && ns % 1e6 === 0) return `${+(ns / 1e9).toFixed(3)}s`;
  if (ns >= 1e6) return `${+(ns / 1e6).toFixed(3)}ms`;
  if (ns >= 1e3) return `${+(ns / 1e3).toFixed(3)}us`;
  return `${ns}ns`;
}
