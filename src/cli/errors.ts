/**
 * Errors the CLI reports as one line and exit status 2 (bad input), as opposed to internal errors (exit 70).
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export { InputError } from '../lib/input-error.js';
