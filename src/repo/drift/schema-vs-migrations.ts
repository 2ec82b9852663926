import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CouldNotCheckError, type Finding } from './finding.js';
import type { Repository } from './repository.js';
import { lastLines, offlineEnv, runProcess } from './run-process.js';
import { makeScratchCopy } from './scratch-copy.js';

/**
 * A schema change nobody generated a migration for. `drizzle-kit check` cannot see it (it only compares
 * snapshots with each other), so run `drizzle-kit generate` in a scratch copy: anything it writes is
 * a migration the repository lacks.
 */
export async function checkSchemaAgainstMigrations(repo: Repository): Promise<Finding[]> {
  const scratch = makeScratchCopy(repo.root);
  try {
    const before = fingerprint(join(scratch.dir, 'drizzle'));
    const result = await runProcess(join(repo.root, 'node_modules/.bin/drizzle-kit'), ['generate'], {
      cwd: scratch.dir,
      env: offlineEnv(join(scratch.dir, '.data/pglite')),
    });
    if (result.output.includes('Interactive prompts require a TTY')) {
      return [
        {
          check: 'schema-vs-migrations',
          file: 'src/app/schema/',
          message:
            'the schema renames or replaces a table or column that no migration covers (drizzle-kit generate needs to ask whether it is a rename).',
          fix: 'run `npm run db:generate` in a terminal, answer its question, and commit the migration it writes.',
        },
      ];
    }
    if (result.code !== 0) {
      throw new CouldNotCheckError(
        `drizzle-kit generate failed (exit ${result.code}): ${lastLines(result.output)}`,
      );
    }
    const after = fingerprint(join(scratch.dir, 'drizzle'));
    const written = [...after.keys()].filter((file) => before.get(file) !== after.get(file));
    if (written.length === 0) return [];
    const sqlFiles = written.filter((file) => file.endsWith('.sql'));
    return [
      {
        check: 'schema-vs-migrations',
        file: 'src/app/schema/',
        message: `the schema has changes no migration covers; drizzle-kit generate would write ${(sqlFiles.length ? sqlFiles : written).map((f) => `drizzle/${f}`).join(', ')}.`,
        fix: 'run `npm run db:generate -- --name <what-changed>` and commit the migration it writes.',
      },
    ];
  } finally {
    scratch.remove();
  }
}

/** Every file under `dir` -> sha256 of its content. */
function fingerprint(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path), createHash('sha256').update(readFileSync(path)).digest('hex'));
  }
  return files;
}
