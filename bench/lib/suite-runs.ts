import { type ChildProcess, spawn } from 'node:child_process';
import os from 'node:os';
import { runProcess } from '../../src/repo/drift/run-process.js';

export interface SuiteRun {
  load: boolean;
  seconds: number;
  exitCode: number | null;
  passed: number;
  failed: number;
  skipped: number;
  /** Names of failed tests, from vitest's summary. */
  failures: string[];
  /** The 1-minute load average when the run ended (the machine is shared; this says how busy it was). */
  loadAverage: number;
}

/** Runs `npm test` once in `cwd` with `env` and reads the summary line of test/support/summary-reporter.ts. */
export async function runSuiteOnce(cwd: string, env: NodeJS.ProcessEnv, load: boolean): Promise<SuiteRun> {
  const started = performance.now();
  const { code: exitCode, output } = await runProcess('npm', ['test', '--silent'], { cwd, env });
  const plain = output.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
  const summary = /tests: (\d+) passed, (\d+) failed, (\d+) skipped/.exec(plain);
  const failures = [...plain.matchAll(/^ FAIL +(.+)$/gm)].map((m) => (m[1] ?? '').trim());
  return {
    load,
    seconds: (performance.now() - started) / 1000,
    exitCode,
    passed: Number(summary?.[1] ?? 0),
    failed: Number(summary?.[2] ?? (exitCode === 0 ? 0 : 1)),
    skipped: Number(summary?.[3] ?? 0),
    failures: [...new Set(failures)],
    loadAverage: os.loadavg()[0] ?? 0,
  };
}

/**
 * CPU-heavy background load: one busy loop per core, in separate processes, until stopped. Stands in
 * for "another npm test on the same machine" without touching the database.
 */
export function startCpuLoad(cores = os.availableParallelism()): { stop(): void } {
  const workers: ChildProcess[] = Array.from({ length: cores }, () =>
    spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
  );
  return {
    stop() {
      for (const worker of workers) worker.kill('SIGKILL');
    },
  };
}

const sectionStart = '<!-- suite:start -->';
const sectionEnd = '<!-- suite:end -->';

/** The suite section of BENCHMARKS.md, kept by `npm run bench` when it rewrites the rest. */
export function suiteSection(markdown: string): string | undefined {
  const start = markdown.indexOf(sectionStart);
  const end = markdown.indexOf(sectionEnd);
  return start === -1 || end === -1 ? undefined : markdown.slice(start, end + sectionEnd.length);
}

/** `markdown` with its suite section replaced by (or appended as) `section`. */
export function withSuiteSection(markdown: string, section: string): string {
  const old = suiteSection(markdown);
  return old ? markdown.replace(old, section) : `${markdown.trimEnd()}\n\n${section}\n`;
}

export function renderSuiteSection(
  runs: SuiteRun[],
  context: { mode: string; when: string; machine: string; note: string },
): string {
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length === 0 ? Number.NaN : ((s[(s.length - 1) >> 1] ?? 0) + (s[s.length >> 1] ?? 0)) / 2;
  };
  const line = (load: boolean) => {
    const these = runs.filter((r) => r.load === load);
    if (these.length === 0) return undefined;
    const failedRuns = these.filter((r) => r.failed > 0 || r.exitCode !== 0).length;
    return `| ${load ? 'with a busy loop on every core' : 'no added load'} | ${these.length} | ${median(these.map((r) => r.seconds)).toFixed(0)} s | ${Math.max(...these.map((r) => r.seconds)).toFixed(0)} s | ${failedRuns} |`;
  };
  const rows = [line(false), line(true)].filter((l): l is string => l !== undefined);
  const detail = runs.map(
    (r, i) =>
      `| ${i + 1} | ${r.load ? 'yes' : 'no'} | ${r.seconds.toFixed(0)} s | ${r.passed} / ${r.failed} / ${r.skipped} | ${r.exitCode} | ${r.loadAverage.toFixed(1)} | ${r.failures.join('; ') || '-'} |`,
  );
  return [
    sectionStart,
    '## The test suite (`npm run bench:suite`)',
    '',
    `Run ${context.when}, ${context.mode}. ${context.machine} ${context.note}`,
    '',
    'Targets: `npm test` (biome, tsc, vitest) under 90 s against a server, under 4 minutes in PGlite mode; no failure in 5 consecutive runs under CPU load.',
    '',
    '| load | runs | median wall | longest wall | runs with a failure |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    '| run | load | wall | passed / failed / skipped | exit | load average (1 min) at the end | failed tests |',
    '| ---: | --- | ---: | --- | ---: | ---: | --- |',
    ...detail,
    sectionEnd,
  ].join('\n');
}
