#!/usr/bin/env node
import { exitCode } from './exit-code.js';
import { operatorCommandNamed, operatorCommands } from './operator-commands.js';
import { runAsProcess } from './process.js';

// `conversations-db <command> [flags]`: the same commands, flags, help and exit codes as the npm scripts.

const usage = `Usage: conversations-db <command> [flags]   (conversations-db <command> --help for its flags)

Commands (flags, help, exit codes and errors as the npm scripts of the same names):
${operatorCommands.map((c) => `  ${c.name.padEnd(16)}${c.summary}`).join('\n')}
`;

const [name, ...argv] = process.argv.slice(2);
if (name === undefined || name === '--help' || name === 'help') {
  process.stdout.write(usage);
  process.exit(name === undefined ? exitCode.couldNotRun : exitCode.ok);
}
const command = operatorCommandNamed(name);
if (!command) {
  process.stderr.write(
    `conversations-db: unknown command "${name}". Commands: ${operatorCommands.map((c) => c.name).join(', ')}.\n`,
  );
  process.exit(exitCode.couldNotRun);
}
await runAsProcess(command, argv);
