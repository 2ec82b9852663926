import { accessSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from './usage-error.js';

/**
 * Refuses a --report path the command could not write at the end of its run, before the run writes
 * anything: a folder, a missing or unwritable folder, an unwritable file, or an existing file
 * without --overwrite.
 */
export function assertReportWritable(path: string, shown: string, overwrite: boolean): void {
  const existing = statOrUndefined(path);
  if (existing?.isDirectory()) {
    throw new UsageError(
      `--report ${shown} is a folder; name a file in it, e.g. --report ${shown}/report.json.`,
    );
  }
  if (existing) {
    if (!overwrite) {
      throw new UsageError(
        `--report ${shown} already exists; pass --overwrite to replace it, or name a new file.`,
      );
    }
    if (!canAccess(path, constants.W_OK)) throw new UsageError(`--report ${shown} is not writable.`);
    return;
  }
  const folder = dirname(path);
  const parent = statOrUndefined(folder);
  if (!parent) {
    throw new UsageError(`--report ${shown}: the folder ${folder} does not exist; create it first.`);
  }
  if (!parent.isDirectory()) {
    throw new UsageError(`--report ${shown}: ${folder} is not a folder; name a file in a folder.`);
  }
  if (!canAccess(folder, constants.W_OK | constants.X_OK)) {
    throw new UsageError(`--report ${shown}: the folder ${folder} is not writable.`);
  }
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function canAccess(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}
