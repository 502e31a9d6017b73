/**
 * The composition root: parse the command line (commander), run the chosen command, and turn every failure
 * into one line on stderr with a non-zero status - never a stack trace.
 */
import { Command, CommanderError } from 'commander';
import { KernelBug } from '../lib/assert.js';
import { InputError, UsageError } from './errors.js';
import { runDashboard, type DashboardIo, type DashboardOptions } from './dashboard.js';
import { tuneV8ForThroughput } from './v8-tuning.js';
import { runHeadless } from './headless.js';
import { runImportDashboard, runImportHeadless, type ImportOptions } from './import.js';
import { runReplayDashboard, runReplayHeadless, type ReplayOptions } from './replay.js';
import { DEFAULT_SCENARIO, VERSION } from './paths.js';

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

export function buildProgram(out: { write(s: string): void; err(s: string): void; exit(code: number): void; pending: Promise<number> | null }): Command {
  const program = new Command();
  program
    .name('kernsim')
    .description('A terminal dashboard running a deterministic simulation of a multi-CPU Linux kernel')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.write(s), writeErr: (s) => out.err(s), outputError: () => undefined })
    .showHelpAfterError(false)
    .enablePositionalOptions();

  program
    .command('headless')
    .description('run a scenario without a UI and print a summary, files and logs')
    .option('-s, --scenario <file>', 'scenario file (default: demo/default.json)')
    .option('-d, --duration <time>', 'virtual time to simulate (default: the scenario duration, or 10s)')
    .option('--seed <n>', 'random seed (default: the scenario seed)')
    .option('--json', 'print one JSON document')
    .option('--cat <path[@time]>', 'print a /proc or /sys file at the end (or at a time); repeatable', collect, [])
    .option('--sh <command>', "run a command on the machine at the end (e.g. 'ps'); repeatable", collect, [])
    .option('--dmesg', 'print the kernel log at the end')
    .option('--console', 'print what the console showed (records below console_loglevel)')
    .option('--trace <file>', 'write a trace: FILE.json (Perfetto) or FILE.txt (ftrace); repeatable', collect, [])
    .action((o: { scenario?: string; duration?: string; seed?: string; json?: boolean; cat: string[]; sh: string[]; dmesg?: boolean; console?: boolean; trace: string[] }) => {
      tuneV8ForThroughput();
      const r = runHeadless({ ...o, scenario: o.scenario ?? DEFAULT_SCENARIO });
      out.write(r.stdout);
      out.exit(r.exitCode);
    });

  program
    .option('-s, --scenario <file>', 'scenario file (default: demo/default.json)')
    .option('--seed <n>', 'random seed (default: the scenario seed)')
    .option('--speed <x>', 'initial speed, x0.01 .. x1000 (default 1)')
    .option('--paused', 'start paused')
    .option('--theme <name|file>', 'colour theme: a name in themes/ (default, light, high-contrast, mono, ...), a .json file or a btop .theme file')
    .option('--fps <n>', 'frames per second, 1 .. 60 (default 10)')
    .option('--color <mode>', 'colours: auto, never, 16, 256, truecolor (default auto: TERM, COLORTERM, NO_COLOR)')
    .option('--ascii', 'draw with ASCII only (no Unicode box or block characters)')
    .option('--no-mouse', 'do not capture the mouse')
    .option('--config <file>', 'UI config file (default $XDG_CONFIG_HOME/kernsim/config.json)')
    .option('--exit-after <time>', 'quit by itself after this much wall time (demos, scripts)')
    .option('--journal <file>', 'write a journal (scenario, seed, every input, checkpoints) for kernsim replay')
    .option('--record <file.cast>', 'record the screen as an asciicast file (asciinema play plays it)')
    .option('--cast-format <v2|v3>', 'asciicast version for --record (default v2)')
    .option('--record-input', 'also record the keys pressed (asciicast "i" events)')
    .action((o: Omit<DashboardOptions, 'scenario'> & { scenario?: string }) => {
      out.pending = runDashboard({ ...o, scenario: o.scenario ?? DEFAULT_SCENARIO }, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env });
    });
  // replay and import share the dashboard's options and the headless/dashboard split.
  type Runs = { headless(file: string, o: ReplayOptions & ImportOptions): { stdout: string; stderr: string; exitCode: number }; dashboard(file: string, o: ReplayOptions & ImportOptions, io: DashboardIo): Promise<number> };
  const viewerCommand = (name: string, description: string, arg: string, headlessHelp: string, run: Runs, extra?: (c: Command) => Command): Command => {
    const cmd = program
      .command(name)
      .description(description)
      .argument(arg)
      .option('--headless', headlessHelp)
      .option('--json', 'with --headless, one JSON document')
      .option('--speed <x>', 'initial speed, x0.01 .. x1000 (default 1)')
      .option('--paused', 'start paused')
      .option('--theme <name|file>', 'colour theme')
      .option('--fps <n>', 'frames per second, 1 .. 60')
      .option('--color <mode>', 'colours: auto, never, 16, 256, truecolor')
      .option('--ascii', 'ASCII only')
      .option('--no-mouse', 'do not capture the mouse')
      .option('--config <file>', 'UI config file')
      .option('--exit-after <time>', 'quit by itself after this much wall time')
      .option('--record <file.cast>', 'record the screen as an asciicast file, at this terminal size')
      .option('--cast-format <v2|v3>', 'asciicast version for --record (default v2)');
    (extra?.(cmd) ?? cmd).action((file: string, o: ReplayOptions & ImportOptions) => {
        if (o.headless === true) {
          tuneV8ForThroughput();
          const r = run.headless(file, o);
          out.write(r.stdout);
          if (r.stderr !== '') out.err(r.stderr);
          out.exit(r.exitCode);
          return;
        }
        if (o.json === true) throw new UsageError('--json needs --headless');
        if ((o.trace ?? []).length > 0) throw new UsageError('--trace needs --headless (in the dashboard, R starts and stops a capture)');
        out.pending = run.dashboard(file, o, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env });
      });
    return cmd;
  };
  viewerCommand('replay', 'replay a journal exactly: live in the dashboard, or --headless to its summary', '<journal>', 'no UI: print the summary at the end of the recorded run', {
    headless: runReplayHeadless,
    dashboard: runReplayDashboard,
  }, (c) => c.option('--trace <file>', 'with --headless, write the replayed session as a trace: FILE.json (Perfetto) or FILE.txt (ftrace); repeatable', collect, []));
  viewerCommand('import', "show a real machine's scheduler trace (ftrace text, trace-cmd report, perf script) in the dashboard", '<trace>', 'no UI: print the summary (tasks: CPU time, switches, run delay; CPUs: busy time)', {
    headless: runImportHeadless,
    dashboard: runImportDashboard,
  });
  return program;
}

