import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { type DatabaseHandle, openDatabase } from '../src/connect.js';
import { type CheckName, checkNames, formatFinding } from '../src/drift/finding.js';
import { repositoryAt } from '../src/drift/repository.js';
import { type CheckReport, runChecks } from '../src/drift/run-checks.js';
import { exitCode, explain, parseFlags, runCommand, UsageError } from './lib/cli.js';

const help = `
Usage: npm run db:check [-- --json] [-- --only <check,...>]

The schema gate for CI. Prints one line per finding (check: file: what is wrong. Fix: what to do).
Exit 0: clean. 1: drift found. 2: a check could not run (the gate is incomplete).

Checks: ${checkNames.join(', ')}.
applied-hashes, live-schema and live-catalog need a database: they run when DATABASE_URL (or PGLITE_DATA_DIR)
is set, and are skipped otherwise.

  --json         print the report as JSON on stdout
  --only <list>  run only these checks (comma-separated)
  --help         show this help
`;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

await runCommand('db:check', async () => {
  const flags = parseFlags(
    process.argv.slice(2),
    { json: { type: 'boolean' }, only: { type: 'string' } },
    help,
  );
  const only = flags.only === undefined ? undefined : parseOnly(flags.only);
  const wantsDatabase =
    only === undefined ||
    only.some((c) => c === 'applied-hashes' || c === 'live-schema' || c === 'live-catalog');
  const databaseNamed = Boolean(process.env.DATABASE_URL || process.env.PGLITE_DATA_DIR);

  let handle: DatabaseHandle | undefined;
  let databaseProblem: string | undefined;
  if (wantsDatabase && databaseNamed) {
    try {
      handle = await openDatabase();
      await handle.db.execute(sql`select 1`);
    } catch (error) {
      // One clear line, as every other command prints it (not drizzle's "Failed query: select 1").
      databaseProblem = `cannot open the database: ${explain('db:check', error).line}`;
      await handle?.close().catch(() => {});
      handle = undefined;
    }
  }
  let report: CheckReport;
  try {
    report = await runChecks(repositoryAt(root), {
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

  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ database: handle?.target ?? null, ...report }, null, 2)}\n`);
  } else {
    for (const finding of report.findings) process.stdout.write(`${formatFinding(finding)}\n`);
    // Checks that failed for one reason (no database) share one line.
    const byReason = new Map<string, string[]>();
    for (const { check, reason } of report.couldNotCheck)
      byReason.set(reason, [...(byReason.get(reason) ?? []), check]);
    for (const [reason, checks] of byReason)
      process.stderr.write(`${checks.join(', ')}: could not check: ${reason}\n`);
    for (const { check, reason } of report.skipped) process.stderr.write(`${check}: skipped: ${reason}\n`);
    if (report.findings.length === 0 && report.couldNotCheck.length === 0) {
      process.stdout.write(`db:check: clean${handle ? ` (database: ${handle.target})` : ''}.\n`);
    }
  }
  // Drift wins over an incomplete run: what was found is certain, and either way CI fails.
  if (report.findings.length > 0) return exitCode.problem;
  if (report.couldNotCheck.length > 0) return exitCode.couldNotRun;
  return exitCode.ok;
});

function parseOnly(value: string): CheckName[] {
  const names = value.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !(checkNames as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new UsageError(`--only: unknown check ${unknown.join(', ')}. Checks: ${checkNames.join(', ')}.`);
  }
  return names as CheckName[];
}
