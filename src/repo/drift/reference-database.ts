import type { PGlite } from '@electric-sql/pglite';
import { initdbDumpFile, openEmptyPglite } from '../../app/testing/pglite-initdb.js';

/**
 * An empty embedded PostgreSQL (PGlite, in memory) to apply the chain to, started from the initdb
 * dump kept in the repository's `node_modules/.cache` (see pglite-initdb.ts: initdb was most of
 * db:check's own time). Nothing of the chain is cached: every check applies every migration again.
 */
export function openReferenceDatabase(repoRoot: string): Promise<PGlite> {
  return openEmptyPglite({ dumpFile: initdbDumpFile(repoRoot) });
}
