/**
 * Invariants after every event under random workloads that mix every policy, affinity changes, kills,
 * stops and continues, forks and exits, in both fair modes and all preemption models.
 */
import { describe, expect, it } from 'vitest';
import { InvariantChecker } from '../../src/kernel/debug/invariants.js';
import { parseScenarioText } from '../../src/sim/config.js';
import { Session } from '../../src/sim/session.js';
import { randomScenario } from '../helpers/random-scenario.js';

function runRandom(seed: number, mode: 'eevdf' | 'cfs'): { checks: number; switches: number } {
  const json = randomScenario(seed, mode);
  const s = new Session(parseScenarioText(`random-${seed}.json`, JSON.stringify(json)));
  const inv = new InvariantChecker(s.k);
  // Every event while the machine is small; a fork bomb (random programs make some) is sampled instead.
  let n = 0;
  s.k.engine.afterEvent = () => {
    if (s.k.tasks.size <= 300 || ++n % 100 === 0) inv.assert();
  };
  s.runUntil(1_000_000_000);
  let switches = 0;
  for (const rq of s.k.rqs) switches += rq.nrSwitches;
  return { checks: inv.checks, switches };
}

describe('scheduler invariants under random workloads', () => {
  for (const mode of ['eevdf', 'cfs'] as const) {
    for (let seed = 1; seed <= 24; seed++) {
      it(`${mode} seed ${seed}`, () => {
        const r = runRandom(seed, mode);
        expect(r.checks).toBeGreaterThan(0);
      });
    }
  }
});
