import { randomUUID } from 'node:crypto';
import type { Database } from '../../src/database.js';
import { employees, moves, users } from '../../src/schema/index.js';

/** A user, an employee with the same email, and a move of that employee: the host rows most tests need. */
export async function insertMoveWithOwner(db: Database, label = randomUUID().slice(0, 8)) {
  const email = `${label}@example.com`;
  const [user] = await db
    .insert(users)
    .values({ id: `user-${label}`, email })
    .returning();
  const [employee] = await db.insert(employees).values({ email }).returning();
  if (!user || !employee) throw new Error('host rows were not inserted');
  const [move] = await db.insert(moves).values({ employeeId: employee.id }).returning();
  if (!move) throw new Error('move was not inserted');
  return { user, employee, move };
}