export interface CliIo {
  write(s: string): void;
  err(s: string): void;
}

/** Run the CLI with the given output streams; returns the exit status. Known failures are one line on err. */
export function runCli(argv: readonly string[], io: CliIo): number | Promise<number> {
  let code = 0;
  const out = { write: io.write, err: io.err, exit: (c: number) => void (code = c), pending: null as Promise<number> | null };
  try {
    const program = buildProgram(out);
    const first = argv[0];
    const commands = program.commands.map((c) => c.name());
    if (first !== undefined && !first.startsWith('-') && !commands.includes(first)) {
      throw new UsageError(`unknown command '${first}' (commands: ${commands.join(', ')}; see kernsim --help)`);
    }
    program.parse(argv as string[], { from: 'user' });
    if (out.pending !== null) return out.pending.catch((e: unknown) => reportError(e, io));
    return code;
  } catch (e) {
    return reportError(e, io);
  }
}

export function main(argv: readonly string[]): number | Promise<number> {
  // `kernsim headless ... | head`: a reader that stops early is not an error (as for any Unix filter).
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  return runCli(argv, { write: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s) });
}

export function reportError(e: unknown, io: Pick<CliIo, 'err'>): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    io.err(`kernsim: ${e.message.replace(/^error: /, '')}\n`);
    return 2;
  }
  if (e instanceof InputError || e instanceof UsageError) {
    io.err(`kernsim: ${e.message}\n`);
    return 2;
  }
  const debug = process.env.KERNSIM_DEBUG !== undefined && process.env.KERNSIM_DEBUG !== '';
  if (e instanceof KernelBug) {
    io.err(`kernsim: internal error in the simulated kernel: ${e.message}\n`);
    if (debug) io.err(`${e.stack ?? ''}\n`);
    return 70;
  }
  const msg = e instanceof Error ? e.message : String(e);
  io.err(`kernsim: internal error: ${msg} (set KERNSIM_DEBUG=1 for details)\n`);
  if (debug && e instanceof Error) io.err(`${e.stack ?? ''}\n`);
  return 70;
}

const isMain = process.argv[1] !== undefined && /[\\/]cli[\\/]main\.(ts|js)$/.test(process.argv[1]);
if (isMain) {
  const r = main(process.argv.slice(2));
  if (typeof r === 'number') process.exitCode = r;
  else void r.then((c) => process.exit(c));
}
