import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import { dropLegacyChatsSuffix, expandStepTag } from '../src/deploy/expand-step.js';
import { defaultMigrationsFolder } from '../src/deploy/migration-files.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import {
  guardLogUpkeepMigrationSuffix,
  renderGuardLogUpkeepDown,
  renderGuardLogUpkeepMigration,
} from '../src/operator/cutover/guard-log-upkeep-sql.js';
import { cutoverSyncMigrationSuffix, renderCutoverSyncMigration } from '../src/operator/cutover/index.js';
import {
  renderReverseTombstonesDown,
  renderReverseTombstonesMigration,
  renderStatementSyncDown,
  renderStatementSyncMigration,
  reverseTombstonesMigrationSuffix,
  statementSyncMigrationSuffix,
} from '../src/operator/cutover/statement-sync-sql.js';
import { appliedSyncMigrationSuffix, renderCutoverSyncDown } from '../src/operator/cutover/sync-sql.js';
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
  it('is exactly what src/operator/cutover/sync-sql.ts renders (npm run cutover:sql -- --write), and so is its down', () => {
    expect(file(defaultMigrationsFolder, cutoverSyncMigrationSuffix)).toBe(renderCutoverSyncMigration());
    expect(file(join(defaultMigrationsFolder, 'down'), cutoverSyncMigrationSuffix)).toBe(
      renderCutoverSyncDown(file(defaultMigrationsFolder, appliedSyncMigrationSuffix)),
    );
  });

  it('the guard log upkeep migration is exactly what src/operator/cutover/guard-log-upkeep-sql.ts renders, and so is its down', () => {
    expect(file(defaultMigrationsFolder, guardLogUpkeepMigrationSuffix)).toBe(
      renderGuardLogUpkeepMigration(),
    );
    expect(file(join(defaultMigrationsFolder, 'down'), guardLogUpkeepMigrationSuffix)).toBe(
      renderGuardLogUpkeepDown(),
    );
  });

  it('the statement-level sync migration is exactly what src/operator/cutover/statement-sync-sql.ts renders, and so is its down', () => {
    expect(file(defaultMigrationsFolder, statementSyncMigrationSuffix)).toBe(renderStatementSyncMigration());
    expect(file(join(defaultMigrationsFolder, 'down'), statementSyncMigrationSuffix)).toBe(
      renderStatementSyncDown(),
    );
  });

  it('the reverse tombstones migration is exactly what statement-sync-sql.ts renders, and its down puts back the function of the statement-level sync', () => {
    expect(file(defaultMigrationsFolder, reverseTombstonesMigrationSuffix)).toBe(
      renderReverseTombstonesMigration(),
    );
    const down = file(join(defaultMigrationsFolder, 'down'), reverseTombstonesMigrationSuffix);
    expect(down).toBe(renderReverseTombstonesDown());
    // The function the down restores is byte for byte the one the statement-level migration created.
    const restored = down.slice(down.indexOf('CREATE OR REPLACE FUNCTION'));
    expect(file(defaultMigrationsFolder, statementSyncMigrationSuffix)).toContain(restored.trimEnd());
  });

  it('the first sync migration stays byte for byte as databases past the expand step applied it', () => {
    // Its functions are replaced by the newer one; db:check compares applied hashes, so it never changes.
    const applied = file(defaultMigrationsFolder, appliedSyncMigrationSuffix);
    expect(createHash('sha256').update(applied).digest('hex')).toBe(
      'c5d43a14d492c064fad8001cb93f544cd1d652b0d899e65ee2814722160137c0',
    );
  });

  it('belongs to the expand step: before the drop', () => {
    const tags = readdirSync(defaultMigrationsFolder)
      .filter((f) => f.endsWith('.sql'))
      .sort()
      .map((f) => f.replace(/\.sql$/, ''));
    const sync = tags.findIndex((tag) => tag.endsWith(cutoverSyncMigrationSuffix.replace(/\.sql$/, '')));
    expect(sync).toBeGreaterThan(0);
    expect(sync).toBeLessThanOrEqual(tags.indexOf(expandStepTag()));
    const upkeep = tags.findIndex((tag) => tag.endsWith(guardLogUpkeepMigrationSuffix.replace(/\.sql$/, '')));
    expect(upkeep).toBeGreaterThan(sync);
    expect(upkeep).toBeLessThanOrEqual(tags.indexOf(expandStepTag()));
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
      'legacy_chat_differences_among',
      'legacy_chat_guard_lock',
      'legacy_chat_guard_log_chat_messages',
      'legacy_chat_guard_log_chat_session_archive',
      'legacy_chat_guard_log_chat_sessions',
      'legacy_chat_guard_log_conversations',
      'legacy_chat_guard_log_hold',
      'legacy_chat_guard_log_legacy_chat_moved_messages',
      'legacy_chat_guard_log_legacy_chat_moved_sessions',
      'legacy_chat_guard_log_messages',
      'legacy_chat_guard_log_prune',
      'legacy_chat_guard_log_since',
      'legacy_chat_guard_log_state',
      'legacy_chat_sync_archive_message',
      'legacy_chat_sync_drop_copy',
      'legacy_chat_sync_forward_message',
      'legacy_chat_sync_forward_session',
      'legacy_chat_sync_install',
      'legacy_chat_sync_mark',
      'legacy_chat_sync_marked',
      'legacy_chat_sync_move_messages_of',
      'legacy_chat_sync_reverse_conversation',
      'legacy_chat_sync_reverse_conversations',
      'legacy_chat_sync_reverse_message',
      'legacy_chat_sync_uninstall',
    ]);
    // Run as their owner: the trigger functions (the app role writes through them) and the marker's two.
    const definers = /_forward_|_reverse_|_guard_log_(chat|conversations|messages|legacy)|_sync_mark/;
    for (const r of rows) {
      expect({ name: r.name, searchPath: r.config?.[0] }).toEqual({
        name: r.name,
        searchPath: 'search_path=pg_catalog, pg_temp',
      });
      expect({ name: r.name, definer: r.definer }).toEqual({ name: r.name, definer: definers.test(r.name) });
      // The app role's WHEN clauses call legacy_chat_sync_marked; setting the marker is the owner's.
      if (!r.definer || r.name === 'legacy_chat_sync_mark')
        expect({ name: r.name, publicExecute: r.public_execute }).toEqual({
          name: r.name,
          publicExecute: false,
        });
    }
  });

  it('the sync triggers fire after every row written to the two shapes; the guard log triggers fire ALWAYS', async () => {
    const rows = await queryRows<{ table: string; trigger: string; enabled: string }>(
      handle.db,
      sql`select c.relname as table, t.tgname as trigger, t.tgenabled as enabled from pg_trigger t
          join pg_class c on c.oid = t.tgrelid where t.tgname like 'legacy_chat_sync_%' order by 1, 2`,
    );
    expect(rows).toEqual([
      { table: 'chat_messages', trigger: 'legacy_chat_sync_forward', enabled: 'O' },
      { table: 'chat_sessions', trigger: 'legacy_chat_sync_forward', enabled: 'O' },
      { table: 'conversations', trigger: 'legacy_chat_sync_reverse', enabled: 'O' },
      { table: 'conversations', trigger: 'legacy_chat_sync_reverse_delete', enabled: 'O' },
      { table: 'conversations', trigger: 'legacy_chat_sync_reverse_update', enabled: 'O' },
      { table: 'messages', trigger: 'legacy_chat_sync_reverse', enabled: 'O' },
      { table: 'messages', trigger: 'legacy_chat_sync_reverse_delete', enabled: 'O' },
      { table: 'messages', trigger: 'legacy_chat_sync_reverse_update', enabled: 'O' },
    ]);
    const log = await queryRows<{ table: string; triggers: number; always: boolean }>(
      handle.db,
      sql`select c.relname as table, count(*)::int as triggers, bool_and(t.tgenabled = 'A') as always
          from pg_trigger t join pg_class c on c.oid = t.tgrelid
          where t.tgname like 'legacy_chat_guard_log_%' group by 1 order by 1`,
    );
    expect(log).toEqual(
      [
        'chat_messages',
        'chat_session_archive',
        'chat_sessions',
        'conversations',
        'legacy_chat_moved_messages',
        'legacy_chat_moved_sessions',
        'messages',
      ].map((table) => ({ table, triggers: 4, always: true })),
    );
  });
});
