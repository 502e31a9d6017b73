/**
 * The text filters (sort, cut, uniq, head -c) as GNU coreutils behave in the C locale, and the ps options that
 * feed them (--sort, renamed and empty headers), on a real machine's output.
 */
import { describe, expect, it } from 'vitest';
import { SEQ_MAX } from '../../src/shell/cmd-text.js';
import { runShell } from '../../src/shell/shell.js';
import { shellEnv } from '../../src/sim/machine-hooks.js';
import { machine, SEC, spawn } from '../helpers/machine.js';

describe('text filters and ps options', () => {
  const k = machine({ nrCpus: 4 });
  const hogs = [spawn(k, { comm: 'hog' }), spawn(k, { comm: 'hog' }), spawn(k, { comm: 'zed', nice: 5 })];
  k.engine.runUntil(2 * SEC);
  const sh = (line: string): { output: string; exitStatus: number } => runShell(shellEnv(k), line);

  it('sort: byte order, -n numeric, -r, -u, -k fields with -t', () => {
    expect(sh("echo 'b\nB\na\n10\n9' | sort").output).toBe('10\n9\nB\na\nb\n');
    expect(sh("echo 'b\nB\na\n10\n9' | sort -n").output).toBe('B\na\nb\n9\n10\n');
    expect(sh("echo '3\n1\n2' | sort -rn").output).toBe('3\n2\n1\n');
    expect(sh("echo 'x 2\ny 1\nz 2' | sort -k2n").output).toBe('y 1\nx 2\nz 2\n');
    expect(sh("echo 'x 2\ny 1\nz 2' | sort -k2n -u").output).toBe('y 1\nx 2\n');
    expect(sh("echo 'a:3\nb:1\nc:2' | sort -t: -k2,2 -r").output).toBe('a:3\nc:2\nb:1\n');
    expect(sh('sort -x')).toMatchObject({ output: "sort: invalid option -- 'x'\nTry 'sort --help' for more information.\n", exitStatus: 2 });
  });

  it('cut: fields with a delimiter (lines without it whole, or none with -s), characters', () => {
    const load = sh('cat /proc/loadavg').output.trim().split(' ');
    expect(sh("cut -d' ' -f1,4 /proc/loadavg").output).toBe(`${load[0]} ${load[3]}\n`);
    expect(sh("echo 'a:b:c\nplain' | cut -d: -f2-").output).toBe('b:c\nplain\n');
    expect(sh("echo 'a:b:c\nplain' | cut -s -d: -f-2").output).toBe('a:b\n');
    expect(sh("echo 'kernsim' | cut -c1-4,7").output).toBe('kernm\n');
    expect(sh('cut -d: /proc/loadavg')).toMatchObject({ output: 'cut: you must specify a list of bytes, characters, or fields\n', exitStatus: 1 });
  });

  it('uniq: adjacent runs once, -c counts them, -d only repeated, -u only single', () => {
    expect(sh("echo 'a\na\nb\na' | uniq").output).toBe('a\nb\na\n');
    expect(sh("echo 'a\na\nb\na' | uniq -c").output).toBe('      2 a\n      1 b\n      1 a\n');
    expect(sh("echo 'a\na\nb' | uniq -d").output).toBe('a\n');
    expect(sh("echo 'a\na\nb' | uniq -u").output).toBe('b\n');
  });

  it('ps -eo psr= | sort -n | uniq -c counts the tasks on each CPU, headerless', () => {
    const counts = new Map<number, number>();
    for (const t of k.tasks.values()) if (t.exitState === 0) counts.set(t.cpu, (counts.get(t.cpu) ?? 0) + 1);
    const want = [...counts].sort((a, b) => a[0] - b[0]).map(([cpu, n]) => `${String(n).padStart(7)} ${String(cpu).padStart(3)}`);
    expect(sh('ps -eo psr= | sort -n | uniq -c').output).toBe(`${want.join('\n')}\n`);
  });

  it('ps --sort: keys in order, - for descending, on the raw value of formatted columns', () => {
    const rows = sh('ps -eo pid,comm,time --sort=-time,pid').output.trim().split('\n').slice(1);
    const pids = rows.map((r) => Number(r.trim().split(/\s+/)[0]));
    const sum = (pid: number): number => k.tasks.get(pid)?.sumExecRuntimeNs ?? 0;
    for (let i = 1; i < pids.length; i++) {
      const [a, b] = [pids[i - 1] as number, pids[i] as number];
      expect(sum(a) > sum(b) || (sum(a) === sum(b) && a < b)).toBe(true);
    }
    expect(pids.slice(0, 3).sort((a, b) => a - b)).toEqual(hogs.map((t) => t.pid));
    expect(sh('ps -e --sort comm -o comm=').output.split('\n').filter((l) => l !== '')).toEqual(
      [...k.tasks.values()].filter((t) => t.exitState === 0).map((t) => t.comm).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    expect(sh('ps -e --sort=nope')).toMatchObject({ output: 'ps: error: unknown sort specifier "nope"\n', exitStatus: 1 });
  });

  it('ps -o NAME=HEADER renames a header; right-aligned columns are padded even when last', () => {
    expect(sh('ps -o pid=PROCESS,comm -p 1').output).toBe('PROCESS COMMAND\n      1 init\n');
    expect(sh('ps -o pid= -p 1').output).toBe('      1\n');
  });

  it('seq: FIRST, INCREMENT, LAST; fraction digits of FIRST and INCREMENT; -w, -s, -f; coreutils errors', () => {
    expect(sh('seq 3').output).toBe('1\n2\n3\n');
    expect(sh('seq 5 -2 0').output).toBe('5\n3\n1\n');
    expect(sh('seq -1 1').output).toBe('-1\n0\n1\n'); // a negative number is an operand
    expect(sh('seq 5 1')).toMatchObject({ output: '', exitStatus: 0 });
    // 0 + 3 * 0.1 is 0.30000000000000004: it prints as LAST, so it is LAST.
    expect(sh('seq 0 0.1 0.3').output).toBe('0.0\n0.1\n0.2\n0.3\n');
    expect(sh('seq 0.5 2').output).toBe('0.5\n1.5\n');
    expect(sh('seq 1e2 1e2').output).toBe('100\n');
    expect(sh('seq -w 8 11').output).toBe('08\n09\n10\n11\n');
    expect(sh('seq -w -2 1').output).toBe('-2\n-1\n00\n01\n');
    expect(sh('seq -s, 1 4').output).toBe('1,2,3,4\n');
    expect(sh('seq -f node%g 1 2').output).toBe('node1\nnode2\n');
    expect(sh('seq -f %03g 9 10').output).toBe('009\n010\n');
    expect(sh('seq -f %.2f 1 0.5 2').output).toBe('1.00\n1.50\n2.00\n');
    expect(sh("seq -f '%e' 1 1").output).toBe('1.000000e+00\n');
    expect(sh("seq -f '100%%:%g' 1 1").output).toBe('100%:1\n');
    expect(sh('for i in $(seq 2 3); do echo cpu$i; done').output).toBe('cpu2\ncpu3\n');
    const usage = "Try 'seq --help' for more information.\n";
    expect(sh('seq')).toMatchObject({ output: `seq: missing operand\n${usage}`, exitStatus: 1 });
    expect(sh('seq 1 2 3 4')).toMatchObject({ output: `seq: extra operand '4'\n${usage}`, exitStatus: 1 });
    expect(sh('seq x')).toMatchObject({ output: `seq: invalid floating point argument: 'x'\n${usage}`, exitStatus: 1 });
    expect(sh('seq 1 0 3')).toMatchObject({ output: `seq: invalid Zero increment value: '0'\n${usage}`, exitStatus: 1 });
    expect(sh('seq -f %d 1 2')).toMatchObject({ output: "seq: format '%d' has unknown %d directive\n", exitStatus: 1 });
    expect(sh('seq -f x%% 1 2')).toMatchObject({ output: "seq: format 'x%%' has no % directive\n", exitStatus: 1 });
    expect(sh("seq -f '%-4g|' 1 1").output).toBe('1   |\n');
    expect(sh('seq -f %g%g 1 2')).toMatchObject({ output: "seq: format '%g%g' has too many % directives\n", exitStatus: 1 });
    // The output is one string: a runaway range stops at the shell's limit, with a message and status 1.
    const big = sh(`seq 1 ${SEQ_MAX + 5} | tail -n 1`);
    expect(big.output).toBe(`seq: stopped after ${SEQ_MAX} numbers (this shell's output limit)\n${SEQ_MAX}\n`);
  });

  it('printf: escapes, directives with flags, width and precision, the format again while arguments remain; bash\'s errors', () => {
    expect(sh('printf "%s=%d\\n" a 1 b 2 c').output).toBe('a=1\nb=2\nc=0\n');
    expect(sh('printf "%5.2f|%-4s|%04d|%+d|%x|%X|%#o|%e|%g|%G" 3.14159 ab 42 7 255 255 8 12345.678 0.0001 1e20').output).toBe(' 3.14|ab  |0042|+7|ff|FF|010|1.234568e+04|0.0001|1E+20');
    expect(sh("printf '%*d|%-*s|%.3s|%.0f|%5.1e' 5 42 4 ab abcdef 2.5 12345").output).toBe('   42|ab  |abc|2|1.2e+04');
    // C rounds an exact tie to even (2.5 -> 2, 0.125 -> 0.12, 3.5 -> 4); 1.005 is just under its tie.
    expect(sh("printf '%.0f %.2f %.0f %.2f %.1f' 2.5 0.125 3.5 1.005 0.25").output).toBe('2 0.12 4 1.00 0.2');
    // Character codes, hex and octal arguments, negative numbers through unsigned conversions.
    expect(sh("printf '%d %d %d %x %u' \"'A\" 0x10 010 -1 -1").output).toBe('65 16 8 ffffffffffffffff 18446744073709551615');
    expect(sh('printf "%b|%c|%%|\\x41\\101" "a\\tb\\0101" hello').output).toBe('a\tbA|h|%|AA');
    expect(sh('printf "%s\\n"').output).toBe('\n');
    // echo -e knows the same escapes as %b; -E turns them off again; \c ends the output, newline included.
    expect(sh('echo -e "a\\tb\\x41\\0101"; echo -eE "x\\ty"; echo -e "no\\cmore"').output).toBe('a\tbAA\nx\\ty\nno');
    expect(sh('printf "a\\cb"; printf "%q %q %q" "a b" "" "x$"').output).toBe("aa\\ b '' x\\$");
    expect(sh('printf "%d\\n" abc 12x')).toMatchObject({ output: 'bash: printf: abc: invalid number\nbash: printf: 12x: invalid number\n0\n12\n', exitStatus: 1 });
    expect(sh('printf "%z"')).toMatchObject({ output: "bash: printf: `z': invalid format character\n", exitStatus: 1 });
    expect(sh('printf')).toMatchObject({ output: 'bash: printf: usage: printf [-v var] format [arguments]\n', exitStatus: 2 });
  });

  it('xargs: the input\'s words onto a command, -n at a time, or -I per line; -r, -t; GNU\'s statuses', () => {
    const pids = hogs.map((t) => t.pid);
    expect(sh('pgrep hog | xargs').output).toBe(`${pids.slice(0, 2).join(' ')}\n`);
    expect(sh('seq 5 | xargs -n 2 echo n').output).toBe('n 1 2\nn 3 4\nn 5\n');
    expect(sh(`pgrep zed | xargs -I PID cat /proc/PID/comm`).output).toBe('zed\n');
    expect(sh(`pgrep zed | xargs renice 2 -p; ps -o ni= -p ${pids[2]}`).output).toBe(`${pids[2]} (process ID) old priority 5, new priority 2\n  2\n`);
    expect(sh("echo \"'a b' c\\ d\" | xargs -n 1 echo").output).toBe('a b\nc d\n');
    // No input: GNU runs the command once anyway, unless -r.
    expect(sh('echo | xargs echo x').output).toBe('x\n');
    expect(sh('echo | xargs -r echo x').output).toBe('');
    expect(sh('echo 1 2 | xargs -t echo').output).toBe('echo 1 2\n1 2\n');
    expect(sh('echo /nope | xargs cat')).toMatchObject({ output: 'cat: /nope: No such file or directory\n', exitStatus: 123 });
    expect(sh('echo a | xargs nosuch')).toMatchObject({ output: 'xargs: nosuch: No such file or directory\n', exitStatus: 127 });
    expect(sh("echo \"it's\" | xargs")).toMatchObject({ exitStatus: 1 });
    expect(sh('echo | xargs vmstat 1').output).toMatch(/xargs: vmstat: with an interval it must run on its own/);
  });

  it('tr: translate with ranges, classes and repeats; -d, -s, -c; coreutils\' messages', () => {
    expect(sh(`cat /proc/${hogs[0]?.pid}/cmdline | tr '\\0' ' '`).output).toBe('hog ');
    expect(sh('echo Hello World | tr a-z A-Z').output).toBe('HELLO WORLD\n');
    expect(sh("echo 'a  b   c' | tr -s ' '").output).toBe('a b c\n');
    expect(sh('echo hello | tr -d l').output).toBe('heo\n');
    expect(sh("echo abc123 | tr -c '[:digit:]' x").output).toBe('xxx123x');
    expect(sh("echo abcdef | tr a-f 'x[y*]'").output).toBe('xyyyyy\n');
    expect(sh("echo abc | tr abc xy").output).toBe('xyy\n');
    expect(sh("echo 'aa  bb' | tr -ds a ' '").output).toBe(' bb\n');
    expect(sh('echo abc | tr -d')).toMatchObject({ output: "tr: missing operand\nTry 'tr --help' for more information.\n", exitStatus: 1 });
    expect(sh('echo abc | tr a')).toMatchObject({ output: "tr: missing operand after 'a'\nTwo strings must be given when translating.\nTry 'tr --help' for more information.\n", exitStatus: 1 });
    expect(sh('echo abc | tr z-a x').output).toBe("tr: range-endpoints of 'z-a' are in reverse collating sequence order\n");
  });

  it('tee writes its input to each file and to its output; sudo runs its command as root, which the shell is', () => {
    expect(sh('echo 70 | tee /proc/sys/vm/swappiness; cat /proc/sys/vm/swappiness').output).toBe('70\n70\n');
    expect(sh('echo 3 | sudo tee /proc/sys/vm/drop_caches > /dev/null; echo $?').output).toBe('0\n');
    expect(sh('echo 9 | tee /proc/sys/vm/overcommit_memory')).toMatchObject({ output: 'tee: /proc/sys/vm/overcommit_memory: Invalid argument\n9\n', exitStatus: 1 });
    expect(sh('echo x | tee /proc/nope /dev/null').output).toBe('tee: /proc/nope: No such file or directory\nx\n');
    expect(sh('sudo -E sysctl -n vm.swappiness').output).toBe('70\n');
    expect(sh('sudo -u root cat /proc/sys/vm/swappiness').output).toBe('70\n');
    expect(sh('sudo -u bob true')).toMatchObject({ output: 'sudo: unknown user bob\n', exitStatus: 1 });
  });

  it('grep: -n -o -H -h -l -L -c per file, -e, -r through a directory, -s; names when there are several files', () => {
    const total = sh("grep MemTotal /proc/meminfo").output;
    expect(sh('grep -n MemTotal /proc/meminfo').output).toBe(`1:${total}`);
    expect(sh("grep -o '[0-9]* kB' /proc/meminfo | head -1").output).toBe(`${/\d+ kB/.exec(total)?.[0]}\n`);
    expect(sh('grep Name /proc/1/status /proc/2/status').output).toBe('/proc/1/status:Name:\tinit\n/proc/2/status:Name:\tkthreadd\n');
    expect(sh('grep -h Name /proc/1/status /proc/2/status').output).toBe('Name:\tinit\nName:\tkthreadd\n');
    expect(sh('grep -H Name /proc/1/status').output).toBe('/proc/1/status:Name:\tinit\n');
    expect(sh('grep -c processor /proc/cpuinfo /proc/loadavg').output).toBe('/proc/cpuinfo:4\n/proc/loadavg:0\n');
    expect(sh('grep -l init /proc/1/status /proc/2/status; grep -L init /proc/1/status /proc/2/status').output).toBe('/proc/1/status\n/proc/2/status\n');
    expect(sh('grep -e MemFree -e MemTotal /proc/meminfo | cut -d: -f1').output).toBe('MemTotal\nMemFree\n');
    // -r: every tunable under a directory as FILE:VALUE; a write-only file is grep's error, -s silences it.
    const r = sh('grep -r . /proc/sys/vm');
    expect(r.output).toMatch(/\n\/proc\/sys\/vm\/swappiness:\d+\n/);
    expect(r.output).toContain('grep: /proc/sys/vm/drop_caches: Permission denied\n');
    expect(r.exitStatus).toBe(2);
    expect(sh('grep -rs . /proc/sys/vm').output).not.toContain('Permission denied');
    // From the working directory: "./" before each name when "." is given, nothing before it when no file is.
    expect(sh("cd /proc/sys/vm; grep -rs '^[0-9]*$' . | grep swappiness; grep -rs '^[0-9]*$' | grep swappiness; cd /").output).toMatch(/^\.\/swappiness:\d+\nswappiness:\d+\n$/);
    expect(sh('grep Name /proc/1')).toMatchObject({ output: 'grep: /proc/1: Is a directory\n', exitStatus: 2 });
    expect(sh('grep -z x')).toMatchObject({ output: "grep: invalid option -- 'z'\nUsage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n", exitStatus: 2 });
    expect(sh('grep -q MemTotal /proc/meminfo /proc/nope; echo $?').output).toBe('grep: /proc/nope: No such file or directory\n0\n');
  });

  it('grep -A -B -C: the lines around each match, "-" for context, "--" between groups that do not touch', () => {
    const meminfo = sh('cat /proc/meminfo').output.split('\n');
    const at = meminfo.findIndex((l) => l.startsWith('MemFree:'));
    expect(sh('grep -A1 MemFree /proc/meminfo').output).toBe(`${meminfo[at]}\n${meminfo[at + 1]}\n`);
    expect(sh('grep -n -B1 ^MemAvailable /proc/meminfo').output).toBe(`${at + 1}-${meminfo[at]}\n${at + 2}:${meminfo[at + 1]}\n`);
    const groups = sh('grep -C1 -e ^MemTotal -e ^Dirty /proc/meminfo').output.split('\n--\n');
    expect(groups).toHaveLength(2);
    expect(groups[0]?.split('\n').slice(0, 2)).toEqual(meminfo.slice(0, 2));
    expect(sh('grep -A x y')).toMatchObject({ output: 'grep: x: invalid context length argument\n', exitStatus: 2 });
  });

  it('pstree: init\'s tree sorted by name, identical siblings as N*[name], -p with pids, -A in ASCII, PID for another root', () => {
    const m = machine({ nrCpus: 2 });
    const parent = spawn(m, { comm: 'make' });
    for (let i = 0; i < 3; i++) spawn(m, { comm: 'cc1', parentPid: parent.pid });
    spawn(m, { comm: 'audio' });
    m.engine.runUntil(10 * 1e6);
    const run = (line: string): string => runShell(shellEnv(m), line).output;
    expect(run('pstree')).toBe('init─┬─audio\n     ├─bash\n     └─make───3*[cc1]\n');
    expect(run('pstree -A')).toBe('init-+-audio\n     |-bash\n     `-make---3*[cc1]\n');
    const pids = run('pgrep cc1').trim().split('\n');
    expect(run(`pstree -p ${parent.pid}`)).toBe(`make(${parent.pid})─┬─cc1(${pids[0]})\n${' '.repeat(`make(${parent.pid})`.length)} ├─cc1(${pids[1]})\n${' '.repeat(`make(${parent.pid})`.length)} └─cc1(${pids[2]})\n`);
    expect(run('pstree 2 | head -1')).toMatch(/^kthreadd─┬─/);
    expect(runShell(shellEnv(m), 'pstree 99999').exitStatus).toBe(1);
  });

  it('head -n -N and -c -N leave out the end, tail -n +N starts at line N; cat -n -b -s -A; < FILE', () => {
    const lines = sh('grep -c . /proc/meminfo').output.trim();
    expect(sh('head -n -50 /proc/meminfo | wc -l').output).toBe(`${Number(lines) - 50}\n`);
    expect(sh('tail -n +52 /proc/meminfo | wc -l').output).toBe(`${Number(lines) - 51}\n`);
    expect(sh('tail -n +2 /proc/loadavg').output).toBe('');
    expect(sh('printf "abcdef" | head -c -2').output).toBe('abcd');
    expect(sh('cat -n /proc/loadavg /proc/loadavg | cut -f1').output).toBe('     1\n     2\n');
    expect(sh('printf "a\\n\\n\\n\\nb\\n" | cat -s').output).toBe('a\n\nb\n');
    expect(sh('printf "a\\n\\nb\\n" | cat -b').output).toBe('     1\ta\n\n     2\tb\n');
    expect(sh('cat -A /proc/1/cmdline; head -1 /proc/1/status | cat -A').output).toBe('init^@Name:^Iinit$\n');
    expect(sh('wc -l < /proc/meminfo; tr "\\0" " " < /proc/1/cmdline').output).toBe(`${lines}\ninit `);
    expect(sh('cat < /proc/nope; echo $?')).toMatchObject({ output: 'bash: /proc/nope: No such file or directory\n1\n' });
  });

  it('awk: patterns and actions on fields, arrays, printf, the built-ins; awk\'s comparisons and number output', () => {
    const memFree = /MemFree:\s+(\d+)/.exec(sh('cat /proc/meminfo').output)?.[1];
    expect(sh("awk '/MemFree/ {print $2}' /proc/meminfo").output).toBe(`${memFree}\n`);
    const total = sh('cat /proc/meminfo').output.split('\n').filter((l) => l !== '').reduce((a, l) => a + Number(l.split(/\s+/)[1]), 0);
    expect(sh("awk '{sum += $2} END {print sum, NR}' /proc/meminfo").output).toBe(`${total} ${sh('grep -c . /proc/meminfo').output.trim()}\n`);
    expect(sh("ps -eo comm= | awk '{n[$1]++} END {for (c in n) if (n[c] > 1) print c, n[c]}'").output).toBe('hog 2\n');
    expect(sh("awk -F: 'NR <= 2 {print $1}' /proc/1/status").output).toBe('Name\nUmask\n');
    expect(sh("awk 'NR==2,NR==3 {print NR}' /proc/meminfo").output).toBe('2\n3\n');
    expect(sh("awk 'BEGIN {printf \"%5.1f|%s|%d|%c\\n\", 3.14159, \"x\", 2.9, 65}'").output).toBe('  3.1|x|2|A\n');
    expect(sh("awk 'BEGIN { print 1/3, 2^10, 10 % 3, -2^2, 100000 * 100000, length(\"abc\"), substr(\"hello\", 2, 3), toupper(\"a\") }'").output).toBe('0.333333 1024 1 -4 10000000000 3 ell A\n');
    // Fields assigned rebuild $0 with OFS; NF cut short drops the rest; gsub counts and changes its target.
    expect(sh("echo 'a b c' | awk '{$2 = \"X\"; print; NF = 2; print; print NF}'").output).toBe('a X c\na X\n2\n');
    expect(sh("echo 'one two' | awk '{ n = gsub(/o/, \"[&]\"); print n, $0 }'").output).toBe('2 [o]ne tw[o]\n');
    // Numbers from input compare as numbers, string constants as strings.
    expect(sh("echo '10 9' | awk '{ print ($1 > $2), (\"10\" > \"9\") }'").output).toBe('1 0\n');
    expect(sh("awk -v n=3 'BEGIN { if (match(\"foobar\", /ob/)) print RSTART, RLENGTH, n * 2; exit 3 }'")).toMatchObject({ output: '3 2 6\n', exitStatus: 3 });
    expect(sh("awk '{ print FILENAME \":\" FNR }' /proc/loadavg /proc/uptime").output).toBe('/proc/loadavg:1\n/proc/uptime:1\n');
    // VAR=VALUE operands take effect where they stand, before standard input when no file is named.
    expect(sh("awk '{ print x, $1 }' x=1 /proc/loadavg x=2 /proc/uptime | cut -d' ' -f1").output).toBe('1\n2\n');
    expect(sh("echo a | awk '{ print x }' x=5").output).toBe('5\n');
  });

  it('awk\'s errors: gawk\'s syntax report with a caret, fatal errors, a runaway loop stopped, what is not here', () => {
    expect(sh("awk '{print $1' /proc/loadavg")).toMatchObject({ output: 'awk: cmd. line:1: {print $1\nawk: cmd. line:1:          ^ unexpected newline or end of string\n', exitStatus: 1 });
    expect(sh("awk 'BEGIN { print 1/0 }'")).toMatchObject({ output: 'awk: cmd. line:1: fatal: division by zero attempted\n', exitStatus: 2 });
    expect(sh("awk 'BEGIN { while (1) x++ }'").output).toMatch(/^awk: cmd\. line:1: fatal: more than 1000000 steps: stopped/);
    expect(sh("awk '{ print > \"f\" }'").output).toMatch(/output redirection and pipes are not supported here/);
    expect(sh('awk 1 /proc/nope')).toMatchObject({ output: "awk: fatal: cannot open file `/proc/nope' for reading: No such file or directory\n", exitStatus: 2 });
  });

  it('head -c N: the first N bytes', () => {
    expect(sh('cat /proc/version | head -c 5').output).toBe('Linux');
    expect(sh('head -c 5 /proc/version').output).toBe('Linux');
    expect(sh('head -c x /proc/version')).toMatchObject({ output: "head: invalid number of bytes: 'x'\n", exitStatus: 1 });
  });

  it('chrt -m: each policy\'s priority range', () => {
    expect(sh('chrt -m').output).toBe(
      'SCHED_OTHER min/max priority\t: 0/0\nSCHED_FIFO min/max priority\t: 1/99\nSCHED_RR min/max priority\t: 1/99\n' +
        'SCHED_BATCH min/max priority\t: 0/0\nSCHED_IDLE min/max priority\t: 0/0\nSCHED_DEADLINE min/max priority\t: 0/0\n',
    );
  });
});
