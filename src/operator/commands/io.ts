/** Where a command writes: a process's stdout/stderr, or a buffer in a test. */
export interface Writer {
  write(text: string): void;
}

/**
 * Everything a command takes from its surroundings. A real process passes its own streams and
 * environment (see runAsProcess); tests pass buffers and an environment of their own, and run the
 * command in process.
 */
export interface CommandIo {
  stdout: Writer;
  stderr: Writer;
  env: Readonly<Record<string, string | undefined>>;
  /** Whether stdout / stderr are terminals: progress redraws one line there, and logs plain lines elsewhere. */
  isTTY: { stdout: boolean; stderr: boolean };
  /** The folder relative paths (--report, the PGlite folder) are resolved against. */
  cwd: string;
  /** The clock progress lines are paced by. Default Date.now. */
  now?: () => number;
  /** How often a log gets a progress or still-working line. Default 5000 ms; Infinity for none. */
  progressEveryMs?: number;
  /**
   * The drizzle/ folder db:migrate and db:status read. Default: the package's own (beside dist/ or
   * src/). Tests point it at a scratch copy they break on purpose, and run the command in process.
   */
  migrationsFolder?: string;
}
