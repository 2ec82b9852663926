import { join } from 'node:path';
import { oncePerRun } from './once-per-run.js';
import { repoRoot, run } from './run.js';

export interface PackedPackage {
  /** The tarball `npm pack` wrote (prepack built dist/ first). */
  tarball: string;
  /** Every path in it, sorted. */
  files: string[];
}

/** npm run sets npm_* variables (prefixes, the running package); a nested npm must not inherit them. */
export function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
}

/**
 * The package as `npm pack` makes it, packed once per run for every test file that installs it: a
 * pack rebuilds dist/ (prepack), so two at once could also ship each other's half-written files.
 */
export function packedPackage(): Promise<PackedPackage> {
  return oncePerRun('npm-pack', async (dir) => {
    const pack = await run(
      'npm',
      ['pack', '--pack-destination', dir, '--json', '--loglevel=error'],
      npmEnv(),
      repoRoot,
    );
    if (pack.code !== 0) throw new Error(`npm pack failed (${pack.code}):\n${pack.stderr}`);
    const [packed] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    if (!packed) throw new Error(`npm pack printed no package: ${pack.stdout}${pack.stderr}`);
    return { tarball: join(dir, packed.filename), files: packed.files.map((f) => f.path).sort() };
  });
}
