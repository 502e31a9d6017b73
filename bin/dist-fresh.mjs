// Whether the bundle (dist/kernsim.mjs) is up to date with src/: bin/kernsim.mjs runs it then, else the sources
// through tsx. Plain JavaScript, since it runs before anything can load TypeScript; the benchmarks use it to say
// which of the two they measured.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const distMain = join(root, 'dist', 'kernsim.mjs');

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** The bundle exists and is newer than every source file (an installed package has no src/: fresh). */
export function distIsFresh() {
  if (!existsSync(distMain)) return false;
  const srcDir = join(root, 'src');
  if (!existsSync(srcDir)) return true;
  return statSync(distMain).mtimeMs >= newestMtime(srcDir);
}
