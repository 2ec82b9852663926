import type { Database } from '../../app/database.js';
import { employees, moves, users } from '../../app/schema/core.js';
import { Random } from '../../app/seeded-random.js';
import { chatMessages, chatSessions } from '../legacy/legacy-chats.js';

export interface LegacyDatasetOptions {
  /** Legacy chat sessions to create. Default 300. */
  sessions?: number;
  /** Average messages per session (0 to twice this). Default 8. */
  messagesPerSession?: number;
  /** Same seed, same rows (ids included). Default 1. */
  seed?: number;
}

export interface LegacyDatasetSummary {
  users: number;
  employees: number;
  moves: number;
  sessions: number;
  messages: number;
  orphanSessions: number;
  nullTitles: number;
  nullContents: number;
  emailMessages: number;
  mentionMessages: number;
  /** Moves whose employee's email matches one user only after trimming and lower-casing. */
  differentCaseOwnerMoves: number;
  /** Moves whose employee's email matches no user. */
  missingOwnerMoves: number;
  /** Moves whose employee's email matches two users. */
  ambiguousOwnerMoves: number;
}

type EmployeeKind = 'exact' | 'different-case' | 'missing' | 'ambiguous';

const firstNames = [
  'dana',
  'lee',
  'sam',
  'alex',
  'robin',
  'kim',
  'jo',
  'pat',
  'morgan',
  'casey',
  'drew',
  'quinn',
];
const topics = [
  'Lease signing',
  'Packing list',
  'Moving day',
  'Budget check',
  'Storage unit',
  'School search',
];
const userLines = [
  'Can you find 2-bedroom apartments near the office?',
  'What does the moving company need from me?',
  'Please remind me to cancel the internet contract.',
  'How much should I budget for storage?',
];
const aiLines = [
  'Here are three listings within 20 minutes of the office.',
  'They need your inventory list and the access details of both buildings.',
  'Reminder set for two weeks before your move.',
  'Storage usually costs between 80 and 200 a month for a one-bedroom.',
];

/**
 * Inserts a realistic, deterministic legacy dataset (host rows, chat_sessions, chat_messages) into a
 * database at the expand step: orphan sessions, NULL titles, NULL and blank content, email metadata,
 * mentions, unknown and nested metadata keys, tool calls, and employee owners whose email matches a
 * user exactly, in another case with spaces, not at all, or twice (ambiguous).
 */
