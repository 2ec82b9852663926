import { type Command, reportFailure } from './command.js';
import { exitCode } from './exit-code.js';
import type { CommandIo } from './io.js';

/** The io of this process: its streams, environment and working folder. */
export function processIo(): CommandIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    isTTY: { stdout: Boolean(process.stdout.isTTY), stderr: Boolean(process.stderr.isTTY) },
    cwd: process.cwd(),
  };
}

/**
 * Runs a command as this process (the npm scripts and the bin): argv from the command line, exit
 * code on exit. Errors outside the command's promise chain still end as one line and an exit code,
 * and Ctrl-C says what was kept before exiting 130.
 */
export async function runAsProcess(command: Command, argv = process.argv.slice(2)): Promise<never> {
  const io = processIo();
  const crash = (error: unknown) => process.exit(reportFailure(command.name, error, io));
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  process.once('SIGINT', () => {
    // The open transaction dies with the connection: the server rolls it back.
    io.stderr.write(`\n${command.name}: interrupted (Ctrl-C): ${command.interrupted}\n`);
    process.exit(exitCode.interrupted);
  });
  const { code } = await command.run(argv, io);
  process.exit(code);
}
