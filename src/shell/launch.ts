/**
 * The launcher forms of nice, chrt and taskset (coreutils / util-linux): `nice -n 10 CMD`, `chrt -f 50 CMD`,
 * `taskset -c 1 CMD` run CMD with that niceness, policy or affinity, which every task it starts inherits. Here the
 * commands that start tasks are stress-ng and spawn; the wrapper hands them the attributes as defaults (what
 * the command itself asks for wins). The `-p PID` forms stay with chrt and taskset in cmd-sched.ts.
 */
import { CHRT_POLICY, parseTasksetCpus } from './cmd-sched.js';
import { fail, ok, parseIntArg, type CommandOutput, type ShellEnv, type SpawnRequest } from './context.js';

type Defaults = Partial<Pick<SpawnRequest, 'nice' | 'policy' | 'rtPriority' | 'cpus'>>;

/** What a launcher asks for: an environment whose spawns carry its attributes, and the command to run. */
export interface Launch {
  env: ShellEnv;
  argv: string[];
}

function withDefaults(env: ShellEnv, d: Defaults): ShellEnv {
  const inner = env.spawn;
  if (inner === undefined) return env;
  return {
    ...env,
    spawn: (req) => {
      const merged: SpawnRequest = { ...req };
      // The innermost wrapper or the command's own option wins: only fill what is not set.
      if (merged.nice === undefined && d.nice !== undefined) merged.nice = d.nice;
      if (merged.policy === undefined && d.policy !== undefined) merged.policy = d.policy;
      if (merged.rtPriority === undefined && d.rtPriority !== undefined) merged.rtPriority = d.rtPriority;
      if (merged.cpus === undefined && d.cpus !== undefined) merged.cpus = d.cpus;
      return inner(merged);
    },
  };
}

/** nice [-n N | -N | --adjustment=N] [COMMAND [ARG]...]: without a command, print the niceness (the shell's, 0). */
export function niceLaunch(env: ShellEnv, argv: string[]): Launch | CommandOutput {
  let adj = 10;
  let given = false;
  let i = 1;
  for (; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-n' || a === '--adjustment') {
      const n = parseIntArg(argv[++i]);
      if (n === null) return fail('nice', `invalid adjustment '${argv[i] ?? ''}'`, 125);
      adj = n;
      given = true;
    } else if (a.startsWith('--adjustment=')) {
      const n = parseIntArg(a.slice(13));
      if (n === null) return fail('nice', `invalid adjustment '${a.slice(13)}'`, 125);
      adj = n;
      given = true;
    } else if (/^-\d+$/.test(a)) {
      adj = Number(a.slice(1));
      given = true;
    } else if (/^--\d+$/.test(a)) {
      adj = -Number(a.slice(2));
      given = true;
    }
    else if (a === '--') {
      i++;
      break;
    } else if (a.startsWith('-')) return fail('nice', `invalid option -- '${a.replace(/^-+/, '')}'`, 125);
    else break;
  }
  if (i >= argv.length) return given ? fail('nice', 'a command must be given with an adjustment', 125) : ok('0\n');
  // setpriority() clamps to -20..19; the shell's own niceness is 0.
  const nice = Math.max(-20, Math.min(19, adj));
  return { env: withDefaults(env, { nice }), argv: argv.slice(i) };
}


/** chrt [POLICY] PRIO COMMAND [ARG]...: util-linux's default policy is SCHED_RR. */
export function chrtLaunch(env: ShellEnv, argv: string[]): Launch | CommandOutput {
  let policy = 'rr';
  let i = 1;
  for (; i < argv.length; i++) {
    const a = argv[i] as string;
    const pol = CHRT_POLICY[a];
    if (pol === 'deadline') return fail('chrt', 'SCHED_DEADLINE is set on a running task here: chrt -d ... -p 0 PID', 1);
    if (pol !== undefined) policy = pol;
    else if (a === '-R' || a === '--reset-on-fork' || a === '-v' || a === '--verbose') continue;
    else if (a.startsWith('-')) return fail('chrt', `unrecognized option '${a}'`, 1);
    else break;
  }
  const prio = parseIntArg(argv[i]);
  if (prio === null || i + 1 >= argv.length) return fail('chrt', 'usage: chrt [options] priority command [argument...]', 1);
  const rt = policy === 'fifo' || policy === 'rr';
  if (rt ? prio < 1 || prio > 99 : prio !== 0) return fail('chrt', `unsupported priority value for the policy: ${prio} (see --max for valid range)`, 1);
  const d: Defaults = { policy };
  if (rt) d.rtPriority = prio;
  return { env: withDefaults(env, d), argv: argv.slice(i + 1) };
}

/** taskset [-c] MASK|LIST COMMAND [ARG]... */
export function tasksetLaunch(env: ShellEnv, argv: string[]): Launch | CommandOutput {
  let list = false;
  let i = 1;
  for (; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-c' || a === '--cpu-list') list = true;
    else if (a === '-a' || a === '--all-tasks') continue;
    else if (a.startsWith('-')) return fail('taskset', `invalid option -- '${a.replace(/^-+/, '')}'`, 1);
    else break;
  }
  const spec = argv[i];
  if (spec === undefined || i + 1 >= argv.length) return fail('taskset', 'usage: taskset [options] mask|list command [argument...]', 1);
  const cpus = parseTasksetCpus(spec, list, env.k.nrCpus);
  if (cpus === null) return fail('taskset', `failed to parse ${list ? 'CPU list' : 'CPU mask'}: ${spec}`, 1, 'EINVAL');
  if (cpus.length === 0) return fail('taskset', 'failed to set pid 0\'s affinity: Invalid argument', 1, 'EINVAL');
  return { env: withDefaults(env, { cpus }), argv: argv.slice(i + 1) };
}

/** The leading options of argv (before the first operand). */
function leadingOptions(argv: string[]): string[] {
  const out: string[] = [];
  for (const a of argv.slice(1)) {
    if (!a.startsWith('-') || /^-\d+$/.test(a)) break;
    out.push(a);
  }
  return out;
}

/**
 * The launcher form of argv, if it is one: nice always; chrt and taskset unless their options ask for a pid
 * (-p). Null: run argv as it is.
 */
export function launchFor(env: ShellEnv, argv: string[]): Launch | CommandOutput | null {
  const name = argv[0];
  if (name === 'nice') return niceLaunch(env, argv);
  if (name !== 'chrt' && name !== 'taskset') return null;
  const opts = leadingOptions(argv);
  if (opts.some((o) => o === '-p' || o === '--pid' || o === '-pc' || o === '-cp')) return null;
  // A query of the policies (chrt -m) or a bare usage error stays with the command itself.
  if (opts.some((o) => o === '-m' || o === '--max' || o === '-h' || o === '--help')) return null;
  return name === 'chrt' ? chrtLaunch(env, argv) : tasksetLaunch(env, argv);
}
