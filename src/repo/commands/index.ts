import type { Command } from '../../operator/commands/command.js';
import { operatorCommands } from '../../operator/commands/operator-commands.js';
import { cutoverSql } from './cutover-sql.js';
import { dbCheck } from './db-check.js';
import { docsEr } from './docs-er.js';

export { type Command, defineCommand } from '../../operator/commands/command.js';
export { exitCode } from '../../operator/commands/exit-code.js';
export type { CommandIo, Writer } from '../../operator/commands/io.js';
export { operatorCommands } from '../../operator/commands/operator-commands.js';
export { processIo, runAsProcess } from '../../operator/commands/process.js';
export { UsageError } from '../../operator/commands/usage-error.js';

/** Every command of the repository's npm scripts: the shipped operator commands and the repository checks. */
export const commands: readonly Command[] = [...operatorCommands, dbCheck, docsEr, cutoverSql];

export function commandNamed(name: string): Command | undefined {
  return commands.find((c) => c.name === name);
}
