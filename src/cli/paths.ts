/** Where kernsim's own files are, relative to the installed package. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: the nearest directory above this file with kernsim's package.json (src/cli, or the bundle in dist). */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'kernsim') return dir;
      } catch {
        // Not ours; keep looking.
      }
    }
    dir = dirname(dir);
  }
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

export const PACKAGE_ROOT = findRoot();
export const DEFAULT_SCENARIO = join(PACKAGE_ROOT, 'demo', 'default.json');
export const THEMES_DIR = join(PACKAGE_ROOT, 'themes');

function readVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export const VERSION = readVersion();
