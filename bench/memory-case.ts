/**
 * Memory over a long run of the real program: `kernsim --speed SPEED` in a 120x40 tmux pane for SECONDS of
 * wall time. RSS (VmRSS of the node process) is sampled every 0.5 s for the first 10 s, where the default demo's
 * dentry storm and leak make the start-up peak, then every 10 s. Bounded buffers everywhere should keep it flat.
 *   memory-case.ts SECONDS [SPEED]
 */
import { launcherPath, sleep, startProgram } from './live-program.js';

const seconds = Number(process.argv[2] ?? 120);
const speed = process.argv[3] ?? '100';
const launcher = launcherPath();
const p = startProgram(120, 40, `--speed ${speed} --exit-after ${seconds + 30}s`);
const first: number[] = [];
const t0 = performance.now();
while (performance.now() - t0 < 10_000) {
  first.push(Math.round(p.rssMb()));
  sleep(0.5);
}
const series: number[] = [];
while (performance.now() - t0 < seconds * 1000) {
  series.push(Math.round(p.rssMb()));
  sleep(10);
}
series.push(Math.round(p.rssMb()));
const up = /up (\d+:\d\d:\d\d)/.exec(p.screen())?.[1] ?? '?';
p.stop();
process.stdout.write(
  `memory seconds=${seconds} speed=${speed} launcher=${launcher} virtual_uptime=${up} rss_mb_peak_first_10s=${Math.max(...first)} rss_mb_at_10s=${series[0]} ` +
    `rss_mb_max_after_10s=${Math.max(...series)} rss_mb_end=${series[series.length - 1]} rss_mb_first_10s=${first.join(',')} rss_mb_series=${series.join(',')}\n`,
);
