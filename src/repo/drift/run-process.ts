import { spawn } from 'node:child_process';

export interface ProcessResult {
  code: number | null;
  output: string;
}

/** Runs a program to completion and collects stdout and stderr together (never throws on exit codes). */
export function runProcess(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<ProcessResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, output }));
  });
}

/**
 * The environment for drizzle-kit's offline commands (generate, check): no database server. The config
 * still creates the PGlite folder it would use, so point that where it does no harm.
 */
export function offlineEnv(pgliteDir?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (pgliteDir) env.PGLITE_DATA_DIR = pgliteDir;
  delete env.DATABASE_URL;
  return env;
}

/** The last meaningful lines of a tool's output, for a one-line message. */
export function lastLines(output: string, count = 3): string {
  return output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('npm warn'))
    .slice(-count)
    .join(' / ');
}
