/** Exit codes shared by every command: 0 done, 1 ran and found a problem, 2 could not run. */
export const exitCode = { ok: 0, problem: 1, couldNotRun: 2, interrupted: 130 } as const;

export type ExitCode = number;
