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
  type SuiteMode,
  type SuiteRun,
  startCpuLoad,
  withSuiteSection,
} from './lib/suite-runs.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const help = `
Usage: npm run bench:suite -- [--runs <n>] [--loaded-runs <n>] [--pglite-runs <n>] [--pglite-loaded-runs <n>] [--out <file>]

Runs \`npm test\` several times against the server, first as it is, then with a busy loop on every
core; then in PGlite mode (DATABASE_URL and TEST_DATABASE_URL removed). Writes the wall times and
every failure into the suite section of BENCHMARKS.md. Not part of npm test.

  --runs <n>                server runs without added load (default 1)
  --loaded-runs <n>         server runs with a busy loop on every core (default 5)
  --pglite-runs <n>         PGlite runs without added load (default 1)
  --pglite-loaded-runs <n>  PGlite runs with a busy loop on every core (default 0)
  --out <file>              where to write (default BENCHMARKS.md; only the suite section changes)

DATABASE_URL (or TEST_DATABASE_URL) names the server, as for npm test; without it only the PGlite
runs are made.
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
  let flags: {
    runs?: string;
    'loaded-runs'?: string;
    'pglite-runs'?: string;
    'pglite-loaded-runs'?: string;
    out?: string;
    help?: boolean;
  };
  try {
    flags = parseArgs({
      args: process.argv.slice(2),
      options: {
        runs: { type: 'string' },
        'loaded-runs': { type: 'string' },
        'pglite-runs': { type: 'string' },
        'pglite-loaded-runs': { type: 'string' },
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
  const server = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  const plan: { mode: SuiteMode; load: boolean }[] = [];
  try {
    const times = (n: number, mode: SuiteMode, load: boolean) =>
      Array.from({ length: n }, () => ({ mode, load }));
    if (server) {
      plan.push(...times(count('runs', flags.runs, 1), 'server', false));
      plan.push(...times(count('loaded-runs', flags['loaded-runs'], 5), 'server', true));
    }
    plan.push(...times(count('pglite-runs', flags['pglite-runs'], 1), 'pglite', false));
    plan.push(...times(count('pglite-loaded-runs', flags['pglite-loaded-runs'], 0), 'pglite', true));
  } catch (error) {
    process.stderr.write(`bench:suite: ${(error as Error).message}\n`);
    return 2;
  }
  const pgliteEnv: NodeJS.ProcessEnv = { ...process.env };
  delete pgliteEnv.DATABASE_URL;
  delete pgliteEnv.TEST_DATABASE_URL;
  const out = resolve(repoRoot, flags.out ?? 'BENCHMARKS.md');
  const before = readFileSync(out, 'utf8');

  const results: SuiteRun[] = [];
  const started = new Date().toISOString();
  const loadBefore = os.loadavg()[0] ?? 0;
  const machine = describeMachine();
  // Written after every run, so that a long series stopped early still leaves what it measured.
  const write = () => {
    const section = renderSuiteSection(results, {
      when: started,
      server: server ? redactUrl(server) : 'no server (DATABASE_URL unset)',
      machine: `Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}.`,
      note: `The machine is shared with other engineers' runs: the load average before the first run was ${loadBefore.toFixed(1)} (1 min) and is given per run below.${results.length < plan.length ? ` ${results.length} of the ${plan.length} planned runs done.` : ''}`,
    });
    writeFileSync(out, withSuiteSection(before, section));
  };
  for (const { mode, load } of plan) {
    const cpu = load ? startCpuLoad() : undefined;
    try {
      const run = await runSuiteOnce(repoRoot, mode === 'server' ? process.env : pgliteEnv, mode, load);
      results.push(run);
      process.stdout.write(
        `run ${results.length} (${mode}${load ? ', loaded' : ''}): ${run.seconds.toFixed(0)} s, ${run.passed} passed, ${run.failed} failed, exit ${run.exitCode}, load average ${run.loadAverage.toFixed(1)}\n`,
      );
    } finally {
      cpu?.stop();
    }
    write();
  }
  process.stdout.write(`Wrote the suite section of ${out}.\n`);
  return results.some((r) => r.failed > 0 || r.exitCode !== 0) ? 1 : 0;
}

process.exitCode = await main();
