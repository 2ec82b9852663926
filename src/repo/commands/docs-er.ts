import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as schema from '../../app/schema/index.js';
import { defineCommand } from '../../operator/commands/command.js';
import { exitCode } from '../../operator/commands/exit-code.js';
import { renderSchemaDoc, schemaDocPath } from '../docs/er-diagram.js';

const help = `
Usage: npm run docs:er -- [--check]

Writes ${schemaDocPath}: a Mermaid ER diagram (and the enums) generated from the tables that
src/app/schema/index.ts exports. Run it after every schema change and commit the result.

  --check   write nothing; exit 1 when ${schemaDocPath} is out of date (0 when it matches)
  --help    show this help
`;

export const docsEr = defineCommand({
  name: 'docs:er',
  summary: `write ${schemaDocPath}, the ER diagram of the schema`,
  help,
  flags: { check: { type: 'boolean' } },
  usesDatabase: false,
  parse: (flags) => ({ check: flags.check ?? false }),
  execute: async ({ check }, io) => {
    const path = resolve(io.cwd, schemaDocPath);
    const rendered = renderSchemaDoc(schema);
    const committed = readIfPresent(path);
    if (check) {
      if (committed === rendered) {
        io.stdout.write(`${schemaDocPath} matches the schema.\n`);
        return exitCode.ok;
      }
      io.stderr.write(`docs:er: ${schemaDocPath} is out of date; run \`npm run docs:er\` and commit it.\n`);
      return exitCode.problem;
    }
    if (committed === rendered) {
      io.stdout.write(`${schemaDocPath} is already up to date.\n`);
    } else {
      writeFileSync(path, rendered);
      io.stdout.write(`Wrote ${schemaDocPath}.\n`);
    }
    return exitCode.ok;
  },
});

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
