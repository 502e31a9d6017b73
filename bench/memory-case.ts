/**
 * Memory over a long run of the real program: `kernsim --speed 100` in a 120x40 tmux pane for SECONDS of wall
 * time, RSS (VmRSS of the node process) sampled every 10 s. Bounded buffers everywhere should keep it flat.
 *   memory-case.ts SECONDS [SPEED]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const seconds = Number(process.argv[2] ?? 120);
const speed = process.argv[3] ?? '100';
const sock = `kernsim-mem-${process.pid}`;
const tmux = (...a: string[]): string => execFileSync('tmux', ['-L', sock, ...a], { encoding: 'utf8' });

tmux('new-session', '-d', '-s', 'm', '-x', '120', '-y', '40', `cd ${root} && TERM=xterm-256color LANG=C.UTF-8 node bin/kernsim.mjs --speed ${speed} --exit-after ${seconds + 30}s`);
const panePid = Number(tmux('display', '-p', '-t', 'm', '#{pane_pid}').trim());
// The pane's shell may exec node (then the pane pid is node) or run it as a child.
let pid = 0;
for (let i = 0; i < 50 && pid === 0; i++) {
  execFileSync('sleep', ['0.2']);
  if (readFileSync(`/proc/${panePid}/comm`, 'utf8').trim() === 'node') pid = panePid;
  else {
    let kids = '';
    try {
      kids = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(panePid)], { encoding: 'utf8' });
    } catch {
      // No child yet.
    }
    for (const k of kids.trim().split('\n')) if (k.includes('node')) pid = Number(k.trim().split(/\s+/)[0]);
  }
}
if (pid === 0) throw new Error('kernsim did not start');
const rss = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const series: number[] = [];
execFileSync('sleep', ['3']);
const start = performance.now();
while (performance.now() - start < seconds * 1000) {
  series.push(Math.round(rss()));
  execFileSync('sleep', ['10']);
}
series.push(Math.round(rss()));
const screen = tmux('capture-pane', '-p', '-t', 'm');
const up = /up (\d+:\d\d:\d\d)/.exec(screen)?.[1] ?? '?';
tmux('kill-server');
process.stdout.write(`memory seconds=${seconds} speed=${speed} virtual_uptime=${up} rss_mb_start=${series[0]} rss_mb_end=${series[series.length - 1]} rss_mb_max=${Math.max(...series)} rss_mb_series=${series.join(',')}\n`);
