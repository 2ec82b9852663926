import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';

/**
 * Work that every test file needing it may share, done once per run by whichever file asks first
 * (one `npm pack` instead of one per file, and never two packs rebuilding dist/ at the same time).
 * The first caller builds into `<run scratch>/<key>/` and records the result; the others, in any
 * worker, wait for that record (polled, no deadline: the hook's timeout is the budget) and get the
 * same result, or the same error.
 */
export async function oncePerRun<T>(key: string, build: (dir: string) => Promise<T>): Promise<T> {
  const dir = join(inject('runScratch'), key);
  const record = join(dir, 'result.json');
  let builder = true;
  try {
    mkdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    builder = false;
  }
  if (builder) {
    let outcome: { ok: true; value: T } | { ok: false; message: string };
    try {
      outcome = { ok: true, value: await build(dir) };
    } catch (error) {
      outcome = { ok: false, message: (error as Error).message };
    }
    // Written whole, then renamed into place, so a waiter never reads half a record.
    writeFileSync(`${record}.tmp`, JSON.stringify(outcome));
    renameSync(`${record}.tmp`, record);
  }
  while (!existsSync(record)) await sleep(200);
  const outcome = JSON.parse(readFileSync(record, 'utf8')) as
    | { ok: true; value: T }
    | { ok: false; message: string };
  if (!outcome.ok)
    throw new Error(`${key} (built once for the run by another test file) failed: ${outcome.message}`);
  return outcome.value;
}
