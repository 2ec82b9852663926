import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import { dropLegacyChatsSuffix, expandStepTag } from '../src/deploy/expand-step.js';
import { defaultMigrationsFolder } from '../src/deploy/migration-files.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import { cutoverSyncMigrationSuffix, renderCutoverSyncMigration } from '../src/operator/cutover/index.js';
import { mapSql } from '../src/operator/legacy-move/mapping.js';
import { expandedDatabase } from './support/legacy-rows.js';
import type { TestDatabase } from './support/test-database.js';

// The mapping has one home (src/operator/legacy-move/mapping.ts): the sync migration is generated from it, and
// the hand-written SQL that reverses it (the down of the drop) spells it exactly as it does.

const file = (folder: string, suffix: string) => {
  const name = readdirSync(folder).find((f) => f.endsWith(suffix));
  if (!name) throw new Error(`no ${suffix} in ${folder}`);
  return readFileSync(join(folder, name), 'utf8');
};

describe('the sync migration', () => {
  it('is exactly what src/operator/cutover/sync-sql.ts renders (npm run cutover:sql -- --write)', () => {
    expect(file(defaultMigrationsFolder, cutoverSyncMigrationSuffix)).toBe(renderCutoverSyncMigration());
  });

  it('belongs to the expand step: before the drop', () => {
    const tags = readdirSync(defaultMigrationsFolder)
      .filter((f) => f.endsWith('.sql'))
      .sort()
      .map((f) => f.replace(/\.sql$/, ''));
    const sync = tags.findIndex((tag) => tag.endsWith(cutoverSyncMigrationSuffix.replace(/\.sql$/, '')));
    expect(sync).toBeGreaterThan(0);
    expect(sync).toBeLessThanOrEqual(tags.indexOf(expandStepTag()));
    expect(tags.at(-1)?.endsWith(dropLegacyChatsSuffix)).toBe(true);
  });

  it('the drop guard calls the same equality check as chats:validate, and the down of the drop reverses the mapping as mapping.ts does', () => {
    expect(file(defaultMigrationsFolder, `${dropLegacyChatsSuffix}.sql`)).toContain(
      '"conversations_cutover"."legacy_chat_differences"(false)',
    );
    const down = file(join(defaultMigrationsFolder, 'down'), `${dropLegacyChatsSuffix}.sql`);
    for (const expression of [
      mapSql.legacyMoveId('c.move_id', 'l.assigned_move_id'),
      mapSql.legacyTitle('c.title', 'l.title_was_null'),
      mapSql.legacyTimestamp('c.created_at'),
      mapSql.legacyTimestamp('c.updated_at'),
      mapSql.legacyRole('m.author_type'),
      mapSql.legacyContent('m.content', 'lm.content_was_null'),
      mapSql.legacyTimestamp('m.created_at'),
    ]) {
      expect(down).toContain(expression);
    }
    expect(down).toContain('SELECT "conversations_cutover"."legacy_chat_sync_install"();');
  });
});

describe('the sync functions in the catalog', () => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  beforeAll(async () => {
    ({ database, handle } = await expandedDatabase('cutover_sql', { sync: true }));
  });
  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });

  it('pin search_path to pg_catalog, pg_temp; only the trigger functions run as their owner; PUBLIC may not call the others', async () => {
    const rows = await queryRows<{
      name: string;
      definer: boolean;
      config: string[] | null;
      public_execute: boolean;
    }>(
      handle.db,
      sql`select p.proname as name, p.prosecdef as definer, p.proconfig as config,
                 has_function_privilege('public', p.oid, 'execute') as public_execute
          from pg_proc p join pg_namespace n on n.oid = p.pronamespace
          where n.nspname = 'conversations_cutover' and p.proname like 'legacy_chat_%' order by p.proname`,
    );
    expect(rows.map((r) => r.name)).toEqual([
      'legacy_chat_differences',
      'legacy_chat_sync_archive_message',
      'legacy_chat_sync_drop_copy',
      'legacy_chat_sync_forward_message',
      'legacy_chat_sync_forward_session',
      'legacy_chat_sync_install',
      'legacy_chat_sync_move_messages_of',
      'legacy_chat_sync_reverse_conversation',
      'legacy_chat_sync_reverse_message',
      'legacy_chat_sync_uninstall',
    ]);
    for (const r of rows) {
      expect({ name: r.name, searchPath: r.config?.[0] }).toEqual({
        name: r.name,
        searchPath: 'search_path=pg_catalog, pg_temp',
      });
      expect({ name: r.name, definer: r.definer }).toEqual({
        name: r.name,
        definer: /_forward_|_reverse_/.test(r.name),
      });
      if (!r.definer)
        expect({ name: r.name, publicExecute: r.public_execute }).toEqual({
          name: r.name,
          publicExecute: false,
        });
    }
  });

  it('the four triggers fire after every row written to the two shapes', async () => {
    const rows = await queryRows<{ table: string; trigger: string; enabled: string }>(
      handle.db,
      sql`select c.relname as table, t.tgname as trigger, t.tgenabled as enabled from pg_trigger t
          join pg_class c on c.oid = t.tgrelid where t.tgname like 'legacy_chat_sync_%' order by 1`,
    );
    expect(rows).toEqual([
      { table: 'chat_messages', trigger: 'legacy_chat_sync_forward', enabled: 'O' },
      { table: 'chat_sessions', trigger: 'legacy_chat_sync_forward', enabled: 'O' },
      { table: 'conversations', trigger: 'legacy_chat_sync_reverse', enabled: 'O' },
      { table: 'messages', trigger: 'legacy_chat_sync_reverse', enabled: 'O' },
    ]);
  });
});
