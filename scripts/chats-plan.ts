import { planLegacyMove, readableError } from '../src/legacy-move/index.js';
import { parseFlags, runCommand, withDatabase } from './lib/cli.js';
import { orphanFlags, orphanHelp, orphanOptions } from './lib/move-flags.js';
import { formatPlan } from './lib/move-output.js';

const help = `
Usage: npm run chats:plan [-- --orphans <policy>] [--move-id <uuid>] [--json]

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

await runCommand('chats:plan', async () => {
  const flags = parseFlags(process.argv.slice(2), { ...orphanFlags, json: { type: 'boolean' } }, help);
  const orphans = orphanOptions(flags);
  return withDatabase(async (handle) => {
    const plan = await planLegacyMove(handle.db, orphans).catch((e: unknown) => {
      throw readableError(e);
    });
    if (flags.json) process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    else process.stdout.write(`Database: ${handle.target}\n${formatPlan(plan)}\n`);
    return 0;
  });
});
