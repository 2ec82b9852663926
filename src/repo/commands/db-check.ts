import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { defineCommand } from '../../operator/commands/command.js';
import { databaseNamed, openCommandDatabase } from '../../operator/commands/database.js';
import { exitCode } from '../../operator/commands/exit-code.js';
import { explain } from '../../operator/commands/explain.js';
import type { CommandIo } from '../../operator/commands/io.js';
import { UsageError } from '../../operator/commands/usage-error.js';
import type { DatabaseHandle } from '../../operator/connect.js';
import { type CheckName, checkNames, formatFinding } from '../drift/finding.js';
import { repositoryAt } from '../drift/repository.js';
import { type CheckReport, databaseChecks, runChecks } from '../drift/run-checks.js';
import { packageRoot } from './package-root.js';

const help = `
Usage: npm run db:check -- [--json] [--only <check,...>]

The schema gate for CI. Prints one line per finding (check: file: what is wrong. Fix: what to do).
Exit 0: clean. 1: drift found. 2: a check could not run (the gate is incomplete).

Checks: ${checkNames.join(', ')}.
${databaseChecks.join(', ')} need a database: they run when DATABASE_URL (or
PGLITE_DATA_DIR) is set, and are skipped otherwise.

  --json         print the report as JSON on stdout
  --only <list>  run only these checks (comma-separated)
  --help         show this help
`;

export const dbCheck = defineCommand({
  name: 'db:check',
  summary: 'the schema gate for CI: drift between schema, migrations and the database',
  help,
  flags: { json: { type: 'boolean' }, only: { type: 'string' } },
  parse: (flags) => ({
    json: flags.json ?? false,
    only: flags.only === undefined ? undefined : parseOnly(flags.only),
  }),
  execute: async ({ json, only }, io) => {
    const wantsDatabase = only === undefined || only.some((c) => databaseChecks.includes(c));
    let handle: DatabaseHandle | undefined;
    let databaseProblem: string | undefined;
    if (wantsDatabase && databaseNamed(io)) {
      try {
        handle = await openCommandDatabase(io);
        await handle.db.execute(sql`select 1`);
      } catch (error) {
        // The line every command prints for this failure (the server is not there, a missing role, a
        // missing database), not drizzle's "Failed query: select 1".
        databaseProblem = `cannot open the database: ${explain('db:check', error).line}`;
        await handle?.close().catch(() => {});
        handle = undefined;
      }
    }
    let report: CheckReport;
    try {
      report = await runChecks(repositoryAt(repositoryRoot(io)), {
        db: handle?.db,
        noDatabaseReason: 'DATABASE_URL is not set',
        only,
      });
    } finally {
      await handle?.close().catch(() => {});
    }
    if (databaseProblem) {
      report.couldNotCheck.push(...report.skipped.map((s) => ({ check: s.check, reason: databaseProblem })));
      report.skipped = [];
    }

    if (json) {
      io.stdout.write(`${JSON.stringify({ database: handle?.target ?? null, ...report }, null, 2)}\n`);
    } else {
      for (const finding of report.findings) io.stdout.write(`${formatFinding(finding)}\n`);
      // Checks that failed for one reason (no database) share one line.
      const byReason = new Map<string, string[]>();
      for (const { check, reason } of report.couldNotCheck)
        byReason.set(reason, [...(byReason.get(reason) ?? []), check]);
      for (const [reason, checks] of byReason)
        io.stderr.write(`${checks.join(', ')}: could not check: ${reason}\n`);
      for (const { check, reason } of report.skipped) io.stderr.write(`${check}: skipped: ${reason}\n`);
      if (report.findings.length === 0 && report.couldNotCheck.length === 0) {
        io.stdout.write(`db:check: clean${handle ? ` (database: ${handle.target})` : ''}.\n`);
      }
    }
    // Drift wins over an incomplete run: what was found is certain, and either way CI fails.
    if (report.findings.length > 0) return exitCode.problem;
    if (report.couldNotCheck.length > 0) return exitCode.couldNotRun;
    return exitCode.ok;
  },
});

/**
 * The repository db:check checks: the working folder when it is one (npm runs scripts there; a test
 * runs it in a scratch copy), else this package's own folder.
 */
function repositoryRoot(io: CommandIo): string {
  return existsSync(join(io.cwd, 'drizzle.config.ts')) ? io.cwd : packageRoot;
}

function parseOnly(value: string): CheckName[] {
  const names = value.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !(checkNames as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new UsageError(`--only: unknown check ${unknown.join(', ')}. Checks: ${checkNames.join(', ')}.`);
  }
  return names as CheckName[];
}
