import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Command, commandNamed, commands } from '../src/repo/commands/index.js';
import { repoRoot } from './support/run.js';

// Every invocation the README and the --help texts show runs as written: a synopsis has the shape a
// shell and npm accept (`npm run <command> -- [flags]`, only flags the command takes), and a
// concrete line passes the command's own flag check (a dry parse: nothing opened, nothing written).

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const scratch = mkdtempSync(join(tmpdir(), 'cdb-documented-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Invocation {
  where: string;
  command: Command;
  /** What follows the command name, as written. */
  rest: string;
  viaNpm: boolean;
}

/** Every `npm run <command> ...` and `conversations-db <command> ...` in `text`, up to a `, |, # or line end. */
function invocationsIn(text: string, where: string): Invocation[] {
  const found: Invocation[] = [];
  for (const match of text.matchAll(/(npm run|conversations-db) ([a-z]+(?::[a-z]+)?)([^`|#\n]*)/g)) {
    const command = commandNamed(match[2] ?? '');
    if (!command) continue;
    found.push({ where, command, rest: (match[3] ?? '').trim(), viaNpm: match[1] === 'npm run' });
  }
  return found;
}

/** The usage lines of a --help text, continuation lines joined. */
function usageOf(command: Command): string {
  const lines = command.help.trim().split('\n');
  const usage = [lines[0] ?? ''];
  for (const line of lines.slice(1)) {
    if (!/^\s+\[/.test(line)) break;
    usage.push(line.trim());
  }
  return usage.join(' ');
}

const documented = [
  ...invocationsIn(readme, 'README.md'),
  ...commands.flatMap((c) => invocationsIn(usageOf(c), `${c.name} --help`)),
];

function flagsOf(rest: string): { args: string[]; synopsis: boolean } {
  const synopsis = /[[<]/.test(rest);
  return { args: rest.split(/\s+/).filter(Boolean), synopsis };
}

describe('every documented invocation runs as written', () => {
  it('finds the invocations (the README and every --help)', () => {
    expect(documented.filter((d) => d.where === 'README.md').length).toBeGreaterThan(20);
    for (const command of commands)
      expect(documented.some((d) => d.where === `${command.name} --help`)).toBe(true);
  });

  it.each(
    documented.map((d) => [
      `${d.where}: ${d.viaNpm ? 'npm run' : 'conversations-db'} ${d.command.name} ${d.rest}`,
      d,
    ]),
  )('%s', (_title, { command, rest, viaNpm }) => {
    const { args, synopsis } = flagsOf(rest);
    // npm passes flags on only after `--`; the bin takes them directly.
    if (viaNpm && args.length > 0) expect(args[0]).toBe('--');
    const flags = viaNpm ? args.slice(1) : args;
    expect(flags).not.toContain('--');
    if (synopsis) {
      for (const token of flags.join(' ').replace(/[[\]]/g, ' ').split(/\s+/).filter(Boolean)) {
        if (token.startsWith('--')) expect(command.flagNames).toContain(token.split('=')[0]);
      }
      return;
    }
    expect(() =>
      command.check(flags, {
        stdout: { write: () => {} },
        stderr: { write: () => {} },
        env: {},
        isTTY: { stdout: false, stderr: false },
        cwd: scratch,
      }),
    ).not.toThrow();
  });
});
