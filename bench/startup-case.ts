/**
 * Startup: from spawning the command to the first complete frame on the terminal, median of N runs. The
 * program runs in a pseudo-terminal (util-linux `script`, sized 120x40 with stty); the clock stops when the
 * frame's last line (the F-key bar) has been written.
 *   startup-case.ts [RUNS]
 * Measures `node bin/kernsim.mjs` (what `npm start` runs: compiled dist/ when it is up to date, else tsx) and,
 * for comparison, the TypeScript sources through tsx.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { launcherPath } from './live-program.js';

const root = join(import.meta.dirname, '..');
const runs = Number(process.argv[2] ?? 5);

function once(cmd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('script', ['-qefc', `stty cols 120 rows 40; TERM=xterm-256color LANG=C.UTF-8 ${cmd} --exit-after 2s`, '/dev/null'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let done = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      if (!done && out.replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, '').includes('F10Quit')) {
        done = true;
        resolve(performance.now() - t0);
      }
    });
    child.on('exit', () => {
      if (!done) reject(new Error(`no frame: ${out.slice(-300)}`));
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

const fresh = launcherPath() === 'dist';
const launcher: number[] = [];
const tsx: number[] = [];
for (let i = 0; i < runs; i++) launcher.push(await once('node bin/kernsim.mjs'));
for (let i = 0; i < runs; i++) tsx.push(await once('node --import tsx src/cli/main.ts'));
const bare: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  await new Promise((r) => spawn('node', ['-e', '0']).on('exit', r));
  bare.push(performance.now() - t0);
}
process.stdout.write(
  `startup runs=${runs} npm_start_path=${fresh ? 'dist' : 'tsx'} first_frame_ms_median=${median(launcher).toFixed(0)} first_frame_ms_max=${Math.max(...launcher).toFixed(0)} tsx_first_frame_ms_median=${median(tsx).toFixed(0)} bare_node_ms_median=${median(bare).toFixed(0)}\n`,
);
