import { readableError, validateLegacyMove } from '../legacy-move/index.js';
import { defineCommand } from './command.js';
import { withDatabase } from './database.js';
import { exitCode } from './exit-code.js';
import { orphanPolicyOf, positiveInteger } from './move-flags.js';
import { formatValidation } from './move-output.js';
import { withHeartbeat } from './progress.js';

const help = `
Usage: npm run chats:validate -- [--orphans <policy>] [--limit <n>] [--json]

The gate before the drop. Exits 0 only when the legacy and new tables are equal under the mapping in
both directions, by the same check the drop's guard runs (legacy_chat_differences): every legacy
session and message is moved with equal mapped fields or accounted for by the orphan policy (archived
rows equal too), every conversation and message has its legacy row, and no legacy message lacks its
session; before go-live also every moved conversation has exactly one AI participant and the employee
owners match the inference. Prints a table of counts, each check, and the ids of whatever fails. Read-only.

  --orphans <policy>   the policy chats:migrate ran with (default archive); with keep, orphans left
                       in chat_sessions are accounted for
  --limit <n>          failing ids kept per check (default 1000; the table shows 10)
  --json               print the result as JSON
  --help               show this help

Exit codes: 0 valid, 1 a check failed, 2 could not run.
Database: DATABASE_URL, or the embedded PGlite database in .data/pglite when it is unset.
`;

export const chatsValidate = defineCommand({
  name: 'chats:validate',
  summary: 'the gate before the drop: are the legacy and new tables equal under the mapping?',
  help,
  flags: { orphans: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
  // The policy alone: attached orphans are validated against the move they were attached to, which
  // the ledger records, so --orphans assign needs no --move-id here.
  parse: (flags) => ({
    orphans: orphanPolicyOf(flags.orphans),
    idLimit: positiveInteger('limit', flags.limit),
    json: flags.json ?? false,
  }),
  execute: (params, io) =>
    withDatabase(io, async (handle) => {
      const result = await withHeartbeat(
        io,
        'chats:validate',
        'comparing the legacy and the new tables',
        () => validateLegacyMove(handle.db, { orphans: params.orphans, idLimit: params.idLimit }),
      ).catch((e: unknown) => {
        throw readableError(e);
      });
      if (params.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else io.stdout.write(`Database: ${handle.target}\n${formatValidation(result)}\n`);
      return result.ok ? exitCode.ok : exitCode.problem;
    }),
});
