import { chatsMigrate } from './chats-migrate.js';
import { chatsPlan } from './chats-plan.js';
import { chatsRollback } from './chats-rollback.js';
import { chatsValidate } from './chats-validate.js';
import type { Command } from './command.js';
import { dbBaseline } from './db-baseline.js';
import { dbCheck } from './db-check.js';
import { dbMigrate } from './db-migrate.js';
import { dbRollback } from './db-rollback.js';
import { demo } from './demo.js';
import { docsEr } from './docs-er.js';

export { type Command, defineCommand } from './command.js';
export { exitCode } from './exit-code.js';
export type { CommandIo, Writer } from './io.js';
export { processIo, runAsProcess } from './process.js';
export { UsageError } from './usage-error.js';

/** Every operator command, in the order the runbook uses them. One list for the bin, the scripts and the tests. */
export const commands: readonly Command[] = [
  dbMigrate,
  dbBaseline,
  dbRollback,
  dbCheck,
  chatsPlan,
  chatsMigrate,
  chatsValidate,
  chatsRollback,
  demo,
  docsEr,
];

export function commandNamed(name: string): Command | undefined {
  return commands.find((c) => c.name === name);
}
