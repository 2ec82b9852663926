import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { redactUrl } from '../src/operator/connection-target.js';
import { describeMachine } from './lib/machine.js';
import {
  renderSuiteSection,
  runSuiteOnce,
  type SuiteRun,
  startCpuLoad,
  withSuiteSection,
} from './lib/suite-runs.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const help = `
Usage: npm run bench:suite -- [--runs <n>] [--loaded-runs <n>] [--pglite] [--out <file>]

Runs \`npm test\` several times, first as it is, then with a busy loop on every core, and writes the
wall times and every failure into the suite section of BENCHMARKS.md. Not part of npm test.

  --runs <n>         runs without added load (default 1)
  --loaded-runs <n>  runs with a busy loop on every core (default 5)
  --pglite           PGlite mode: DATABASE_URL and TEST_DATABASE_URL are removed for the runs
  --out <file>       where to write (default BENCHMARKS.md; only the suite section changes)

Against a server, DATABASE_URL (or TEST_DATABASE_URL) names it, as for npm test.
`;

function count(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`--${name} must be a whole number of runs (0 or more), not ${JSON.stringify(value)}.`);
  }
  return n;
}

async function main(): Promise<number> {
  let flags: { runs?: string; 'loaded-runs'?: string; pglite?: boolean; out?: string; help?: boolean };
  try {
    flags = parseArgs({
      args: process.argv.slice(2),
      options: {
        runs: { type: 'string' },
        'loaded-runs': { type: 'string' },
        pglite: { type: 'boolean' },
        out: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (error) {
    process.stderr.write(`bench:suite: ${(error as Error).message} See npm run bench:suite -- --help.\n`);
    return 2;
  }
  if (flags.help) {
    process.stdout.write(`${help.trim()}\n`);
    return 0;
  }
  let runs: number;
  let loadedRuns: number;
  try {
    runs = count('runs', flags.runs, 1);
    loadedRuns = count('loaded-runs', flags['loaded-runs'], 5);
  } catch (error) {
    process.stderr.write(`bench:suite: ${(error as Error).message}\n`);
    return 2;
  }
  const env: NodeJS.ProcessEnv = { ...process.env };
  const server = env.TEST_DATABASE_URL || env.DATABASE_URL;
  if (flags.pglite) {
    delete env.DATABASE_URL;
    delete env.TEST_DATABASE_URL;
  } else if (!server) {
    process.stderr.write('bench:suite: set DATABASE_URL to a test server, or pass --pglite.\n');
    return 2;
  }
  const out = resolve(repoRoot, flags.out ?? 'BENCHMARKS.md');
  const before = readFileSync(out, 'utf8');

  const results: SuiteRun[] = [];
  const started = new Date().toISOString();
  for (const load of [...Array<boolean>(runs).fill(false), ...Array<boolean>(loadedRuns).fill(true)]) {
    const cpu = load ? startCpuLoad() : undefined;
    try {
      const run = await runSuiteOnce(repoRoot, env, load);
      results.push(run);
      process.stdout.write(
        `run ${results.length}${load ? ' (loaded)' : ''}: ${run.seconds.toFixed(0)} s, ${run.passed} passed, ${run.failed} failed, exit ${run.exitCode}, load average ${run.loadAverage.toFixed(1)}\n`,
      );
    } finally {
      cpu?.stop();
    }
  }
  const machine = describeMachine();
  const section = renderSuiteSection(results, {
    when: started,
    mode: flags.pglite ? 'PGlite mode' : `against the server at ${redactUrl(server ?? '')}`,
    machine: `Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}.`,
    note: `The machine is shared with other engineers' runs: the load average before the first run was ${os.loadavg()[0]?.toFixed(1)} (1 min) and is given per run below.`,
  });
  writeFileSync(out, withSuiteSection(before, section));
  process.stdout.write(`Wrote the suite section of ${out}.\n`);
  return results.some((r) => r.failed > 0 || r.exitCode !== 0) ? 1 : 0;
}

process.exitCode = await main();
