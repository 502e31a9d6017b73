/**
 * The real program in a tmux pane, for the cases that measure the whole process from outside (memory, live
 * CPU): start `node bin/kernsim.mjs ARGS` at COLSxROWS, find the node process, read its /proc figures.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { distIsFresh } from '../bin/dist-fresh.mjs';

const root = join(import.meta.dirname, '..');

/**
 * What `node bin/kernsim.mjs` runs, by the launcher's own rule: the bundle when it is newer than every source
 * file, else the sources through tsx (slower to start, some 50 MB more RSS). Printed with each figure.
 */
export function launcherPath(): 'dist' | 'tsx' {
  return distIsFresh() ? 'dist' : 'tsx';
}

export interface LiveProgram {
  pid: number;
  /** VmRSS in MB. */
  rssMb(): number;
  /** User + system CPU time of the process so far, in seconds (all threads: V8's GC helpers count). */
  cpuSeconds(): number;
  screen(): string;
  stop(): void;
}

export function sleep(seconds: number): void {
  execFileSync('sleep', [String(seconds)]);
}

export function startProgram(cols: number, rows: number, args: string): LiveProgram {
  const sock = `kernsim-bench-${process.pid}`;
  const tmux = (...a: string[]): string => execFileSync('tmux', ['-L', sock, ...a], { encoding: 'utf8' });
  tmux('new-session', '-d', '-s', 'm', '-x', String(cols), '-y', String(rows), `cd ${root} && TERM=xterm-256color LANG=C.UTF-8 node bin/kernsim.mjs ${args}`);
  const panePid = Number(tmux('display', '-p', '-t', 'm', '#{pane_pid}').trim());
  // The pane's shell may exec node (then the pane pid is node) or run it as a child.
  let pid = 0;
  for (let i = 0; i < 50 && pid === 0; i++) {
    sleep(0.2);
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
  if (pid === 0) {
    tmux('kill-server');
    throw new Error('kernsim did not start');
  }
  const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  return {
    pid,
    rssMb: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024,
    cpuSeconds: () => {
      // /proc/PID/stat: fields after the ")" of comm; utime and stime are the 14th and 15th fields overall.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12])) / ticks;
    },
    screen: () => tmux('capture-pane', '-p', '-t', 'm'),
    stop: () => tmux('kill-server'),
  };
}
