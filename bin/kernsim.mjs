#!/usr/bin/env node
// Launcher: run the bundled program (dist/kernsim.mjs, built by `npm install`) when it is up to date with src/
// (fast start), else the TypeScript sources through tsx (a checkout being edited). Either way the same main() runs.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';

// Keep V8's young generation at its first size while the program loads (src/cli/heap-tuning.ts: the dashboard
// keeps it there; headless runs let it grow again). Loading would otherwise grow it to 8 MB of resident pages.
setFlagsFromString('--semi-space-growth-factor=1');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const distMain = join(root, 'dist', 'kernsim.mjs');
const srcDir = join(root, 'src');

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function distIsFresh() {
  if (!existsSync(distMain)) return false;
  if (!existsSync(srcDir)) return true;
  return statSync(distMain).mtimeMs >= newestMtime(srcDir);
}

let mod;
if (distIsFresh()) {
  mod = await import(pathToFileURL(distMain).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  mod = await import(pathToFileURL(join(srcDir, 'cli', 'main.ts')).href);
}
const r = mod.main(process.argv.slice(2));
if (typeof r === 'number') process.exitCode = r;
// The dashboard resolves when it has restored the terminal; exit then, whatever still holds the loop (stdin).
else process.exit(await r);
