import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from './finding.js';
import { journalFile, migrationSqlFiles, numericPrefix, type Repository } from './repository.js';

const renumberFix = (tag: string) =>
  `renumber the later branch's migration: delete drizzle/${tag}.sql, its snapshot and its journal entry, then run \`npm run db:generate\` again on top of main.`;

/**
 * The journal is what drizzle migrates by; holes in it are silent. drizzle applies by `when` alone,
 * so an entry whose `when` is not after the previous one is skipped on databases already past it,
 * and a .sql file the journal does not name is never applied at all.
 */
export function checkJournal(repo: Repository): Finding[] {
  const entries = repo.journal();
  const findings: Finding[] = [];
  const finding = (file: string, message: string, fix: string) =>
    findings.push({ check: 'journal', file, message, fix });

  entries.forEach((entry, position) => {
    if (entry.idx !== position) {
      finding(
        journalFile,
        `entry ${entry.tag} has idx ${entry.idx} but is entry number ${position} (idx must run 0, 1, 2, ... without gaps).`,
        `set its idx to ${position} (entries are in apply order; renumber the ones after it too).`,
      );
    }
    const previous = entries[position - 1];
    if (previous && !(entry.when > previous.when)) {
      finding(
        journalFile,
        `entry ${entry.tag} has when ${entry.when}, not after ${previous.tag} (${previous.when}): drizzle would skip it on every database that already applied ${previous.tag}.`,
        `give ${entry.tag} a when greater than ${previous.when} (regenerate it on top of main, or edit its when if it was never deployed).`,
      );
    }
    if (!existsSync(join(repo.migrationsFolder, `${entry.tag}.sql`))) {
      finding(
        `drizzle/${entry.tag}.sql`,
        `the journal names ${entry.tag} but drizzle/${entry.tag}.sql does not exist.`,
        'restore the file from git, or remove the entry (and its snapshot) if the migration was abandoned before any deploy.',
      );
    }
    const snapshot = `drizzle/meta/${numericPrefix(entry.tag)}_snapshot.json`;
    if (!existsSync(join(repo.root, snapshot))) {
      finding(
        snapshot,
        `the snapshot of ${entry.tag} is missing; drizzle-kit generates the next migration from it.`,
        'restore it from git (or regenerate the migration with `npm run db:generate`).',
      );
    }
  });

  const journalTags = new Set(entries.map((e) => e.tag));
  for (const file of migrationSqlFiles(repo)) {
    const tag = file.slice(0, -'.sql'.length);
    if (!journalTags.has(tag)) {
      finding(
        `drizzle/${file}`,
        'this migration is not in the journal, so no migrator will ever apply it.',
        'generate migrations with `npm run db:generate` (it writes the journal entry); a hand-made file belongs in `npx drizzle-kit generate --custom --name <name>`.',
      );
    }
  }

  const byPrefix = new Map<string, string[]>();
  for (const tag of new Set([...journalTags, ...migrationSqlFiles(repo).map((f) => f.slice(0, -4))])) {
    const prefix = numericPrefix(tag);
    byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), tag]);
  }
  for (const [prefix, tags] of byPrefix) {
    if (tags.length < 2) continue;
    // The newcomer is the one generated last (the largest journal `when`; a file the journal lacks
    // first of all), not the one whose name sorts last: the other is already on main, maybe applied.
    const when = (tag: string) => entries.find((e) => e.tag === tag)?.when ?? Number.POSITIVE_INFINITY;
    const later = [...tags].sort((a, b) => when(a) - when(b)).at(-1) ?? prefix;
    finding(
      `drizzle/${later}.sql`,
      `migration number ${prefix || '(none)'} is used by ${tags.length} migrations: ${tags.sort().join(', ')} (two branches generated the same number).`,
      renumberFix(later),
    );
  }
  return findings;
}
