/**
 * The headless CLI and its JSON contract, determinism through it, and the one-line errors (exit status 2)
 * for bad scenarios and bad arguments.
 */
import { describe, expect, it } from 'vitest';
import { cli, tempFile } from '../helpers/cli.js';
import { randomScenario } from '../helpers/random-scenario.js';

const twoHogs = {
  name: 'two hogs',
  seed: 1,
  machine: { cpus: 1, memory: '1G', swap: '0', hz: 250 },
  sched: { mode: 'eevdf' },
  sysctl: { 'kernel.sched_rt_runtime_us': 950000 },
  tasks: [
    { comm: 'hog', count: 2, policy: 'normal', nice: 0, cpus: [0], program: [{ loop: [{ run: 'forever' }] }] },
    { comm: 'web', policy: 'normal', nice: -5, start: '100ms', program: [{ loop: [{ run: { exp: '2ms' } }, { sleep: { uniform: ['5ms', '15ms'] } }] }] },
  ],
  at: [{ t: '5s', renice: { comm: 'web', nice: 10 } }],
};

describe('kernsim headless --json', () => {
  it('prints exactly one JSON document with the contract fields', () => {
    const file = tempFile('two-hogs.json', twoHogs);
    const r = cli('headless', '--scenario', file, '--duration', '10s', '--json', '--cat', '/proc/loadavg');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.scenario).toBe('two hogs');
    expect(j.seed).toBe(1);
    expect(j.simTimeNs).toBe(10_000_000_000);
    expect(j.sched).toMatchObject({ mode: 'eevdf', hz: 250 });
    expect(j.cpus).toHaveLength(1);
    expect(Object.keys(j.cpus[0])).toEqual(expect.arrayContaining(['cpu', 'busyNs', 'idleNs', 'nrSwitches', 'busyNsByClass']));
    const hogs = j.tasks.filter((t: { comm: string }) => t.comm === 'hog');
    expect(hogs).toHaveLength(2);
    for (const key of ['pid', 'comm', 'policy', 'nice', 'rtPriority', 'state', 'cpuTimeNs', 'cpuTimeByCpuNs', 'nrSwitches', 'nrVoluntarySwitches', 'nrInvoluntarySwitches', 'runDelayNs', 'maxRunDelayNs']) {
      expect(hogs[0]).toHaveProperty(key);
    }
    expect(j.eventCounts.sched_switch).toBeGreaterThan(100);
    expect(j.files['/proc/loadavg']).toMatch(/^\d+\.\d\d \d+\.\d\d \d+\.\d\d \d+\/\d+ \d+\n$/);
    const web = j.tasks.find((t: { comm: string }) => t.comm === 'web');
    expect(web.nice).toBe(10);
    expect(j.actions).toEqual([expect.objectContaining({ t: 5_000_000_000, action: 'renice comm=web nice=10', error: null })]);
    // CPU time is conserved: tasks' time + idle = elapsed.
    const total = j.tasks.reduce((a: number, t: { cpuTimeNs: number }) => a + t.cpuTimeNs, 0);
    expect(total + j.cpus[0].idleNs).toBe(10_000_000_000);
  });

  it('is deterministic: the same scenario and seed give byte-identical JSON; another seed differs', () => {
    const file = tempFile('random-7.json', randomScenario(7, 'eevdf'));
    const a = cli('headless', '--scenario', file, '--duration', '2s', '--json');
    const b = cli('headless', '--scenario', file, '--duration', '2s', '--json');
    const c = cli('headless', '--scenario', file, '--duration', '2s', '--json', '--seed', '8');
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(c.stdout).not.toBe(a.stdout);
  });

  it('prints a human summary with a task table and per-CPU busy times', () => {
    const file = tempFile('two-hogs-h.json', twoHogs);
    const r = cli('headless', '--scenario', file, '--duration', '1s');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('PID COMM');
    expect(r.stdout).toMatch(/\n\s+\d+ hog\s+normal/);
    expect(r.stdout).toContain('CPU   BUSY(ms)');
  });

  it('an interval command: every report in a scenario action; only the first with --sh, which runs after the end', () => {
    const file = tempFile('two-hogs-iv.json', { ...twoHogs, at: [{ t: '1s', sh: 'vmstat 1 3' }] });
    const r = cli('headless', '--scenario', file, '--duration', '5s', '--json', '--sh', 'vmstat 1 3');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { actions: { action: string; output: string }[]; sh: { command: string; output: string }[] };
    expect(j.actions.find((a) => a.action === 'sh vmstat 1 3')?.output.trimEnd().split('\n')).toHaveLength(5);
    const after = j.sh[0]?.output.split('\n') ?? [];
    expect(after).toHaveLength(5);
    expect(after[3]).toBe(`(vmstat: the run has ended, so no later reports: put the command in the scenario's "at" list to have them)`);
  });
});

