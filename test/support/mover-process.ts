import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { type Queryable, queryRows } from '../../src/app/database.js';
import { repoRoot } from './run.js';

export interface MoverProcess {
  child: ChildProcess;
  /** Everything on stderr so far (retry lines arrive while it runs). */
  stderr(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** The real `npm run chats:migrate` (or another command) in its own process, to kill or starve while it runs. */
export function startMover(
  env: NodeJS.ProcessEnv,
  args: string[],
  script = 'chats-migrate.ts',
): MoverProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(repoRoot, 'scripts', script), ...args], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((done) =>
    child.on('close', (code, signal) => done({ code, signal, stderr: withoutProgress(stderr) })),
  );
  return { child, stderr: () => withoutProgress(stderr), exit };
}

/**
 * stderr without the progress lines a command logs every few seconds outside a terminal: how many
 * appear depends on the machine's speed, so tests assert on the rest.
 */
export function withoutProgress(stderr: string): string {
  return stderr
    .split(/(?<=\n)/)
    .filter((line) => !/^chats:\w+: (\w+: \d+\/\d+ legacy rows|still )/.test(line))
    .join('');
}

/** Every moved conversation has one AI participant, and every moved message exists once. */
export async function expectNoDuplicates(db: Queryable): Promise<void> {
  const [row] = await queryRows<{
    ai: number;
    conversations: number;
    messages: number;
    legacy_messages: number;
  }>(
    db,
    sql`select (select count(*) from conversation_participants where participant_type = 'ai')::int as ai,
               (select count(*) from conversations)::int as conversations,
               (select count(*) from messages)::int as messages,
               (select count(*) from chat_messages cm join chat_sessions cs on cs.id = cm.session_id
                where cs.move_id is not null)::int as legacy_messages`,
  );
  expect(row?.ai).toBe(row?.conversations);
  expect(row?.messages).toBe(row?.legacy_messages);
}
