import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderSchemaDoc, schemaDocPath } from '../src/docs/er-diagram.js';
import * as schema from '../src/schema/index.js';
import { exitCode, parseFlags, runCommand } from './lib/cli.js';

const help = `
Usage: npm run docs:er [-- --check]

Writes ${schemaDocPath}: a Mermaid ER diagram (and the enums) generated from the tables that
src/schema/index.ts exports. Run it after every schema change and commit the result.

  --check   write nothing; exit 1 when ${schemaDocPath} is out of date (0 when it matches)
  --help    show this help
`;

await runCommand('docs:er', async () => {
  const flags = parseFlags(process.argv.slice(2), { check: { type: 'boolean' } }, help);
  const path = resolve(schemaDocPath);
  const rendered = renderSchemaDoc(schema);
  const committed = readIfPresent(path);
  if (flags.check) {
    if (committed === rendered) {
      process.stdout.write(`${schemaDocPath} matches the schema.\n`);
      return exitCode.ok;
    }
    process.stderr.write(
      `docs:er: ${schemaDocPath} is out of date; run \`npm run docs:er\` and commit it.\n`,
    );
    return exitCode.problem;
  }
  if (committed === rendered) {
    process.stdout.write(`${schemaDocPath} is already up to date.\n`);
  } else {
    writeFileSync(path, rendered);
    process.stdout.write(`Wrote ${schemaDocPath}.\n`);
  }
  return exitCode.ok;
});

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
