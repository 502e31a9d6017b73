/**
 * A problem in an input file at a known place (scenario, theme, config, journal, trace). The CLI reports it as one
 * line, `FILE: PLACE: DETAIL`, with exit status 2; the subclasses only say which kind of file it was.
 */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly where: string,
    readonly detail: string,
  ) {
    super(where === '' ? `${file}: ${detail}` : `${file}: ${where}: ${detail}`);
    this.name = 'InputError';
  }
}

/** What went wrong opening an input file, in the words ls and cat use (`no such file`, `is a directory`). */
export function fileErrorText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES') return 'permission denied';
  return `cannot read (${code ?? 'error'})`;
}
