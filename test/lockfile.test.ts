import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

// `npm ci` refuses a lock that does not list every optional platform package of every dependency
// ("Missing: @biomejs/cli-darwin-arm64@ from lock file"); a lock written on a registry that lacks one
// of them then breaks the README's first command on a clean checkout.
describe('package-lock.json', () => {
  it('is accepted by npm ci as it is (npm ci --dry-run writes nothing)', async () => {
    const { stdout, stderr } = await run('npm', ['ci', '--dry-run', '--no-audit', '--no-fund'], {
      env: { ...process.env, npm_config_loglevel: 'error' },
    }).catch((error: { stdout?: string; stderr?: string }) => ({
      stdout: error.stdout ?? '',
      stderr: `${error.stderr ?? ''}\nnpm ci --dry-run failed`,
    }));
    expect(`${stdout}\n${stderr}`).not.toMatch(/Missing: |in sync|npm ci --dry-run failed/);
  });

  it('lists every platform binary of Biome and squawk, so no platform is left out', () => {
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
      packages: Record<string, { optionalDependencies?: Record<string, string> }>;
    };
    for (const tool of ['node_modules/@biomejs/biome', 'node_modules/squawk-cli']) {
      const platforms = Object.keys(lock.packages[tool]?.optionalDependencies ?? {});
      expect(platforms.length, tool).toBeGreaterThanOrEqual(5);
      for (const name of platforms)
        expect(Object.keys(lock.packages), name).toContain(`node_modules/${name}`);
    }
  });
});
