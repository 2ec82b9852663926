import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, commandNamed } from '../../src/repo/commands/index.js';

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

/** The command a scripts/ file runs: db-migrate.ts is db:migrate, er-diagram.ts is docs:er. */
function commandOfScript(script: string): Command {
  const base = script.replace(/\.ts$/, '');
  const name = base === 'er-diagram' ? 'docs:er' : base.replace('-', ':');
  const command = commandNamed(name);
  if (!command) throw new Error(`no command for scripts/${script}`);
  return command;
}

/**
 * Runs the same command as runScript, in this process: its run() with buffers for stdout and stderr
 * and `env` as its whole environment. Fast (no tsx start); what a real process adds (signals, exit)
 * is tested by the spawned smoke tests. `migrationsFolder`: the drizzle/ that db:migrate and db:status
 * read instead of the repository's (a scratch copy's, see scratch-repo.ts).
 */
export async function runInProcess(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd = repoRoot,
  migrationsFolder?: string,
): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const { code } = await commandOfScript(script).run(args, {
    stdout: {
      write: (text) => {
        stdout += text;
      },
    },
    stderr: {
      write: (text) => {
        stderr += text;
      },
    },
    env,
    isTTY: { stdout: false, stderr: false },
    cwd,
    progressEveryMs: Number.POSITIVE_INFINITY,
    migrationsFolder,
  });
  return { code, signal: null, stdout, stderr };
}
