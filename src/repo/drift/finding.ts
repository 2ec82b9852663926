/** The checks db:check runs, in the order it runs them. */
export const checkNames = [
  'schema-vs-migrations',
  'drizzle-kit-check',
  'journal',
  'squawk',
  'down-files',
  'applied-hashes',
  'live-schema',
  'live-catalog',
  'column-comments',
] as const;

export type CheckName = (typeof checkNames)[number];

/** One piece of drift: where it is and what to do about it. */
export interface Finding {
  check: CheckName;
  /** The file to look at, relative to the repository root (or `database` for the live database). */
  file: string;
  message: string;
  fix: string;
}

/** The one line db:check prints for a finding. */
export function formatFinding(finding: Finding): string {
  return `${finding.check}: ${finding.file}: ${finding.message} Fix: ${finding.fix}`;
}

/** A check that could not run: the gate did not see everything, so it must not pass. */
export class CouldNotCheckError extends Error {
  override name = 'CouldNotCheckError';
}
