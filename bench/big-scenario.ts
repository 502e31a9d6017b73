/** The render cases' machine with more CPUs than the default demo: hogs, web-like sleepers, batch and a FIFO task per 8 CPUs. */
export function bigScenario(cpus: number): string {
  const tasks = [
    { comm: 'hog', count: cpus, program: [{ run: 'forever' }] },
    { comm: 'web', count: cpus * 4, program: [{ loop: [{ run: { exp: '2ms' } }, { sleep: { uniform: ['5ms', '50ms'] } }] }] },
    { comm: 'batch', count: cpus, policy: 'batch', program: [{ run: 'forever' }] },
    { comm: 'rt', count: Math.max(1, cpus / 8), policy: 'fifo', rtPriority: 50, program: [{ loop: [{ run: '1ms' }, { timer: { period: '10ms' } }] }] },
  ];
  return JSON.stringify({ name: `${cpus} cpus`, seed: 1, machine: { cpus, memory: '64G' }, tasks });
}
