import type { Command } from './command.js';
import { dbCheck } from './db-check.js';
import { docsEr } from './docs-er.js';
import { operatorCommands } from './operator-commands.js';

export { type Command, defineCommand } from './command.js';
export { exitCode } from './exit-code.js';
export type { CommandIo, Writer } from './io.js';
export { operatorCommands } from './operator-commands.js';
export { processIo, runAsProcess } from './process.js';
export { UsageError } from './usage-error.js';

/** Every command of the repository's npm scripts: the shipped operator commands and the repository checks. */
export const commands: readonly Command[] = [...operatorCommands, dbCheck, docsEr];

export function commandNamed(name: string): Command | undefined {
  return commands.find((c) => c.name === name);
}
