/**
 * `kernsim replay JOURNAL`: rebuild a recorded session exactly - the same scenario text and seed, the same
 * commands at the same positions (boot, virtual time, event count) - and check each state-hash checkpoint on
 * the way. Live in the dashboard at any size and speed, or `--headless [--json]` to the summary the original
 * run had at its end. A mismatch stops the replay with where the runs diverged.
 */
import { readJournal, type Journal } from '../record/journal.js';
import { Driver, type DriverHooks, type Position } from '../runtime/driver.js';
import { parseScenarioText } from '../sim/config.js';
import { buildSummary, formatSummary } from '../sim/report.js';
import { Session } from '../sim/session.js';
import { runDashboard, type DashboardIo, type DashboardOptions } from './dashboard.js';
import { InputError } from './errors.js';
import { checkTraceName, openTrace, type HeadlessResult } from './headless.js';
import { machineHooks } from './hooks.js';

export interface ReplayOptions extends Omit<DashboardOptions, 'scenario' | 'seed' | 'journal'> {
  headless?: boolean;
  json?: boolean;
  /** With --headless: write the replayed session as traces (FILE.json Perfetto, FILE.txt ftrace). */
  trace?: string[];
}

const fmtS = (ns: number): string => `${(ns / 1e9).toFixed(3)} s`;

/** The session and driver hooks that replay a journal, with a checker for its checkpoints. */
export function prepareReplay(journal: Journal): { session: Session; hooks: DriverHooks; divergence: () => string | null } {
  const h = journal.header;
  let loaded;
  try {
    loaded = parseScenarioText(h.scenario.file, h.scenario.text);
  } catch (e) {
    throw new InputError(journal.file, 'line 1', `the recorded scenario does not load: ${(e as Error).message}`);
  }
  const session = new Session(loaded, { seed: h.seed, ...machineHooks() });
  let ci = 0;
  let diverged: string | null = null;
  let lastGood: Position | null = null;
  const hooks: DriverHooks = {
    checkpointNs: h.checkpointNs,
    script: journal.commands.map((c) => ({ boot: c.boot, atNs: c.atNs, events: c.events, cmd: c.cmd })),
    ...(journal.end !== null ? { endAt: { boot: journal.end.boot, atNs: journal.end.atNs } } : {}),
    onCheckpoint: (p, hash) => {
      const rec = journal.checkpoints[ci];
      if (rec === undefined) return true;
      ci++;
      const line = journal.lineOf.get(rec) ?? 0;
      if (rec.boot !== p.boot || rec.atNs !== p.atNs || rec.events !== p.events || rec.hash !== hash) {
        const from = lastGood === null ? 'the start' : fmtS(lastGood.atNs);
        diverged =
          `${journal.file}: line ${line}: the replay diverged from the recording at ${fmtS(rec.atNs)} (boot ${rec.boot}, event ${rec.events}): ` +
          (rec.events !== p.events ? `the replay is at event ${p.events}` : `state hash ${hash} where the recording has ${rec.hash}`) +
          `; the runs parted between ${from} and ${fmtS(rec.atNs)}`;
        return false;
      }
      lastGood = p;
      return true;
    },
  };
  return { session, hooks, divergence: () => diverged };
}

export function runReplayHeadless(file: string, o: ReplayOptions): HeadlessResult & { stderr: string } {
  for (const t of o.trace ?? []) checkTraceName(t);
  const journal = readJournal(file);
  const { session, hooks, divergence } = prepareReplay(journal);
  // A recorded live session, exported as headless runs are: the exporters follow the kernel across reboots.
  const traces = (o.trace ?? []).map((t) => openTrace(t));
  for (const t of traces) t.attach(session.k);
  if (traces.length > 0) session.onReboot = (k) => traces.forEach((t) => t.attach(k));
  const driver = new Driver(session, hooks);
  const last = journal.end ?? [...journal.commands, ...journal.checkpoints].sort((a, b) => a.boot - b.boot || a.events - b.events).pop() ?? null;
  let stderr = journal.end === null ? `kernsim: ${file}: no "end" record (the session was killed?); replayed up to its last line\n` : '';
  if (last !== null) {
    // Through any reboots to the recorded boot, then to the recorded end time.
    let guard = 0;
    while (!driver.stopped && session.boots < last.boot && session.k.halted !== 'panic' && session.k.halted !== 'poweroff' && guard++ < 1_000_000) {
      driver.advance(session.k.now + 1_000_000_000, 1_000_000);
    }
    if (!driver.stopped && session.boots === last.boot) driver.advance(last.atNs);
  }
  for (const t of traces) t.close();
  const d = divergence();
  if (d !== null || driver.stopped) {
    return { stdout: '', exitCode: 1, stderr: `${stderr}kernsim: ${d ?? `${file}: the replay could not reach a recorded position; the runs diverged`}\n` };
  }
  if (last !== null && (session.k.engine.processed !== last.events || session.k.now !== last.atNs)) {
    stderr += `kernsim: ${file}: the replay ended at ${fmtS(session.k.now)}, event ${session.k.engine.processed}; the recording at ${fmtS(last.atNs)}, event ${last.events}\n`;
  }
  const summary = buildSummary(session, {});
  return { stdout: o.json === true ? `${JSON.stringify(summary)}\n` : formatSummary(summary), exitCode: 0, stderr };
}

export function runReplayDashboard(file: string, o: ReplayOptions, io: DashboardIo): Promise<number> {
  const journal = readJournal(file);
  const { session, hooks, divergence } = prepareReplay(journal);
  return runDashboard({ ...o, scenario: journal.header.scenario.file }, io, {
    session,
    hooks,
    title: `${file} (${session.scenario.name})`,
    diverged: () => divergence() ?? 'the replay diverged from the recording',
  });
}
