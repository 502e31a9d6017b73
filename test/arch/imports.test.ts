/**
 * The module boundaries of design.md, checked on the import lines of every source file, and the determinism
 * rules: no wall clock, timers, global randomness or engine-dependent maths inside the simulated kernel.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../../src');

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

interface Imp {
  spec: string;
  typeOnly: boolean;
}

function importsOf(text: string): Imp[] {
  const out: Imp[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?[^'";]*?\sfrom\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const spec = (m[3] ?? m[4] ?? m[5]) as string;
    out.push({ spec, typeOnly: m[2] !== undefined });
  }
  return out;
}

/** Top-level module of a file under src/ ("kernel", "ui", ...). */
function moduleOf(file: string): string {
  return relative(SRC, file).split(/[\\/]/)[0] as string;
}

function target(file: string, spec: string): string {
  if (spec.startsWith('.')) return moduleOf(resolve(dirname(file), spec));
  return spec.startsWith('node:') ? spec : spec.split('/')[0] as string;
}

/** What each module may import: other modules (values), type-only modules, and packages. */
const RULES: Record<string, { values: string[]; types?: string[] }> = {
  lib: { values: ['lib'] },
  kernel: { values: ['kernel', 'lib'] },
  workload: { values: ['workload', 'lib', 'zod'], types: ['kernel'] },
  bus: { values: ['bus', 'lib', 'rxjs'], types: ['kernel', 'sim'] },
  shell: { values: ['shell', 'kernel', 'lib'] },
  sim: { values: ['sim', 'kernel', 'workload', 'shell', 'lib', 'node:fs'] },
  runtime: { values: ['runtime', 'kernel', 'workload', 'bus', 'record', 'sim', 'trace', 'lib', 'node:timers', 'node:perf_hooks'] },
  record: { values: ['record', 'kernel', 'lib', 'sim', 'zod', 'node:fs', 'node:crypto', 'node:path'] },
  trace: { values: ['trace', 'kernel', 'lib', 'node:fs', 'node:path', 'node:readline', 'node:stream'], types: ['sim'] },
  ui: { values: ['ui', 'bus', 'config', 'lib', 'blessed', 'blessed-contrib', 'node:fs', 'node:path', 'node:os', 'node:stream'], types: ['kernel', 'sim', 'runtime', 'rxjs'] },
  config: { values: ['config', 'lib', 'zod', 'node:fs', 'node:path', 'node:os'] },
  cli: { values: ['*'] },
};

describe('import boundaries (design.md section 3)', () => {
  const all = files(SRC);
  it('finds the sources', () => {
    expect(all.length).toBeGreaterThan(30);
  });
  for (const file of all) {
    const mod = moduleOf(file);
    it(relative(SRC, file), () => {
      const rule = RULES[mod];
      expect(rule, `module '${mod}' has no import rule`).toBeDefined();
      if (rule === undefined || rule.values.includes('*')) return;
      for (const imp of importsOf(readFileSync(file, 'utf8'))) {
        const t = target(file, imp.spec);
        const ok = rule.values.includes(t) || (imp.typeOnly && (rule.types ?? []).includes(t));
        expect(ok, `${relative(SRC, file)} imports '${imp.spec}' (${imp.typeOnly ? 'type' : 'value'} from ${t})`).toBe(true);
      }
    });
  }
});

describe('determinism rules (design.md section 6)', () => {
  const banned: [RegExp, string][] = [
    [/\bDate\.now\b|\bnew Date\(\s*\)/, 'wall clock'],
    [/\bperformance\.now\b|\bprocess\.hrtime\b/, 'wall clock'],
    [/\bsetTimeout\b|\bsetInterval\b|\bsetImmediate\b|\bqueueMicrotask\b/, 'timers'],
    [/\bMath\.random\b|\bcrypto\./, 'global randomness'],
    [/\bMath\.(exp|log|log2|log10|pow|sin|cos|tan|atan|atan2|cbrt|hypot)\b/, 'engine-dependent maths'],
    [/\basync\b|\bPromise\b|\bawait\b/, 'asynchronous code'],
  ];
  for (const dir of ['kernel', 'workload']) {
    for (const file of files(join(SRC, dir))) {
      it(`${relative(SRC, file)} has no wall clock, timers, randomness or async`, () => {
        const text = readFileSync(file, 'utf8')
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/\/\/.*$/gm, '')
          .replace(/'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g, "''");
        for (const [re, what] of banned) expect(re.test(text), `${what}: ${re}`).toBe(false);
      });
    }
  }
});

describe('wall time lives in runtime/pacing.ts (design.md section 5)', () => {
  const wall = /\bDate\.now\b|\bnew Date\(\s*\)|\bperformance\.now\b|\bprocess\.hrtime\b|\bsetTimeout\b|\bsetInterval\b/;
  for (const file of files(SRC)) {
    const rel = relative(SRC, file);
    if (rel === join('runtime', 'pacing.ts') || rel.startsWith(`cli${'/'}`)) continue;
    it(`${rel} reads no wall clock and arms no timer`, () => {
      const text = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      expect(wall.test(text)).toBe(false);
    });
  }
});
