import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isOnlineMigration } from '../../deploy/online-migration.js';
import { CouldNotCheckError, type Finding } from './finding.js';
import { migrationSqlFiles, type Repository } from './repository.js';
import { lastLines, runProcess } from './run-process.js';

interface SquawkViolation {
  file: string;
  line: number;
  level: string;
  message: string;
  help: string | null;
  rule_name: string;
}

/**
 * Lints every migration with squawk (rules, PostgreSQL version and "runs in a transaction" come from
 * .squawk.toml). A finding accepted on purpose carries `-- squawk-ignore-file <rule>` or
 * `-- squawk-ignore <rule>` with its reason in the migration; anything else fails the gate.
 */
export async function checkWithSquawk(repo: Repository): Promise<Finding[]> {
  const files = migrationSqlFiles(repo).map((file) => `drizzle/${file}`);
  const online = files.filter((file) => isOnlineMigration([readFileSync(join(repo.root, file), 'utf8')]));
  const transactional = files.filter((file) => !online.includes(file));
  // An online migration runs outside any transaction (db:migrate), so squawk must not assume one.
  const violations = [
    ...(await runSquawk(repo, transactional, [])),
    ...(await runSquawk(repo, online, ['--no-assume-in-transaction'])),
  ];
  return violations.map((v) => ({
    check: 'squawk',
    // squawk counts lines from 0.
    file: `${v.file}:${v.line + 1}`,
    message: `${v.rule_name}: ${v.message}`,
    fix:
      v.rule_name === 'syntax-error'
        ? 'fix the SQL.'
        : `${v.help ? `${v.help.replace(/\.?$/, '.')} ` : ''}If the risk is understood and accepted, put \`-- squawk-ignore ${v.rule_name}\` on the line above it, with the reason on a comment line next to it.`,
  }));
}

async function runSquawk(repo: Repository, files: string[], extraArgs: string[]): Promise<SquawkViolation[]> {
  if (files.length === 0) return [];
  const config = join(repo.root, '.squawk.toml');
  const args = [
    '--reporter',
    'json',
    ...(existsSync(config) ? ['--config', config] : []),
    ...extraArgs,
    ...files,
  ];
  const result = await runProcess(join(repo.root, 'node_modules/.bin/squawk'), args, { cwd: repo.root });
  const violations = parseReport(result.output);
  if (violations === undefined || (result.code !== 0 && result.code !== 1)) {
    throw new CouldNotCheckError(`squawk did not report (exit ${result.code}): ${lastLines(result.output)}`);
  }
  return violations;
}

/** squawk prints a JSON array of violations (an empty one when clean); anything else is a failure to run. */
function parseReport(output: string): SquawkViolation[] | undefined {
  const start = output.indexOf('[');
  if (start === -1) return undefined;
  try {
    const parsed: unknown = JSON.parse(output.slice(start));
    return Array.isArray(parsed) ? (parsed as SquawkViolation[]) : undefined;
  } catch {
    return undefined;
  }
}
