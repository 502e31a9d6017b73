/**
 * Random scenarios for property tests: every policy, sleeps, I/O, forks, exits, yields, loops, and timed
 * renice / chrt / taskset / kill / spawn actions, all drawn from a seeded PRNG.
 */
import { Xoshiro128, type Rng } from '../../src/kernel/core/rng.js';

type Json = Record<string, unknown>;

function dur(rng: Rng, maxUs: number): string {
  return `${1 + rng.intBelow(maxUs)}us`;
}

function program(rng: Rng, depth: number): Json[] {
  const steps: Json[] = [];
  const n = 1 + rng.intBelow(4);
  for (let i = 0; i < n; i++) {
    const r = rng.intBelow(100);
    if (r < 30) steps.push({ run: rng.chance(1, 3) ? { exp: dur(rng, 3000) } : dur(rng, 5000), ...(rng.chance(1, 6) ? { kernel: true } : {}) });
    else if (r < 50) steps.push({ sleep: rng.chance(1, 2) ? { uniform: [dur(rng, 2000), dur(rng, 20000)] } : dur(rng, 10000) });
    else if (r < 58) steps.push({ io: dur(rng, 8000) });
    else if (r < 63) steps.push({ yield: true });
    else if (r < 70 && depth < 2) steps.push({ fork: { comm: `child${depth}`, program: [...program(rng, depth + 1), { exit: 0 }] } });
    else if (r < 74) steps.push({ wait: true });
    else if (r < 78) steps.push({ timer: { period: `${1 + rng.intBelow(20)}ms` } });
    else steps.push({ run: dur(rng, 2000) });
  }
  if (depth === 0) return [{ loop: steps }];
  return steps;
}

const POLICIES = ['normal', 'normal', 'normal', 'batch', 'idle', 'fifo', 'rr', 'deadline'] as const;

function task(rng: Rng, i: number, cpus: number): Json {
  const policy = POLICIES[rng.intBelow(POLICIES.length)] as string;
  const t: Json = { comm: `task${i}`, policy, program: program(rng, 0) };
  if (policy === 'fifo' || policy === 'rr') t.rtPriority = 1 + rng.intBelow(99);
  else if (policy !== 'deadline') t.nice = rng.intBelow(40) - 20;
  if (policy === 'deadline') t.dl = { runtime: `${1 + rng.intBelow(5)}ms`, deadline: '20ms', period: '30ms' };
  if (rng.chance(1, 4) && policy !== 'deadline') t.cpus = [rng.intBelow(cpus)];
  if (rng.chance(1, 3)) t.start = `${rng.intBelow(200)}ms`;
  if (rng.chance(1, 5)) t.count = 1 + rng.intBelow(3);
  return t;
}

function action(rng: Rng, ntasks: number, cpus: number): Json {
  const t = `${rng.intBelow(1000)}ms`;
  const comm = `task${rng.intBelow(ntasks)}`;
  switch (rng.intBelow(6)) {
    case 0:
      return { t, renice: { comm, nice: rng.intBelow(40) - 20 } };
    case 1: {
      const policy = POLICIES[rng.intBelow(POLICIES.length)] as string;
      const chrt: Json = { comm, policy };
      if (policy === 'fifo' || policy === 'rr') chrt.rtPriority = 1 + rng.intBelow(99);
      if (policy === 'deadline') chrt.dl = { runtime: '2ms', deadline: '10ms', period: '20ms' };
      return { t, chrt };
    }
    case 2: {
      const list = Array.from({ length: cpus }, (_, c) => c).filter(() => rng.chance(1, 2));
      return { t, taskset: { comm, cpus: list.length > 0 ? list : [0] } };
    }
    case 3:
      return { t, kill: { comm, signal: ['SIGKILL', 'SIGTERM', 'SIGSTOP', 'SIGCONT'][rng.intBelow(4)] } };
    case 4:
      return { t, kill: { comm, signal: 'SIGCONT' } };
    default:
      return { t, spawn: task(rng, 100 + rng.intBelow(10), cpus) };
  }
}

export function randomScenario(seed: number, mode: 'eevdf' | 'cfs'): Json {
  const rng = new Xoshiro128(seed, 'random-scenario');
  const cpus = 1 + rng.intBelow(4);
  const n = 2 + rng.intBelow(8);
  const tasks = Array.from({ length: n }, (_, i) => task(rng, i, cpus));
  const at = Array.from({ length: rng.intBelow(12) }, () => action(rng, n, cpus));
  return {
    name: `random ${seed}`,
    seed,
    machine: { cpus, hz: [100, 250, 1000][rng.intBelow(3)] },
    sched: {
      mode,
      preempt: ['none', 'voluntary', 'full', 'lazy'][rng.intBelow(4)],
      rtStarvation: rng.chance(1, 2) ? 'throttle' : 'fair-server',
    },
    tasks,
    at,
  };
}
