/**
 * The whole dashboard on a fake terminal with a hand-driven clock: the runner, bus, app and blessed screen are
 * the real ones; only wall time and the TTY are fakes, so a test is deterministic (same frames every run).
 */
import { KernelBus } from '../../src/bus/bus.js';
import { machineHooks } from '../../src/cli/hooks.js';
import { MONO_THEME, type ThemeSpec } from '../../src/config/theme-spec.js';
import { SYSRQ_TABLE } from '../../src/kernel/sysrq/sysrq.js';
import { ManualClock } from '../../src/runtime/pacing.js';
import { DEFAULT_RUNNER, Runner, type RunnerOptions } from '../../src/runtime/runner.js';
import { loadScenarioFile, parseScenarioText } from '../../src/sim/config.js';
import { completeLine } from '../../src/shell/complete.js';
import { COMMAND_NAMES, loginShellCwd } from '../../src/shell/shell.js';
import { Session } from '../../src/sim/session.js';
import { App } from '../../src/ui/app.js';
import { ASCII_GLYPHS, UNICODE_GLYPHS } from '../../src/ui/glyphs.js';
import { Keymap } from '../../src/ui/keymap.js';
import { TrueColorSlots } from '../../src/ui/palette.js';
import { createScreen, restoreScreen, type Screen } from '../../src/ui/screen.js';
import { detectTerm } from '../../src/ui/terminal.js';
import { fakeInput, FakeTty } from './screen.js';

export const KEYS = {
  f1: '\x1bOP',
  f2: '\x1bOQ',
  f3: '\x1bOR',
  f4: '\x1bOS',
  f5: '\x1b[15~',
  f6: '\x1b[17~',
  f7: '\x1b[18~',
  f8: '\x1b[19~',
  f9: '\x1b[20~',
  f10: '\x1b[21~',
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  home: '\x1b[H',
  end: '\x1b[F',
  pageup: '\x1b[5~',
  pagedown: '\x1b[6~',
  enter: '\r',
  escape: '\x1b',
  tab: '\t',
  backtab: '\x1b[Z',
  altS: '\x1bs',
  ctrlC: '\x03',
} as const;

export interface DashOptions {
  scenario?: string | object;
  cols?: number;
  rows?: number;
  theme?: ThemeSpec;
  env?: Record<string, string>;
  runner?: Partial<RunnerOptions>;
  keymap?: Record<string, string[]>;
}

export interface Dash {
  tty: FakeTty;
  input: ReturnType<typeof fakeInput>;
  clock: ManualClock;
  app: App;
  runner: Runner;
  session: Session;
  bus: KernelBus;
  screen: Screen;
  exits: string[];
  /** Advance wall time (ms) and let the output reach the emulator. */
  advance(ms: number): Promise<void>;
  press(...keys: string[]): Promise<void>;
  /** Resize the terminal; blessed debounces SIGWINCH by 50 ms of real time, so this waits for it. */
  resize(cols: number, rows: number): Promise<void>;
  text(): string;
  close(): void;
}

export async function startDashboard(o: DashOptions = {}): Promise<Dash> {
  const cols = o.cols ?? 120;
  const rows = o.rows ?? 40;
  const tty = new FakeTty(cols, rows);
  const input = fakeInput();
  const caps = detectTerm(o.env ?? { TERM: 'xterm-256color', LANG: 'C.UTF-8' });
  const loaded =
    o.scenario === undefined
      ? loadScenarioFile(new URL('../../demo/default.json', import.meta.url).pathname)
      : typeof o.scenario === 'string'
        ? loadScenarioFile(o.scenario)
        : parseScenarioText('test.json', JSON.stringify(o.scenario));
  const session = new Session(loaded, machineHooks());
  const bus = new KernelBus();
  const clock = new ManualClock();
  const runner = new Runner(session, bus, clock, { ...DEFAULT_RUNNER, ...o.runner });
  const slots = caps.depth === 'truecolor' ? new TrueColorSlots() : null;
  tty.on('finish', () => undefined);
  const screen = createScreen(caps, { input, output: tty }, { mouse: false, slots });
  const exits: string[] = [];
  const theme = o.theme ?? MONO_THEME;
  const app = new App({
    screen,
    bus,
    keymap: new Keymap(o.keymap ?? {}),
    glyphs: caps.unicode ? UNICODE_GLYPHS : ASCII_GLYPHS,
    depth: caps.depth,
    slots,
    theme,
    themes: [{ name: theme.name, load: () => theme }, { name: 'mono', load: () => MONO_THEME }],
    sysrqHelp: [...SYSRQ_TABLE.entries()].map(([key, op]) => ({ key, help: op.helpMsg })),
    mouse: false,
    onExit: (why) => exits.push(why),
    complete: (text, cursor) => completeLine(session.k, COMMAND_NAMES, text, cursor, loginShellCwd(session.k)),
    cwd: () => loginShellCwd(session.k),
  });
  tty.bytes = 0;
  app.start();
  runner.start();
  const dash: Dash = {
    tty,
    input,
    clock,
    app,
    runner,
    session,
    bus,
    screen,
    exits,
    async advance(ms: number) {
      clock.advance(ms);
      await tty.settle();
    },
    async press(...keys: string[]) {
      for (const k of keys) {
        input.write(k);
        await new Promise((r) => setImmediate(r));
      }
      await tty.settle();
    },
    async resize(cols: number, rows: number) {
      tty.resize(cols, rows);
      await new Promise((r) => setTimeout(r, 80));
      clock.advance(100);
      await tty.settle();
    },
    text: () => tty.text(),
    close() {
      runner.stop();
      app.stop();
      restoreScreen(screen);
    },
  };
  await tty.settle();
  return dash;
}
