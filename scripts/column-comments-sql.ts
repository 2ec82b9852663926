// Prints the custom migration *_conversations_column_comments as src/app/schema/column-comments.ts renders
// it; with --write, writes it over the file in drizzle/ (then review the diff and commit it).
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderColumnCommentsMigration } from '../src/app/schema/column-comments.js';

const folder = join(import.meta.dirname, '..', 'drizzle');
const file = readdirSync(folder).find((name) => name.endsWith('_conversations_column_comments.sql'));
if (!process.argv.includes('--write')) process.stdout.write(renderColumnCommentsMigration());
else if (!file) {
  process.stderr.write(
    'column-comments-sql: drizzle/ has no *_conversations_column_comments.sql. Make it first: npx drizzle-kit generate --custom --name conversations_column_comments\n',
  );
  process.exitCode = 2;
} else {
  writeFileSync(join(folder, file), renderColumnCommentsMigration());
  process.stdout.write(`Wrote drizzle/${file}.\n`);
}
