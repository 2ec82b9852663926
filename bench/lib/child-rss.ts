import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ChildRun {
  code: number | null;
  ms: number;
  /** Peak resident set (VmHWM) of the process, KiB; NaN when /proc could not be read. */
  peakRssKiB: number;
  /** What /proc/<pid>/cmdline said: proof that the polled process is the one running the script. */
  polledCommand: string;
  stdout: string;
  stderr: string;
}

function readHighWaterMark(pid: number): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined; // exited between polls
  }
}

/**
 * Runs `node <args>` directly (no npm, npx or shell in between, so the pid is the node process that
 * runs the script) and polls its VmHWM every 20 ms until it exits. VmHWM only grows, so the last
 * reading is the peak up to within the final 20 ms.
 */
export function runNodeMeasured(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peak = Number.NaN;
    let polledCommand = '';
    const poll = () => {
      if (child.pid === undefined) return;
      const hwm = readHighWaterMark(child.pid);
      if (hwm !== undefined) peak = Number.isNaN(peak) ? hwm : Math.max(peak, hwm);
      if (!polledCommand) {
        try {
          polledCommand = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
        } catch {}
      }
    };
    const timer = setInterval(poll, 20);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    child.on('exit', (code) => {
      clearInterval(timer);
      resolve({ code, ms: performance.now() - started, peakRssKiB: peak, polledCommand, stdout, stderr });
    });
    poll();
  });
}
