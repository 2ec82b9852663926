import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/run.js';

// The line between what ships to app teams and the operator tooling is drawn by folders, and this file
// checks it on the sources, in process (test/consumer.test.ts checks the packed tarball too, slowly):
//   src/app       ships to app teams (`.`, `./zod`, `./migrations`, `./testing`)
//   src/deploy    ships to deploy scripts (`./migrator`)
//   src/operator  ships behind the `conversations-db` bin
//   src/repo      this repository only (db:check, the ER diagram): never in the tarball
// A side imports its own folder and the sides before it, never one after it; and only the packages an
// installed copy of that side can find.

const sides = ['app', 'deploy', 'operator', 'repo'] as const;
type Side = (typeof sides)[number];

interface Manifest {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
  exports: Record<string, string | { types: string; default: string }>;
  bin: Record<string, string>;
}

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Manifest;

/** The packages each side may import: app code runs in an app that installed our dependencies and peers. */
function allowedPackages(manifest: Manifest): { [S in Side]: { static: Set<string>; dynamic: Set<string> } } {
  const optional = (name: string) => manifest.peerDependenciesMeta?.[name]?.optional === true;
  const peers = Object.keys(manifest.peerDependencies ?? {});
  const shipped = [...Object.keys(manifest.dependencies ?? {}), ...peers.filter((name) => !optional(name))];
  const withOptional = [...shipped, ...peers.filter(optional)];
  const everything = [...withOptional, ...Object.keys(manifest.devDependencies ?? {})];
  return {
    // The test kit loads postgres or PGlite with import() when called, so an app without them still loads it.
    app: { static: new Set(shipped), dynamic: new Set(withOptional) },
    deploy: { static: new Set(shipped), dynamic: new Set(shipped) },
    operator: { static: new Set(withOptional), dynamic: new Set(withOptional) },
    repo: { static: new Set(everything), dynamic: new Set(everything) },
  };
}

function sideOf(file: string): Side | undefined {
  const [top, folder] = file.split('/');
  return top === 'src' ? sides.find((side) => side === folder) : undefined;
}

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

const importPattern = /\b(?:from|import)\s*(\()?\s*'([^'\s]+)'/g;

/** Every way `files` (path under the repository -> source) cross the line; empty when none does. */
function boundaryViolations(files: ReadonlyMap<string, string>, manifest: Manifest): string[] {
  const allowed = allowedPackages(manifest);
  const builtins = new Set(builtinModules);
  const problems: string[] = [];
  for (const [file, source] of files) {
    const side = sideOf(file);
    if (!side) {
      problems.push(`${file} is in none of src/${sides.join(', src/')}`);
      continue;
    }
    for (const [, dynamic, specifier] of source.matchAll(importPattern)) {
      if (!specifier) continue;
      if (specifier.startsWith('.')) {
        const target = posix.normalize(posix.join(posix.dirname(file), specifier));
        const targetSide = sideOf(target);
        if (!targetSide || sides.indexOf(targetSide) > sides.indexOf(side))
          problems.push(`${file} (${side}) imports ${specifier} (${targetSide ?? 'outside src'})`);
        continue;
      }
      if (specifier.startsWith('node:') || builtins.has(specifier)) continue;
      const name = packageOf(specifier);
      if (!allowed[side][dynamic ? 'dynamic' : 'static'].has(name))
        problems.push(`${file} (${side}) imports ${dynamic ? 'with import() ' : ''}${name}`);
    }
  }
  return problems;
}

function sourcesUnder(folder: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts'))
        found.set(relative(repoRoot, path).split('\\').join('/'), readFileSync(path, 'utf8'));
    }
  };
  walk(join(repoRoot, folder));
  return found;
}

/** `./dist/app/index.js` -> the side of `src/app/index.ts`. */
function sideOfBuilt(path: string): Side | undefined {
  return sideOf(posix.normalize(path).replace(/^dist\//, 'src/'));
}

describe('the folders are the boundary', () => {
  const sources = sourcesUnder('src');

  it('every file of src/ sits on one side, and no side imports a later one or a package it cannot find', () => {
    const perSide = sides.map((side) => [...sources.keys()].filter((file) => sideOf(file) === side).length);
    expect(perSide.every((count) => count > 0)).toBe(true);
    expect(boundaryViolations(sources, manifest)).toEqual([]);
  });

  it('each entry point of package.json and tsconfig.build.json is on the side it ships to', () => {
    const exported = Object.fromEntries(
      Object.entries(manifest.exports)
        .filter(([, target]) => typeof target !== 'string')
        .map(([name, target]) => [name, sideOfBuilt((target as { default: string }).default)]),
    );
    expect(exported).toEqual({
      '.': 'app',
      './zod': 'app',
      './migrations': 'app',
      './testing': 'app',
      './migrator': 'deploy',
    });
    expect(Object.values(manifest.bin).map(sideOfBuilt)).toEqual(['operator']);
    const build = JSON.parse(readFileSync(join(repoRoot, 'tsconfig.build.json'), 'utf8')) as {
      files: string[];
    };
    expect(build.files.filter((file) => sideOf(file) === 'repo' || !sideOf(file))).toEqual([]);
  });

  it('finds an app file that imports operator code, a devDependency or a driver outside import()', () => {
    const planted = new Map([
      ['src/app/writes/bad.ts', "import { openDatabase } from '../../operator/connect.js';"],
      [
        'src/app/schema/bad.ts',
        "import { defineConfig } from 'drizzle-kit';\nconst pg = await import('postgres');",
      ],
      ['src/app/testing/bad.ts', "import postgres from 'postgres';"],
      ['src/deploy/bad.ts', "export { drift } from '../repo/drift/run-checks.js';"],
      ['src/operator/fine.ts', "import { sql } from 'drizzle-orm';\nimport { x } from '../deploy/index.js';"],
      ['src/loose.ts', ''],
    ]);
    expect(boundaryViolations(planted, manifest)).toEqual([
      'src/app/writes/bad.ts (app) imports ../../operator/connect.js (operator)',
      'src/app/schema/bad.ts (app) imports drizzle-kit',
      'src/app/testing/bad.ts (app) imports postgres',
      'src/deploy/bad.ts (deploy) imports ../repo/drift/run-checks.js (repo)',
      'src/loose.ts is in none of src/app, src/deploy, src/operator, src/repo',
    ]);
  });
});
