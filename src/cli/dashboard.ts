/**
 * `kernsim` (the default command): the live dashboard. Everything that can fail on bad input (scenario, theme,
 * config, arguments, no terminal) fails before the screen is taken, as one line on stderr. Once the screen is
 * up, every way out - q, power off, SIGINT/SIGTERM/SIGHUP, an uncaught error - goes through one shutdown that
 * restores the terminal first and prints afterwards.
 */
import { isatty } from 'node:tty';
import { KernelBus } from '../bus/bus.js';
import { loadUiConfig, configPath, type UiConfig } from '../config/ui-config.js';
import { listThemes, resolveTheme } from '../config/theme-file.js';
import { SYSRQ_TABLE } from '../kernel/sysrq/sysrq.js';
import { systemClock } from '../runtime/pacing.js';
import { DEFAULT_RUNNER, Runner } from '../runtime/runner.js';
import { loadScenarioFile } from '../sim/config.js';
import { Session } from '../sim/session.js';
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
import { THEMES_DIR } from './paths.js';

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

export function runDashboard(o: DashboardOptions, io: DashboardIo): Promise<number> {
  const loaded = loadScenarioFile(o.scenario);
  const seed = parseSeed(o.seed);
  const cfg = settings(o, io.env);
  const theme = resolveTheme(cfg.theme, THEMES_DIR);
  const exitAfterNs = o.exitAfter !== undefined ? parseDurationNs(o.exitAfter) : null;
  if (o.exitAfter !== undefined && (exitAfterNs === null || exitAfterNs <= 0)) throw new UsageError(`--exit-after: expected a duration like "30s", got '${o.exitAfter}'`);
  // Inputs are checked first, so a bad file is reported the same way with or without a terminal.
  if (io.stdin.isTTY !== true || io.stdout.isTTY !== true) {
    throw new UsageError('the dashboard needs a terminal (stdin and stdout must be a TTY); for scripts and pipes use: kernsim headless --scenario FILE');
  }
  const caps = detectTerm(io.env, { ascii: cfg.ascii, color: cfg.color });
  const session = new Session(loaded, { ...(seed !== undefined ? { seed } : {}), ...machineHooks() });
  const bus = new KernelBus();
  const runner = new Runner(session, bus, systemClock, { ...DEFAULT_RUNNER, fps: cfg.fps, speed: cfg.speed, paused: o.paused === true });
  const slots = caps.depth === 'truecolor' ? new TrueColorSlots() : null;
  const terminfoErrors: string[] = [];
  const tap = tapOutput(io.stdout);
  tap.listeners.push((chunk) => {
    bus.outBytes += Buffer.byteLength(chunk);
  });
  const screen = createScreen(caps, { input: io.stdin, output: io.stdout }, { mouse: cfg.mouse, slots, terminfoErrors });
  const themeNames = listThemes(THEMES_DIR);
  const startupMessages = [...theme.warnings];
  if (terminfoErrors.length > 0) startupMessages.push(`terminfo for ${caps.terminal}: ${terminfoErrors.length} capabilities could not be parsed (using blessed's built-in entry)`);
  return new Promise<number>((resolve) => {
    let done = false;
    const shutdown = (code: number, message?: string): void => {
      if (done) return;
      done = true;
      runner.stop();
      app.stop();
      restoreScreen(screen);
      tap.restore();
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
      runner.stop();
      app.stop();
      tap.restore();
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
      startupMessages,
      onExit: (why) => {
        if (why === 'poweroff') shutdown(0, 'kernsim: the simulated machine powered off (SysRq o)');
        else shutdown(0);
      },
    });
    try {
      app.start();
      runner.start();
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
