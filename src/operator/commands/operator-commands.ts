import { chatsCutover } from './chats-cutover.js';
import { chatsMigrate } from './chats-migrate.js';
import { chatsPlan } from './chats-plan.js';
import { chatsRollback } from './chats-rollback.js';
import { chatsStatus } from './chats-status.js';
import { chatsValidate } from './chats-validate.js';
import type { Command } from './command.js';
import { dbBaseline } from './db-baseline.js';
import { dbMigrate } from './db-migrate.js';
import { dbRollback } from './db-rollback.js';
import { dbStatus } from './db-status.js';
import { demo } from './demo.js';

/**
 * The commands an operator runs against a database, shipped in dist/ behind the `conversations-db`
 * bin, in runbook order. (db:check and docs:er check this repository's sources, so they stay npm
 * scripts of the repository.)
 */
export const operatorCommands: readonly Command[] = [
  dbMigrate,
  dbBaseline,
  dbStatus,
  dbRollback,
  chatsPlan,
  chatsMigrate,
  chatsValidate,
  chatsCutover,
  chatsStatus,
  chatsRollback,
  demo,
];

export function operatorCommandNamed(name: string): Command | undefined {
  return operatorCommands.find((c) => c.name === name);
}
