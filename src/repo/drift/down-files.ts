import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from './finding.js';
import type { Repository } from './repository.js';

export const downFolder = 'drizzle/down';

/** Every migration has a reviewed reverse in drizzle/down/<tag>.sql, and every reverse has a migration. */
export function checkDownFiles(repo: Repository): Finding[] {
  const tags = repo.journal().map((entry) => entry.tag);
  const folder = join(repo.root, downFolder);
  const downs = existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.sql')) : [];
  const findings: Finding[] = [];
  for (const tag of tags) {
    if (!downs.includes(`${tag}.sql`)) {
      findings.push({
        check: 'down-files',
        file: `${downFolder}/${tag}.sql`,
        message: `migration ${tag} has no down migration, so \`npm run db:rollback\` cannot go back past it.`,
        fix: `write ${downFolder}/${tag}.sql: the hand-written, commented reverse of drizzle/${tag}.sql (see the README's rollback section).`,
      });
    }
  }
  for (const file of downs) {
    if (!tags.includes(file.slice(0, -'.sql'.length))) {
      findings.push({
        check: 'down-files',
        file: `${downFolder}/${file}`,
        message: 'this down migration belongs to no migration in the journal.',
        fix: 'rename it to the tag of the migration it reverses, or delete it if that migration is gone.',
      });
    }
  }
  return findings;
}
