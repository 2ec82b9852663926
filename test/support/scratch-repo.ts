import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeScratchCopy, type ScratchCopy, scratchEntries } from '../../src/repo/drift/scratch-copy.js';
import { type RunResult, repoRoot, runInProcess } from './run.js';

/** A copy of the repository a test may break on purpose: db:check there sees exactly that drift. */
export interface ScratchRepo extends ScratchCopy {
  /** Runs db:check on the copy, in process: every check reads the copy's files (the working folder). */
  dbCheck(args: string[], env: NodeJS.ProcessEnv): Promise<RunResult>;
  read(file: string): string;
  write(file: string, content: string): void;
  journal(): { entries: { idx: number; version: string; when: number; tag: string; breakpoints: boolean }[] };
  writeJournal(journal: ReturnType<ScratchRepo['journal']>): void;
}

export function makeScratchRepo(): ScratchRepo {
  const copy = makeScratchCopy(repoRoot, [...scratchEntries, 'scripts', '.squawk.toml']);
  const path = (file: string) => join(copy.dir, file);
  const repo: ScratchRepo = {
    ...copy,
    dbCheck: (args, env) => runInProcess('db-check.ts', args, env, copy.dir),
    read: (file) => readFileSync(path(file), 'utf8'),
    write: (file, content) => writeFileSync(path(file), content),
    journal: () => JSON.parse(repo.read('drizzle/meta/_journal.json')),
    writeJournal: (journal) => repo.write('drizzle/meta/_journal.json', JSON.stringify(journal, null, 2)),
  };
  return repo;
}

/** The environment of a db:check that must not see any database. */
export function envWithoutDatabase(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  delete env.PGLITE_DATA_DIR;
  delete env.TEST_DATABASE_URL;
  return env;
}
