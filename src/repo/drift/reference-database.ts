import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/**
 * An empty embedded PostgreSQL (PGlite, in memory) to apply the chain to. A fresh PGlite runs initdb:
 * about 2-4 s of CPU, most of db:check's own time. Loaded from a gzipped dump of a freshly initialised
 * data directory it starts in about 0.7 s. The dump (4.5 MB) is kept in the repository's
 * `node_modules/.cache`, keyed by PGlite's version (the only thing its contents depend on), so only
 * the first db:check after an install pays for initdb. Nothing of the chain is cached: every check
 * applies every migration again.
 */
export async function openReferenceDatabase(repoRoot: string): Promise<PGlite> {
  const dump = referenceDumpFile(repoRoot);
  if (dump && existsSync(dump)) {
    try {
      return await PGlite.create({ loadDataDir: new Blob([readFileSync(dump)]) });
    } catch {
      // A damaged dump (a full disk, a hand edit) must not fail the gate: initialise afresh and
      // overwrite it below.
    }
  }
  const client = await PGlite.create();
  if (dump) {
    try {
      await saveDump(dump, await client.dumpDataDir('gzip'));
    } catch {
      // A cache that cannot be written (read-only node_modules) only costs the next run time.
    }
  }
  return client;
}

/** Where the dump is kept; undefined when the repository has no node_modules to keep it in. */
export function referenceDumpFile(repoRoot: string): string | undefined {
  const modules = join(repoRoot, 'node_modules');
  if (!existsSync(modules)) return undefined;
  return join(modules, '.cache', 'conversations-db', `pglite-${pgliteVersion()}-initdb.tar.gz`);
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
