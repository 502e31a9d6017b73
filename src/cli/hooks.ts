/**
 * The machine's command language and SysRq keyboard path, as the session needs them (composition only).
 */
import type { ShellRunner, SysrqRunner } from '../sim/session.js';

export function machineHooks(): { shell: ShellRunner; sysrq: SysrqRunner } {
  return {
    shell: (_k, line) => ({ output: `${line.split(' ')[0] ?? ''}: command not found\n`, error: 'ENOSYS', exitStatus: 127 }),
    sysrq: () => undefined,
  };
}
