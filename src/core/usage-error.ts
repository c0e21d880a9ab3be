/** A mistake of the user's (arguments, config, unreadable file): one clear line, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
