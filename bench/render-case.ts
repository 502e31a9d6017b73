/**
 * One render case: the real dashboard (runner, bus, app, blessed screen) writing to an in-memory terminal of the
 * given size. Each frame simulates 1/fps s of virtual time (speed x1) and then renders; we time the render
 * (view + draw + screen.render), count the bytes blessed writes, and add simulation and render CPU time up to
 * the share of one core a real-time run at this frame rate would use.
 *
 *   render-case.ts COLS ROWS CPUS FPS FRAMES [demo|busy|SCENARIO]
 * The workload (workloads.ts) is the default demo, with the CPU count set when it is not 8, unless `busy` or a
 * scenario file is given.
 */
import { join } from 'node:path';
import { Writable, PassThrough } from 'node:stream';
import { KernelBus } from '../src/bus/bus.js';
import { machineHooks } from '../src/cli/hooks.js';
import { DEFAULT_THEME } from '../src/config/theme-spec.js';
import { SYSRQ_TABLE } from '../src/kernel/sysrq/sysrq.js';
import { ManualClock } from '../src/runtime/pacing.js';
import { DEFAULT_RUNNER, Runner } from '../src/runtime/runner.js';
import { loadScenarioFile, parseScenarioText } from '../src/sim/config.js';
import { Session } from '../src/sim/session.js';
import { App } from '../src/ui/app.js';
import { UNICODE_GLYPHS } from '../src/ui/glyphs.js';
import { Keymap } from '../src/ui/keymap.js';
import { createScreen } from '../src/ui/screen.js';
import { detectTerm } from '../src/ui/terminal.js';
import { isWorkload, workloadScenario } from './workloads.js';

class CountingTty extends Writable {
  readonly isTTY = true;
  bytes = 0;
  writes = 0;
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super({ decodeStrings: false });
  }
  override _write(chunk: unknown, _e: BufferEncoding, cb: () => void): void {
    this.bytes += Buffer.byteLength(String(chunk));
    this.writes++;
    cb();
  }
  getWindowSize(): [number, number] {
    return [this.columns, this.rows];
  }
}

function rssMb(): number {
  return process.memoryUsage().rss / 1024 / 1024;
}

function setup(cols: number, rows: number, scenarioArg: string | undefined, cpus: number, clock: ManualClock, fps: number, speed: number) {
  const workload = isWorkload(scenarioArg) || scenarioArg === undefined ? (scenarioArg ?? 'demo') : null;
  const loaded =
    workload === null ? loadScenarioFile(scenarioArg as string) : workload === 'demo' && cpus === 8 ? loadScenarioFile(join(process.cwd(), 'demo', 'default.json')) : parseScenarioText(`${workload}-${cpus}.json`, workloadScenario(cpus, workload));
  const session = new Session(loaded, machineHooks());
  const bus = new KernelBus();
  const runner = new Runner(session, bus, clock, { ...DEFAULT_RUNNER, fps, speed });
  const tty = new CountingTty(cols, rows);
  const input = new PassThrough() as PassThrough & { isTTY: boolean; setRawMode(b: boolean): void };
  input.isTTY = true;
  input.setRawMode = () => undefined;
  const caps = detectTerm({ TERM: 'xterm-256color', LANG: 'C.UTF-8' });
  const screen = createScreen(caps, { input, output: tty }, { mouse: false, slots: null });
  const app = new App({
    screen,
    bus,
    keymap: new Keymap(),
    glyphs: UNICODE_GLYPHS,
    depth: caps.depth,
    slots: null,
    theme: DEFAULT_THEME,
    themes: [],
    sysrqHelp: [...SYSRQ_TABLE.entries()].map(([key, op]) => ({ key, help: op.helpMsg })),
    mouse: false,
    onExit: () => undefined,
  });
  app.start();
  return { session, bus, runner, tty, app };
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

async function renderCase(argv: string[]): Promise<void> {
  const [cols, rows, cpus, fps, frames] = argv.slice(0, 5).map(Number) as [number, number, number, number, number];
  const { session, runner, tty, app } = setup(cols, rows, argv[5], cpus, new ManualClock(), fps, 1);
  const changed = new Map<string, number>();
  const frameNs = Math.round(1e9 / fps);
  const renderMs: number[] = [];
  const bytes: number[] = [];
  // Warm-up: the first frames draw everything and the JIT warms up; measure the steady state after.
  const warm = Math.min(50, Math.floor(frames / 5));
  let cpuUs = 0;
  const rssStart = rssMb();
  for (let i = 0; i < warm + frames; i++) {
    const c0 = process.cpuUsage();
    session.runUntil(session.k.now + frameNs);
    const b0 = tty.bytes;
    const t0 = performance.now();
    runner.publish();
    const t1 = performance.now();
    await flush();
    const c1 = process.cpuUsage(c0);
    if (i >= warm) {
      renderMs.push(t1 - t0);
      bytes.push(tty.bytes - b0);
      cpuUs += c1.user + c1.system;
      for (const [id, box] of app.boxes) if (box.visible) changed.set(id, (changed.get(id) ?? 0) + box.changedCells);
    }
  }
  renderMs.sort((a, b) => a - b);
  const mean = renderMs.reduce((a, b) => a + b, 0) / renderMs.length;
  const p99 = renderMs[Math.min(renderMs.length - 1, Math.floor(renderMs.length * 0.99))] as number;
  const bpf = bytes.reduce((a, b) => a + b, 0) / bytes.length;
  // CPU share of one core in a real-time run: CPU per frame x frames per second.
  const cpuPct = (cpuUs / 1000 / frames) * fps / 10;
  process.stdout.write(
    `render cols=${cols} rows=${rows} cpus=${session.k.nrCpus} workload=${isWorkload(argv[5]) ? argv[5] : argv[5] === undefined ? 'demo' : 'file'} fps=${fps} frames=${frames} tasks=${session.k.tasks.size} ms_per_frame_mean=${mean.toFixed(2)} ms_per_frame_p99=${p99.toFixed(2)} ` +
      `bytes_per_frame=${Math.round(bpf)} bytes_per_sec=${Math.round(bpf * fps)} cpu_pct=${cpuPct.toFixed(1)} rss_mb_start=${rssStart.toFixed(0)} rss_mb_end=${rssMb().toFixed(0)} changed_cells_per_frame=${[...changed].map(([id, n]) => `${id}:${Math.round(n / frames)}`).join(',')}\n`,
  );
}

const argv = process.argv.slice(2);
await renderCase(argv);
process.exit(0);
