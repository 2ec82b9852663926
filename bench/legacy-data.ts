import type postgres from 'postgres';
import { Random } from '../src/app/seeded-random.js';
import { copyRows } from './lib/copy.js';

export interface LegacyDataSize {
  sessions: number;
  messages: number;
  users: number;
  /** Sessions that get `bigSessionMessages` messages each (the skew of real chat data). */
  bigSessions: number;
  bigSessionMessages: number;
}

export interface LegacyDataCounts {
  users: number;
  employees: number;
  moves: number;
  sessions: number;
  orphanSessions: number;
  messages: number;
  orphanMessages: number;
}

const words =
  'the move truck arrives monday morning please confirm the new address and the storage unit quote for boxes piano insurance lease keys landlord deposit utilities internet school visa budget invoice schedule'.split(
    ' ',
  );

const epoch = Date.UTC(2024, 0, 1);
const day = 86_400_000;

/** A legacy `timestamp` (no zone) with microseconds. */
function timestamp(ms: number, random: Random): string {
  return `${new Date(ms).toISOString().slice(0, 23)}${random.int(1000).toString().padStart(3, '0')}`;
}

function sentence(random: Random, min: number, max: number): string {
  const length = min + random.int(max - min + 1);
  return Array.from({ length }, () => random.pick(words)).join(' ');
}

/**
 * Loads a deterministic legacy data set (chat_sessions, chat_messages and the host users, employees
 * and moves) with COPY. Everything derives from `seed`: same seed and size, same rows.
 * 3% of sessions have no move (orphans), 10% no title; messages carry email metadata, @mentions,
 * unknown metadata keys, tool calls and reasoning in realistic proportions.
 */
export async function loadLegacyData(
  sql: postgres.Sql,
  size: LegacyDataSize,
  seed = 20240601,
): Promise<LegacyDataCounts> {
  const random = new Random(seed);
  const userIds = Array.from({ length: size.users }, (_, i) => `user-${i + 1}`);
  const users = await copyRows(
    sql,
    'users',
    ['id', 'email'],
    userIds.map((id, i) => [id, `user${i + 1}@example.com`]),
  );

  // Employees: one per four users; nine in ten share a user's email, so the owner is inferable.
  const employeeIds = Array.from({ length: Math.max(1, Math.floor(size.users / 4)) }, () => random.uuid());
  const employees = await copyRows(
    sql,
    'employees',
    ['id', 'email'],
    employeeIds.map((id, i) => [
      id,
      random.chance(0.9) ? `user${random.int(size.users) + 1}@example.com` : `staff${i + 1}@example.com`,
    ]),
  );
  const moveIds = Array.from({ length: Math.max(1, Math.floor(size.sessions / 4)) }, () => random.uuid());
  const moves = await copyRows(
    sql,
    'moves',
    ['id', 'employee_id'],
    moveIds.map((id) => [id, random.pick(employeeIds)]),
  );

  const sessions = Array.from({ length: size.sessions }, (_, i) => ({
    id: random.uuid(),
    moveId: i < size.bigSessions || !random.chance(0.03) ? random.pick(moveIds) : null,
    createdAt: epoch + random.int(300) * day + random.int(day),
  }));
  const sessionRows = await copyRows(
    sql,
    'chat_sessions',
    ['id', 'move_id', 'title', 'created_at', 'updated_at', 'agent_mail_inbox_id', 'agent_mail_email_address'],
    (function* () {
      for (const s of sessions) {
        const mail = random.chance(0.2);
        yield [
          s.id,
          s.moveId,
          random.chance(0.1) ? null : sentence(random, 2, 6),
          timestamp(s.createdAt, random),
          timestamp(s.createdAt + 60 * day, random),
          mail ? `inbox_${random.int(1e9)}` : null,
          mail ? `move-${random.int(1e9)}@mail.example.com` : null,
        ];
      }
    })(),
  );

  // Messages per session: the big sessions first, the rest spread at random over the others.
  const counts = new Array<number>(size.sessions).fill(0);
  let remaining = size.messages;
  for (let i = 0; i < Math.min(size.bigSessions, size.sessions); i++) {
    counts[i] = Math.min(size.bigSessionMessages, remaining);
    remaining -= counts[i] as number;
  }
  const smallSessions = size.sessions - size.bigSessions;
  for (let m = 0; m < remaining; m++) {
    const i = size.bigSessions + random.int(smallSessions);
    counts[i] = (counts[i] ?? 0) + 1;
  }

  let orphanMessages = 0;
  const messages = await copyRows(
    sql,
    'chat_messages',
    ['id', 'session_id', 'role', 'content', 'tool_calls', 'metadata', 'reasoning', 'model', 'created_at'],
    (function* () {
      for (const [i, s] of sessions.entries()) {
        const n = counts[i] ?? 0;
        if (s.moveId === null) orphanMessages += n;
        let at = s.createdAt;
        for (let k = 0; k < n; k++) {
          at += 1000 + random.int(600_000);
          const role = k % 2 === 0 ? (random.chance(0.03) ? 'system' : 'user') : 'assistant';
          const assistant = role === 'assistant';
          yield [
            random.uuid(),
            s.id,
            role,
            sentence(random, 3, 60),
            assistant && random.chance(0.1)
              ? [{ name: 'lookup_quote', arguments: { id: random.int(1e6) } }]
              : null,
            metadataFor(random, userIds),
            assistant && random.chance(0.1) ? sentence(random, 5, 20) : null,
            assistant ? random.pick(['gpt-4o', 'claude-3-5-sonnet', 'gpt-4o-mini']) : null,
            timestamp(at, random),
          ];
        }
      }
    })(),
  );

  return {
    users,
    employees,
    moves,
    sessions: sessionRows,
    orphanSessions: sessions.filter((s) => s.moveId === null).length,
    messages,
    orphanMessages,
  };
}

function metadataFor(random: Random, userIds: readonly string[]): object | null {
  const r = random.next();
  if (r < 0.05) {
    return {
      isEmail: true,
      emailFrom: `client${random.int(1e5)}@example.org`,
      emailTo: [`move-${random.int(1e9)}@mail.example.com`],
      emailSubject: sentence(random, 2, 8),
    };
  }
  if (r < 0.1) return { mentioned: [random.pick(userIds), random.pick(userIds)] };
  if (r < 0.15) return { source: 'web', clientVersion: `1.${random.int(20)}.0` };
  return null;
}
