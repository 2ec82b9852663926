import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import {
  columnComments,
  commentedByLaterMigration,
  commentStatement,
  renderColumnCommentsMigration,
} from '../src/app/schema/column-comments.js';
import { migrateDatabase } from '../src/deploy/migrate.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import { checkColumnComments } from '../src/repo/drift/column-comments.js';
import { repositoryAt } from '../src/repo/drift/repository.js';
import { runChecks } from '../src/repo/drift/run-checks.js';
import { repoRoot } from './support/run.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

// Issue 15 item 6: the database documents every column of the package's tables, from one source
// (src/app/schema/column-comments.ts), and db:check notices when the live comments drift from it.

let database: TestDatabase;
let handle: DatabaseHandle;

beforeAll(async () => {
  database = await createTestDatabase('column_comments');
  handle = await database.open({ maxConnections: 1 });
  await migrateDatabase(handle.db);
});

afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

describe('column comments', () => {
  it('the comments migration is exactly what the source renders (npx tsx scripts/column-comments-sql.ts --write)', () => {
    const folder = join(repoRoot, 'drizzle');
    const file = readdirSync(folder).find((name) => name.endsWith('_conversations_column_comments.sql'));
    expect(file).toBeDefined();
    expect(readFileSync(join(folder, file ?? ''), 'utf8')).toBe(renderColumnCommentsMigration());
  });

  it('a column added after the comments migration is commented, word for word, by the migration that adds it', () => {
    const folder = join(repoRoot, 'drizzle');
    expect(Object.keys(commentedByLaterMigration).length).toBeGreaterThan(0);
    for (const [target, suffix] of Object.entries(commentedByLaterMigration)) {
      const file = readdirSync(folder).find((name) => name.endsWith(`${suffix}.sql`));
      expect(file, target).toBeDefined();
      const comment = columnComments.find((c) => `${c.table}.${c.column}` === target);
      if (!comment) throw new Error(`${target} is not in the comments map`);
      expect(renderColumnCommentsMigration()).not.toContain(`"${target.replace('.', '"."')}"`);
      expect(readFileSync(join(folder, file ?? ''), 'utf8')).toContain(commentStatement(comment));
    }
  });

  it('every column of the documented tables has a non-blank comment in the migrated database', async () => {
    const rows = await queryRows<{ target: string; comment: string | null }>(
      handle.db,
      sql`select c.relname || '.' || a.attname as target, pg_catalog.col_description(c.oid, a.attnum) as comment
          from pg_catalog.pg_class c
          join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
          where c.relnamespace = 'public'::regnamespace
            and c.relname in ('conversations', 'conversation_participants', 'messages', 'chat_session_archive')
          order by 1`,
    );
    expect(rows.length).toBe(columnComments.filter((c) => c.column !== null).length);
    expect(rows.filter((r) => !r.comment?.trim()).map((r) => r.target)).toEqual([]);
    expect(await checkColumnComments(handle.db)).toEqual([]);
  });

  it('db:check finds a changed and a dropped comment, and the fix it prints restores them', async () => {
    await handle.db.execute(sql`comment on column conversations.title is 'edited by hand'`);
    await handle.db.execute(sql`comment on table messages is null`);
    const report = await runChecks(repositoryAt(repoRoot), {
      db: handle.db,
      only: ['column-comments'],
    });
    expect(report.couldNotCheck).toEqual([]);
    expect(report.findings.map((f) => f.message)).toEqual([
      expect.stringMatching(
        /^column conversations\.title has the comment "edited by hand"; src\/app\/schema\/column-comments\.ts says "Shown in/,
      ),
      expect.stringMatching(/^table messages has no comment;/),
    ]);
    for (const finding of report.findings) {
      const statement = finding.fix.match(/^run: (COMMENT ON .*?;) \(/)?.[1];
      expect(statement).toBeDefined();
      await handle.db.execute(sql.raw(statement ?? ''));
    }
    expect(await checkColumnComments(handle.db)).toEqual([]);
  });
});
