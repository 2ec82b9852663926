import { randomUUID } from 'node:crypto';
import type { Database } from '../../src/app/database.js';
import { conversations, users } from '../../src/app/schema/index.js';
import { createMove } from '../../src/app/testing/factories/host.js';

/** A user `user-<label>`, an employee with the same email, and a move of that employee. */
export function insertMoveWithOwner(db: Database, label = randomUUID().slice(0, 8)) {
  return createMove(db, { email: `${label}@example.com`, userId: `user-${label}` });
}

/** Users whose ids are `names`, each with the email `<name>@example.com`. */
export async function insertUsers(db: Database, names: readonly string[]): Promise<void> {
  await db.insert(users).values(names.map((name) => ({ id: name, email: `${name}@example.com` })));
}

/** One conversation of the move per title; their ids by title. */
export async function insertNamedConversations<Title extends string>(
  db: Database,
  moveId: string,
  titles: readonly Title[],
): Promise<Record<Title, string>> {
  const made = await db
    .insert(conversations)
    .values(titles.map((title) => ({ moveId, title })))
    .returning({ id: conversations.id, title: conversations.title });
  return Object.fromEntries(made.map((c) => [c.title, c.id])) as Record<Title, string>;
}
