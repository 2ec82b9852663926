import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as main from '../src/app/index.js';
import * as migrations from '../src/app/migrations.js';
import * as testing from '../src/app/testing/index.js';
import * as zod from '../src/app/zod/index.js';
import * as cutover from '../src/operator/cutover/index.js';
import * as legacyMove from '../src/operator/legacy-move/index.js';
import { repoRoot } from './support/run.js';

// Issue 15: the README named functions the package did not export. Every `name(` the README shows is
// exported by one of the package's entry points, or is one of the names below, each said to be
// something else where the README names it.

/** The repository's operator library and test helpers, and methods of exported objects, presented as such. */
const repositoryOnly = [
  ...Object.keys(legacyMove),
  ...Object.keys(cutover),
  'openDatabase',
  'runAsProcess',
  'describeHostileUse',
  'createTestDatabase',
  // methods and callbacks of exported objects: a command module's, the test kit's `database()`, its `prepare` option
  'parse',
  'execute',
  'run',
  'database',
  'prepare',
];
/** drizzle-orm's and PostgreSQL's own functions, and the policies' SQL helpers. */
const notOurs = [
  'relations',
  'defineRelations',
  'migrate',
  'eq',
  'inArray',
  'desc',
  'coalesce',
  'set_config',
  // postgres.js's, named where the README explains how withUser pipelines BEGIN
  'reserve',
  'begin',
  'current_user_id',
  'current_user_conversation_ids',
  'current_user_postable_conversation_ids',
  // the cutover's SQL functions (drizzle/*_legacy_chat_sync*.sql, *_legacy_chat_guard_log_pruned.sql), called in SQL, not from TypeScript
  'legacy_chat_differences',
  'legacy_chat_differences_among',
  'legacy_chat_guard_log_hold',
  'legacy_chat_guard_lock',
  'legacy_chat_guard_log_prune',
  'legacy_chat_sync_install',
  'legacy_chat_sync_mark',
  'legacy_chat_sync_marked',
  '_uninstall',
];

describe('the README names only what exists', () => {
  it('every function it calls is exported, repository-only, or not the package’s', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const named = [...new Set([...readme.matchAll(/`([A-Za-z_][A-Za-z0-9_]*)\(/g)].map((m) => m[1] ?? ''))];
    const exported = new Set([main, zod, migrations, testing].flatMap((entry) => Object.keys(entry)));
    const unknown = named.filter(
      (name) => !exported.has(name) && !repositoryOnly.includes(name) && !notOurs.includes(name),
    );
    expect(unknown).toEqual([]);
    // The write helpers are documented and exported.
    for (const name of [
      'startConversation',
      'postMessage',
      'markRead',
      'archiveConversation',
      'explainQuery',
    ]) {
      expect(named).toContain(name);
      expect(exported.has(name)).toBe(true);
    }
  });
});
