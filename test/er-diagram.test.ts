import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pgTable, uuid } from 'drizzle-orm/pg-core';
import { afterAll, describe, expect, it } from 'vitest';
import * as schema from '../src/app/schema/index.js';
import { renderSchemaDoc, schemaDocPath } from '../src/repo/docs/er-diagram.js';
import { repoRoot, run } from './support/run.js';

const committed = readFileSync(join(repoRoot, schemaDocPath), 'utf8');
const scratch = mkdtempSync(join(tmpdir(), 'cdb-er-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('docs/schema.md (Mermaid ER diagram)', () => {
  it('matches the schema; if not, run `npm run docs:er` and commit docs/schema.md', () => {
    expect(renderSchemaDoc(schema), `${schemaDocPath} is out of date: run \`npm run docs:er\``).toBe(
      committed,
    );
  });

  it('draws each foreign key with its optionality and delete rule', () => {
    expect(committed).toContain('moves ||--o{ conversations : "move_id, on delete cascade"');
    expect(committed).toContain('conversations ||--o{ messages : "conversation_id, on delete cascade"');
    expect(committed).toContain('users |o--o{ messages : "author_id, on delete set null"');
    expect(committed).toContain('    uuid conversation_id FK\n');
    expect(committed).toContain('    timestamptz last_read_at "nullable"\n');
  });

  it('is derived from the schema at run time: a new table shows up with its relationship', () => {
    const extra = pgTable('conversation_tags', {
      id: uuid('id').primaryKey(),
      conversationId: uuid('conversation_id').references(() => schema.conversations.id),
    });
    const rendered = renderSchemaDoc({ ...schema, extra });
    expect(rendered).not.toBe(committed);
    expect(rendered).toContain(
      '  conversation_tags {\n    uuid id PK\n    uuid conversation_id FK "nullable"\n  }',
    );
    expect(rendered).toContain(
      'conversations |o--o{ conversation_tags : "conversation_id, on delete no action"',
    );
  });

  it('`docs:er --check` exits 0 when the file matches and 1, naming the fix, when it does not', async () => {
    const script = resolve(repoRoot, 'scripts/er-diagram.ts');
    // tsx by absolute URL: the stale copy below lives outside the repository, where `tsx` won't resolve.
    const tsx = pathToFileURL(resolve(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;
    const check = (cwd: string) =>
      run(process.execPath, ['--import', tsx, script, '--check'], process.env, cwd);

    const matching = await check(repoRoot);
    expect(matching.stdout).toBe(`${schemaDocPath} matches the schema.\n`);
    expect(matching.code).toBe(0);

    mkdirSync(join(scratch, 'docs'));
    writeFileSync(join(scratch, schemaDocPath), committed.replace('on delete cascade', 'on delete restrict'));
    const stale = await check(scratch);
    expect(stale.stderr).toContain(`${schemaDocPath} is out of date; run \`npm run docs:er\``);
    expect(stale.code).toBe(1);
  });
});
