import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The workloads of the render and live cases on a machine of any size:
 * - `demo`: the default demo (demo/default.json) with the machine's CPU count set, as the "the same at 64
 *   CPUs" reads: the demo's tasks on a bigger machine, most of its CPUs idle;
 * - `busy`: a stress case that keeps every CPU busy (hogs, web-like sleepers, batch and a FIFO task per 8 CPUs),
 *   so that every lane of the timeline and every runqueue changes each frame.
 */
export type Workload = 'demo' | 'busy';

export function isWorkload(s: string | undefined): s is Workload {
  return s === 'demo' || s === 'busy';
}

export function bigScenario(cpus: number): string {
  const tasks = [
    { comm: 'hog', count: cpus, program: [{ run: 'forever' }] },
    { comm: 'web', count: cpus * 4, program: [{ loop: [{ run: { exp: '2ms' } }, { sleep: { uniform: ['5ms', '50ms'] } }] }] },
    { comm: 'batch', count: cpus, policy: 'batch', program: [{ run: 'forever' }] },
    { comm: 'rt', count: Math.max(1, cpus / 8), policy: 'fifo', rtPriority: 50, program: [{ loop: [{ run: '1ms' }, { timer: { period: '10ms' } }] }] },
  ];
  return JSON.stringify({ name: `${cpus} cpus`, seed: 1, machine: { cpus, memory: '64G' }, tasks });
}

/** The default demo on `cpus` CPUs (read from the checkout the benches run in, as the 8-CPU cases read it). */
export function demoScenario(cpus: number): string {
  const demo = JSON.parse(readFileSync(join(process.cwd(), 'demo', 'default.json'), 'utf8')) as { name: string; machine: { cpus: number } };
  demo.machine.cpus = cpus;
  demo.name = `the default demo on ${cpus} CPUs`;
  return JSON.stringify(demo);
}

export function workloadScenario(cpus: number, workload: Workload): string {
  return workload === 'demo' ? demoScenario(cpus) : bigScenario(cpus);
}
