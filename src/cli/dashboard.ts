/**
 * `kernsim` (the default command): the live dashboard. Everything that can fail on bad input (scenario, theme,
 * config, arguments, no terminal) fails before the screen is taken, as one line on stderr. Once the screen is
 * up, every way out - q, power off, SIGINT/SIGTERM/SIGHUP, an uncaught error - goes through one shutdown that
 * restores the terminal first and prints afterwards.
 */
import { isatty } from 'node:tty';
import { KernelBus } from '../bus/bus.js';
import type { ThemeSpec } from '../config/theme-spec.js';
import { AsciicastWriter } from '../record/asciicast.js';
import { TraceExporter } from '../trace/export.js';
import { JournalWriter } from '../record/journal.js';
import type { DriverHooks } from '../runtime/driver.js';
import type { LoadedScenario } from '../sim/config.js';
import { parseColor, toRgb } from '../ui/color.js';
import { loadUiConfig, configPath, type UiConfig } from '../config/ui-config.js';
import { listThemes, resolveTheme } from '../config/theme-file.js';
import { SYSRQ_TABLE } from '../kernel/sysrq/sysrq.js';
import { tuneV8ForBigMachine, tuneV8ForLongRun } from './v8-tuning.js';
import { systemClock } from '../runtime/pacing.js';
import { DEFAULT_RUNNER, Runner } from '../runtime/runner.js';
import { TraceRunner } from '../runtime/trace-runner.js';
import type { TraceFeeder } from '../trace/import.js';
import { loadScenarioFile } from '../sim/config.js';
import { Session } from '../sim/session.js';
import { completeLine } from '../shell/complete.js';
import { COMMAND_NAMES, loginShellCwd } from '../shell/shell.js';
import { App } from '../ui/app.js';
import { ASCII_GLYPHS, UNICODE_GLYPHS } from '../ui/glyphs.js';
import { ACTION_IDS, Keymap } from '../ui/keymap.js';
import { tapOutput } from '../ui/output-tap.js';
import { TrueColorSlots } from '../ui/palette.js';
import { createScreen, restoreScreen } from '../ui/screen.js';
import { COLOR_OPTIONS, detectTerm } from '../ui/terminal.js';
import { parseDurationNs } from '../workload/units.js';
import { UsageError } from './errors.js';
import { parseSeed } from './headless.js';
import { machineHooks } from './hooks.js';
import { THEMES_DIR, VERSION } from './paths.js';

export interface DashboardOptions {
  scenario: string;
  seed?: string;
  speed?: string;
  theme?: string;
  fps?: string;
  ascii?: boolean;
  color?: string;
  mouse?: boolean;
  config?: string;
  exitAfter?: string;
  paused?: boolean;
  journal?: string;
  record?: string;
  castFormat?: string;
  recordInput?: boolean;
}

/** What a replay brings instead of a fresh session: the rebuilt session and the journal's script. */
export interface DashboardReplay {
  session: Session;
  hooks: DriverHooks;
  title: string;
  /** The message shown (and printed at exit) when the replay diverges. */
  diverged(): string;
}

export interface DashboardIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: { write(s: string): void };
  env: Readonly<Record<string, string | undefined>>;
}

function num(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isFinite(v) || v < min || v > max) throw new UsageError(`${flag}: expected a number from ${min} to ${max}, got '${text}'`);
  return v;
}

/** Layer defaults < config file < command line. */
function settings(o: DashboardOptions, env: DashboardIo['env']): UiConfig {
  const cfg = loadUiConfig(o.config ?? configPath(env), o.config !== undefined);
  if (o.color !== undefined && !(COLOR_OPTIONS as readonly string[]).includes(o.color)) {
    throw new UsageError(`--color: expected one of ${COLOR_OPTIONS.join(', ')}, got '${o.color}'`);
  }
  for (const action of Object.keys(cfg.keymap)) {
    if (!(ACTION_IDS as readonly string[]).includes(action)) throw new UsageError(`${o.config ?? configPath(env)}: keymap.${action}: unknown action (actions: ${ACTION_IDS.join(', ')})`);
  }
  return {
    ...cfg,
    theme: o.theme ?? cfg.theme,
    fps: num('--fps', o.fps, 1, 60) ?? cfg.fps,
    speed: num('--speed', o.speed, 0.01, 1000) ?? cfg.speed,
    mouse: o.mouse === false ? false : cfg.mouse,
    ascii: o.ascii === true || cfg.ascii,
    color: (o.color as UiConfig['color'] | undefined) ?? cfg.color,
  };
}

