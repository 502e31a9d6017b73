/**
 * `kernsim import TRACE`: a real machine's scheduler trace (ftrace text, trace-cmd report, perf script) in the
 * dashboard, replayed at any speed; or `--headless [--json]` to the same summary contract as `headless`.
 * Lines it cannot read are counted and reported (the first few with line numbers); only a file with no
 * scheduler event at all is an error.
 */
import { basename } from 'node:path';
import { formatImportSummary, importSummary, TraceFeeder } from '../trace/import.js';
import { runDashboard, type DashboardIo, type DashboardOptions } from './dashboard.js';

export interface ImportOptions extends Omit<DashboardOptions, 'scenario' | 'seed' | 'journal'> {
  headless?: boolean;
  json?: boolean;
}

export function runImportHeadless(file: string, o: ImportOptions): { stdout: string; stderr: string; exitCode: number } {
  const f = new TraceFeeder(file);
  f.feed();
  f.check();
  const j = importSummary(f);
  const p = f.problems();
  return { stdout: o.json === true ? `${JSON.stringify(j)}\n` : formatImportSummary(j), stderr: p !== null ? `kernsim: ${p}\n` : '', exitCode: 0 };
}

export function runImportDashboard(file: string, o: ImportOptions, io: DashboardIo): Promise<number> {
  const f = new TraceFeeder(file);
  // Read up to the first event before taking the terminal: a file with none is reported as an error.
  f.feed(-Infinity);
  if (f.heldNs === null) f.check();
  return runDashboard({ ...o, scenario: file }, io, null, { feeder: f, name: basename(file) }).then((code) => {
    const p = f.problems();
    if (p !== null) io.stderr.write(`kernsim: ${p}\n`);
    return code;
  });
}
