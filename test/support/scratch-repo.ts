import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeScratchCopy, type ScratchCopy, scratchEntries } from '../../src/repo/drift/scratch-copy.js';
import { unpackedPackage } from './installed-bin.js';
import { type RunResult, repoRoot, run, runInProcess } from './run.js';

/** A copy of the repository a test may break on purpose: db:check there sees exactly that drift. */
export interface ScratchRepo extends ScratchCopy {
  /** Runs db:check on the copy, in process: every check reads the copy's files (the working folder). */
  dbCheck(args: string[], env: NodeJS.ProcessEnv): Promise<RunResult>;
  /**
   * Runs an operator command (`db:migrate`, `db:status`) in process on the copy's drizzle/: the same
   * run() as the bin, without a process start (about half a second each on an idle machine).
   */
  runCommand(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunResult>;
  /**
   * Runs an operator command (`db:migrate`, `db:status`...) of the copy in its own process: the
   * run's compiled bin, copied into the copy so that it reads the copy's drizzle/ (the package root
   * is the folder above dist/). For the one test that proves the bin finds that folder; the others
   * use runCommand.
   */
  runBin(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunResult>;
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
    runCommand: (command, args, env) =>
      runInProcess(`${command.replace(':', '-')}.ts`, args, env, copy.dir, path('drizzle')),
    runBin: async (command, args, env) => {
      const { root, bin } = await unpackedPackage();
      if (!existsSync(path('dist'))) cpSync(join(root, 'dist'), path('dist'), { recursive: true });
      return run(process.execPath, [path(bin), command, ...args], env, copy.dir);
    },
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
