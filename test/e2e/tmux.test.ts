/**
 * The real program in a real terminal: tmux runs `kernsim` (the launcher, as `npm start` does), we press keys
 * with send-keys and read the screen with capture-pane, as a person would. Checks the first frame, a SysRq
 * chord, the command line, resizing, and that quitting restores the terminal (the shell's screen comes back)
 * with exit status 0.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const SOCK = `kernsim-e2e-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'kernsim-e2e-'));

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCK, ...args], { encoding: 'utf8' });
}

function screen(): string {
  return tmux('capture-pane', '-p', '-t', 'k');
}

async function waitFor(pred: (s: string) => boolean, what: string, ms = 15_000): Promise<string> {
  const end = Date.now() + ms;
  let s = '';
  while (Date.now() < end) {
    s = screen();
    if (pred(s)) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; screen was:\n${s}`);
}

afterAll(() => {
  try {
    tmux('kill-server');
  } catch {
    // Already gone.
  }
});

describe('kernsim in tmux', () => {
  it('starts, takes a SysRq chord and a command, resizes, and quits leaving the terminal as it was', async () => {
    const exitFile = join(dir, 'exit');
    const scenario = join(ROOT, 'demo', 'nice-levels.json');
    const cmd = `cd ${ROOT} && clear && echo SHELL-BEFORE && TERM=xterm-256color LANG=C.UTF-8 node bin/kernsim.mjs --scenario ${scenario} 2>${join(dir, 'err')}; echo $? > ${exitFile}; sleep 30`;
    tmux('new-session', '-d', '-s', 'k', '-x', '100', '-y', '30', cmd);
    let s = await waitFor((x) => x.includes('F10Quit') && x.includes('Timeline'), 'the first frame');
    expect(s).toContain('kernsim');
    expect(s).not.toContain('SHELL-BEFORE');
    tmux('send-keys', '-t', 'k', '!');
    await waitFor((x) => x.includes('SysRq: press a command key'), 'the SysRq prompt');
    tmux('send-keys', '-t', 'k', 't');
    s = await waitFor((x) => x.includes('sysrq: Show State'), 'the SysRq action message');
    tmux('send-keys', '-t', 'k', ':');
    tmux('send-keys', '-t', 'k', '-l', 'sysctl kernel.sysrq');
    tmux('send-keys', '-t', 'k', 'Enter');
    await waitFor((x) => x.includes('kernel.sysrq = 1'), 'the command output');
    tmux('send-keys', '-t', 'k', '4');
    await waitFor((x) => x.includes('dmesg (whole ring)') && x.includes('4:log'), 'the log screen');
    tmux('resize-window', '-t', 'k', '-x', '80', '-y', '24');
    s = await waitFor((x) => x.split('\n')[23]?.startsWith('F1Help') === true, 'the 80x24 layout');
    for (const l of s.split('\n')) expect(l.length).toBeLessThanOrEqual(80);
    tmux('send-keys', '-t', 'k', 'q');
    await waitFor(() => existsSync(exitFile), 'the program to exit');
    expect(readFileSync(exitFile, 'utf8').trim()).toBe('0');
    s = await waitFor((x) => x.includes('SHELL-BEFORE'), 'the shell screen to come back');
    expect(s).not.toContain('F10Quit');
    expect(readFileSync(join(dir, 'err'), 'utf8')).toBe('');
  }, 60_000);

  it('shows an imported trace: a short one spread over the timeline, no memory or OOM numbers it does not have', async () => {
    const exitFile = join(dir, 'exit-import');
    const trace = join(ROOT, 'test', 'golden', 'trace-small.txt');
    const cmd = `cd ${ROOT} && TERM=xterm-256color LANG=C.UTF-8 node bin/kernsim.mjs import ${trace} 2>${join(dir, 'err-import')}; echo $? > ${exitFile}; sleep 30`;
    try {
      tmux('kill-session', '-t', 'k');
    } catch {
      // No earlier session.
    }
    tmux('new-session', '-d', '-s', 'k', '-x', '120', '-y', '40', cmd);
    // The 5 ms trace ends paused; the auto zoom fits it to the width (one 100 ms column would show nothing).
    let s = await waitFor((x) => x.includes('end of the trace'), 'the end of the trace');
    expect(s).toContain('us/col auto');
    const lane0 = s.split('\n').find((l) => /^\S\s+0 /.test(l)) ?? '';
    expect(lane0.replace(/[^A-Za-z]/g, '').length).toBeGreaterThan(20);
    tmux('send-keys', '-t', 'k', '3');
    s = await waitFor((x) => x.includes('memory state is not in a scheduler trace'), 'the memory screen');
    expect(s).not.toMatch(/Memory \S+ total/);
    expect(s).toContain('OOM kills ');
    expect(s).not.toContain('OOM kills (');
    tmux('send-keys', '-t', 'k', 'q');
    await waitFor(() => existsSync(exitFile), 'the program to exit');
    expect(readFileSync(exitFile, 'utf8').trim()).toBe('0');
    expect(readFileSync(join(dir, 'err-import'), 'utf8')).toBe('');
  }, 60_000);

  it('with no terminal it says to use headless, with status 2', () => {
    let err = '';
    let status = 0;
    try {
      execFileSync('node', [join(ROOT, 'bin', 'kernsim.mjs')], { input: '', encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      err = String((e as { stderr: string }).stderr);
      status = (e as { status: number }).status;
    }
    expect(status).toBe(2);
    expect(err).toBe('kernsim: the dashboard needs a terminal (stdin and stdout must be a TTY); for scripts and pipes use: kernsim headless --scenario FILE\n');
  });
});
