/** Wrong use of a command: bad flags or values. Exit 2 with a pointer to --help. */
export class UsageError extends Error {
  override name = 'UsageError';
}