export async function insertLegacyDataset(
  db: Database,
  options: LegacyDatasetOptions = {},
): Promise<LegacyDatasetSummary> {
  const sessionCount = options.sessions ?? 300;
  const average = options.messagesPerSession ?? 8;
  const random = new Random(options.seed ?? 1);
  const next = () => random.next();
  const uuid = () => {
    const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16));
    hex[12] = '4';
    hex[16] = '89ab'[Math.floor(next() * 4)] ?? '8';
    const h = hex.join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const base = Date.UTC(2025, 0, 6, 9, 0, 0);

  // Owners: one employee of each awkward kind, the rest match exactly.
  const kinds: EmployeeKind[] = ['different-case', 'missing', 'ambiguous'];
  while (kinds.length < Math.max(6, Math.ceil(sessionCount / 40))) kinds.push('exact');
  const userRows: { id: string; email: string }[] = [];
  const employeeRows: { id: string; email: string; kind: EmployeeKind }[] = [];
  kinds.forEach((kind, i) => {
    const email = `${firstNames[i % firstNames.length]}.${i}@moveline.example`;
    employeeRows.push({ id: uuid(), email, kind });
    if (kind === 'exact') userRows.push({ id: `user_${i}`, email });
    if (kind === 'different-case') userRows.push({ id: `user_${i}`, email: `  ${email.toUpperCase()} ` });
    if (kind === 'ambiguous') {
      userRows.push({ id: `user_${i}a`, email });
      userRows.push({ id: `user_${i}b`, email: email.toUpperCase() });
    }
  });
  const moveRows = employeeRows.flatMap((e) => [
    { id: uuid(), employeeId: e.id, kind: e.kind },
    { id: uuid(), employeeId: e.id, kind: e.kind },
  ]);
  await db.insert(users).values(userRows);
  await db.insert(employees).values(employeeRows.map(({ id, email }) => ({ id, email })));
  await db.insert(moves).values(moveRows.map(({ id, employeeId }) => ({ id, employeeId })));

  const summary: LegacyDatasetSummary = {
    users: userRows.length,
    employees: employeeRows.length,
    moves: moveRows.length,
    sessions: 0,
    messages: 0,
    orphanSessions: 0,
    nullTitles: 0,
    nullContents: 0,
    emailMessages: 0,
    mentionMessages: 0,
    differentCaseOwnerMoves: moveRows.filter((m) => m.kind === 'different-case').length,
    missingOwnerMoves: moveRows.filter((m) => m.kind === 'missing').length,
    ambiguousOwnerMoves: moveRows.filter((m) => m.kind === 'ambiguous').length,
  };

  type SessionRow = typeof chatSessions.$inferInsert;
  type MessageRow = typeof chatMessages.$inferInsert;
  let sessionBuffer: SessionRow[] = [];
  let messageBuffer: MessageRow[] = [];
  const flush = async (force: boolean) => {
    // Sessions first: a message must find its session (foreign key).
    const messagesDue = messageBuffer.length >= 1000 || (force && messageBuffer.length > 0);
    if (sessionBuffer.length >= 500 || ((force || messagesDue) && sessionBuffer.length)) {
      await db.insert(chatSessions).values(sessionBuffer);
      sessionBuffer = [];
    }
    if (messagesDue) {
      await db.insert(chatMessages).values(messageBuffer);
      messageBuffer = [];
    }
  };

  for (let s = 0; s < sessionCount; s++) {
    const orphan = s % 20 === 7; // 5% without a move
    const move = orphan ? undefined : pick(moveRows);
    const start = base + s * 3_600_000 + Math.floor(next() * 600_000);
    const nullTitle = s % 10 === 3;
    const mail = next() < 0.25;
    const messageCount = Math.floor(next() * (2 * average + 1));
    const createdAt = new Date(start);
    const updatedAt = new Date(start + messageCount * 90_000 + 1);
    const sessionId = uuid();
    sessionBuffer.push({
      id: sessionId,
      moveId: move?.id ?? null,
      title: nullTitle ? null : `${pick(topics)} #${s}`,
      createdAt,
      updatedAt,
      agentMailInboxId: mail ? `inbox_${s}` : null,
      agentMailEmailAddress: mail ? `move-${s}@inbox.moveline.example` : null,
    });
    summary.sessions++;
    if (orphan) summary.orphanSessions++;
    if (nullTitle) summary.nullTitles++;

    for (let m = 0; m < messageCount; m++) {
      const role = m === 0 && s % 5 === 0 ? 'system' : m % 2 === 0 ? 'user' : 'assistant';
      const variant = next();
      let content: string | null =
        role === 'system'
          ? 'You are the Moveline relocation assistant.'
          : pick(role === 'user' ? userLines : aiLines);
      if (variant < 0.02) content = null;
      else if (variant < 0.03) content = '   ';
      if (content === null) summary.nullContents++;
      let metadata: Record<string, unknown> | null = null;
      if (role === 'user' && variant > 0.85) {
        metadata = {
          isEmail: true,
          emailFrom: `customer${s}@mail.example`,
          emailTo: [`move-${s}@inbox.moveline.example`],
          emailSubject: `Re: ${pick(topics)}`,
          'x-legacy-thread': { id: `thr_${s}_${m}`, labels: ['inbox', 'moving'] },
        };
        summary.emailMessages++;
      } else if (variant > 0.7) {
        metadata = {
          mentioned: [pick(userRows).id],
          source: 'web',
          client: { app: 'ios', version: '3.2.1' },
        };
        summary.mentionMessages++;
      } else if (variant > 0.6) {
        metadata = { feedback: { rating: Math.ceil(next() * 5) }, legacyFlags: [1, 2, 3] };
      }
      const assistant = role === 'assistant';
      messageBuffer.push({
        id: uuid(),
        sessionId,
        role,
        content,
        toolCalls:
          assistant && variant > 0.5
            ? [{ id: `call_${s}_${m}`, name: 'search_listings', arguments: { radiusKm: 12, bedrooms: 2 } }]
            : null,
        metadata,
        reasoning: assistant && variant > 0.4 ? 'The user asked for options near work.' : null,
        model: assistant ? pick(['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet']) : null,
        createdAt: new Date(start + m * 90_000 + Math.floor(next() * 1000) + 0.5),
      });
      summary.messages++;
    }
    await flush(false);
  }
  await flush(true);
  return summary;
}
