/**
 * The user's UI settings (not part of the simulation, never recorded): $XDG_CONFIG_HOME/kernsim/config.json
 * (default ~/.config/kernsim/config.json). Layered as defaults < config file < command line, scxtop style.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as z from 'zod';
import { jsonErrorPlace } from '../lib/json-place.js';
import { fileErrorText, InputError } from '../lib/input-error.js';

// Before this module builds its schemas: see workload/scenario.ts.
z.config({ jitless: true });

export class ConfigError extends InputError {
  override readonly name = 'ConfigError';
}

export interface UiConfig {
  theme: string;
  fps: number;
  speed: number;
  mouse: boolean;
  ascii: boolean;
  color: 'auto' | 'never' | '16' | '256' | 'truecolor';
  /** Action id -> keys (blessed key names, e.g. "q", "C-q", "f10"). */
  keymap: Record<string, string[]>;
}

export const DEFAULT_UI_CONFIG: UiConfig = { theme: 'default', fps: 10, speed: 1, mouse: true, ascii: false, color: 'auto', keymap: {} };

const schema = z.strictObject({
  theme: z.string().min(1).max(200).optional(),
  fps: z.number().int().min(1, { message: 'expected 1 to 60 frames per second' }).max(60, { message: 'expected 1 to 60 frames per second' }).optional(),
  speed: z.number().min(0.01, { message: 'expected a speed from 0.01 to 1000' }).max(1000, { message: 'expected a speed from 0.01 to 1000' }).optional(),
  mouse: z.boolean().optional(),
  ascii: z.boolean().optional(),
  color: z.enum(['auto', 'never', '16', '256', 'truecolor']).optional(),
  keymap: z.record(z.string(), z.array(z.string().min(1).max(20)).min(1).max(8)).optional(),
});

export function configPath(env: Readonly<Record<string, string | undefined>>): string {
  const base = env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'kernsim', 'config.json');
}

/** Read the config file if it exists; a broken one is an error naming the file and the key. */
export function loadUiConfig(file: string, mustExist = false): UiConfig {
  if (!existsSync(file)) {
    if (mustExist) throw new ConfigError(file, '', 'no such file');
    return { ...DEFAULT_UI_CONFIG };
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, '', fileErrorText(e));
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, '', `invalid JSON: ${jsonErrorPlace(text, (e as Error).message)}`);
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    const iss = r.error.issues[0] as z.core.$ZodIssue;
    const path = iss.path.map(String).join('.');
    const msg = iss.code === 'unrecognized_keys' ? `unknown key "${(iss as { keys: string[] }).keys[0] ?? ''}"` : iss.message;
    throw new ConfigError(file, path, msg);
  }
  return { ...DEFAULT_UI_CONFIG, ...r.data, keymap: r.data.keymap ?? {} } as UiConfig;
}
