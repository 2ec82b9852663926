import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command of scripts/ as `npm run` would (tsx), in its own process. */
export function runScript(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return run(process.execPath, ['--import', 'tsx', resolve(repoRoot, 'scripts', script), ...args], env);
}

/** Runs the real drizzle-kit CLI from the repository root (it reads drizzle.config.ts there). */
export function runDrizzleKit(args: string[], env: NodeJS.ProcessEnv, cwd = repoRoot): Promise<RunResult> {
  return run(resolve(repoRoot, 'node_modules/.bin/drizzle-kit'), args, env, cwd);
}

export function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd = repoRoot,
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}
