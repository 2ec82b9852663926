import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterEach, describe, expect, it } from 'vitest';
import { initdbDumpFile, openEmptyPglite } from '../src/app/testing/pglite-initdb.js';
import { openReferenceDatabase } from '../src/repo/drift/reference-database.js';

// live-catalog applies the chain to an empty PGlite opened through openReferenceDatabase; the dump it
// keeps in node_modules/.cache only saves initdb. Whatever state that cache is in, the reference must be
// an empty database of its own, and the gate must run.
const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A repository root of its own, so the test never touches the project's real cache. */
function repositoryRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'cdb-reference-test-'));
  roots.push(root);
  mkdirSync(join(root, 'node_modules'));
  return root;
}

const gzipMagic = [0x1f, 0x8b];

describe('the reference database of live-catalog', () => {
  it('is initialised once, then opened from the kept dump as an empty database of its own every time', async () => {
    const root = repositoryRoot();
    const dump = initdbDumpFile(root);
    expect(dump).toBeDefined();
    expect(existsSync(dump as string)).toBe(false);

    const first = await openReferenceDatabase(root);
    await first.exec('create table left_behind (id int)');
    await first.close();
    const kept = readFileSync(dump as string);
    expect([...kept.subarray(0, 2)]).toEqual(gzipMagic);

    const second = await openReferenceDatabase(root);
    const tables = await second.query<{ n: number }>(
      "select count(*)::int as n from pg_catalog.pg_class where relname = 'left_behind'",
    );
    await second.close();
    // A copy of the dump, never the dump: what one check did is not in the next one's reference.
    expect(tables.rows[0]?.n).toBe(0);
    expect(readFileSync(dump as string).equals(kept)).toBe(true);
  });
});

// Each test here pays for one initdb (seconds of CPU), which is what it tests: the first empty database
// with no dump (above), and a dump that does not load (below). The branches these two leave out (a
// damaged dump for an in-memory database, no dump at all for a folder) run the same code after the
// choice, so one test takes the folder and the damaged dump together.
describe("the same dump in a data directory (the test kit's PGlite folders)", () => {
  it('replaces a damaged dump instead of failing, fills a new folder with an empty database that stays there, and refuses a folder holding files', async () => {
    const root = repositoryRoot();
    const dumpFile = initdbDumpFile(root) as string;
    const dataDir = join(root, 'db');
    mkdirSync(dirname(dumpFile), { recursive: true });
    writeFileSync(dumpFile, 'not a data directory');
    // The dump does not load: initdb runs in memory, its dump replaces the damaged one, and the folder
    // is filled from it. (A folder filled from a dump already kept: refusal-texts.test.ts and the
    // PGlite templates, every run.)
    const opened = await openEmptyPglite({ dumpFile, dataDir });
    const answer = await opened.query<{ one: number }>('select 1 as one');
    expect(answer.rows).toEqual([{ one: 1 }]);
    await opened.exec('create table made_here (id int)');
    await opened.close();
    expect([...readFileSync(dumpFile).subarray(0, 2)]).toEqual(gzipMagic);
    const reopened = await PGlite.create(dataDir);
    const tables = await reopened.query<{ relname: string }>(
      "select relname from pg_catalog.pg_class where relname = 'made_here'",
    );
    await reopened.close();
    expect(tables.rows).toEqual([{ relname: 'made_here' }]);
    await expect(openEmptyPglite({ dumpFile, dataDir })).rejects.toThrow(
      `${dataDir} is not empty: an empty PGlite database needs a new folder.`,
    );
  });
});
