/**
 * The machine's command language: output and error texts like the real tools, redirection into /proc and
 * /sys, pipelines, and a fuzz test: random and mutated command lines never throw, every failure is a clean
 * error line, and the machine stays consistent.
 */
import { describe, expect, it } from 'vitest';
import { InvariantChecker } from '../../src/kernel/debug/invariants.js';
import { checkMemory } from '../../src/kernel/debug/mm-invariants.js';
import { Xoshiro128 } from '../../src/kernel/core/rng.js';
import { machineHooks, shellEnv } from '../../src/sim/machine-hooks.js';
import { parseScenarioText } from '../../src/sim/config.js';
import { Session } from '../../src/sim/session.js';
import { COMMAND_NAMES, loginShellCwd, MAX_TURNS_AWAKE, runShell } from '../../src/shell/shell.js';
import { completeLine } from '../../src/shell/complete.js';
import { machine, MS, SEC, spawn } from '../helpers/machine.js';
import { taskStateLetter, type Task } from '../../src/kernel/task/task.js';

type ShellResultLike = ReturnType<typeof runShell>;

function sh(k: ReturnType<typeof machine>, line: string): ReturnType<typeof runShell> {
  return runShell(shellEnv(k), line);
}

describe('command language: texts as the real tools print them', () => {
  const k = machine({ nrCpus: 2 });
  const hog = spawn(k, { comm: 'hog' });
  k.engine.runUntil(50 * MS);

  it.each([
    ['cat /proc/nope', 'cat: /proc/nope: No such file or directory\n', 1, 'ENOENT'],
    ['echo 1 > /proc/loadavg', 'bash: /proc/loadavg: Permission denied\n', 1, 'EACCES'],
    ['echo 7 > /proc/sys/vm/overcommit_memory', 'bash: echo: write error: Invalid argument\n', 1, 'EINVAL'],
    ['echo 1 > /proc/sys/vm/nope', 'bash: /proc/sys/vm/nope: No such file or directory\n', 1, 'ENOENT'],
    ['cat /proc/sysrq-trigger', 'cat: /proc/sysrq-trigger: Input/output error\n', 1, 'EIO'],
    ['sysctl vm.nope', 'sysctl: cannot stat /proc/sys/vm/nope: No such file or directory\n', 255, 'ENOENT'],
    ['sysctl -w vm.overcommit_memory=9', 'sysctl: setting key "vm.overcommit_memory": Invalid argument\n', 255, 'EINVAL'],
    ['sysctl -w kernel.osrelease=1', 'sysctl: permission denied on key "kernel.osrelease"\n', 255, 'EACCES'],
    ['renice 5 -p 99999', 'renice: failed to get priority for 99999 (process ID): No such process\n', 1, 'ESRCH'],
    ['chrt -p 99999', "chrt: failed to get pid 99999's policy: No such process\n", 1, 'ESRCH'],
    ['kill -9 99999', 'bash: kill: (99999) - No such process\n', 1, 'ESRCH'],
    ['frobnicate', 'bash: frobnicate: command not found\n', 127, 'ENOENT'],
    ['echo "unterminated', 'bash: unexpected EOF while looking for matching `"\'\n', 2, 'ENOEXEC'],
  ])('%s', (line, output, status, errno) => {
    const r = sh(k, line);
    expect(r.output).toBe(output);
    expect(r.exitStatus).toBe(status);
    expect(r.error).toBe(errno);
  });

  it('reads and writes sysctls and proc files', () => {
    expect(sh(k, 'sysctl vm.overcommit_ratio').output).toBe('vm.overcommit_ratio = 50\n');
    expect(sh(k, 'sysctl -w vm.overcommit_ratio=80').output).toBe('vm.overcommit_ratio = 80\n');
    expect(sh(k, 'cat /proc/sys/vm/overcommit_ratio').output).toBe('80\n');
    expect(sh(k, 'echo 60 > /proc/sys/vm/swappiness && sysctl -n vm.swappiness').output).toBe('60\n');
    expect(sh(k, `echo -500 > /proc/${hog.pid}/oom_score_adj; cat /proc/${hog.pid}/oom_adj`).output).toBe('-8\n');
    // /proc/self is the process reading: the shell ($$); a task's "sh" step reads its own.
    expect(sh(k, 'echo $$; grep -E "^(Name|Pid):" /proc/self/status').output).toMatch(/^(\d+)\nName:\tbash\nPid:\t\1\n$/);
    expect(runShell(shellEnv(k), 'cat /proc/self/comm', { asTask: hog.pid }).output).toBe('hog\n');
    expect(sh(k, 'ls /proc').output.split('\n')).toContain('self');
    expect(sh(k, 'ls -l /proc | grep self').output).toMatch(/^lrwxrwxrwx {2}1 root root {4}0 Jan {2}1 00:00 self -> (\d+)\n$/);
    expect(sh(k, 'ls -l /proc | grep self').output).toContain(` -> ${sh(k, 'echo $$').output.trim()}\n`);
    expect(sh(k, 'cat /proc/self').output).toBe('cat: /proc/self: Is a directory\n');
  });

  it('renice, chrt, taskset print what util-linux prints', () => {
    expect(sh(k, `renice -n 5 -p ${hog.pid}`).output).toBe(`${hog.pid} (process ID) old priority 0, new priority 5\n`);
    expect(sh(k, `chrt -f -p 10 ${hog.pid}`).exitStatus).toBe(0);
    expect(sh(k, `chrt -p ${hog.pid}`).output).toBe(`pid ${hog.pid}'s current scheduling policy: SCHED_FIFO\npid ${hog.pid}'s current scheduling priority: 10\n`);
    expect(sh(k, `chrt -f -p 200 ${hog.pid}`).output).toBe(`chrt: failed to set pid ${hog.pid}'s policy: Invalid argument\n`);
    const d = sh(k, 'spawn deadline');
    const dpid = Number(/^\[(\d+)\]/.exec(d.output)?.[1]);
    expect(sh(k, `chrt -p ${dpid}`).output).toMatch(
      new RegExp(`^pid ${dpid}'s current scheduling policy: SCHED_DEADLINE\npid ${dpid}'s current scheduling priority: 0\npid ${dpid}'s current runtime/deadline/period parameters: \\d+/\\d+/\\d+\n$`),
    );
    sh(k, `kill -9 ${dpid}`);
    expect(sh(k, `taskset -pc 1 ${hog.pid}`).output).toBe(`pid ${hog.pid}'s current affinity list: 0-1\npid ${hog.pid}'s new affinity list: 1\n`);
    expect(sh(k, `taskset -p ${hog.pid}`).output).toBe(`pid ${hog.pid}'s current affinity mask: 2\n`);
  });

  it('/proc/PID/task holds the process\'s one thread, /proc/PID/task/TID the same files as /proc/TID', () => {
    const pid = hog.pid;
    expect(sh(k, `ls /proc/${pid}`).output.split('\n')).toContain('task');
    expect(sh(k, `ls /proc/${pid}/task`).output).toBe(`${pid}\n`);
    expect(sh(k, `ls /proc/${pid}/task/${pid}`).output).toBe(sh(k, `ls /proc/${pid}`).output.replace('task\n', ''));
    for (const f of ['stat', 'status', 'sched', 'comm']) expect(sh(k, `cat /proc/${pid}/task/${pid}/${f}`).output).toBe(sh(k, `cat /proc/${pid}/${f}`).output);
    expect(sh(k, `cat /proc/${pid}/task`).output).toBe(`cat: /proc/${pid}/task: Is a directory\n`);
    // Another process's pid is not a thread of this one; a kernel thread has its own task directory too.
    expect(sh(k, `cat /proc/${pid}/task/1/comm`).output).toBe(`cat: /proc/${pid}/task/1/comm: No such file or directory\n`);
    expect(sh(k, 'ls /proc/2/task').output).toBe('2\n');
    expect(sh(k, 'ls /proc/self/task').output).toBe(`${sh(k, 'echo $$').output}`);
  });

  it('cd and pwd: a working directory for relative paths (reads, writes, ls, test, Tab), kept from line to line', () => {
    const m = machine({ nrCpus: 1 });
    const run = (line: string): string => sh(m, line).output;
    expect(run('pwd')).toBe('/\n');
    expect(run('cd /proc/sys/vm; pwd; cat swappiness')).toBe('/proc/sys/vm\n60\n');
    // The next line starts where this one left off; relative paths resolve from there, .. included.
    expect(run('echo 33 > swappiness; cat /proc/sys/vm/swappiness; [ -f overcommit_ratio ] && echo file')).toBe('33\nfile\n');
    expect(run('ls | grep -c drop_caches; cat ../kernel/ostype; cd ../kernel; echo $PWD $OLDPWD')).toBe('1\nLinux\n/proc/sys/kernel /proc/sys/vm\n');
    expect(run('cd -')).toBe('/proc/sys/vm\n');
    expect(completeLine(m, COMMAND_NAMES, 'cat swapp', 9, loginShellCwd(m)).text).toBe('cat swappiness ');
    expect(completeLine(m, COMMAND_NAMES, 'cat ../kern', 11, loginShellCwd(m)).text).toBe('cat ../kernel/');
    expect(run('cd nope')).toBe('bash: cd: nope: No such file or directory\n');
    expect(run('cd /proc/loadavg')).toBe('bash: cd: /proc/loadavg: Not a directory\n');
    expect(run('cd a b')).toBe('bash: cd: too many arguments\n');
    // cd alone: root's home, which is there and empty; / holds it beside dev, proc and sys.
    expect(run('cd; pwd; ls; ls /')).toBe('/root\ndev\nproc\nroot\nsys\n');
  });

  it('pathname expansion: *, ? and [...] match the machine\'s files, sorted; quoted or unmatched they stay as typed', () => {
    const m = machine({ nrCpus: 1 });
    const run = (line: string): string => sh(m, line).output;
    expect(run('echo /proc/sys/vm/overcommit_*')).toBe('/proc/sys/vm/overcommit_kbytes /proc/sys/vm/overcommit_memory /proc/sys/vm/overcommit_ratio\n');
    expect(run('cat /proc/[12]/comm')).toBe('init\nkthreadd\n');
    expect(run('echo /pro?/loa*; echo /proc/sys/vm/[!a-n]*io')).toBe('/proc/loadavg\n/proc/sys/vm/overcommit_ratio\n');
    // Relative to the working directory, and written back as typed.
    expect(run('cd /proc/sys/vm; echo overcommit_r* ../kernel/sched_rt_*; cd /')).toBe('overcommit_ratio ../kernel/sched_rt_period_us ../kernel/sched_rt_runtime_us\n');
    expect(run('for f in /proc/sys/vm/overcommit_*; do cat $f; done | wc -l')).toBe('3\n');
    expect(run('grep -c . /proc/sys/vm/overcommit_*')).toBe('/proc/sys/vm/overcommit_kbytes:1\n/proc/sys/vm/overcommit_memory:1\n/proc/sys/vm/overcommit_ratio:1\n');
    // No match, quotes, a backslash, an assignment: the characters themselves.
    expect(run('echo /proc/nope* "/proc/*" \'/proc/*\' \\* a?c x[1]; x=/proc/*; echo "$x"')).toBe('/proc/nope* /proc/* /proc/* * a?c x[1]\n/proc/*\n');
    expect(run('[ -d /proc ] && echo dir; echo $((2*3))')).toBe('dir\n6\n');
    expect(run('ls -d /proc/sys/*')).toBe('/proc/sys/kernel\n/proc/sys/vm\n');
    // What an unquoted variable or substitution gives is split, then expanded as a pattern; quoted, it is not.
    expect(run('p=/proc/sys/vm/overcommit_*; echo $p | wc -w; echo "$p"; echo $(echo /proc/[12]/comm)')).toBe('3\n/proc/sys/vm/overcommit_*\n/proc/1/comm /proc/2/comm\n');
  });

  it('export and unset set and remove variables; whoami, id and hostname say who and where', () => {
    const m = machine({ nrCpus: 1 });
    const run = (line: string): string => sh(m, line).output;
    expect(run('export A=1 B; echo $A; unset A; echo "[$A]"')).toBe('1\n[]\n');
    expect(run('export | grep -E "USER|PWD"')).toBe('declare -x PWD="/"\ndeclare -x USER="root"\n');
    expect(run('export 1x; unset 2y')).toBe("bash: export: `1x': not a valid identifier\nbash: unset: `2y': not a valid identifier\n");
    expect(run('whoami; id')).toBe('root\nuid=0(root) gid=0(root) groups=0(root)\n');
    expect(run('hostname; hostname box; hostname; cat /proc/sys/kernel/hostname')).toBe('kernsim\nbox\nbox\n');
    expect(run(`hostname ${'a'.repeat(65)}; hostname`)).toBe('hostname: name too long\nbox\n');
  });

  it('pipes into and out of loops: cmd | while read ...; done, done < FILE, done | cmd; read splits a line into names', () => {
    const m = machine({ nrCpus: 1 });
    const a = spawn(m, { comm: 'hog' });
    m.engine.runUntil(10 * MS);
    const run = (line: string): ShellResultLike => sh(m, line);
    expect(run('ps -eo pid=,comm= | while read pid comm; do if [ "$comm" = hog ]; then echo "hog at $pid"; fi; done').output).toBe(`hog at ${a.pid}\n`);
    expect(run('while read name value unit; do echo "$name=$value$unit"; done < /proc/meminfo | head -1').output).toMatch(/^MemTotal:=\d+kB\n$/);
    expect(run('for i in 3 1 2; do echo $i; done | sort').output).toBe('1\n2\n3\n');
    expect(run('seq 5 | while read n; do [ $n -eq 3 ] && break; echo $((n * 10)); done | tail -1').output).toBe('20\n');
    // The last name takes the rest of the line; with no name, REPLY the whole of it; -r keeps backslashes.
    expect(run('echo "a b  c d" | while read x y; do echo "[$x][$y]"; done').output).toBe('[a][b  c d]\n');
    expect(run("printf 'a\\\\b c\\n' | while read; do echo \"$REPLY\"; done; printf 'a\\\\b\\n' | while read -r l; do echo \"$l\"; done").output).toBe('ab c\na\\b\n');
    // At the end of its input read fails; in a pipeline after another command it is a subshell's, as in bash.
    expect(run('read x; echo $?').output).toBe('1\n');
    expect(run('v=old; echo new | read v; echo $v').output).toBe('old\n');
    // read < FILE is no pipeline: its names are set.
    expect(run('read one two rest < /proc/loadavg; echo "$one|$rest" | wc -w').output).toBe('3\n');
    expect(run('while read l; do echo x; done < /proc/nope; echo $?').output).toBe('bash: /proc/nope: No such file or directory\n1\n');
    expect(run('for i in 1; do echo $i; done |')).toMatchObject({ output: "bash: syntax error near unexpected token `newline'\n" });
  });

  it('kill -l prints bash\'s table; kill -0 only checks; the default actions: WINCH ignored, TTIN stops, ILL kills', () => {
    const table = sh(k, 'kill -l').output.split('\n');
    expect(table[0]).toBe(' 1) SIGHUP\t 2) SIGINT\t 3) SIGQUIT\t 4) SIGILL\t 5) SIGTRAP');
    expect(table[6]).toBe('31) SIGSYS');
    expect(sh(k, 'kill -l 28').output).toBe('WINCH\n');
    expect(sh(k, 'pgrep -l kthreadd').output).toBe('2 kthreadd\n');
    expect(sh(k, 'uname -sr').output).toBe('Linux 6.17.0-kernsim\n');
    // The host name is root's to change (sethostname through kernel.hostname); uname -n follows.
    expect(sh(k, 'echo box1 > /proc/sys/kernel/hostname; uname -n; sysctl kernel.hostname').output).toBe('box1\nkernel.hostname = box1\n');
    sh(k, 'echo kernsim > /proc/sys/kernel/hostname');
    // vm.drop_caches is mode 0200: written, never read back.
    expect(sh(k, 'echo 1 > /proc/sys/vm/drop_caches').exitStatus).toBe(0);
    expect(sh(k, 'cat /proc/sys/vm/drop_caches').output).toBe('cat: /proc/sys/vm/drop_caches: Permission denied\n');
    expect(sh(k, 'sysctl vm.drop_caches').output).toBe("sysctl: permission denied on key 'vm.drop_caches'\n");
    // ls -l: modes from what each file takes (reads, writes, both), proc's zero sizes, a character device.
    const ll = sh(k, 'ls -l /proc/1 /proc/sysrq-trigger /dev/kmsg /sys/kernel/debug/sched/preempt').output;
    expect(ll).toContain('--w-------  1 root root    0 Jan  1 00:00 /proc/sysrq-trigger\n');
    expect(ll).toContain('crw-r--r--  1 root root 1, 11 Jan  1 00:00 /dev/kmsg\n');
    expect(ll).toContain('-rw-r--r--  1 root root    0 Jan  1 00:00 /sys/kernel/debug/sched/preempt\n');
    expect(ll).toMatch(/\/proc\/1:\ntotal 0\n-r--r--r-- {2}1 root root {4}0 Jan {2}1 00:00 cmdline\n/);
    expect(ll).toContain('-rw-r--r--  1 root root    0 Jan  1 00:00 oom_score_adj\n');
    // set_max_threads(): an eighth of RAM in 16 KiB stacks, so total RAM pages / 32; SigQ's limit is half of it.
    const maxThreads = Math.floor(k.mm.totalRamPages() / 32);
    expect(sh(k, 'sysctl -n kernel.threads-max').output).toBe(`${maxThreads}\n`);
    expect(sh(k, 'grep SigQ /proc/1/status').output).toBe(`SigQ:\t0/${Math.floor(maxThreads / 2)}\n`);
    expect(sh(k, 'uname -v').output).toBe('#1 SMP PREEMPT_DYNAMIC Thu Jan  1 00:00:00 UTC 2026\n');
    expect(sh(k, 'uname -a').output).toBe('Linux kernsim 6.17.0-kernsim #1 SMP PREEMPT_DYNAMIC Thu Jan  1 00:00:00 UTC 2026 x86_64 GNU/Linux\n');
    expect(sh(k, 'pidof kthreadd init').output).toBe('1\n');
    expect(sh(k, 'pidof -w kthreadd init').output).toBe('2 1\n');
    expect(sh(k, 'pidof nosuch').exitStatus).toBe(1);
    const [a, b, c] = ['a', 'b', 'c'].map((comm) => spawn(k, { comm })) as [Task, Task, Task];
    expect(sh(k, `kill -0 ${a.pid}`).exitStatus).toBe(0);
    expect(sh(k, `kill -0 ${a.pid}; echo $?; kill -0 99999; echo "after: $?" '$?'`).output).toBe('0\nbash: kill: (99999) - No such process\nafter: 1 $?\n');
    expect(sh(k, 'kill -0 99999').output).toBe('bash: kill: (99999) - No such process\n');
    sh(k, `kill -WINCH ${a.pid}; kill -TTIN ${b.pid}; kill -ILL ${c.pid}`);
    k.engine.runUntil(k.engine.nowNs + 50 * MS);
    expect([taskStateLetter(a), taskStateLetter(b), c.exitState !== 0]).toEqual(['R', 'T', true]);
    sh(k, `kill -9 ${a.pid} ${b.pid}`);
  });

  it('uptime past an hour and past a day, as procps formats them', () => {
    const idle = machine({ nrCpus: 1 });
    idle.engine.runUntil(3700 * 1e9);
    expect(sh(idle, 'uptime').output).toMatch(/^ 01:01:40 up {2}1:01, {2}1 user, {2}load average: /);
    idle.engine.runUntil((86400 + 300) * 1e9);
    expect(sh(idle, 'uptime').output).toMatch(/^ 00:05:00 up 1 day, 5 min, {2}1 user/);
  });

  it('vmstat: averages since boot from /proc/stat, /proc/meminfo and /proc/vmstat, rates over all CPUs\' ticks', () => {
    // Two hogs on each of two CPUs for 10 s: 2000 ticks of 100 Hz, all user time; the interrupts are the 250 Hz
    // ticks and a few more (the machine-check polls, the kthreads' timers).
    const m = machine({ nrCpus: 2 });
    for (const cpu of [0, 0, 1, 1]) spawn(m, { comm: 'hog', cpus: [cpu] });
    m.engine.runUntil(10e9 + 5 * MS);
    // One command line, so that vmstat and the files are read at the same instant by the same shell.
    const all = sh(m, 'vmstat; cat /proc/stat /proc/meminfo').output;
    const lines = all.split('\n');
    expect(lines[0]).toBe('procs -----------memory---------- ---swap-- -----io---- -system-- ------cpu-----');
    expect(lines[1]).toBe(' r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy id wa st');
    const f = (lines[2] ?? '').trim().split(/\s+/).map(Number);
    const num = (re: RegExp): number => Number(re.exec(all)?.[1]);
    const meminfo = (name: string): number => num(new RegExp(`^${name}:\\s+(\\d+)`, 'm'));
    const stat = all;
    const ctxt = num(/^ctxt (\d+)/m);
    const intr = num(/^intr (\d+)/m);
    expect(f.slice(0, 2)).toEqual([num(/^procs_running (\d+)/m), 0]);
    expect(f[0]).toBeGreaterThanOrEqual(4);
    expect(f[3]).toBe(meminfo('MemFree'));
    expect(f[5]).toBe(meminfo('Cached') + meminfo('SReclaimable'));
    // vmstat's first line divides by the ticks of every CPU (2000 here), not by the seconds since boot.
    expect(f[10]).toBe(Math.floor((intr * 100 + 1000) / 2000));
    expect(f[10]).toBeGreaterThanOrEqual(250);
    expect(f[10]).toBeLessThanOrEqual(252);
    expect(f[11]).toBe(Math.floor((ctxt * 100 + 1000) / 2000));
    expect(f.slice(12)).toEqual([100, 0, 0, 0, 0]);
    expect(sh(m, 'vmstat -f').output).toBe(`${String(/^processes (\d+)/m.exec(stat)?.[1]).padStart(13)} forks\n`);
    // -s: procps's summary, each figure in a 13-column field, from the same files.
    const sum = sh(m, 'vmstat -s; cat /proc/stat /proc/meminfo /proc/vmstat').output;
    const summary = sum.split('\n').slice(0, 28);
    for (const l of summary) expect(l).toMatch(/^ {0,12}\d+ [A-Za-z]/);
    const fig = (what: string): number => Number(summary.find((l) => l.endsWith(` ${what}`))?.trim().split(' ')[0]);
    const memOf = (name: string): number => num(new RegExp(`^${name}:\\s+(\\d+)`, 'm'));
    expect(fig('K total memory')).toBe(memOf('MemTotal'));
    expect(fig('K used memory')).toBe(memOf('MemTotal') - memOf('MemAvailable'));
    expect(fig('K swap cache')).toBe(memOf('Cached') + memOf('SReclaimable'));
    expect(fig('non-nice user cpu ticks')).toBe(Number(/^cpu {2}(\d+)/m.exec(sum)?.[1]));
    expect(fig('interrupts')).toBe(Number(/^intr (\d+)/m.exec(sum)?.[1]));
    expect(fig('CPU context switches')).toBe(Number(/^ctxt (\d+)/m.exec(sum)?.[1]));
    expect(fig('K paged in')).toBe(Number(/^pgpgin (\d+)/m.exec(sum)?.[1]));
    expect(fig('boot time')).toBe(1767225600);
    // free's used (procps-ng 4) is what is not available.
    const freeMem = (sh(m, 'free').output.split('\n')[1] ?? '').trim().split(/\s+/).map(Number);
    expect(freeMem[2]).toBe((freeMem[1] as number) - (freeMem[6] as number));
    const wide = sh(m, 'vmstat -w -a').output.split('\n');
    expect(wide[1]).toBe('   r    b         swpd         free        inact       active   si   so    bi    bo   in   cs  us  sy  id  wa  st  gu');
    // A delay: the first line at once, and the rest for whoever runs the machine on (test/unit/interval-commands).
    const d = sh(m, 'vmstat 1 3');
    expect(d.exitStatus).toBe(0);
    expect(d.output.split('\n')).toHaveLength(4);
    expect(d.follow).toMatchObject({ intervalNs: 1e9, count: 2 });
    expect(sh(m, 'vmstat 2').follow).toMatchObject({ intervalNs: 2e9, count: Infinity });
    expect(sh(m, 'vmstat 5 1').follow).toBeUndefined();
    expect(sh(m, 'vmstat -y 5 1').follow).toMatchObject({ count: 1 });
    expect(sh(m, 'vmstat 1').output).toBe(sh(m, 'vmstat').output);
    expect(sh(m, 'vmstat 0')).toMatchObject({ output: 'vmstat: delay must be positive integer\n', exitStatus: 1 });
    expect(sh(m, 'vmstat x')).toMatchObject({ output: "vmstat: failed to parse argument: 'x'\n", exitStatus: 1 });
    expect(sh(m, 'vmstat -1')).toMatchObject({ exitStatus: 1 });
    expect(sh(m, 'vmstat -1').output).toMatch(/^vmstat: invalid option -- '1'\n/);
    expect(sh(m, 'vmstat 1 2 3').output).toMatch(/^vmstat: Usage:/);
    // Later reports need the machine to run on after the line returns: never in a pipeline, a redirection or a list.
    for (const line of ['vmstat 1 | tail -1', 'vmstat 1 > /dev/null', 'vmstat 1 3; echo done', 'mpstat 1 && true']) {
      const r = sh(m, line);
      expect(r.follow).toBeUndefined();
      expect(r.output).toMatch(/^(vmstat|mpstat): with an interval it must run on its own \(not piped, redirected or in a list\)\n/);
      // A pipeline's status is its last command's (tail's), a list's too (echo's after the ';').
      expect(r.exitStatus).toBe(/[;|]/.test(line) ? 0 : 1);
    }
    // mpstat: the banner now; 0 is "since boot"; a count needs an interval.
    expect(sh(m, 'mpstat 1 2')).toMatchObject({ output: `Linux 6.17.0-kernsim (kernsim) \t01/01/26 \t_x86_64_\t(2 CPU)\n`, follow: { intervalNs: 1e9, count: 2 } });
    expect(sh(m, 'mpstat 0').output).toBe(sh(m, 'mpstat').output);
    for (const bad of ['mpstat 0 5', 'mpstat 1 0', 'mpstat 1 2 3', 'mpstat x']) expect(sh(m, bad).output).toMatch(/^mpstat: Usage: mpstat \[ options \] \[ <interval> \[ <count> \] \]\n/);
  });

  it('pidstat: per task %usr, %system, %wait (schedstat run_delay) and %CPU, or switches per second, from /proc', () => {
    const m = machine({ nrCpus: 1 });
    const a = spawn(m, { comm: 'hog-nice0' });
    const b = spawn(m, { comm: 'hog-nice5', nice: 5 });
    m.engine.runUntil(4 * SEC);
    const field = (pid: number, i: number): number => Number((sh(m, `cat /proc/${pid}/stat`).output.split(') ')[1] ?? '').split(' ')[i - 3]);
    const wait = (pid: number): number => Math.floor((Number(sh(m, `cat /proc/${pid}/schedstat`).output.split(' ')[1]) * 100) / 1e9);
    const pc = (ticks: number): string => ((ticks * 100) / 400).toFixed(2).padStart(8);
    const row = (pid: number, comm: string): string =>
      `00:00:04        0 ${String(pid).padStart(9)}${pc(field(pid, 14))}${pc(field(pid, 15))}${pc(0)}${pc(wait(pid))}${pc(field(pid, 14) + field(pid, 15))}     0  ${comm}`;
    const out = sh(m, 'pidstat').output.split('\n');
    expect(out.slice(0, 3)).toEqual(['Linux 6.17.0-kernsim (kernsim) \t01/01/26 \t_x86_64_\t(1 CPU)', '', '00:00:04      UID       PID    %usr %system  %guest   %wait    %CPU   CPU  Command']);
    // Only tasks that used CPU time are shown: the two hogs (and a kworker or two that ran), in pid order.
    expect(out).toContain(row(a.pid, 'hog-nice0'));
    expect(out).toContain(row(b.pid, 'hog-nice5'));
    // Their shares follow the weights (1024:335), and what one runs the other waits.
    expect(field(a.pid, 14) / (field(a.pid, 14) + field(b.pid, 14))).toBeCloseTo(1024 / 1359, 1);
    expect(Math.abs(field(a.pid, 14) - wait(b.pid))).toBeLessThanOrEqual(2);
    const w = sh(m, `pidstat -w -p ${a.pid},${b.pid}`).output.split('\n');
    const rate = (pid: number, name: string): string => (Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(sh(m, `cat /proc/${pid}/status`).output)?.[1]) / 4).toFixed(2).padStart(10);
    expect(w.slice(2, 5)).toEqual([
      '00:00:04      UID       PID   cswch/s nvcswch/s  Command',
      `00:00:04        0 ${String(a.pid).padStart(9)}${rate(a.pid, 'voluntary_ctxt_switches')}${rate(a.pid, 'nonvoluntary_ctxt_switches')}  hog-nice0`,
      `00:00:04        0 ${String(b.pid).padStart(9)}${rate(b.pid, 'voluntary_ctxt_switches')}${rate(b.pid, 'nonvoluntary_ctxt_switches')}  hog-nice5`,
    ]);
    expect(sh(m, 'pidstat -C nice5').output).not.toContain('hog-nice0');
    expect(sh(m, 'pidstat 1 3').follow).toMatchObject({ intervalNs: 1e9, count: 3 });
    for (const bad of ['pidstat -p', 'pidstat -p x', 'pidstat 0 2', 'pidstat -z']) expect(sh(m, bad).output).toMatch(/^pidstat: Usage: pidstat \[ options \]/);
  });

  it('watch: the command under a title of interval, command, host and time (80 columns); screens replace each other', () => {
    const m = machine({ nrCpus: 2 });
    m.engine.runUntil(2_500 * MS);
    const w = sh(m, 'watch -n 0.5 cat /proc/uptime');
    const title = 'Every 0.5s: cat /proc/uptime';
    const right = 'kernsim: Thu Jan  1 00:00:02 2026';
    expect(w.output).toBe(`${title}${' '.repeat(80 - title.length - right.length)}${right}\n\n${sh(m, 'cat /proc/uptime').output}`);
    expect(w.follow).toMatchObject({ intervalNs: 500_000_000, count: Infinity, replace: true });
    expect(sh(m, 'watch -t uname -r').output).toBe('6.17.0-kernsim\n');
    expect(sh(m, 'watch -n 0.01 true').follow?.intervalNs).toBe(100_000_000);
    expect(sh(m, 'watch uptime').follow?.intervalNs).toBe(2_000_000_000);
    // A long command is cut to leave room for the host and time.
    const long = sh(m, `watch cat ${Array.from({ length: 6 }, () => '/proc/loadavg').join(' ')}`).output.split('\n')[0] as string;
    expect(long).toHaveLength(80);
    expect(long).toMatch(/^Every 2\.0s: cat \/proc\/loadavg .*\.\.\. kernsim: Thu Jan  1 00:00:02 2026$/);
    expect(sh(m, 'watch')).toMatchObject({ output: 'watch: Usage:\n watch [options] command\n', exitStatus: 1 });
    expect(sh(m, 'watch -n x true')).toMatchObject({ output: "watch: failed to parse argument: 'x'\n", exitStatus: 1 });
    expect(sh(m, 'watch -d true').output).toMatch(/^watch: invalid option -- 'd'\n/);
    expect(sh(m, 'watch uptime | wc -l').output).toMatch(/^watch: with an interval it must run on its own/);
  });

  it('ps\'s UNIX options build procps\'s columns: -l, -ly, -F, -c, -L and -T, alone or in clusters like -eLf', () => {
    const lines = (line: string): string[] => sh(k, line).output.split('\n');
    expect(lines('ps -e')[0]).toBe('    PID TTY          TIME CMD');
    const el = lines('ps -el');
    expect(el[0]).toBe('F S   UID     PID    PPID  C PRI  NI ADDR SZ WCHAN  TTY          TIME CMD');
    // init: PF_SUPERPRIV (F 4), PRI 80 at nice 0, its size in pages; a kernel thread: PF_FORKNOEXEC (F 1), no brackets.
    const vsz = Number(sh(k, 'ps -o vsz= -p 1').output);
    expect(el[1]).toBe(`4 S     0       1       0  0  80   0 - ${String(vsz / 4).padStart(5)} ${'do_epo'} ?        00:00:00 init`);
    expect(el[2]).toMatch(/^1 S {5}0 {7}2 {7}0 {2}0 {2}80 {3}0 - {5}0 \S+ +\? {8}00:00:00 kthreadd$/);
    expect(lines('ps -ely')[0]).toBe('S   UID     PID    PPID  C PRI  NI   RSS    SZ WCHAN  TTY          TIME CMD');
    expect(lines('ps -eF')[0]).toBe('UID          PID    PPID  C    SZ   RSS PSR STIME TTY          TIME CMD');
    expect(lines('ps -ecf')[0]).toBe('UID          PID    PPID CLS PRI STIME TTY          TIME CMD');
    expect(lines(`ps -c -p ${hog.pid}`)[1]).toMatch(new RegExp(`^ +${hog.pid} (TS|FF) +\\d+ \\? +\\d\\d:\\d\\d:\\d\\d hog$`));
    // Threads: each process is its one thread (LWP = SPID = PID, NLWP 1); -eLf is -e -L -f.
    expect(lines('ps -eLf').slice(0, 2)).toEqual(['UID          PID    PPID     LWP  C NLWP STIME TTY          TIME CMD', 'root           1       0       1  0    1 00:00 ?        00:00:00 init']);
    expect(sh(k, 'ps -eLf').output).toBe(sh(k, 'ps -e -L -f').output);
    expect(lines(`ps -T -p ${hog.pid}`)[0]).toBe('    PID    SPID TTY          TIME CMD');
    expect(lines(`ps -L -o pid,lwp,nlwp,comm -p ${hog.pid}`)[1]).toBe(`${String(hog.pid).padStart(7)} ${String(hog.pid).padStart(7)}    1 hog`);
    // -o's uid is the number, tty's heading TT (tname's is TTY).
    expect(lines('ps -o uid,tty,tname -p 1')).toEqual(['  UID TT       TTY', '    0 ?        ?', '']);
    // procps's refusals.
    expect(sh(k, 'ps -ey').output).toBe('ps: error: modifier -y without format -l makes no sense\n\nUsage:\n ps [options]\n');
    expect(sh(k, 'ps -f -o pid').output).toMatch(/^ps: error: conflicting format options\n/);
    expect(sh(k, 'ps -c -o pid').output).toMatch(/^ps: error: can not use output modifiers with user-defined output\n/);
  });

  it('ps spaces its columns as procps does: a value wider than its column takes its excess back from later slack', () => {
    // VSZ (6) and RSS (5) of a 2.4 GB process overflow; the columns after find their places again.
    const m = machine({ nrCpus: 1, memoryBytes: 8 * 1024 ** 3 });
    spawn(m, { comm: 'big', program: function* () {
      yield { op: 'mem', call: { fn: 'mmap', bytes: 2500 * 1024 * 1024, touch: true, tag: 'a' } };
      yield { op: 'sleep', ns: Infinity };
    } });
    m.engine.runUntil(2 * SEC);
    const head = sh(m, 'ps aux | head -1').output.trimEnd();
    expect(head).toBe('USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND');
    const big = sh(m, 'ps aux | grep " big$"').output.trimEnd();
    // VSZ and RSS each take one space after the value before them; TTY's slack gives the three columns back, so
    // STAT starts in its own column again.
    expect(big).toMatch(/^root +\d+ +\d+\.\d +\d+\.\d \d{7} \d{7} \? {5}Ss {3}00:00/);
    expect(big.indexOf('Ss')).toBe(head.indexOf('STAT'));
  });

  it('ps, free, uptime, slabtop and pipelines', () => {
    // taskset queued a migration on the stopper; let it run so PSR shows the new CPU.
    k.engine.runUntil(k.engine.nowNs + 10 * MS);
    const ps = sh(k, 'ps');
    expect(ps.output.split('\n')[0]).toBe('    PID CLS RTPRIO  NI PRI PSR STAT   RSS COMMAND');
    // The two everyday forms, with procps's headings and columns.
    const aux = sh(k, 'ps aux').output.split('\n');
    expect(aux[0]).toBe('USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND');
    expect(aux[2]).toMatch(/^root {11}2 {2}0\.0 {2}0\.0 {6}0 {5}0 \? {8}S {4}00:00 {3}0:00 \[kthreadd\]$/);
    const ef = sh(k, 'ps -ef').output.split('\n');
    expect(ef[0]).toBe('UID          PID    PPID  C STIME TTY          TIME CMD');
    expect(ef[1]).toBe('root           1       0  0 00:00 ?        00:00:00 init');
    expect(ps.output).toMatch(new RegExp(`\\n\\s+${hog.pid}\\s+FF\\s+10\\s+-\\s+50\\s+1 RN?s`));
    expect(sh(k, 'free').output.split('\n')[0]).toBe('               total        used        free      shared  buff/cache   available');
    // free -h as procps-ng scales: "0B" for nothing (no swap here), one decimal when it fits in five characters.
    expect(sh(k, 'free -h').output.split('\n')[2]).toMatch(/^Swap:\s+0B\s+0B\s+0B$/);
    expect(sh(k, 'free -h').output.split('\n')[1]).toMatch(/^Mem:\s+\d+(\.\d)?[KMG]i\s/);
    // Every number ends in the column of its heading's last letter.
    const [head, mem] = sh(k, 'free').output.split('\n') as [string, string];
    const ends = (line: string): number[] => [...line.matchAll(/\S+/g)].map((m) => (m.index ?? 0) + m[0].length);
    expect(ends(mem).slice(1)).toEqual(ends(head));
    // -w splits buff/cache into buffers and cache (Cached + SReclaimable); -t adds RAM + swap; options combine.
    const m = new Map((k.proc.read('/proc/meminfo') as { text: string }).text.split('\n').map((l) => [l.split(':')[0] as string, Number(/(\d+) kB/.exec(l)?.[1])]));
    const wide = sh(k, 'free -wt').output.split('\n');
    expect(wide[0]).toBe('               total        used        free      shared     buffers       cache   available');
    const cols = (line: string | undefined): number[] => (line ?? '').split(/\s+/).slice(1).map(Number);
    expect(cols(wide[1])).toEqual([m.get('MemTotal'), (m.get('MemTotal') as number) - (m.get('MemAvailable') as number), m.get('MemFree'), m.get('Shmem'), m.get('Buffers'), (m.get('Cached') as number) + (m.get('SReclaimable') as number), m.get('MemAvailable')]);
    const [, used, fr] = cols(wide[1]) as number[];
    const [swT, swU, swF] = cols(wide[2]) as number[];
    expect(wide[3]).toBe(`Total:  ${[(m.get('MemTotal') as number) + (swT as number), (used as number) + (swU as number), (fr as number) + (swF as number)].map((v) => String(v).padStart(12)).join('')}`);
    expect(ends(wide[1] as string).slice(1)).toEqual(ends(wide[0] as string));
    expect(sh(k, 'free --mebi --total').output).toBe(sh(k, 'free -mt').output);
    expect(sh(k, 'free extra')).toMatchObject({ output: '\nUsage:\n free [options]\n', exitStatus: 1 });
    expect(sh(k, 'uptime').output).toMatch(/^ 00:00:00 up 0 min, {2}1 user, {2}load average: \d\.\d\d, \d\.\d\d, \d\.\d\d\n$/);
    expect(sh(k, 'slabtop -o -s c | head -7').output.split('\n')[6]).toBe('  OBJS ACTIVE  USE OBJ SIZE  SLABS OBJ/SLAB CACHE SIZE NAME');
    expect(sh(k, 'ps -eo pid,comm | grep -c hog').output).toBe('1\n');
    // -C selects by command name (with -p, either one), and the fault counters are the task's own.
    expect(sh(k, `ps -o pid,comm -C hog,init -p 2`).output).toBe(`    PID COMMAND\n      1 init\n      2 kthreadd\n${String(hog.pid).padStart(7)} hog\n`);
    expect(sh(k, 'ps -C nothing')).toMatchObject({ exitStatus: 1 });
    const stat = (k.proc.read(`/proc/${hog.pid}/stat`) as { text: string }).text.split(') ')[1]?.split(' ') ?? [];
    expect(sh(k, `ps -o min_flt,maj_flt -p ${hog.pid}`).output).toBe(`MINFL MAJFL\n${(stat[7] ?? '').padStart(5)} ${(stat[9] ?? '').padStart(5)}\n`);
    expect(sh(k, 'dmesg | tail -n 1').output).toMatch(/^\[\s+\d+\.\d{6}\] .+\n$/);
    expect(sh(k, 'dmesg -n 3 && cat /proc/sys/kernel/printk').output).toBe('3\t4\t1\t7\n');
  });

  it('command substitution: $(...) and `...` run when their word is expanded, as bash runs them', () => {
    const out = (line: string): string => sh(k, line).output;
    expect(out('cat /proc/$(pidof hog)/comm')).toBe('hog\n');
    expect(out(`echo \`echo ${hog.pid}\``)).toBe(`${hog.pid}\n`);
    // Unquoted: split into words, trailing newlines dropped; in double quotes: one word, inner newlines kept.
    expect(out('echo $(echo a; echo b)x')).toBe('a bx\n');
    expect(out('echo "$(echo a; echo b)"')).toBe('a\nb\n');
    expect(out('echo "$(echo "x  y")" $(echo "x  y")')).toBe('x  y x y\n');
    expect(out('echo $(echo $(echo nested))')).toBe('nested\n');
    expect(out("echo $(echo ')')")).toBe(')\n');
    // The inner command's errors reach the screen; its output alone is substituted; an empty result is no word.
    expect(out('echo $(cat /nope) ok')).toBe('cat: /nope: No such file or directory\nok\n');
    expect(sh(k, '$(true)')).toMatchObject({ output: '', exitStatus: 0 });
    expect(out('$(echo uname)')).toBe('Linux\n');
    // It runs in order: after what the list did before it.
    expect(out('echo 61 > /proc/sys/vm/swappiness; echo $(cat /proc/sys/vm/swappiness)')).toBe('61\n');
    expect(sh(k, 'echo $(echo')).toMatchObject({ output: "bash: unexpected EOF while looking for matching `)'\n", exitStatus: 2 });
    expect(sh(k, 'echo `echo')).toMatchObject({ output: "bash: unexpected EOF while looking for matching ``'\n", exitStatus: 2 });
    // A runaway nesting is an error, not a hang.
    expect(out(`echo ${'$('.repeat(12)}echo deep${')'.repeat(12)}`)).toContain('bash: command substitution: nested too deeply\n');
  });

  it('shell variables: NAME=value, then $NAME and ${NAME}; the login shell keeps them from line to line', () => {
    const out = (line: string): string => sh(k, line).output;
    expect(out('P=$(pidof hog); cat /proc/$P/comm; echo "pid ${P}."')).toBe(`hog\npid ${hog.pid}.\n`);
    // A later command line still has it (one login shell); a task's sh steps have their own.
    expect(out('echo $P')).toBe(`${hog.pid}\n`);
    expect(runShell(shellEnv(k), 'echo "[$P]"', { asTask: hog.pid }).output).toBe('[]\n');
    // Unquoted values are split into words, quoted ones are not; an assignment's value is never split.
    expect(out('A="x  y"; echo $A; echo "$A"; B=$A; echo "$B"')).toBe('x y\nx  y\nx  y\n');
    // Unset is empty; the environment a root login has; $0 is the shell, $1..$9 empty; single quotes keep $.
    expect(out("echo [$NOPE] $HOME $USER $0 [$1] '$HOME'")).toBe('[] /root root bash [] $HOME\n');
    // Before a command, NAME=value would be its environment: the command runs, nothing is set.
    expect(out('Q=1 uname; echo "[$Q]"')).toBe('Linux\n[]\n');
    expect(sh(k, 'echo ${A').output).toBe('bash: ${A: bad substitution\n');
  });

  it('for loops: for NAME in WORDS; do LIST; done, nested, with substitutions; errors as bash gives them', () => {
    const out = (line: string): string => sh(k, line).output;
    expect(out('for p in $(pidof hog); do echo "pid $p: $(cat /proc/$p/comm)"; done')).toBe(`pid ${hog.pid}: hog\n`);
    expect(out('for x in a b; do for y in 1 2; do echo $x$y; done; done')).toBe('a1\na2\nb1\nb2\n');
    // The variable keeps its last value; a loop over nothing succeeds; && and || see the body's last status.
    expect(out('for x in 1 2; do echo $x; done; echo "last $x"')).toBe('1\n2\nlast 2\n');
    expect(out('for x in; do echo never; done && echo after')).toBe('after\n');
    expect(out('for x in 1 2; do false; done && echo yes || echo no')).toBe('no\n');
    // Keywords only where a command starts.
    expect(out('echo for do done')).toBe('for do done\n');
    expect(sh(k, 'for 1x in a; do echo; done')).toMatchObject({ output: "bash: `1x': not a valid identifier\n", exitStatus: 2 });
    expect(sh(k, 'for x in a; echo $x; done').output).toBe("bash: syntax error near unexpected token `echo'\n");
    expect(sh(k, 'for x in a; do done').output).toBe("bash: syntax error near unexpected token `done'\n");
    expect(sh(k, 'for x in a; do echo $x').output).toBe("bash: syntax error: unexpected end of file (expected `done')\n");
  });

  it('while, until and if; break and continue (N levels); ! before a pipeline; a loop that never sleeps is stopped', () => {
    const out = (line: string): string => sh(k, line).output;
    expect(out('n=; while [ "$n" != 111 ]; do n=${n}1; echo $n; done')).toBe('1\n11\n111\n');
    expect(out('n=; until [ "$n" = xxx ]; do n=${n}x; done; echo $n')).toBe('xxx\n');
    expect(out('while false; do echo never; done; echo $?')).toBe('0\n');
    expect(out(`if [ -d /proc/${hog.pid} ]; then echo alive; else echo gone; fi`)).toBe('alive\n');
    expect(out('if false; then echo 1; elif [ a = b ]; then echo 2; elif true; then echo 3; else echo 4; fi')).toBe('3\n');
    expect(out('if false; then echo 1; fi; echo $?')).toBe('0\n');
    expect(out('if ! grep -q nope /proc/version; then echo absent; fi')).toBe('absent\n');
    expect(out('! true; echo $?; ! false; echo $?')).toBe('1\n0\n');
    expect(out('for x in a b c; do if [ $x = b ]; then continue; fi; echo $x; done')).toBe('a\nc\n');
    expect(out('for x in 1 2; do for y in 1 2 3; do [ $y = 2 ] && continue 2; echo $x$y; done; done')).toBe('11\n21\n');
    expect(out('for x in 1 2; do for y in 1 2; do [ $y = 2 ] && break 2; echo $x$y; done; done; echo after')).toBe('11\nafter\n');
    expect(out('while true; do break; echo never; done; echo out')).toBe('out\n');
    expect(out('break; echo outside')).toBe('outside\n');
    expect(sh(k, 'for x in 1; do break x; done')).toMatchObject({ output: 'bash: break: x: numeric argument required\n', exitStatus: 128 });
    expect(sh(k, 'for x in 1; do continue 0; done')).toMatchObject({ output: 'bash: continue: 0: loop count out of range\n', exitStatus: 1 });
    // The line runs at one instant until it sleeps: an endless loop without a sleep is stopped, and the line with it.
    expect(sh(k, 'while true; do true; done; echo never')).toMatchObject({
      output: `bash: while: stopped after ${MAX_TURNS_AWAKE} turns without a sleep (a line runs at one instant of virtual time until it sleeps)\n`,
      exitStatus: 1,
    });
    // Keywords only where a command starts; bash's syntax errors.
    expect(out('echo if then fi while')).toBe('if then fi while\n');
    expect(out('if true; then; fi')).toBe("bash: syntax error near unexpected token `;'\n");
    expect(out('if true; echo x; fi')).toBe("bash: syntax error near unexpected token `fi'\n");
    expect(out('while true; do')).toBe("bash: syntax error: unexpected end of file (expected `done')\n");
    expect(out('fi')).toBe("bash: syntax error near unexpected token `fi'\n");
    expect(out('echo a; ; echo b')).toBe("bash: syntax error near unexpected token `;'\n");
  });

  it('$((EXPR)): C precedence, truncating division, octal and hex, variables by name; bash\'s errors end the line', () => {
    const out = (line: string): string => sh(k, line).output;
    expect(out('echo $((1+2*3)) $(((1+2)*3)) $((2**3**2)) $((7/2)) $((-7/2)) $((-7%3)) $((010)) $((0x1f))')).toBe('7 9 512 3 -3 -1 8 31\n');
    expect(out('echo $((3>2)) $((2>=3)) $((1==1)) $((!0)) $((~0)) $((1&&0)) $((0||2)) $((1?5:6)) $((6&3)) $((6|3)) $((1<<4))')).toBe('1 0 1 1 -1 0 1 5 2 7 16\n');
    expect(out('i=0; while [ $i -lt 3 ]; do echo $i; i=$((i + 1)); done')).toBe('0\n1\n2\n');
    // A variable's value is itself an expression; unset or empty is 0; $NAME works too; $? is the last status.
    expect(out('x=3+4; y=; echo $((x*2)) $((y+1)) $(($x*2)) $((unset_name))')).toBe('14 1 14 0\n');
    expect(out('false; echo $(($? + 10))')).toBe('11\n');
    expect(out('echo "$((6 * 7))"')).toBe('42\n');
    expect(sh(k, 'echo $((1/0)); echo after')).toMatchObject({ output: 'bash: 1/0: division by 0 (error token is "0")\n', exitStatus: 1 });
    expect(out('echo $((1+))')).toBe('bash: 1+: syntax error: operand expected (error token is "+")\n');
    expect(out('echo $((a b))')).toBe('bash: a b: syntax error in expression (error token is "b")\n');
    expect(out('echo $((2 ** -1))')).toBe('bash: 2 ** -1: exponent less than 0 (error token is "1")\n');
    expect(out('echo $((1 + 2')).toBe("bash: unexpected EOF while looking for matching `))'\n");
    expect(out('echo $((08 + 1))')).toBe('bash: 08 + 1: value too great for base (error token is "08 + 1")\n');
  });

  it('test and [: strings, integers, /proc files, !, -a, -o, ( ); bash\'s errors with status 2', () => {
    const st = (line: string): number => sh(k, line).exitStatus;
    expect([st('[ a = a ]'), st('[ a != a ]'), st('[ -z "" ]'), st('[ -n "" ]'), st('[ x ]'), st('[ "" ]'), st('[ ]')]).toEqual([0, 1, 0, 1, 0, 1, 1]);
    expect([st('[ 3 -gt 2 ]'), st('[ 3 -le 2 ]'), st('[ -1 -lt 0 ]'), st('test 5 -eq 5'), st('[ b \\> a ]')]).toEqual([0, 1, 0, 0, 0]);
    expect([st('[ -e /proc/loadavg ]'), st('[ -f /proc ]'), st('[ -d /proc ]'), st('[ -e /proc/nope ]'), st('[ -w /proc/sys/vm/swappiness ]'), st('[ -w /proc/loadavg ]')]).toEqual([0, 1, 0, 1, 0, 1]);
    expect([st('[ ! -e /proc/nope ]'), st('[ -d /proc -a -e /proc/nope ]'), st('[ -d /proc -o -e /proc/nope ]'), st('[ \\( 1 -eq 1 \\) ]')]).toEqual([0, 1, 0, 0]);
    expect(sh(k, '[ 1 -lt 2')).toMatchObject({ output: "bash: [: missing `]'\n", exitStatus: 2 });
    expect(sh(k, '[ x -gt 1 ]')).toMatchObject({ output: 'bash: [: x: integer expression expected\n', exitStatus: 2 });
    expect(sh(k, '[ 1 -lt ]')).toMatchObject({ output: 'bash: [: 1: unary operator expected\n', exitStatus: 2 });
    expect(sh(k, 'test a b c')).toMatchObject({ output: 'bash: test: b: binary operator expected\n', exitStatus: 2 });
    expect(sh(k, '[ a = b c d e ]')).toMatchObject({ output: 'bash: [: too many arguments\n', exitStatus: 2 });
  });

  it('date: the machine\'s clock (btime plus the virtual time since), the C locale\'s format, +FORMAT', () => {
    const btime = Number(/^btime (\d+)$/m.exec(sh(k, 'cat /proc/stat').output)?.[1]);
    const secs = btime + Math.floor(k.now / 1e9);
    expect(sh(k, 'date +%s').output).toBe(`${secs}\n`);
    expect(sh(k, 'date +%N').output).toBe(`${String(k.now % 1e9).padStart(9, '0')}\n`);
    const d = new Date(secs * 1000);
    expect(sh(k, 'date').output).toBe(`${d.toUTCString().slice(0, 3)} ${d.toUTCString().slice(8, 11)} ${String(d.getUTCDate()).padStart(2)} ${d.toISOString().slice(11, 19)} UTC ${d.getUTCFullYear()}\n`);
    expect(sh(k, 'date "+%F %T %% %j"').output).toBe(`${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)} % ${String(Math.floor((secs * 1000 - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1).padStart(3, '0')}\n`);
    expect(sh(k, 'date 0101')).toMatchObject({ output: 'date: cannot set date: Operation not permitted\n', exitStatus: 1 });
  });

  it('lscpu: the summary from /proc/cpuinfo and sysfs\'s CPU lists, as lscpu prints to a pipe; -e a row per CPU', () => {
    const lines = sh(k, 'lscpu').output.trimEnd().split('\n');
    // The data column starts one space after the longest field, on every line.
    const col = lines.map((l) => /^(.*?:\s+)\S/.exec(l)?.[1]?.length);
    expect(new Set(col)).toEqual(new Set(['On-line CPU(s) list: '.length]));
    const field = (name: string): string | undefined => lines.find((l) => l.startsWith(`${name}:`))?.slice(col[0] as number);
    const info = sh(k, 'head -n 20 /proc/cpuinfo').output;
    const cpuinfo = (key: string): string => new RegExp(`^${key}\\s*: (.*)$`, 'm').exec(info)?.[1] ?? '';
    expect(field('CPU(s)')).toBe(String(k.nrCpus));
    expect(field('On-line CPU(s) list')).toBe(`0-${k.nrCpus - 1}`);
    expect(field('Model name')).toBe(cpuinfo('model name'));
    expect(field('Flags')).toBe(cpuinfo('flags'));
    expect(field('BogoMIPS')).toBe(cpuinfo('bogomips'));
    expect([field('Thread(s) per core'), field('Core(s) per socket'), field('Socket(s)')]).toEqual(['1', String(k.nrCpus), '1']);
    expect(lines[0]).toBe('Architecture:        x86_64');
    expect(sh(k, 'lscpu -e').output.split('\n').slice(0, 3)).toEqual(['CPU SOCKET CORE ONLINE', '  0      0    0    yes', '  1      0    1    yes']);
    expect(sh(k, 'lscpu -J')).toMatchObject({ output: 'lscpu: -J: not on this machine (its lscpu prints the summary and -e)\n', exitStatus: 1 });
    expect(sh(k, 'lscpu -a').output).toBe('lscpu: options --all, --online and --offline may only be used with options --extended or --parse.\n');
  });

  it('vmstat -m: /proc/slabinfo as procps prints it (objects per slab under "Pages"), the header every 21 rows', () => {
    const caches = sh(k, 'cat /proc/slabinfo')
      .output.split('\n')
      .slice(2)
      .filter((l) => l !== '')
      .map((l) => l.split(/\s+/));
    const lines = sh(k, 'vmstat -m').output.trimEnd().split('\n');
    const header = 'Cache                       Num  Total   Size  Pages';
    expect(lines.filter((l) => l === header)).toHaveLength(Math.ceil(caches.length / 21));
    const rows = lines.filter((l) => l !== header);
    expect(rows).toEqual(caches.map((c) => `${(c[0] as string).padEnd(24)} ${(c[1] as string).padStart(6)} ${(c[2] as string).padStart(6)} ${(c[3] as string).padStart(6)} ${(c[4] as string).padStart(6)}`));
    expect(sh(k, 'vmstat -m -n').output.split('\n').filter((l) => l === header)).toHaveLength(1);
  });

  it('file descriptor redirections: 2> and 2>> the errors, 2>&1 with the output (left to right), >&2 and &>', () => {
    const ENOENT = 'cat: /nope: No such file or directory\n';
    expect(sh(k, 'cat /nope /proc/version 2>/dev/null').output).toBe(sh(k, 'cat /proc/version').output);
    expect(sh(k, 'cat /nope 2>>/dev/null; echo $?').output).toBe('1\n');
    // 2>&1 into a pipe: the error is counted; after > FILE it goes into the file; before it, to the terminal.
    expect(sh(k, 'cat /nope 2>&1 | wc -l').output).toBe('1\n');
    expect(sh(k, 'cat /nope > /dev/null 2>&1').output).toBe('');
    expect(sh(k, 'cat /nope 2>&1 > /dev/null').output).toBe(ENOENT);
    expect(sh(k, 'cat /nope &> /dev/null; echo $?').output).toBe('1\n');
    // >&2: the output goes to the errors, so a pipe gets nothing; 1> is >.
    expect(sh(k, 'echo x >&2 | wc -c').output).toBe('x\n0\n');
    expect(sh(k, 'echo x 1>/dev/null').output).toBe('');
    // The errors of writing them somewhere are the shell's.
    expect(sh(k, 'cat /nope 2>/proc/loadavg').output).toBe('bash: /proc/loadavg: Permission denied\n');
    expect(sh(k, 'cat /nope 2>').output).toBe("bash: syntax error near unexpected token `newline'\n");
  });

  it('a > or 2> file the shell cannot open stops the command before it runs, as in bash; $(...) is a subshell', () => {
    const m = machine({ nrCpus: 1 });
    const t = spawn(m, { comm: 'hog' });
    expect(sh(m, `renice 5 -p ${t.pid} > /proc/loadavg; echo $?`).output).toBe('bash: /proc/loadavg: Permission denied\n1\n');
    expect(t.nice).toBe(0);
    expect(sh(m, 'echo 1 > /proc/nope').output).toBe('bash: /proc/nope: No such file or directory\n');
    expect(sh(m, 'echo 1 > /proc').output).toBe('bash: /proc: Is a directory\n');
    // What the file refuses once open is a write error, after the command ran.
    expect(sh(m, 'echo 9 > /proc/sys/vm/overcommit_memory').output).toBe('bash: echo: write error: Invalid argument\n');
    // Variables and cd inside $(...), or in one part of a pipeline, are the subshell's.
    expect(sh(m, 'x=$(y=1; cd /proc; pwd; echo $y); echo "$x [$y]"; pwd').output).toBe('/proc\n1 []\n/\n');
    expect(sh(m, 'cd /proc | cat; export Z=1 | cat; pwd; echo "[$Z]"').output).toBe('/\n[]\n');
  });

  it('/dev/null takes what is written and reads empty; wc counts what it is asked (-l -w -c -m), bare for one', () => {
    expect(sh(k, 'cat /proc/version > /dev/null; cat /dev/null; echo $?')).toMatchObject({ output: '0\n' });
    const text = sh(k, 'cat /proc/version').output;
    expect(sh(k, 'cat /proc/version | wc -c').output).toBe(`${Buffer.byteLength(text)}\n`);
    expect(sh(k, 'cat /proc/version | wc -w').output).toBe(`${text.trim().split(/\s+/).length}\n`);
    expect(sh(k, 'cat /proc/version | wc').output).toBe(`${'1'.padStart(7)} ${String(text.trim().split(/\s+/).length).padStart(7)} ${String(Buffer.byteLength(text)).padStart(7)}\n`);
    expect(sh(k, 'wc -l /proc/version').output).toBe('1 /proc/version\n');
    expect(sh(k, 'wc -x')).toMatchObject({ output: "wc: invalid option -- 'x'\nTry 'wc --help' for more information.\n", exitStatus: 1 });
  });

  it('Tab completion: a command name first, a path after "/", the common prefix of several, the choices when stuck', () => {
    const c = (text: string, cursor = text.length): { text: string; cursor: number; candidates: string[] } => completeLine(k, COMMAND_NAMES, text, cursor);
    expect(c('unam')).toEqual({ text: 'uname ', cursor: 6, candidates: [] });
    // The first word after | or ; is a command too; a later word is not (no completion there).
    expect(c('cat /proc/loadavg | hea').text).toBe('cat /proc/loadavg | head ');
    expect(c('cat /proc/loadavg | he').candidates).toEqual(['head', 'help']);
    expect(c('echo unam')).toEqual({ text: 'echo unam', cursor: 9, candidates: [] });
    // Paths: one match completes (a directory with "/", a file with a space), several give their common prefix.
    expect(c('cat /proc/memi').text).toBe('cat /proc/meminfo ');
    expect(c('ls /pr').text).toBe('ls /proc/');
    expect(c('cat /proc/sys/vm/overcommit_').text).toBe('cat /proc/sys/vm/overcommit_');
    expect(c('cat /proc/sys/vm/overcommit_').candidates).toEqual(['overcommit_kbytes', 'overcommit_memory', 'overcommit_ratio']);
    expect(c(`cat /proc/${hog.pid}/sm`).text).toBe(`cat /proc/${hog.pid}/smaps`);
    expect(c(`cat /proc/${hog.pid}/ta`).text).toBe(`cat /proc/${hog.pid}/task/`);
    expect(c(`cat /proc/${hog.pid}/task/`).text).toBe(`cat /proc/${hog.pid}/task/${hog.pid}/`);
    // In the middle of a line, what follows the cursor stays.
    expect(c('cat /proc/loada | wc -l', 15)).toEqual({ text: 'cat /proc/loadavg  | wc -l', cursor: 18, candidates: [] });
    expect(c('frobn')).toEqual({ text: 'frobn', cursor: 5, candidates: [] });
    expect(c('p').candidates).toEqual(['perf', 'pgrep', 'pidof', 'pidstat', 'pkill', 'pmap', 'printf', 'ps', 'pstree', 'pwd']);
  });

  it('pgrep and pkill by name (-x whole), by parent (-P), with a signal; $$ is the shell', () => {
    const m = machine({ nrCpus: 2 });
    const a = spawn(m, { comm: 'job' });
    const b = spawn(m, { comm: 'job2' });
    m.engine.runUntil(10 * MS);
    expect(sh(m, 'pgrep job').output).toBe(`${a.pid}\n${b.pid}\n`);
    expect(sh(m, 'pgrep -x job').output).toBe(`${a.pid}\n`);
    // -d: one line, the delimiter between (what ps -p takes).
    expect(sh(m, 'pgrep -d, job').output).toBe(`${a.pid},${b.pid}\n`);
    expect(sh(m, "pgrep -l --delimiter='; ' job").output).toBe(`${a.pid} job; ${b.pid} job2\n`);
    expect(sh(m, 'ps -o comm= -p $(pgrep -d, job)').output).toBe('job\njob2\n');
    // kthreadd's children, by pattern: not init's.
    expect(sh(m, 'pgrep -l -P 2 kworker/0').output).toMatch(/^\d+ kworker\/0:0$/m);
    expect(sh(m, 'pgrep -P 1 kworker').output).toBe('');
    expect(sh(m, 'pgrep -P x')).toMatchObject({ output: "pgrep: invalid argument for option 'P': x\n", exitStatus: 2 });
    expect(sh(m, 'pgrep nobody')).toMatchObject({ output: '', exitStatus: 1 });
    // -c counts; -n and -o keep the newest and the oldest.
    expect(sh(m, 'pgrep -c job').output).toBe('2\n');
    expect(sh(m, 'pgrep -c nobody')).toMatchObject({ output: '0\n', exitStatus: 1 });
    const c = spawn(m, { comm: 'job3' });
    m.engine.runUntil(15 * MS);
    expect(sh(m, 'pgrep -n job').output).toBe(`${c.pid}\n`);
    expect(sh(m, 'pgrep -o -l job').output).toBe(`${a.pid} job\n`);
    expect(sh(m, 'pkill -c -CONT job3').output).toBe('1\n');
    // $$ is the login shell's pid, in words and in a redirection's path.
    const shell = m.loginShellPid;
    expect(sh(m, 'echo $$ "$$"').output).toBe(`${m.loginShellPid} ${m.loginShellPid}\n`);
    expect(shell).toBe(m.loginShellPid);
    expect(sh(m, 'echo 500 > /proc/$$/oom_score_adj; cat /proc/$$/oom_score_adj').output).toBe('500\n');
    expect(sh(m, "echo '$$'").output).toBe('$$\n');
    expect(sh(m, 'pkill -STOP -x job2; echo $?')).toMatchObject({ output: '0\n' });
    m.engine.runUntil(20 * MS);
    expect(taskStateLetter(b)).toBe('T');
    expect(sh(m, 'pkill -e -x job').output).toBe(`job killed (pid ${a.pid})\n`);
    m.engine.runUntil(30 * MS);
    expect(a.exitReason).toBe('signal');
    expect(sh(m, 'pkill -x job; echo $?').output).toBe('1\n');
    expect(sh(m, 'pkill --signal NOPE job2')).toMatchObject({ output: 'pkill: Unknown signal "NOPE".\n', exitStatus: 2 });
  });

  it('nice, chrt and taskset in front of a command: what it starts gets their attributes, its own options win', () => {
    const m = machine({ nrCpus: 4 });
    const pidOf = (out: string): number => Number(/\[(\d+)\]/.exec(out)?.[1]);
    const n10 = m.tasks.get(pidOf(sh(m, 'nice -n 10 stress-ng --cpu 2').output));
    const n5 = m.tasks.get(pidOf(sh(m, 'nice -5 spawn cpu-hog').output));
    const own = m.tasks.get(pidOf(sh(m, 'nice -n 10 spawn cpu-hog --nice 2').output));
    const fifo = m.tasks.get(pidOf(sh(m, 'chrt -f 50 stress-ng --cpu 1').output));
    const rr = m.tasks.get(pidOf(sh(m, 'chrt 7 spawn cpu-hog').output));
    const pinned = m.tasks.get(pidOf(sh(m, 'taskset -c 2-3 stress-ng --cpu 2').output));
    const nested = m.tasks.get(pidOf(sh(m, 'taskset 1 chrt -b 0 nice -n 3 spawn cpu-hog').output));
    expect([n10?.nice, n5?.nice, own?.nice]).toEqual([10, 5, 2]);
    expect([fifo?.policy, fifo?.rtPriority, rr?.policy, rr?.rtPriority]).toEqual([1, 50, 2, 7]);
    expect(pinned?.cpusAllowed.toList()).toBe('2-3');
    expect([nested?.policy, nested?.nice, nested?.cpusAllowed.toList()]).toEqual([3, 3, '0']);
    // stress-ng's workers inherit from their parent at fork (a nice-10 parent among hogs forks slowly).
    m.engine.runUntil(1000 * MS);
    const workers = (parent: number | undefined): { nice: number; policy: number; rtPriority: number; cpus: string }[] =>
      [...m.tasks.values()].filter((t) => t.parent?.pid === parent).map((t) => ({ nice: t.nice, policy: t.policy, rtPriority: t.rtPriority, cpus: t.cpusAllowed.toList() }));
    expect(workers(n10?.pid)).toEqual([{ nice: 10, policy: 0, rtPriority: 0, cpus: '0-3' }, { nice: 10, policy: 0, rtPriority: 0, cpus: '0-3' }]);
    expect(workers(fifo?.pid)).toEqual([{ nice: 0, policy: 1, rtPriority: 50, cpus: '0-3' }]);
    expect(workers(pinned?.pid).map((w) => w.cpus)).toEqual(['2-3', '2-3']);
    expect(sh(m, 'nice').output).toBe('0\n');
    expect(sh(m, 'nice -n 5')).toMatchObject({ output: 'nice: a command must be given with an adjustment\n', exitStatus: 125 });
    expect(m.tasks.get(pidOf(sh(m, 'nice --5 spawn cpu-hog').output))?.nice).toBe(-5);
    expect(sh(m, 'chrt -f 0 spawn cpu-hog').output).toBe('chrt: unsupported priority value for the policy: 0 (see --max for valid range)\n');
    expect(sh(m, 'taskset -c 9 spawn cpu-hog')).toMatchObject({ output: 'taskset: failed to parse CPU list: 9\n', exitStatus: 1 });
    expect(sh(m, 'nice -n x ps').exitStatus).toBe(125);
    // The -p forms are the commands' own.
    expect(sh(m, 'taskset -p 1').output).toBe("pid 1's current affinity mask: f\n");
  });

  it("perf sched latency: perf's table from the recorded tracepoints agrees with the kernel's own run-delay accounting", () => {
    const m = machine({ nrCpus: 1 });
    const a = spawn(m, { comm: 'hog' });
    const b = spawn(m, { comm: 'hog' });
    m.engine.runUntil(1 * SEC);
    expect(sh(m, 'perf sched latency')).toMatchObject({ output: "perf: No sched_switch events found. Have you run 'perf sched record'?\n", exitStatus: 1 });
    expect(sh(m, 'perf sched record').output).toBe('[ perf sched record: since 1.000000 s; see perf sched latency, map, timehist ]\n');
    const before = [a, b].map((t) => ({ delay: t.runDelayNs, runs: t.pcount, cpu: t.sumExecRuntimeNs }));
    m.engine.runUntil(3 * SEC);
    const out = sh(m, 'perf sched latency -p').output.split('\n');
    expect(out[0]).toBe('');
    expect(out[1]).toBe(` ${'-'.repeat(139)}`);
    expect(out[2]).toBe('  Task                  |   Runtime ms  | Switches | Avg delay ms    | Max delay ms    | Max delay start           | Max delay end          |');
    for (const [i, t] of [a, b].entries()) {
      const row = out.find((l) => l.startsWith(`  hog:${t.pid} `));
      const f = /^ {2}hog:\d+ +\| +([\d.]+) ms \| +(\d+) \| avg: +([\d.]+) ms \| max: +([\d.]+) ms \| max start: +([\d.]+) s \| max end: +([\d.]+) s$/.exec(row ?? '');
      expect(f, row).not.toBeNull();
      const [runtime, switches, avg] = [Number(f?.[1]), Number(f?.[2]), Number(f?.[3])];
      const was = before[i] as { delay: number; runs: number; cpu: number };
      // The same waits, counted by the kernel (sched_info) and rebuilt by perf from the switches; but for the
      // wait under way when the recording started, which perf first sees at its end (a delay of 0 to it).
      expect(switches).toBe(t.pcount - was.runs);
      expect(Math.abs(avg - (t.runDelayNs - was.delay) / (t.pcount - was.runs) / 1e6)).toBeLessThanOrEqual(4.0001 / switches + 0.0005);
      // And the same runtime, less the run under way when the recording started: perf, which has not seen it
      // begin, counts it from nothing (latency_switch_event()'s first delta on a CPU is 0), at most a tick.
      const kernelMs = (t.sumExecRuntimeNs - was.cpu) / 1e6;
      expect(runtime).toBeLessThanOrEqual(kernelMs + 0.0005);
      expect(runtime).toBeGreaterThanOrEqual(kernelMs - 4.0005);
      // Each end is its start plus the max delay.
      expect(Number(f?.[6]) - Number(f?.[5])).toBeCloseTo(Number(f?.[4]) / 1000, 5);
    }
    // By command name (the default), the two hogs are one line.
    expect(sh(m, 'perf sched latency').output).toMatch(/\n {2}hog:\(2\) {15}\|/);
    expect(sh(m, 'perf sched latency -s nope').output).toBe("perf sched latency: Unknown --sort key: `nope'\n");
  });

  it('perf sched timehist: a line per switch-out, with the time off the CPU, the wait from wakeup, and the run', () => {
    const m = machine({ nrCpus: 1 });
    spawn(m, { comm: 'hog' });
    const ed = spawn(m, {
      comm: 'editor',
      program: function* () {
        for (;;) {
          yield { op: 'run', ns: 300_000 };
          yield { op: 'sleep', ns: 10 * MS };
        }
      },
    });
    m.engine.runUntil(1 * SEC);
    sh(m, 'perf sched record');
    m.engine.runUntil(2 * SEC);
    const out = sh(m, 'perf sched timehist').output.split('\n');
    expect(out.slice(0, 3)).toEqual([
      '           time    cpu  task name                       wait time  sch delay   run time',
      '                        [tid/pid]                          (msec)     (msec)     (msec)',
      '--------------- ------  ------------------------------  ---------  ---------  ---------',
    ]);
    const rows = out.slice(3).filter((l) => l !== '').map((l) => {
      const f = /^ +([\d.]+) \[(\d{4})\] {2}(\S+) +([\d.]+) +([\d.]+) +([\d.]+) $/.exec(l);
      if (f === null) throw new Error(`bad line: ${l}`);
      return { t: Number(f[1]), task: f[3] as string, wait: Number(f[4]), delay: Number(f[5]), run: Number(f[6]) };
    });
    const edRows = rows.filter((r) => r.task === `editor[${ed.pid}]`).slice(1);
    expect(edRows.length).toBeGreaterThan(80);
    for (const r of edRows) {
      // Each run is its 0.3 ms burst; before it, 10 ms asleep and then the wait for the hog to give way.
      expect(r.run).toBeCloseTo(0.3, 3);
      expect(r.wait - r.delay).toBeCloseTo(10, 2);
    }
    // A preempted hog is ready to run at once: all its time off the CPU is scheduling delay.
    for (const r of rows.filter((x) => x.task.startsWith('hog[') && x.wait > 0)) expect(r.delay).toBe(r.wait);
    // Lines in time order; on one CPU each run ends where the next begins, so the runs cover the recording.
    expect(rows.every((r, i) => i === 0 || r.t >= (rows[i - 1] as { t: number }).t)).toBe(true);
    const first = rows[0] as { t: number };
    const last = rows[rows.length - 1] as { t: number };
    expect(rows.slice(1).reduce((a, r) => a + r.run, 0)).toBeCloseTo((last.t - first.t) * 1000, 0);
  });

  it('perf sched map: a column per CPU, the switching CPU starred, short names given at first sight', () => {
    const m = machine({ nrCpus: 2 });
    const a = spawn(m, { comm: 'alpha', cpus: [0] });
    const b = spawn(m, { comm: 'beta', cpus: [0] });
    const c = spawn(m, {
      comm: 'gamma',
      cpus: [1],
      program: function* () {
        for (;;) {
          yield { op: 'run', ns: 1 * MS };
          yield { op: 'sleep', ns: 9 * MS };
        }
      },
    });
    m.engine.runUntil(1 * SEC);
    expect(sh(m, 'perf sched map')).toMatchObject({ output: "perf: No sched_switch events found. Have you run 'perf sched record'?\n", exitStatus: 1 });
    sh(m, 'perf sched record');
    m.engine.runUntil(1.1 * SEC);
    const lines = sh(m, 'perf sched map').output.split('\n');
    expect(lines.at(-1)).toBe('');
    const rows = lines.slice(0, -1).map((l) => {
      const f = /^ {2}([ *])(..) ([ *])(..) {3}( *[\d.]+) secs (.*)$/.exec(l);
      if (f === null) throw new Error(`bad line: '${l}'`);
      return { star0: f[1] === '*', cpu0: f[2] as string, star1: f[3] === '*', cpu1: f[4] as string, t: Number(f[5]), note: f[6] as string };
    });
    expect(rows.length).toBeGreaterThan(20);
    // Exactly one CPU switched on each line; a CPU shows nothing until its first switch in the recording.
    for (const r of rows) expect(Number(r.star0) + Number(r.star1)).toBe(1);
    const firstOn1 = rows.findIndex((r) => r.star1);
    expect(rows.slice(0, firstOn1).every((r) => r.cpu1 === '  ')).toBe(true);
    // Each task is named once, when it first switches in, with the next short name (A0, B0, ...); idle is
    // '.', perf's swapper:0.
    const notes = rows.map((r) => r.note).filter((n) => n !== '');
    expect(notes).toContain('.  => swapper:0');
    const tasks = notes.filter((n) => !n.startsWith('.'));
    expect(tasks.map((n) => n.slice(0, 2))).toEqual(tasks.map((_n, i) => `${String.fromCharCode(65 + i)}0`));
    const short = (t: { comm: string; pid: number }): string => tasks.find((n) => n.endsWith(` => ${t.comm}:${t.pid}`))?.slice(0, 2) ?? '?';
    expect(new Set(notes).size).toBe(notes.length);
    // CPU 0 alternates the two hogs; CPU 1 runs gamma and idles.
    const on = (cpu: 0 | 1): Set<string> => new Set(rows.filter((r) => (cpu === 0 ? r.star0 : r.star1)).map((r) => (cpu === 0 ? r.cpu0 : r.cpu1)));
    expect(on(0)).toContain(short(a));
    expect(on(0)).toContain(short(b));
    expect(on(1)).toContain(short(c));
    expect(on(1)).toContain('. ');
    // Times run forward within the recording.
    expect(rows.every((r, i) => i === 0 || r.t >= (rows[i - 1] as { t: number }).t)).toBe(true);
    expect((rows[0] as { t: number }).t).toBeGreaterThanOrEqual(1);
  });

  it('stress-ng forks its workers under a stress-ng parent, which stops them at --timeout and exits', () => {
    // A session: the parent stops its workers with a shell step (pkill -P $$), which needs the machine's shell.
    const m = new Session(parseScenarioText('stress.json', JSON.stringify({ name: 'stress', machine: { cpus: 4 }, tasks: [] })), machineHooks()).k;
    const r = sh(m, 'stress-ng --cpu 0 --io 1 --vm 1 --vm-bytes 8M --timeout 2');
    const parent = Number(/^stress-ng: info: {2}\[(\d+)\] dispatching hogs: 4 cpu, 1 io, 1 vm\n$/.exec(r.output)?.[1]);
    expect(m.tasks.get(parent)?.comm).toBe('stress-ng');
    m.engine.runUntil(1 * SEC);
    const kids = [...m.tasks.values()].filter((t) => t.parent?.pid === parent && t.alive);
    expect(kids.map((t) => t.comm).sort()).toEqual(['stress-ng-cpu', 'stress-ng-cpu', 'stress-ng-cpu', 'stress-ng-cpu', 'stress-ng-io', 'stress-ng-vm']);
    // The cpu workers keep the four CPUs busy; the io worker sleeps in D.
    expect(sh(m, `ps -o stat,comm -p ${kids.map((t) => t.pid).join(',')} | grep -c '^D'`).output).toBe('1\n');
    m.engine.runUntil(2.5 * SEC);
    expect(kids.every((t) => !t.alive && t.exitReason === 'signal')).toBe(true);
    expect(m.tasks.has(parent)).toBe(false);
    // Policy and affinity go to the parent and its children inherit them.
    sh(m, 'stress-ng --cpu 2 --sched fifo --sched-prio 10 --taskset 1');
    m.engine.runUntil(3 * SEC);
    expect(sh(m, 'ps -eo cls,rtprio,psr,comm | grep stress-ng-cpu').output).toBe(' FF     10   1 stress-ng-cpu\n FF     10   1 stress-ng-cpu\n');
    expect(sh(m, 'stress-ng --cpu x')).toMatchObject({ output: "stress-ng: invalid number of cpu stressors 'x'\n", exitStatus: 1 });
    expect(sh(m, 'stress-ng --timeout 5').output).toMatch(/^stress-ng: no stressors given\nusage: stress-ng /);
    expect(sh(m, 'stress-ng --bogus 1').output).toMatch(/^stress-ng: unrecognized option '--bogus'\n/);
  });

  it('grep reads files and speaks basic and extended regular expressions', () => {
    expect(sh(k, "grep -E '^(MemTotal|SwapTotal):' /proc/meminfo").output).toMatch(/^MemTotal: +\d+ kB\nSwapTotal: +\d+ kB\n$/);
    expect(sh(k, "grep 'MemTotal\\|SwapTotal' /proc/meminfo").output.split('\n')).toHaveLength(3);
    expect(sh(k, "grep 'a|b' /proc/meminfo").exitStatus).toBe(1);
    expect(sh(k, 'grep -c . /proc/loadavg /proc/nope').output).toBe('grep: /proc/nope: No such file or directory\n1\n');
    expect(sh(k, 'head -n 1 /proc/vmstat').output).toMatch(/^nr_free_pages \d+\n$/);
    expect(sh(k, 'grep -F . /proc/version').exitStatus).toBe(0);
    expect(sh(k, 'tail -n 1 /proc/vmstat').output).toBe('oom_kill 0\n');
  });

  it('spawn presets and JSON tasks', () => {
    const r = sh(k, 'spawn cpu-hog --comm burner --nice 5');
    expect(r.output).toMatch(/^\[\d+\] burner\n$/);
    expect(sh(k, 'spawn nosuch').output).toContain("spawn: unknown preset 'nosuch'");
    expect(sh(k, `spawn --json '{"comm":"j","program":[{"run":"5 parsecs"}]}'`).output).toBe('spawn: program[0].run: expected a duration like "5ms"\n');
  });
});

