import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onlineGuard, onlineMarker } from '../src/deploy/online-migration.js';
import { envWithoutDatabase, makeScratchRepo, type ScratchRepo } from './support/scratch-repo.js';

// Each test breaks a fresh copy of the repository in exactly one way and runs that copy's db:check.
let repo: ScratchRepo;
const env = envWithoutDatabase();

beforeEach(() => {
  repo = makeScratchRepo();
});

afterEach(() => {
  repo.remove();
});

function lines(output: string): string[] {
  return output.split('\n').filter(Boolean);
}

/** The number drizzle-kit would give the next migration of the scratch repository, e.g. `0005`. */
function nextNumber(offset = 0): string {
  return String(repo.journal().entries.length + offset).padStart(4, '0');
}

/** Adds a migration file and its journal entry (and, unless told not to, a snapshot), as generate would. */
function addMigration(tag: string, content: string, options: { when?: number; snapshot?: boolean } = {}) {
  repo.write(`drizzle/${tag}.sql`, content);
  const journal = repo.journal();
  const last = journal.entries.at(-1);
  if (!last) throw new Error('empty journal');
  journal.entries.push({ ...last, idx: last.idx + 1, tag, when: options.when ?? last.when + 1000 });
  repo.writeJournal(journal);
  if (options.snapshot !== false) {
    const dir = join(repo.dir, 'drizzle/meta');
    copyFileSync(
      join(dir, `${last.tag.slice(0, 4)}_snapshot.json`),
      join(dir, `${tag.slice(0, 4)}_snapshot.json`),
    );
  }
}

