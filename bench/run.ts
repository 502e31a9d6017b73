/**
 * `npm run bench [-- sim|render|import|startup|memory] [--quick]`: the speed and memory figures of the issues, one line per
 * case of key=value pairs. Each case runs in its own process so that memory figures are its own.
 * Wall-clock numbers depend on the machine; they are printed, never asserted in unit tests.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.filter((a) => !a.startsWith('--'));
const want = (name: string): boolean => only.length === 0 || only.includes(name);

function runCase(script: string, caseArgs: string[]): string {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, script), ...caseArgs], { encoding: 'utf8' });
  if (r.status !== 0) return `error script=${script} args=${caseArgs.join(',')} status=${r.status} ${(r.stderr || '').trim().split('\n').pop() ?? ''}`;
  return r.stdout.trim();
}

/**
 * Run a case from an esbuild bundle with plain node, as the shipped program runs (dist/kernsim.mjs is a
 * bundle too): tsx's on-the-fly loader costs throughput the product does not pay.
 */
function runBundled(script: string, caseArgs: string[]): string {
  const out = join(here, '..', 'tmp', 'bench', script.replace(/\.ts$/, '.mjs'));
  const b = spawnSync(join(here, '..', 'node_modules', '.bin', 'esbuild'), [join(here, script), '--bundle', '--platform=node', '--format=esm', '--target=node20', '--minify-whitespace', '--log-level=warning', `--outfile=${out}`, '--external:blessed', '--external:blessed-contrib', '--alias:rxjs=./node_modules/rxjs/dist/esm/index.js'], { encoding: 'utf8', cwd: join(here, '..') });
  if (b.status !== 0) return `error script=${script} bundling failed: ${(b.stderr || '').trim().split('\n').pop() ?? ''}`;
  const r = spawnSync(process.execPath, ['--expose-gc', out, ...caseArgs], { encoding: 'utf8' });
  if (r.status !== 0) return `error script=${script} args=${caseArgs.join(',')} status=${r.status} ${(r.stderr || '').trim().split('\n').pop() ?? ''}`;
  return r.stdout.trim();
}

/**
 * The cases that run the real program (`node bin/kernsim.mjs`, as `npm start` does) measure the bundle only
 * if it is up to date: an edited checkout would otherwise be measured through tsx. Build it once first.
 */
let built = false;
function buildProgram(): void {
  if (built) return;
  built = true;
  const b = spawnSync('npm', ['run', '-s', 'build'], { encoding: 'utf8', cwd: join(here, '..') });
  if (b.status !== 0) line(`error build failed: ${(b.stderr || '').trim().split('\n').pop() ?? ''}`);
}

function line(s: string): void {
  process.stdout.write(`${s}\n`);
}

/** ns_per_event of a sim-case line (NaN when the case failed). */
function nsPerEvent(out: string): number {
  const m = /ns_per_event=([\d.]+)/.exec(out);
  return m ? Number(m[1]) : Number.NaN;
}

function median(xs: number[]): number {
  const v = [...xs].sort((x, y) => x - y);
  return v[Math.floor(v.length / 2)] as number;
}

/**
 * The scaling target (cost per event at 10 000 tasks no more than 2.5x the cost at 100): both sizes run
 * alternately `reps` times, so that a minute in which the shared machine is slow lands on both, and the ratio
 * is taken of the medians.
 */
function scaling(cpus: number, mix: string, budget: string, reps: number): void {
  const small: number[] = [];
  const big: number[] = [];
  for (let r = 0; r < reps; r++) {
    for (const [tasks, into] of [['100', small], ['10000', big]] as const) {
      const out = runBundled('sim-case.ts', [String(cpus), tasks, budget, mix]);
      line(out);
      into.push(nsPerEvent(out));
    }
  }
  const pairs = small.map((a, i) => ((big[i] as number) / a).toFixed(2)).join(',');
  line(`sim-scaling mix=${mix} cpus=${cpus} runs=${reps} cost_ratio_10000_vs_100=${(median(big) / median(small)).toFixed(2)} pair_ratios=${pairs}`);
}

if (want('sim')) {
  const budget = quick ? '600' : '2000';
  const reps = quick ? 1 : 3;
  for (const cpus of quick ? [2, 64] : [2, 8, 64, 256]) {
    if (!quick) for (const tasks of ['10', '1000']) line(runBundled('sim-case.ts', [String(cpus), tasks, budget]));
    scaling(cpus, 'mixed', budget, reps);
  }
  line(runBundled('sim-case.ts', ['64', '10000', budget, 'all-classes']));
  // Memory-heavy (issue 4): every program step allocates or frees (mmap + faults, munmap, kmalloc/kfree,
  // vmalloc/vfree, page cache reads, fork + exit), beside hogs; the same targets and the same scaling ratio.
  for (const cpus of quick ? [64] : [8, 64]) scaling(cpus, 'memory', budget, reps);
}

if (want('render')) {
  const frames = quick ? '150' : '600';
  line(runBundled('render-case.ts', ['120', '40', '8', '10', frames]));
  line(runBundled('render-case.ts', ['200', '60', '8', '10', frames]));
  line(runBundled('render-case.ts', ['80', '24', '8', '10', frames]));
  // At 64 CPUs: the default demo on a 64-CPU machine (the "the same at 64 CPUs"), then a stress case
  // that keeps all 64 CPUs busy (workloads.ts).
  for (const workload of ['demo', 'busy']) {
    line(runBundled('render-case.ts', ['120', '40', '64', '10', frames, workload]));
    line(runBundled('render-case.ts', ['200', '60', '64', '10', frames, workload]));
  }
  // The same program run for real in a pty, measured from outside (the "CPU use of the whole process").
  const seconds = quick ? '30' : '120';
  buildProgram();
  line(runCase('live-case.ts', ['120', '40', '8', '10', seconds]));
  line(runCase('live-case.ts', ['120', '40', '64', '10', seconds, 'demo']));
  line(runCase('live-case.ts', ['200', '60', '64', '10', seconds, 'demo']));
  line(runCase('live-case.ts', ['120', '40', '64', '10', seconds, 'busy']));
}

if (want('import')) {
  line(runBundled('import-case.ts', [quick ? '300000' : '1000000', quick ? '3' : '5']));
  if (!quick) line(runBundled('import-case.ts', ['4000000', '3']));
}

if (want('startup')) {
  buildProgram();
  line(runCase('startup-case.ts', [quick ? '3' : '7']));
}

if (want('memory')) {
  // A wall-clock run of the whole dashboard at x100 (bounded buffers: RSS must stay flat). --long: 30 minutes.
  buildProgram();
  line(runCase('memory-case.ts', [args.includes('--long') ? '1800' : quick ? '30' : '120', '100']));
}
