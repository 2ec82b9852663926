import { join } from 'node:path';
import type { Finding } from './finding.js';
import type { Repository } from './repository.js';
import { lastLines, offlineEnv, runProcess } from './run-process.js';

/** drizzle-kit's own consistency check of the snapshots (two snapshots with one parent: a collision). */
export async function checkWithDrizzleKit(repo: Repository): Promise<Finding[]> {
  const result = await runProcess(join(repo.root, 'node_modules/.bin/drizzle-kit'), ['check'], {
    cwd: repo.root,
    env: offlineEnv(),
  });
  if (result.code === 0) return [];
  return [
    {
      check: 'drizzle-kit-check',
      file: 'drizzle/meta/',
      message: `drizzle-kit check fails: ${lastLines(result.output, 2)}`,
      fix: "two branches generated migrations from the same parent: delete the later branch's migration (its .sql, snapshot and journal entry) and run `npm run db:generate` again on top of the other.",
    },
  ];
}
