import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** PGlite's client type, named without importing the driver (it is loaded only when used). */
export type PGlite = import('@electric-sql/pglite').PGlite;

/**
 * A fresh PGlite runs initdb: about 2-4 s of CPU. Loaded from a gzipped dump of a freshly initialised
 * data directory it starts in about 0.7 s. The dump (4.5 MB) is kept in `<root>/node_modules/.cache`,
 * keyed by PGlite's version (the only thing its contents depend on), so only the first empty
 * database after an install pays for initdb. Used by db:check's reference database and by the test
 * kit's PGlite snapshots and data directories; the dump holds nothing but initdb's output, so every
 * database opened from it is empty and of its own.
 */
export function initdbDumpFile(root: string): string | undefined {
  const modules = join(root, 'node_modules');
  if (!existsSync(modules)) return undefined;
  return join(modules, '.cache', 'conversations-db', `pglite-${pgliteVersion()}-initdb.tar.gz`);
}

/**
 * A new, empty PGlite: in memory, or in `dataDir` (which must not hold a database yet). Loaded from
 * the dump at `dumpFile` when there is one (see initdbDumpFile); else initdb runs and, when
 * `dumpFile` is given, its output is kept there for the next one. A dump that does not load (a full
 * disk, a hand edit) never fails the caller: initdb runs afresh and replaces it.
 */
export async function openEmptyPglite(options: {
  dumpFile: string | undefined;
  dataDir?: string;
}): Promise<PGlite> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { dumpFile, dataDir } = options;
  if (dataDir !== undefined && holdsFiles(dataDir)) {
    throw new Error(`${dataDir} is not empty: an empty PGlite database needs a new folder.`);
  }
  if (dumpFile && existsSync(dumpFile)) {
    try {
      return await PGlite.create(dataDir, { loadDataDir: new Blob([readFileSync(dumpFile)]) });
    } catch {
      // Half loaded into the folder, perhaps: start it again from nothing.
      if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
    }
  }
  if (!dumpFile) return PGlite.create(dataDir);
  // initdb in memory, kept, then loaded into the folder: a dump is always of an in-memory database.
  const fresh = await PGlite.create();
  let dump: Blob;
  try {
    dump = await fresh.dumpDataDir('gzip');
  } catch {
    await fresh.close();
    return PGlite.create(dataDir);
  }
  try {
    await saveDump(dumpFile, dump);
  } catch {
    // A cache that cannot be written (read-only node_modules) only costs the next one time.
  }
  if (dataDir === undefined) return fresh;
  await fresh.close();
  return PGlite.create(dataDir, { loadDataDir: dump });
}

function holdsFiles(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).length > 0;
}

/**
 * Written beside its final name, then renamed: a killed run leaves a stray temporary file, never a
 * half-written dump under the final name; two runs at once each write one and the last rename wins.
 */
async function saveDump(file: string, dump: Blob): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, Buffer.from(await dump.arrayBuffer()));
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
}

function pgliteVersion(): string {
  // The package's exports hide its package.json; its entry point sits in <package>/dist.
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const manifest = join(dirname(entry), '..', 'package.json');
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown };
  if (typeof version !== 'string') throw new Error(`${manifest} names no version`);
  return version;
}
