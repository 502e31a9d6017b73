/** Run the CLI in-process and capture its output and exit status. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.js';

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
}

export function cli(...argv: string[]): CliResult {
  let stdout = '';
  let stderr = '';
  const r = runCli(argv, { write: (s) => void (stdout += s), err: (s) => void (stderr += s) });
  if (typeof r !== 'number') throw new Error('cli() runs synchronous commands only (not the dashboard)');
  const code = r;
  return { stdout, stderr, code };
}

let dir: string | null = null;

/** Write a temporary file (a scenario, a theme...) and return its path. */
export function tempFile(name: string, content: string | object): string {
  dir ??= mkdtempSync(join(tmpdir(), 'kernsim-test-'));
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return p;
}
