/**
 * uptime's other forms (procps: -p pretty, -s since) and the CPU lists of /sys/devices/system/cpu.
 */
import { describe, expect, it } from 'vitest';
import { runShell } from '../../src/shell/shell.js';
import { shellEnv } from '../../src/sim/machine-hooks.js';
import { machine, SEC } from '../helpers/machine.js';

describe('uptime and the CPU lists', () => {
  it('uptime -p names each non-zero unit ("up 0 minutes" under one); -s is /proc/stat\'s btime as a date', () => {
    const k = machine({ nrCpus: 2 });
    const sh = (line: string): { output: string; exitStatus: number } => runShell(shellEnv(k), line);
    k.engine.runUntil(30 * SEC);
    expect(sh('uptime -p').output).toBe('up 0 minutes\n');
    k.engine.runUntil(61 * SEC);
    expect(sh('uptime -p').output).toBe('up 1 minute\n');
    k.engine.runUntil((2 * 3600 + 5 * 60 + 7) * SEC);
    expect(sh('uptime -p').output).toBe('up 2 hours, 5 minutes\n');
    k.engine.runUntil(3 * 3600 * SEC);
    expect(sh('uptime -p').output).toBe('up 3 hours\n');
    expect(sh('uptime').output).toMatch(/^ 03:00:00 up {2}3:00, {2}1 user, {2}load average: /);
    const btime = Number(/^btime (\d+)$/m.exec(sh('cat /proc/stat').output)?.[1]);
    expect(sh('uptime -s').output).toBe(`${new Date(btime * 1000).toISOString().slice(0, 19).replace('T', ' ')}\n`);
    expect(sh('uptime -x')).toMatchObject({ output: "uptime: invalid option -- 'x'\n\nUsage:\n uptime [options]\n", exitStatus: 1 });
  });

  it('/sys/devices/system/cpu: online, possible and present list every CPU; offline none', () => {
    const k = machine({ nrCpus: 6 });
    const sh = (line: string): string => runShell(shellEnv(k), line).output;
    expect(sh('cat /sys/devices/system/cpu/online')).toBe('0-5\n');
    expect(sh('cat /sys/devices/system/cpu/possible')).toBe('0-5\n');
    expect(sh('cat /sys/devices/system/cpu/present')).toBe('0-5\n');
    expect(sh('cat /sys/devices/system/cpu/offline')).toBe('\n');
    expect(sh('cat /sys/devices/system/cpu/kernel_max')).toBe('8191\n');
    expect(sh('nproc')).toBe('6\n');
  });
});
