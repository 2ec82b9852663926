import { randomUUID } from 'node:crypto';
import { employees, moves, users } from '../../schema/core.js';
import type { FactoryDatabase } from './factory-database.js';

type User = typeof users.$inferSelect;
type Employee = typeof employees.$inferSelect;
type Move = typeof moves.$inferSelect;

/** A short unique token for ids and emails, so factories never collide within or across tests. */
export function uniqueToken(): string {
  return randomUUID().slice(0, 8);
}

export async function createUser(
  db: FactoryDatabase,
  overrides: Partial<typeof users.$inferInsert> = {},
): Promise<User> {
  const token = uniqueToken();
  const [user] = await db
    .insert(users)
    .values({ id: `user-${token}`, email: `${token}@example.com`, ...overrides })
    .returning();
  if (!user) throw new Error('createUser: the insert returned no row.');
  return user;
}

export async function createEmployee(
  db: FactoryDatabase,
  overrides: Partial<typeof employees.$inferInsert> = {},
): Promise<Employee> {
  const [employee] = await db
    .insert(employees)
    .values({ email: `${uniqueToken()}@example.com`, ...overrides })
    .returning();
  if (!employee) throw new Error('createEmployee: the insert returned no row.');
  return employee;
}

export interface MoveWithOwner {
  move: Move;
  employee: Employee;
  /** The user whose email is the employee's: the owner of the move's conversations. */
  user: User;
}

/**
 * A move with its owner: a user, an employee with the same email, and a move of that employee (the
 * owner inference follows moves -> employees -> users by email). `email` defaults to a unique one.
 */
export async function createMove(
  db: FactoryDatabase,
  overrides: { email?: string; userId?: string; moveId?: string } = {},
): Promise<MoveWithOwner> {
  const email = overrides.email ?? `${uniqueToken()}@example.com`;
  const user = await createUser(db, { email, ...(overrides.userId ? { id: overrides.userId } : {}) });
  const employee = await createEmployee(db, { email });
  const [move] = await db
    .insert(moves)
    .values({ employeeId: employee.id, ...(overrides.moveId ? { id: overrides.moveId } : {}) })
    .returning();
  if (!move) throw new Error('createMove: the insert returned no row.');
  return { move, employee, user };
}
