#!/usr/bin/env node
// Launcher: run the bundled program (dist/kernsim.mjs, built by `npm install`) when it is up to date with src/
// (fast start), else the TypeScript sources through tsx (a checkout being edited). Either way the same main() runs.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { distIsFresh, distMain, root } from './dist-fresh.mjs';

// Keep V8's young generation at its first size while the program loads (src/cli/v8-tuning.ts: the dashboard
// keeps it there; headless runs let it grow again). Loading would otherwise grow it to 8 MB of resident pages.
setFlagsFromString('--semi-space-growth-factor=1');

let mod;
if (distIsFresh()) {
  mod = await import(pathToFileURL(distMain).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  mod = await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
}
const r = mod.main(process.argv.slice(2));
if (typeof r === 'number') process.exitCode = r;
// The dashboard resolves when it has restored the terminal; exit then, whatever still holds the loop (stdin).
else process.exit(await r);
