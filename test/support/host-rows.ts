import { randomUUID } from 'node:crypto';
import type { Database } from '../../src/app/database.js';
import { createMove } from '../../src/app/testing/factories/host.js';

/** A user `user-<label>`, an employee with the same email, and a move of that employee. */
export function insertMoveWithOwner(db: Database, label = randomUUID().slice(0, 8)) {
  return createMove(db, { email: `${label}@example.com`, userId: `user-${label}` });
}
