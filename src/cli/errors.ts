/**
 * Errors the CLI reports as one line and exit status 2 (bad input), as opposed to internal errors (exit 70).
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** An input file (theme, journal, trace) with a problem at a known place. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly where: string,
    detail: string,
  ) {
    super(where === '' ? `${file}: ${detail}` : `${file}: ${where}: ${detail}`);
    this.name = 'InputError';
  }
}
