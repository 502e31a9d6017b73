/** Re-exported for the CLI: the machine's shell and SysRq as the session needs them. */
export { machineHooks } from '../sim/machine-hooks.js';