describe('db:check without a database', () => {
  it('passes the repository as it is, and says which checks needed a database', async () => {
    const result = await repo.dbCheck([], env);
    expect(result.stdout).toBe('db:check: clean.\n');
    expect(lines(result.stderr)).toEqual([
      'applied-hashes: skipped: DATABASE_URL is not set',
      'live-schema: skipped: DATABASE_URL is not set',
      'live-catalog: skipped: DATABASE_URL is not set',
      'column-comments: skipped: DATABASE_URL is not set',
    ]);
    expect(result.code).toBe(0);
  });

  it('schema-vs-migrations: a schema change nobody generated', async () => {
    const file = 'src/app/schema/conversations.ts';
    repo.write(
      file,
      repo
        .read(file)
        .replace("title: text('title')", "priority: text('priority'),\n    title: text('title')"),
    );
    expect(repo.read(file)).toContain("priority: text('priority')");
    const result = await repo.dbCheck(['--only', 'schema-vs-migrations'], env);
    expect(lines(result.stdout)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^schema-vs-migrations: src/app/schema/: the schema has changes no migration covers; drizzle-kit generate would write drizzle/${nextNumber()}_\\w+\\.sql\\. Fix: run \`npm run db:generate -- --name <what-changed>\``,
        ),
      ),
    ]);
    expect(result.code).toBe(1);
  });

  it('schema-vs-migrations: a renamed column drizzle-kit would have to ask about', async () => {
    const file = 'src/app/schema/conversations.ts';
    repo.write(file, repo.read(file).replace("text('agent_mail_inbox_id')", "text('agent_mail_inbox')"));
    expect(repo.read(file)).toContain("text('agent_mail_inbox')");
    const result = await repo.dbCheck(['--only', 'schema-vs-migrations'], env);
    expect(lines(result.stdout)).toEqual([
      'schema-vs-migrations: src/app/schema/: the schema renames or replaces a table or column that no migration covers (drizzle-kit generate needs to ask whether it is a rename). Fix: run `npm run db:generate` in a terminal, answer its question, and commit the migration it writes.',
    ]);
    expect(result.code).toBe(1);
  });

  it('drizzle-kit-check: two snapshots with the same parent', async () => {
    const dir = join(repo.dir, 'drizzle/meta');
    copyFileSync(join(dir, '0002_snapshot.json'), join(dir, '0003_snapshot.json'));
    const result = await repo.dbCheck(['--only', 'drizzle-kit-check'], env);
    expect(lines(result.stdout)).toEqual([
      expect.stringMatching(
        /^drizzle-kit-check: drizzle\/meta\/: drizzle-kit check fails: .*collision.* Fix: /,
      ),
    ]);
    expect(result.code).toBe(1);
  });

  describe('journal', () => {
    it('two branches that both added the same migration number (seed 002)', async () => {
      const n = nextNumber();
      addMigration(`${n}_add_priority`, 'ALTER TABLE "conversations" ADD COLUMN "priority" text;');
      addMigration(`${n}_add_pinned`, 'ALTER TABLE "conversations" ADD COLUMN "pinned" boolean;', {
        snapshot: false,
      });
      const result = await repo.dbCheck(['--only', 'journal'], env);
      expect(lines(result.stdout)).toEqual([
        `journal: drizzle/${n}_add_priority.sql: migration number ${n} is used by 2 migrations: ${n}_add_pinned, ${n}_add_priority (two branches generated the same number). Fix: renumber the later branch's migration: delete drizzle/${n}_add_priority.sql, its snapshot and its journal entry, then run \`npm run db:generate\` again on top of main.`,
      ]);
      expect(result.code).toBe(1);
    });

    it('a migration merged with an older when, an idx gap, a file outside the journal and a missing file', async () => {
      const journal = repo.journal();
      const [first, second, third] = journal.entries;
      if (!first || !second || !third) throw new Error('expected three migrations');
      const count = journal.entries.length;
      const gone = `${nextNumber()}_gone`;
      const handMade = `${nextNumber(1)}_hand_made`;
      third.when = second.when - 1;
      const last = journal.entries.at(-1) ?? third;
      journal.entries.push({ ...third, idx: count + 2, tag: gone, when: last.when + 10_000_000 });
      repo.writeJournal(journal);
      copyFileSync(
        join(repo.dir, 'drizzle/meta/0002_snapshot.json'),
        join(repo.dir, `drizzle/meta/${gone.slice(0, 4)}_snapshot.json`),
      );
      repo.write(`drizzle/${handMade}.sql`, 'SELECT 1;');
      rmSync(join(repo.dir, 'drizzle/meta/0001_snapshot.json'));
      const result = await repo.dbCheck(['--only', 'journal'], env);
      expect(lines(result.stdout).map((l) => l.split(' Fix: ')[0])).toEqual([
        'journal: drizzle/meta/0001_snapshot.json: the snapshot of 0001_conversations is missing; drizzle-kit generates the next migration from it.',
        `journal: drizzle/meta/_journal.json: entry ${third.tag} has when ${third.when}, not after ${second.tag} (${second.when}): drizzle would skip it on every database that already applied ${second.tag}.`,
        `journal: drizzle/meta/_journal.json: entry ${gone} has idx ${count + 2} but is entry number ${count} (idx must run 0, 1, 2, ... without gaps).`,
        `journal: drizzle/${gone}.sql: the journal names ${gone} but drizzle/${gone}.sql does not exist.`,
        `journal: drizzle/${handMade}.sql: this migration is not in the journal, so no migrator will ever apply it.`,
      ]);
      expect(result.code).toBe(1);
    });
  });

  describe('squawk', () => {
    const handIndex = 'CREATE INDEX "idx_messages_model" ON "messages" USING btree ("model");';

    it('a new migration that blocks writes on an existing table', async () => {
      const tag = `${nextNumber()}_messages_model_index`;
      addMigration(tag, handIndex);
      const result = await repo.dbCheck(['--only', 'squawk'], env);
      expect(lines(result.stdout)).toEqual([
        expect.stringMatching(
          new RegExp(
            `^squawk: drizzle/${tag}\\.sql:1: require-concurrent-index-creation: .* Fix: .*-- squawk-ignore require-concurrent-index-creation`,
          ),
        ),
      ]);
      expect(result.code).toBe(1);
    });

    it('the same finding accepted with an inline ignore and its reason passes', async () => {
      addMigration(
        `${nextNumber()}_messages_model_index`,
        `-- Accepted: messages is small until the move runs; a plain index build is seconds.\n-- squawk-ignore require-concurrent-index-creation\n${handIndex}`,
      );
      const result = await repo.dbCheck(['--only', 'squawk'], env);
      expect(result.stdout).toBe('db:check: clean.\n');
      expect(result.code).toBe(0);
    });
  });

  it('down-files: a migration without its down, and a down without its migration', async () => {
    rmSync(join(repo.dir, 'drizzle/down/0002_conversations_updated_at_trigger.sql'));
    repo.write('drizzle/down/0999_nothing.sql', 'SELECT 1;');
    const result = await repo.dbCheck(['--only', 'down-files'], env);
    expect(lines(result.stdout)).toEqual([
      "down-files: drizzle/down/0002_conversations_updated_at_trigger.sql: migration 0002_conversations_updated_at_trigger has no down migration, so `npm run db:rollback` cannot go back past it. Fix: write drizzle/down/0002_conversations_updated_at_trigger.sql: the hand-written, commented reverse of drizzle/0002_conversations_updated_at_trigger.sql (see the README's rollback section).",
      'down-files: drizzle/down/0999_nothing.sql: this down migration belongs to no migration in the journal. Fix: rename it to the tag of the migration it reverses, or delete it if that migration is gone.',
    ]);
    expect(result.code).toBe(1);
  });

  it('--json reports findings as data, and a broken journal is "could not check" (exit 2)', async () => {
    repo.write('drizzle/meta/_journal.json', '{ not json');
    const result = await repo.dbCheck(['--json', '--only', 'journal,down-files'], env);
    const report = JSON.parse(result.stdout);
    expect(report.findings).toEqual([]);
    expect(report.couldNotCheck.map((c: { check: string }) => c.check)).toEqual(['journal', 'down-files']);
    expect(report.couldNotCheck[0].reason).toMatch(/^drizzle\/meta\/_journal\.json is not a valid journal: /);
    expect(result.code).toBe(2);
  });

  it('rejects an unknown check name', async () => {
    const result = await repo.dbCheck(['--only', 'spelling'], env);
    expect(result.stderr).toContain('db:check: --only: unknown check spelling.');
    expect(result.code).toBe(2);
  });

  it('a database it cannot reach is one readable line for all the database checks (exit 2)', async () => {
    const result = await repo.dbCheck(['--only', 'applied-hashes,live-schema'], {
      ...env,
      // Port 1 on the loopback: nothing listens there, the connection is refused at once.
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere',
    });
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'applied-hashes, live-schema: could not check: cannot open the database: cannot reach the database server (ECONNREFUSED). Check that it is running and that DATABASE_URL names the right host and port.\n',
    );
    expect(result.code).toBe(2);
  });

  it('squawk: an online migration (no-transaction marker) may build an index CONCURRENTLY; without the marker it may not', async () => {
    const build = 'CREATE INDEX CONCURRENTLY IF NOT EXISTS "idx_messages_content" ON "messages" ("content");';
    addMigration(
      `${nextNumber()}_online_index`,
      `${onlineMarker}\n${onlineGuard}--> statement-breakpoint\n${build}\n`,
    );
    const online = await repo.dbCheck(['--only', 'squawk'], env);
    expect(online.stdout).toBe('db:check: clean.\n');
    expect(online.code).toBe(0);

    // The same file without its first line: squawk assumes the chain's transaction around it.
    repo.write(
      `drizzle/${repo.journal().entries.at(-1)?.tag}.sql`,
      `${onlineGuard}--> statement-breakpoint\n${build}\n`,
    );
    const inTransaction = await repo.dbCheck(['--only', 'squawk'], env);
    expect(inTransaction.stdout).toContain('ban-concurrent-index-creation-in-transaction');
    expect(inTransaction.code).toBe(1);
  });
});
