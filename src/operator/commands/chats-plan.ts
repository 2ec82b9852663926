import { planLegacyMove, readableError } from '../legacy-move/index.js';
import { defineCommand } from './command.js';
import { withDatabase } from './database.js';
import { exitCode } from './exit-code.js';
import { orphanFlags, orphanHelp, orphanOptions } from './move-flags.js';
import { formatPlan } from './move-output.js';
import { withHeartbeat } from './progress.js';

const help = `
Usage: npm run chats:plan -- [--orphans <policy>] [--move-id <uuid>] [--json]

Dry run of chats:migrate: reads the legacy chat_sessions / chat_messages and says what the move would
do (sessions that become conversations, orphans and what the policy does with them, messages per role
and the author_type each gets, AI and owner participants to create, owners missing or ambiguous, legacy
values the new schema does not take as they are). Writes nothing (one READ ONLY transaction).

${orphanHelp}
  --json               print the plan as JSON
  --help               show this help

Exit codes: 0 planned, 2 could not run (bad flags, database unreachable, tables missing).
Database: DATABASE_URL, or the embedded PGlite database in .data/pglite when it is unset.
`;

export const chatsPlan = defineCommand({
  name: 'chats:plan',
  summary: 'dry run of chats:migrate: what the move would do',
  help,
  flags: { ...orphanFlags, json: { type: 'boolean' } },
  parse: (flags) => ({ ...orphanOptions(flags), json: flags.json ?? false }),
  execute: (params, io) =>
    withDatabase(io, async (handle) => {
      const plan = await withHeartbeat(io, 'chats:plan', 'reading the legacy tables', () =>
        planLegacyMove(handle.db, { orphans: params.orphans, moveId: params.moveId }),
      ).catch((e: unknown) => {
        throw readableError(e);
      });
      if (params.json) io.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
      else io.stdout.write(`Database: ${handle.target}\n${formatPlan(plan)}\n`);
      return exitCode.ok;
    }),
});
