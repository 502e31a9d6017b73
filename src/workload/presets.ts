/**
 * Named programs for `spawn` (the command line and the dashboard): the usual suspects of a scheduler and
 * memory lesson. Each preset is a task spec in scenario syntax, validated like a scenario's tasks.
 */

export const PRESETS: Readonly<Record<string, { description: string; task: Record<string, unknown> }>> = {
  'cpu-hog': { description: 'a CPU-bound loop', task: { comm: 'hog', program: [{ run: 'forever' }] } },
  interactive: {
    description: 'short bursts and sleeps, like an editor',
    task: { comm: 'editor', program: [{ loop: [{ run: { exp: '500us' } }, { sleep: { uniform: ['10ms', '50ms'] } }] }] },
  },
  'io-sleeper': {
    description: 'CPU then disk waits (D state)',
    task: { comm: 'dd', program: [{ loop: [{ run: { exp: '1ms' } }, { io: { uniform: ['2ms', '8ms'] } }] }] },
  },
  batch: { description: 'a SCHED_BATCH number cruncher', task: { comm: 'cruncher', policy: 'batch', program: [{ run: 'forever' }] } },
  'periodic-rt': {
    description: 'SCHED_FIFO 50: 2 ms of work every 10 ms',
    task: { comm: 'rt-periodic', policy: 'fifo', rtPriority: 50, program: [{ loop: [{ run: '2ms' }, { timer: { period: '10ms' } }] }] },
  },
  'rt-hog': { description: 'a SCHED_FIFO 50 CPU hog (starves fair tasks but for the fair server / throttling)', task: { comm: 'rt-hog', policy: 'fifo', rtPriority: 50, program: [{ run: 'forever' }] } },
  deadline: {
    description: 'SCHED_DEADLINE 5 ms every 50 ms',
    task: { comm: 'dl-task', policy: 'deadline', dl: { runtime: '5ms', deadline: '50ms', period: '50ms' }, program: [{ loop: [{ run: '4ms' }, { timer: { period: '50ms' } }] }] },
  },
  'mem-hog': {
    description: 'allocates 256 MiB and keeps touching it',
    task: { comm: 'memhog', program: [{ alloc: '256M' }, { loop: [{ touch: '256M' }, { sleep: '1s' }] }] },
  },
  leak: { description: 'leaks 32 MiB a second until the OOM killer comes', task: { comm: 'leaker', program: [{ leak: { rate: '32M/s' } }] } },
  'fork-bomb': {
    description: 'forks children that fork (ulimit-free!); pid_max and memory stop it',
    task: { comm: 'bomb', program: [{ loop: [{ fork: { comm: 'bomb', program: [{ run: '1ms' }, { sleep: 'forever' }] } }, { run: '100us' }] }] },
  },
  'forking-build': {
    description: 'a make -j4: compiler processes come and go',
    task: {
      comm: 'make',
      program: [{ loop: [{ fork: { comm: 'cc1', program: [{ alloc: '64M' }, { run: { uniform: ['50ms', '400ms'] } }, { 'write-file': { file: '/build/out.o', size: '256K' } }, { exit: 0 }] }, count: 4 }, { wait: 'all' }, { sleep: '20ms' }] }],
    },
  },
  'dentry-storm': {
    description: 'walks a huge tree: dentry and inode caches grow',
    task: { comm: 'find', program: [{ loop: [{ 'open-files': { count: 20000, prefix: '/usr/share/f' } }, { sleep: '500ms' }], count: 10 }, { sleep: 'forever' }] },
  },
  reader: {
    description: 'reads a 128 MiB file over and over (page cache)',
    task: { comm: 'reader', program: [{ loop: [{ 'read-file': { file: '/data/big.bin', size: '128M' } }, { sleep: '100ms' }] }] },
  },
  module: {
    description: 'a driver-like module: kmalloc/kfree churn, a vmalloc buffer and its own slab cache',
    task: {
      comm: 'mydrv',
      program: [
        { vmalloc: '4M', tag: 'ring' },
        { kmem_cache_create: { name: 'mydrv_req', size: '200' } },
        { loop: [{ kmem_cache_alloc: 'mydrv_req', count: 500 }, { kmalloc: '3000', tag: 'msg' }, { run: '2ms', kernel: true }, { kfree: 'msg' }, { kmem_cache_free: 'mydrv_req', count: 450 }, { sleep: '50ms' }] },
      ],
    },
  },
};

export const PRESET_NAMES = Object.keys(PRESETS);
