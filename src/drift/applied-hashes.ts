import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Queryable } from '../database.js';
import { readHistory } from '../migrator/history.js';
import type { Finding } from './finding.js';
import { journalFile, type Repository, readJournal } from './repository.js';

/**
 * What drizzle never compares: the sha256 it stored for each applied migration against today's file
 * (an edited applied migration changes nothing on databases that already ran it), and journal entries
 * older than the last applied one that never ran (drizzle skips them for good).
 */
export async function checkAppliedHashes(repo: Repository, db: Queryable): Promise<Finding[]> {
  const entries = readJournal(repo);
  const history = await readHistory(db);
  const findings: Finding[] = [];
  const byWhen = new Map(entries.map((entry) => [entry.when, entry]));

  for (const applied of history) {
    const entry = byWhen.get(applied.createdAt);
    if (!entry) {
      findings.push({
        check: 'applied-hashes',
        file: journalFile,
        message: `the database applied a migration (created_at ${applied.createdAt}, sha256 ${applied.hash.slice(0, 12)}) that the journal no longer names: it was renamed, re-timed or deleted after it ran.`,
        fix: 'restore that migration and its journal entry from git; never rewrite a migration that has been deployed, add a new one.',
      });
      continue;
    }
    const path = join(repo.migrationsFolder, `${entry.tag}.sql`);
    if (!existsSync(path)) continue; // the journal check reports the missing file
    const today = createHash('sha256').update(readFileSync(path, 'utf8')).digest('hex');
    if (today !== applied.hash) {
      findings.push({
        check: 'applied-hashes',
        file: `drizzle/${entry.tag}.sql`,
        message: `edited after it was applied: the database ran sha256 ${applied.hash.slice(0, 12)}, the file is now ${today.slice(0, 12)}; drizzle will not run it again.`,
        fix: `restore the applied version (\`git log -p -- drizzle/${entry.tag}.sql\`) and put the change in a new migration (\`npm run db:generate\`).`,
      });
    }
  }

  const lastApplied = history.at(-1)?.createdAt;
  if (lastApplied !== undefined) {
    const appliedWhens = new Set(history.map((h) => h.createdAt));
    for (const entry of entries) {
      if (entry.when < lastApplied && !appliedWhens.has(entry.when)) {
        findings.push({
          check: 'applied-hashes',
          file: `drizzle/${entry.tag}.sql`,
          message: `never applied, and its when (${entry.when}) is older than the last applied migration (${lastApplied}): drizzle will skip it forever (a branch merged with an older migration).`,
          fix: `regenerate it on top of the latest migration so its when is newer (delete drizzle/${entry.tag}.sql, its snapshot and journal entry, run \`npm run db:generate\`), then \`npm run db:migrate\`.`,
        });
      }
    }
  }
  return findings;
}
