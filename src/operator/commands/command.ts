import { type ParseArgsConfig, parseArgs } from 'node:util';
import { assertDatabaseConfig } from './database.js';
import { exitCode } from './exit-code.js';
import { failureLine } from './explain.js';
import type { CommandIo } from './io.js';
import { UsageError } from './usage-error.js';

export type FlagOptions = NonNullable<ParseArgsConfig['options']>;

export type ParsedFlags<O extends FlagOptions> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true }>
>['values'];

/** What a command module declares: its flags and help, how it checks them, and what it does. */
export interface CommandSpec<O extends FlagOptions, P> {
  /** The npm script name, also the bin's subcommand: `chats:migrate`. */
  name: string;
  /** One line for the list of commands. */
  summary: string;
  /** The full --help text; its first line is the usage. */
  help: string;
  flags: O;
  /**
   * Turns flags into the command's parameters, or throws UsageError. Everything that can be wrong
   * with an invocation is found here, before a database is opened or a file written.
   */
  parse(flags: ParsedFlags<O>, io: CommandIo): P;
  /** Does the work; returns the exit code. Writes only through `io`, never exits. */
  execute(params: P, io: CommandIo): Promise<number>;
  /** What an interrupted run (Ctrl-C) kept, and what to do: one sentence. */
  interrupted?: string;
  /** Whether the command opens DATABASE_URL (default true): then an empty DATABASE_URL is refused. */
  usesDatabase?: boolean;
}

export interface Command {
  name: string;
  summary: string;
  help: string;
  /** Every flag it takes, with its dashes (`--batch-size`), --help included. */
  flagNames: readonly string[];
  /** What Ctrl-C keeps, for the process runner. */
  interrupted: string;
  /** Checks an invocation without running it: throws UsageError (or a RefusedError) when it is wrong. */
  check(argv: string[], io: CommandIo): void;
  /** Runs the command: output through `io`, every failure one line on stderr and an exit code. */
  run(argv: string[], io: CommandIo): Promise<{ code: number }>;
}

export function defineCommand<O extends FlagOptions, P>(spec: CommandSpec<O, P>): Command {
  const parseInvocation = (argv: string[], io: CommandIo): { help: true } | { help: false; params: P } => {
    let values: Record<string, unknown>;
    try {
      values = parseArgs({
        args: argv,
        options: { ...spec.flags, help: { type: 'boolean' } },
        strict: true,
      }).values;
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    if (values.help) return { help: true };
    const params = spec.parse(values as ParsedFlags<O>, io);
    if (spec.usesDatabase !== false) assertDatabaseConfig(io);
    return { help: false, params };
  };
  return {
    name: spec.name,
    summary: spec.summary,
    help: spec.help,
    flagNames: [...Object.keys(spec.flags), 'help'].map((flag) => `--${flag}`),
    interrupted:
      spec.interrupted ?? `nothing was changed. Run \`npm run ${spec.name}\` again when you are ready.`,
    check: (argv, io) => {
      parseInvocation(argv, io);
    },
    run: async (argv, io) => {
      try {
        const invocation = parseInvocation(argv, io);
        if (invocation.help) {
          io.stdout.write(`${spec.help.trim()}\n`);
          return { code: exitCode.ok };
        }
        return { code: await spec.execute(invocation.params, io) };
      } catch (error) {
        return { code: reportFailure(spec.name, error, io) };
      }
    },
  };
}

/** Writes the one line a failure gets and returns its exit code. */
export function reportFailure(name: string, error: unknown, io: CommandIo): number {
  const { line, code } = failureLine(name, error, io.env.DATABASE_URL);
  io.stderr.write(`${line}\n`);
  return code;
}