/** An imported trace shown instead of a simulation. */
export interface DashboardImport {
  feeder: TraceFeeder;
  name: string;
}

export function runDashboard(o: DashboardOptions, io: DashboardIo, replay: DashboardReplay | null = null, imported: DashboardImport | null = null): Promise<number> {
  // Before the machine boots: booting is most of the start-up allocation.
  tuneV8ForLongRun();
  const loaded = replay === null && imported === null ? loadScenarioFile(o.scenario) : null;
  if (imported !== null && o.journal !== undefined) throw new UsageError('--journal records a simulation; an imported trace has nothing to journal');
  const seed = parseSeed(o.seed);
  const castFormat = o.castFormat ?? 'v2';
  if (castFormat !== 'v2' && castFormat !== 'v3') throw new UsageError(`--cast-format: expected v2 or v3, got '${castFormat}'`);
  if (o.recordInput === true && o.record === undefined) throw new UsageError('--record-input needs --record FILE.cast');
  const cfg = settings(o, io.env);
  const theme = resolveTheme(cfg.theme, THEMES_DIR);
  const exitAfterNs = o.exitAfter !== undefined ? parseDurationNs(o.exitAfter) : null;
  if (o.exitAfter !== undefined && (exitAfterNs === null || exitAfterNs <= 0)) throw new UsageError(`--exit-after: expected a duration like "30s", got '${o.exitAfter}'`);
  // Inputs are checked first, so a bad file is reported the same way with or without a terminal.
  if (io.stdin.isTTY !== true || io.stdout.isTTY !== true) {
    throw new UsageError('the dashboard needs a terminal (stdin and stdout must be a TTY); for scripts and pipes use: kernsim headless --scenario FILE');
  }
  const caps = detectTerm(io.env, { ascii: cfg.ascii, color: cfg.color });
  const session = imported !== null ? null : (replay?.session ?? new Session(loaded as LoadedScenario, { ...(seed !== undefined ? { seed } : {}), ...machineHooks() }));
  if (session !== null && session.k.nrCpus > 16) tuneV8ForBigMachine();
  const journal = o.journal !== undefined && session !== null ? openJournal(o.journal, session) : null;
  const hooks: DriverHooks = replay?.hooks ?? {
    checkpointNs: CHECKPOINT_NS,
    ...(journal !== null ? { onCommand: (p, cmd) => journal.command(p, cmd), onCheckpoint: (p, h) => (journal.checkpoint(p, h), true) } : {}),
  };
  const bus = new KernelBus();
  const runner = session !== null ? new Runner(session, bus, systemClock, { ...DEFAULT_RUNNER, fps: cfg.fps, speed: cfg.speed, paused: o.paused === true }, hooks) : null;
  const traceRunner = imported !== null ? new TraceRunner(imported.feeder, imported.name, bus, systemClock, { ...DEFAULT_RUNNER, fps: cfg.fps, speed: cfg.speed, paused: o.paused === true }) : null;
  const source = (runner ?? traceRunner) as Runner | TraceRunner;
  const title = imported !== null ? `trace ${imported.name}` : (replay?.title ?? (session as Session).scenario.name);
  const startMs = systemClock.nowMs();
  const since = (): number => (systemClock.nowMs() - startMs) / 1000;
  const cast = o.record !== undefined ? openCast(o.record, castFormat, io, title, theme.spec) : null;
  const slots = caps.depth === 'truecolor' ? new TrueColorSlots() : null;
  const terminfoErrors: string[] = [];
  const tap = tapOutput(io.stdout);
  tap.listeners.push((chunk) => {
    bus.outBytes += Buffer.byteLength(chunk);
    cast?.output(since(), chunk);
  });
  const onResize = (): void => cast?.resize(since(), io.stdout.columns, io.stdout.rows);
  io.stdout.on('resize', onResize);
  const onInput = (d: Buffer | string): void => cast?.input(since(), d.toString());
  if (o.recordInput === true) io.stdin.on('data', onInput);
  // Markers in the recording: every SysRq, scenario action, command and bookmark, and pause/resume.
  let wasPaused: boolean | null = null;
  const markerSub =
    cast === null
      ? null
      : bus.frames$.subscribe((f) => {
          for (const a of f.actions) cast.marker(since(), a.action.startsWith('mark ') ? a.action.slice(5) : a.action);
          if (wasPaused !== null && f.sim.paused !== wasPaused) cast.marker(since(), f.sim.paused ? 'paused' : 'resumed');
          wasPaused = f.sim.paused;
        });
  const screen = createScreen(caps, { input: io.stdin, output: io.stdout }, { mouse: cfg.mouse, slots, terminfoErrors });
  const themeNames = listThemes(THEMES_DIR);
  const startupMessages = [...theme.warnings];
  if (terminfoErrors.length > 0) startupMessages.push(`terminfo for ${caps.terminal}: ${terminfoErrors.length} capabilities could not be parsed (using blessed's built-in entry)`);
  let trace: TraceExporter | null = null;
  let traceNo = 0;
  return new Promise<number>((resolve) => {
    let done = false;
    /** Journal and recording end with the session: flush what is left, write their last lines. */
    const finishFiles = (code: number): void => {
      markerSub?.unsubscribe();
      io.stdout.removeListener('resize', onResize);
      io.stdin.removeListener('data', onInput);
      if (runner !== null) journal?.close(runner.driver.position());
      trace?.close();
      cast?.close(since(), code);
    };
    const shutdown = (code: number, message?: string): void => {
      if (done) return;
      done = true;
      source.stop();
      app.stop();
      restoreScreen(screen);
      tap.restore();
      finishFiles(code);
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeListener(sig, onSignal);
      process.removeListener('uncaughtException', onCrash);
      process.removeListener('unhandledRejection', onCrash);
      if (message !== undefined) io.stderr.write(`${message}\n`);
      // If the terminal died meanwhile, a normal exit would abort in Node's tty reset: leave by SIGHUP instead.
      if (!isatty(0) && io.stdin === process.stdin) process.kill(process.pid, 'SIGHUP');
      resolve(code);
    };
    /**
     * The terminal went away (SSH drop, tmux killed): nothing to restore and every write fails with EIO. Stop,
     * then die of SIGHUP as a shell's children do - a normal exit would make Node reset a tty that no longer
     * exists, which aborts the process.
     */
    const hangup = (): void => {
      if (done) return;
      done = true;
      source.stop();
      app.stop();
      tap.restore();
      finishFiles(129);
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeListener(sig, onSignal);
      process.kill(process.pid, 'SIGHUP');
    };
    const onSignal = (sig: NodeJS.Signals): void => {
      if (sig === 'SIGHUP') hangup();
      else shutdown(sig === 'SIGINT' ? 130 : 143);
    };
    // Write errors on the terminal come as 'error' events; unhandled, Node would crash with a stack trace.
    const onIoError = (e: NodeJS.ErrnoException): void => {
      if (e.code === 'EIO' || e.code === 'EPIPE' || e.code === 'ENXIO' || e.code === 'EBADF') hangup();
      else onCrash(e);
    };
    io.stdout.on('error', onIoError);
    io.stdin.on('error', onIoError);
    const onCrash = (e: unknown): void => {
      const err = e instanceof Error ? e : new Error(String(e));
      const debug = io.env.KERNSIM_DEBUG !== undefined && io.env.KERNSIM_DEBUG !== '';
      shutdown(70, `kernsim: internal error: ${err.message}${debug ? `\n${err.stack ?? ''}` : ' (set KERNSIM_DEBUG=1 for details)'}`);
    };
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    const app = new App({
      screen,
      bus,
      keymap: new Keymap(cfg.keymap),
      glyphs: caps.unicode ? UNICODE_GLYPHS : ASCII_GLYPHS,
      depth: caps.depth,
      slots,
      theme: theme.spec,
      themes: themeNames.map((name) => ({ name, load: () => resolveTheme(name, THEMES_DIR).spec })),
      sysrqHelp: [...SYSRQ_TABLE.entries()].map(([key, op]) => ({ key, help: op.helpMsg })),
      mouse: cfg.mouse,
      startupMessages:
        replay !== null
          ? [`replaying ${replay.title}: keys pace and look; commands come from the journal`, ...startupMessages]
          : imported !== null
            ? [`${imported.name}: a real machine's trace - space, +/- and . replay it; memory, the fair tree and the log are not in a trace`, ...startupMessages]
            : startupMessages,
      readOnly: replay !== null || imported !== null,
      complete: (text, cursor) => (session === null ? { text, cursor, candidates: [] } : completeLine(session.k, COMMAND_NAMES, text, cursor, loginShellCwd(session.k))),
      cwd: () => (session === null ? '/' : loginShellCwd(session.k)),
      onTraceToggle: () => {
        if (session === null) return 'an imported trace cannot be traced again';
        if (trace !== null) {
          trace.close();
          const msg = `trace written: ${trace.files.json ?? ''} (${trace.lines} ftrace lines); open it in ui.perfetto.dev`;
          trace = null;
          session.k.traceWakeups = false;
          return msg;
        }
        traceNo++;
        const file = `kernsim-trace-${traceNo}.json`;
        try {
          trace = new TraceExporter({ json: file });
        } catch (e) {
          return `cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
        }
        session.k.traceWakeups = true;
        trace.attach(session.k);
        return `tracing to ${file} (R stops)`;
      },
      onExit: (why) => {
        if (why === 'poweroff') shutdown(0, 'kernsim: the simulated machine powered off (SysRq o)');
        else shutdown(0);
      },
    });
    if (runner !== null) {
      runner.onDiverged = () => app.say(replay?.diverged() ?? 'the run diverged', true);
      runner.onEnded = () => app.say(`end of the recording at ${((session?.k.now ?? 0) / 1e9).toFixed(3)} s; q quits`);
    }
    if (traceRunner !== null) traceRunner.onEnd = () => app.say(`end of the trace (${imported?.feeder.stats.events ?? 0} events); q quits, Home/left scroll the timeline back`);
    if (session !== null) {
      const prevReboot = session.onReboot;
      session.onReboot = (k) => {
        prevReboot?.(k);
        if (trace !== null) {
          k.traceWakeups = true;
          trace.attach(k);
        }
      };
    }
    try {
      app.start();
      source.start();
    } catch (e) {
      onCrash(e);
      return;
    }
    if (exitAfterNs !== null) {
      const h = systemClock.setTimer(() => shutdown(0), exitAfterNs / 1e6);
      (h as { unref?: () => void }).unref?.();
    }
  });
}

/** Checkpoints every virtual second: a divergence is found within a second of where it happened. */
const CHECKPOINT_NS = 1_000_000_000;

function openJournal(file: string, session: Session): JournalWriter {
  try {
    return new JournalWriter(file, { kernsim: VERSION, seed: session.seed, checkpointNs: CHECKPOINT_NS, scenario: { file: session.file, text: session.text } });
  } catch (e) {
    throw new UsageError(`--journal ${file}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

function hexOf(v: string | number, fallback: string): string {
  const c = parseColor(v);
  const rgb = c === null ? null : toRgb(c);
  return rgb === null ? fallback : `#${rgb.map((x) => x.toString(16).padStart(2, '0')).join('')}`;
}

function openCast(file: string, format: 'v2' | 'v3', io: DashboardIo, title: string, theme: ThemeSpec): AsciicastWriter {
  try {
    return new AsciicastWriter(file, format, {
      cols: io.stdout.columns,
      rows: io.stdout.rows,
      timestamp: Math.floor(Date.now() / 1000),
      title: `kernsim: ${title}`,
      term: io.env.TERM ?? 'xterm-256color',
      ...(io.env.SHELL !== undefined ? { shell: io.env.SHELL } : {}),
      theme: {
        fg: hexOf(theme.colors.fg, '#d0d0d0'),
        bg: hexOf(theme.colors.bg, '#000000'),
        palette: Array.from({ length: 16 }, (_, i) => hexOf(i, '#000000')),
      },
    });
  } catch (e) {
    throw new UsageError(`--record ${file}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
