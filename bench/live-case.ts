/**
 * CPU of the whole program as a user runs it: `kernsim --speed 1 --fps FPS` in a COLSxROWS tmux pane, the
 * default demo at 8 CPUs (else the render cases' big scenario). User + system time of the node process over
 * SECONDS of wall time, from launch (start-up included) and in 15 s windows: everything the in-process render
 * case cannot see (V8's GC threads between frames, the writes to the pty, the event loop, input handling). The
 * windows show the phases: the default demo's first 45 s (a dentry storm, a 96 MB/s leak, OOM kills) cost more
 * than the rest.
 *   live-case.ts COLS ROWS CPUS FPS SECONDS [demo|busy]
 */
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isWorkload, workloadScenario } from './workloads.js';
import { launcherPath, sleep, startProgram } from './live-program.js';

const [cols, rows, cpus, fps, seconds] = process.argv.slice(2, 7).map(Number) as [number, number, number, number, number];
const workload = isWorkload(process.argv[7]) ? process.argv[7] : 'demo';
let scenarioArg = '';
if (cpus !== 8 || workload !== 'demo') {
  const file = join(tmpdir(), `kernsim-live-${process.pid}.json`);
  writeFileSync(file, workloadScenario(cpus, workload));
  scenarioArg = `--scenario ${file}`;
}
const launcher = launcherPath();
const p = startProgram(cols, rows, `${scenarioArg} --speed 1 --fps ${fps} --exit-after ${seconds + 15}s`);
const t0 = performance.now();
const windows: number[] = [];
let last = p.cpuSeconds();
let lastT = t0;
while (performance.now() - t0 < seconds * 1000) {
  sleep(Math.min(15, seconds - (performance.now() - t0) / 1000));
  const c = p.cpuSeconds();
  const t = performance.now();
  windows.push(((c - last) / ((t - lastT) / 1000)) * 100);
  last = c;
  lastT = t;
}
const cpu = last;
const wall = (lastT - t0) / 1000;
const rss = p.rssMb();
const lagging = p.screen().includes('lagging');
p.stop();
if (scenarioArg !== '') rmSync(scenarioArg.slice('--scenario '.length), { force: true });
process.stdout.write(
  `live cols=${cols} rows=${rows} cpus=${cpus} workload=${workload} fps=${fps} seconds=${seconds} launcher=${launcher} cpu_pct=${((cpu / wall) * 100).toFixed(1)} cpu_pct_last_window=${(windows[windows.length - 1] ?? 0).toFixed(1)} ` +
    `cpu_pct_per_15s=${windows.map((w) => w.toFixed(0)).join(',')} rss_mb=${rss.toFixed(0)} lagging=${lagging}\n`,
);
