import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { npmEnv, packedPackage } from './support/packed-package.js';
import { repoRoot, run } from './support/run.js';

// drizzle-orm 1.0 (at release candidate) replaces relations() with defineRelations(). The package
// supports >=0.44 <0.46 and says so: npm refuses the install, and an app that forces it past the peer
// check gets one sentence naming the range, not a module-link error.

const drizzle1 = '1.0.0-rc.5-ab785fc';
const peerRange = '>=0.44.0 <0.46.0';
let scratch: string;
let tarball: string;

function freshApp(name: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  return dir;
}

const zodVersion = (
  JSON.parse(readFileSync(join(repoRoot, 'node_modules/zod/package.json'), 'utf8')) as { version: string }
).version;

/** `npm install` of the packed package beside drizzle-orm 1.0 (from the npm cache when it has it). */
function installWithDrizzle1(app: string, flags: string[]) {
  return run(
    'npm',
    [
      'install',
      tarball,
      `drizzle-orm@${drizzle1}`,
      `zod@${zodVersion}`,
      ...flags,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
    ],
    npmEnv(),
    app,
  );
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'cdb-drizzle1-'));
  tarball = (await packedPackage()).tarball;
}, 300_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

// Concurrent: two installs into apps of their own; npm spends much of an install waiting on the disk.
describe.concurrent('drizzle-orm 1.0 is refused with a clear message', () => {
  it('npm install refuses it, naming the supported range', async ({ expect }) => {
    const app = freshApp('strict-app');
    const install = await installWithDrizzle1(app, []);
    expect(install.code).not.toBe(0);
    expect(install.stderr).toContain('ERESOLVE');
    expect(install.stderr).toContain(`peer drizzle-orm@"${peerRange}" from @moveline/conversations-db`);
  }, 300_000);

  it('forced past the peer check, importing the package names the range and what to install', async ({
    expect,
  }) => {
    const app = freshApp('forced-app');
    const install = await installWithDrizzle1(app, [
      '--legacy-peer-deps',
      '--ignore-scripts',
      '--loglevel=error',
    ]);
    expect(install.stderr).toBe('');
    writeFileSync(
      join(app, 'import.mjs'),
      "import('@moveline/conversations-db').then(() => console.log('imported'), (e) => console.log(e.message));\n",
    );
    const imported = await run(process.execPath, ['import.mjs'], npmEnv(), app);
    expect(imported.stdout.trim()).toBe(
      `@moveline/conversations-db needs drizzle-orm ${peerRange}: the drizzle-orm installed here has no ` +
        'relations() (drizzle-orm 1.0 replaced it with defineRelations()). Install drizzle-orm@0.45 ' +
        '(npm install drizzle-orm@0.45); this release does not support drizzle-orm 1.0.',
    );
  }, 300_000);
});
