import { symlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { oncePerRun } from './once-per-run.js';
import { packedPackage } from './packed-package.js';
import { type RunResult, repoRoot, run } from './run.js';

/**
 * The package's bin (`conversations-db <command>`) as the run's one `npm pack` ships it, unpacked
 * once per run next to the repository's node_modules: compiled JS, so a spawned command starts in
 * a fraction of the time tsx needs to compile src/ again in every child. Same commands, flags,
 * output and exit codes as the npm scripts (the bin and the scripts/ shims both call runAsProcess);
 * command-process.test.ts keeps the scripts/ shims themselves covered.
 */
export async function installedBin(): Promise<string> {
  const { root, bin } = await unpackedPackage();
  return join(root, bin);
}

/** Where the package is unpacked, and its bin's path inside it (`dist/commands/main.js`). */
export function unpackedPackage(): Promise<{ root: string; bin: string }> {
  return oncePerRun('unpacked', async (dir) => {
    const { tarball } = await packedPackage();
    const untar = await run('tar', ['-xzf', tarball, '-C', dir], process.env, repoRoot);
    if (untar.code !== 0) throw new Error(`tar -xzf ${tarball} failed (${untar.code}): ${untar.stderr}`);
    const root = join(dir, 'package');
    symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'), 'dir');
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    const bin = manifest.bin['conversations-db'];
    if (!bin) throw new Error('package.json names no conversations-db bin');
    return { root, bin };
  });
}

/** The command a scripts/ file runs, by its name: chats-migrate.ts is chats:migrate. */
export function commandNameOfScript(script: string): string {
  return script.replace(/\.ts$/, '').replace('-', ':');
}

/** Runs `conversations-db <command> ...args` (the run's compiled bin) in its own process. */
export async function runBin(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return run(process.execPath, [await installedBin(), command, ...args], env, repoRoot);
}