describe('command language fuzz', () => {
  const WORDS = ['pstree', 'less', 'read', 'awk', 'printf', 'xargs', 'tr', 'tee', 'sudo', 'cd', 'pwd', 'export', 'unset', 'hostname', '<', 'cat', 'echo', 'sysctl', 'dmesg', 'ps', 'free', 'renice', 'chrt', 'taskset', 'kill', 'spawn', 'slabtop', 'uptime', 'ls', 'grep', 'head', 'tail', 'wc', 'help', 'sync', 'uname', 'pgrep', 'pidof', 'nproc', 'top', 'sort', 'cut', 'uniq', 'swapon', 'pmap', 'seq', 'lscpu', 'vmstat', 'test', '[', 'sleep', 'while', 'until', 'if', '!', 'break', 'continue'];
  const ARGS = ['-n', '-p', '-c', '-f', '-r', '-o', '-e', '-a', '-9', '-s', '-w', '-x', '-T', '-l', '--json', '1', '0', '-1', '200', '99999', '3', 'm', 't', 's', 'x', '/proc/sys/vm/drop_caches', '/proc/sysrq-trigger', '/proc/sys/kernel/sysrq', '/proc/1/oom_score_adj', '/proc/loadavg', '/dev/kmsg', 'vm.overcommit_memory=1', 'kernel.printk="8 4 1 7"', 'cpu-hog', 'leak', '{', '"', "'", '|', '>', '>>', ';', '&&', '||', '0-1', 'ff', '-b', '-k2n', '-t:', '-d', '-1', '--sort=-%cpu', 'pid=', '$(pidof hog)', '`nproc`', '"$(echo a b)"', '$(', ')', '', '/proc/self/maps', 'for', 'x', 'in', 'do', 'done', '$x', 'while', 'true', 'false', 'then', 'elif', 'else', 'fi', ']', '-eq', '-lt', '=', '-d', '-z', '$((1+2))', '$((x/0))', '$((', 'x=$((x+1))', '/dev/null', '-q', 'break', '2', '-eLf', '-ely', '-L', '-y', '/proc/1/task/1/stat', '/proc/1/task', '2>', '2>&1', '>&2', '&>', '2>>', '%d', '%s\\n', '%*.*f', '-I{}', '{}', '-rn', '-A', '+2', '<', "'{print $1}'", "'/x/ {n++} END {print n}'", "'BEGIN {'", '-F:', "'{a[$1]++}'", "'NR==1,NR==2'", '-r', 'done |', '| while read x; do', 'done <', '*', '/proc/*/comm', '/proc/[0-9]*', '?', '[', '[!a]*', '-A1', '-C', '-B2'];
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`seed ${seed}: 400 random command lines never throw and keep the machine consistent`, () => {
      const rng = new Xoshiro128(seed, 'fuzz');
      const k = machine({ nrCpus: 2, memoryBytes: 512 * 1024 ** 2 });
      spawn(k, { comm: 'hog' });
      const inv = new InvariantChecker(k);
      for (let i = 0; i < 400; i++) {
        const n = 1 + rng.intBelow(5);
        const parts = [WORDS[rng.intBelow(WORDS.length)] as string];
        for (let j = 0; j < n; j++) parts.push(ARGS[rng.intBelow(ARGS.length)] as string);
        let line = parts.join(' ');
        if (rng.chance(1, 5)) {
          // Mutate: drop, duplicate or flip a character.
          const pos = rng.intBelow(Math.max(1, line.length));
          line = line.slice(0, pos) + String.fromCharCode(32 + rng.intBelow(95)) + line.slice(pos + 1);
        }
        const r = sh(k, line);
        expect(typeof r.output).toBe('string');
        if (r.exitStatus !== 0) {
          expect(r.error).not.toBeNull();
          expect(r.output).not.toMatch(/\bat .*\.(ts|js):\d+/);
        }
        if (k.halted !== null) break;
        k.engine.runUntil(k.now + 2 * MS);
        expect(inv.check()).toEqual([]);
        expect(checkMemory(k)).toEqual([]);
      }
    });
  }
});
