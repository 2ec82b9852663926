import { pgTable, text, uuid } from 'drizzle-orm/pg-core';

// Minimal definitions of tables the host app owns. They exist so that the foreign keys of the
// conversation tables, and the owner inference moves -> employees -> users (by email), are real.
// Any column added here must be nullable or have a default, so the host app's inserts keep working.

export const users = pgTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
});

export const employees = pgTable('employees', {
  id: uuid('id').primaryKey().defaultRandom(),
  email: text('email').notNull(),
});

export const moves = pgTable('moves', {
  id: uuid('id').primaryKey().defaultRandom(),
  employeeId: uuid('employee_id')
    .notNull()
    .references(() => employees.id),
});
