/**
 * From a validated scenario to the kernel's configuration, and the scenario file loader (JSON with the place
 * of a syntax error reported as line and column).
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_CONFIG, type KernelConfig } from '../kernel/index.js';
import { jsonErrorPlace } from '../lib/json-place.js';
import { ScenarioError, validateScenario, type ScenarioIn } from '../workload/scenario.js';
import { fileErrorText } from '../lib/input-error.js';

export interface LoadedScenario {
  file: string;
  text: string;
  scenario: ScenarioIn;
}

export function parseScenarioText(file: string, text: string): LoadedScenario {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(file, '', `invalid JSON: ${jsonErrorPlace(text, (e as Error).message)}`);
  }
  const scenario = validateScenario(file, json);
  checkCpus(file, scenario);
  return { file, text, scenario };
}

export function loadScenarioFile(file: string): LoadedScenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ScenarioError(file, '', fileErrorText(e));
  }
  return parseScenarioText(file, text);
}

/** CPU numbers in tasks and actions must exist on the machine. */
function checkCpus(file: string, s: ScenarioIn): void {
  const n = s.machine?.cpus ?? 1;
  const check = (cpus: number[] | string | undefined, where: string): void => {
    if (cpus === undefined) return;
    const list = typeof cpus === 'string' ? expandList(cpus) : cpus;
    list.forEach((c, i) => {
      if (c >= n) throw new ScenarioError(file, typeof cpus === 'string' ? where : `${where}[${i}]`, `CPU ${c} does not exist (the machine has ${n} CPU${n === 1 ? '' : 's'})`);
    });
  };
  (s.tasks ?? []).forEach((t, i) => check(t.cpus, `tasks[${i}].cpus`));
  (s.at ?? []).forEach((a, i) => {
    if ('taskset' in a) check(a.taskset.cpus, `at[${i}].taskset.cpus`);
    if ('spawn' in a) check(a.spawn.cpus, `at[${i}].spawn.cpus`);
  });
}

export function expandList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const [a = 0, b = a] = part.split('-').map(Number);
    for (let c = a; c <= b; c++) out.push(c);
  }
  return out;
}

export function kernelConfigFrom(s: ScenarioIn, seedOverride?: number): KernelConfig {
  const m = s.machine ?? {};
  const sc = s.sched ?? {};
  const c: KernelConfig = {
    ...DEFAULT_CONFIG,
    seed: seedOverride ?? s.seed ?? 1,
    nrCpus: m.cpus ?? 1,
    hz: m.hz ?? 250,
    memoryBytes: m.memory ?? DEFAULT_CONFIG.memoryBytes,
    swapBytes: m.swap ?? 0,
    hostname: m.hostname ?? 'kernsim',
    fairMode: sc.mode ?? 'eevdf',
    preempt: sc.preempt ?? 'voluntary',
    sysctl: { ...(s.sysctl ?? {}) },
    cmdline: s.cmdline ?? '',
  };
  if (sc.rtStarvation !== undefined) c.rtStarvation = sc.rtStarvation;
  if (sc.baseSlice !== undefined) c.baseSliceNs = sc.baseSlice;
  if (sc.features !== undefined) c.features = sc.features;
  if (s.printk !== undefined) c.printk = s.printk;
  return c;
}
