/**
 * xargs [-n MAX] [-I REPLACE] [-r] [-t] [COMMAND [ARG]...] (GNU findutils): the words of its input (blanks and
 * newlines between, quotes and backslashes as xargs reads them) appended to COMMAND (echo by default), as many
 * times as -n allows, or with -I one command per input line with REPLACE in its arguments replaced by the line.
 * The status is GNU's: 123 if any run failed, 127 if the command is not found.
 */
import { fail, getopt, type CommandOutput } from './context.js';

type Run = (argv: string[], stdin: string) => CommandOutput;

/** The input's words, as xargs splits them (no -0, no -d): quotes group, a backslash escapes. */
function words(input: string): string[] | string {
  const out: string[] = [];
  let w = '';
  let inWord = false;
  for (let i = 0; i < input.length; i++) {
    const c = input[i] as string;
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) out.push(w);
      w = '';
      inWord = false;
    } else if (c === "'" || c === '"') {
      const end = input.indexOf(c, i + 1);
      const nl = input.indexOf('\n', i + 1);
      if (end < 0 || (nl >= 0 && nl < end)) return `unmatched ${c === "'" ? 'single' : 'double'} quote; by default quotes are special to xargs unless you use the -0 option`;
      w += input.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '\\' && i + 1 < input.length) {
      w += input[++i];
      inWord = true;
    } else {
      w += c;
      inWord = true;
    }
  }
  if (inWord) out.push(w);
  return out;
}

export function xargs(argv: readonly string[], stdin: string, run: Run): CommandOutput {
  let max = Infinity;
  let replace: string | null = null;
  let noRunIfEmpty = false;
  let trace = false;
  const command: string[] = [];
  const bad = getopt(
    argv,
    command,
    (c, value) => {
      if (c === 'r') noRunIfEmpty = true;
      else if (c === 't') trace = true;
      else if (c === 'n') {
        const v = value();
        if (v === undefined) return fail('xargs', "option requires an argument -- 'n'", 1);
        if (!/^\d+$/.test(v) || Number(v) < 1) return fail('xargs', `value ${v} for -n option should be >= 1`, 1);
        max = Number(v);
      } else if (c === 'I') {
        const v = value();
        if (v === undefined) return fail('xargs', "option requires an argument -- 'I'", 1);
        replace = v;
      } else return fail('xargs', `${c.startsWith('--') ? `unrecognized option '${c}'` : `invalid option -- '${c}'`}\nUsage: xargs [OPTION]... COMMAND [INITIAL-ARGS]...`, 1);
      return undefined;
    },
    // The command and its arguments start at the first operand: `xargs echo -n` passes -n to echo.
    { inOrder: true, long: { 'no-run-if-empty': 'r', verbose: 't', 'max-args': 'n' } },
  );
  if (bad !== null) return bad;
  if (command.length === 0) command.push('echo');
  // -I: a command per non-blank input line, its leading blanks dropped, the line replacing REPLACE.
  let runs: string[][];
  if (replace !== null) {
    const r = replace;
    runs = stdin
      .split('\n')
      .map((l) => l.replace(/^[ \t]+/, ''))
      .filter((l) => l !== '')
      .map((line) => command.map((x) => x.split(r).join(line)));
  } else {
    const ws = words(stdin);
    if (typeof ws === 'string') return fail('xargs', ws, 1);
    runs = [];
    const per = max === Infinity ? Math.max(1, ws.length) : max;
    for (let j = 0; j < ws.length; j += per) runs.push([...command, ...ws.slice(j, j + per)]);
    // GNU xargs runs the command once even with no input, unless -r.
    if (runs.length === 0 && !noRunIfEmpty) runs.push([...command]);
  }
  let out = '';
  let err = '';
  let status = 0;
  for (const args of runs) {
    if (trace) err += `${args.join(' ')}\n`;
    // Each run reads nothing: xargs's own input is the words it took.
    const r = run(args, '');
    out += r.out;
    // xargs execs the command itself: a missing one is its error, not the shell's.
    if (r.status === 127) return { out, err: `${err}xargs: ${args[0]}: No such file or directory\n`, status: 127, errno: 'ENOENT' };
    err += r.err;
    if (r.status === 255) return { out, err: `${err}xargs: ${args[0]}: exited with status 255; aborting\n`, status: 124 };
    if (r.status !== 0) status = 123;
  }
  return { out, err, status };
}
