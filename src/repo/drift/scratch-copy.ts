import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What drizzle-kit needs to see the repository as it is: the schema, the migrations and the config. */
export const scratchEntries = ['src', 'drizzle', 'drizzle.config.ts', 'package.json', 'tsconfig.json'];

export interface ScratchCopy {
  dir: string;
  remove(): void;
}

/**
 * A throwaway copy of the repository (node_modules linked, not copied), so a tool that writes files
 * (drizzle-kit generate) can run without touching the working tree.
 */
export function makeScratchCopy(root: string, entries: string[] = scratchEntries): ScratchCopy {
  const dir = mkdtempSync(join(tmpdir(), 'cdb-scratch-'));
  for (const entry of entries) {
    const from = join(root, entry);
    if (existsSync(from)) cpSync(from, join(dir, entry), { recursive: true });
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