describe('scenario validation: precise one-line errors, exit status 2', () => {
  const bad = (name: string, content: string | object): { file: string; r: ReturnType<typeof cli> } => {
    const file = tempFile(name, content);
    return { file, r: cli('headless', '--scenario', file, '--duration', '1s') };
  };
  const cases: [string, object | string, string][] = [
    [
      'bad duration',
      { name: 'x', tasks: [{ comm: 'a', program: [] }, { comm: 'b', program: [] }, { comm: 'c', program: [{ run: '5 parsecs' }] }] },
      'tasks[2].program[0].run: expected a duration like "5ms"',
    ],
    ['unknown step', { name: 'x', tasks: [{ comm: 'a', program: [{ rnu: '5ms' }] }] }, 'tasks[0].program[0]: unknown step "rnu"'],
    ['nested', { name: 'x', tasks: [{ comm: 'a', program: [{ loop: [{ sleep: { exp: 'soon' } }] }] }] }, 'tasks[0].program[0].loop[0].sleep'],
    ['policy', { name: 'x', tasks: [{ comm: 'a', policy: 'realtime', program: [] }] }, 'tasks[0].policy: expected a policy: normal, batch, idle, fifo, rr or deadline'],
    ['comm', { name: 'x', tasks: [{ comm: 'a-very-long-name-indeed', program: [] }] }, 'tasks[0].comm: a task name (comm) has at most 15 characters'],
    ['cpus', { name: 'x', machine: { cpus: 2 }, tasks: [{ comm: 'a', cpus: [0, 5], program: [] }] }, 'tasks[0].cpus[1]: CPU 5 does not exist (the machine has 2 CPUs)'],
    ['unknown key', { name: 'x', machne: {} }, ': unknown key "machne"'],
    ['hz', { name: 'x', machine: { hz: 123 } }, 'machine.hz: expected HZ 100, 250, 300 or 1000'],
    ['sysctl', { name: 'x', sysctl: { 'vm.overcommit_memory': 7 } }, 'sysctl."vm.overcommit_memory": Invalid argument (7)'],
    ['unknown sysctl', { name: 'x', sysctl: { 'kernel.no_such_knob': 1 } }, 'sysctl."kernel.no_such_knob": unknown sysctl'],
    ['at', { name: 'x', at: [{ t: '1s', renice: { nice: 3 } }] }, 'at[0].renice: select the task with exactly one of "pid" or "comm"'],
    ['json', '{ "name": "x",\n  "tasks": [ }', 'invalid JSON: line 2'],
  ];
  for (const [name, content, expected] of cases) {
    it(name, () => {
      const { file, r } = bad(`${name.replace(/ /g, '-')}.json`, content);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n')).toHaveLength(2); // one line and the final newline
      expect(r.stderr).toContain(`kernsim: ${file}: `);
      expect(r.stderr).toContain(expected);
      expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
    });
  }

  it('a missing scenario file', () => {
    const r = cli('headless', '--scenario', '/nonexistent/x.json');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('kernsim: /nonexistent/x.json: no such file\n');
  });
});

describe('bad arguments: one line, exit status 2', () => {
  const file = tempFile('ok.json', { name: 'ok', tasks: [{ comm: 'a', program: [{ run: 'forever' }] }] });
  it.each([
    [['headless', '--scenario', file, '--bogus'], "unknown option '--bogus'"],
    [['headless', '--scenario', file, '--duration', 'ten'], '--duration: expected a duration like "10s"'],
    [['headless', '--scenario', file, '--seed', '-4'], '--seed: expected an integer'],
    [['headless', '--scenario', file, '--cat', '/proc/nonexistent'], '--cat /proc/nonexistent: No such file or directory'],
    [['headless', '--scenario', file, '--cat', '/etc/passwd'], 'only /proc, /sys and /dev files exist'],
    [['headless', '--scenario', file, '--cat', '/proc/424242/stat'], 'No such file or directory'],
    [['nosuchcommand'], 'unknown command'],
  ])('%j', (argv, msg) => {
    const r = cli(...(argv as string[]));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(msg as string);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
