/**
 * Distributions of durations in programs: fixed, exponential (mean), uniform [a, b]. Sampled with the task's
 * own random stream, in integer nanoseconds.
 */
import type { Rng } from '../kernel/core/rng.js';

export type Dist =
  | { kind: 'fixed'; ns: number }
  | { kind: 'exp'; meanNs: number }
  | { kind: 'uniform'; loNs: number; hiNs: number };

export function sample(d: Dist, rng: Rng): number {
  switch (d.kind) {
    case 'fixed':
      return d.ns;
    case 'exp':
      return rng.expInt(d.meanNs);
    case 'uniform':
      return rng.intBetween(d.loNs, d.hiNs);
  }
}

export function describeDist(d: Dist): string {
  switch (d.kind) {
    case 'fixed':
      return `${d.ns}ns`;
    case 'exp':
      return `exp(${d.meanNs}ns)`;
    case 'uniform':
      return `uniform(${d.loNs}ns, ${d.hiNs}ns)`;
  }
}
