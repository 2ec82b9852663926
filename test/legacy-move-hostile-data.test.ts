import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Queryable, queryRows } from '../src/app/database.js';
import { messages } from '../src/app/schema/messages.js';
import { messageSelectSchema } from '../src/app/zod/messages.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import {
  type MoveResult,
  moveLegacyChats,
  planLegacyMove,
  validateLegacyMove,
} from '../src/operator/legacy-move/index.js';
import { expandedDatabase, insertMove, insertSession } from './support/legacy-rows.js';
import { runInProcess } from './support/run.js';
import type { TestDatabase } from './support/test-database.js';

// Legacy rows an app of that era could have written, at the edges of what PostgreSQL and JSON
// hold: each is moved intact (compared as values, in SQL: content byte for byte, metadata as jsonb,
// timestamps as instants) or reported by id. Both modes: the move runs in-process on one connection.

/** Exactly 1 MiB of UTF-8: four-byte emoji, two-byte letters and ASCII, so no encoding can cheat. */
const oneMebibyte = (() => {
  const unit = '🚚é🏳️‍🌈a'; // 4 + 2 + 14 + 1 = 21 bytes
  const text = unit.repeat(Math.floor((1 << 20) / 21));
  return text + 'x'.repeat((1 << 20) - Buffer.byteLength(text));
})();

const contents: Record<string, string | null> = {
  oneMebibyte,
  emoji: '👩‍👩‍👧‍👦 🏳️‍⚧️ 🇺🇦 👍🏽 🫠 — family, flags, skin tones',
  rightToLeft: 'مرحبا بالعالم · שלום עולם · \u202Eevil.exe\u202C · \u2067isolated\u2069',
  zeroWidth: 'zero\u200Bwidth\u200Cnon\u200Djoiner\uFEFFbom\u2060word-joiner',
  // The same word in NFC and NFD: different bytes, both must survive as they are.
  composedAndDecomposed: 'caf\u00e9 / cafe\u0301',
  controls: 'tab\there\r\nwindows line\u0007bell\u001b[31mansi',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the hostile input
  sqlAndFormats: "'); drop table messages; -- %s $1 \\x00 \\\\ ${x} {{y}}",
  whitespaceOnly: ' \t\n ',
  empty: '',
  nullContent: null,
  surrogatesAndPrivateUse: '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \uE000\uF8FF 𐍈 \uFFFD',
};

/** Raw JSON text, so that numbers JavaScript cannot hold reach jsonb as they are. */
const metadatas: Record<string, string | null> = {
  numbersWhereStringsAreExpected:
    '{"emailTo": 42, "emailFrom": 1.5, "emailSubject": false, "mentioned": [[1, 2]]}',
  deepNesting: `{"a": ${'['.repeat(60)}{"b": [null, true, -0.0, 1e300]}${']'.repeat(60)}}`,
  hugeNumbers: '{"big": 123456789012345678901234567890.123456789012345678901234567890, "tiny": 1e-300}',
  oddKeys: '{"": "empty key", "emoji 🔑": 1, "rtl מפתח": 2, "dot.key": 3, "emailTo": ["a@b.c", 7, null]}',
  scalarNumber: '42',
  scalarString: '"just a string"',
  jsonNull: 'null',
  emptyArray: '[]',
  sqlNull: null,
};

/** Timestamps (without time zone, as the legacy tables hold them) at the edges of the type. */
const timestamps: Record<string, string> = {
  epoch: '1970-01-01 00:00:00',
  beforeEpoch: '1969-12-31 23:59:59.999999',
  yearOne: '0001-01-01 00:00:00',
  earliest: '4713-11-24 00:00:00 BC',
  farFuture: '9999-12-31 23:59:59.999999',
  // Past what a JavaScript Date holds (year 275760): only SQL may ever read it.
  latest: '294276-12-31 23:59:59.999999',
  infinity: 'infinity',
  minusInfinity: '-infinity',
  olderThanItsSession: '2000-01-01 00:00:00',
};

let database: TestDatabase;
let handle: DatabaseHandle;
let result: MoveResult;
let movedSession: string;
let orphanSession: string;
const messageIds: string[] = [];
/** Moved (not orphan) messages whose metadata has a typed key of another type, and timestamps past a Date. */
let expectedMistyped = 0;
let expectedBeyondDate = 2; // the two moved sessions: updated_at infinity and year 294276

async function insertRawMessage(
  db: Queryable,
  sessionId: string,
  m: { content: string | null; metadata: string | null; toolCalls?: string | null; createdAt: string },
): Promise<string> {
  const id = randomUUID();
  await db.execute(sql`
    insert into chat_messages (id, session_id, role, content, tool_calls, metadata, created_at)
    values (${id}::uuid, ${sessionId}::uuid, 'assistant', ${m.content}, ${m.toolCalls ?? null}::jsonb,
            ${m.metadata}::jsonb, ${m.createdAt}::timestamp)`);
  return id;
}

beforeAll(async () => {
  ({ database, handle } = await expandedDatabase('move_hostile_data'));
  const { db } = handle;
  const host = await insertMove(db, 'hostile@example.com');
  movedSession = await insertSession(db, {
    moveId: host.moveId,
    title: `${contents.rightToLeft} ${contents.emoji}`,
    createdAt: '2025-06-01 12:00:00',
    updatedAt: 'infinity',
  });
  const farSession = await insertSession(db, {
    moveId: host.moveId,
    title: contents.zeroWidth,
    createdAt: timestamps.earliest,
    updatedAt: timestamps.latest,
  });
  orphanSession = await insertSession(db, { moveId: null, title: contents.emoji, createdAt: '-infinity' });
  const contentKeys = Object.keys(contents);
  const metadataKeys = Object.keys(metadatas);
  const timestampKeys = Object.keys(timestamps);
  // Every content, every metadata and every timestamp at least once, in moved and orphan sessions.
  const rows = Math.max(contentKeys.length, metadataKeys.length, timestampKeys.length);
  for (let i = 0; i < rows; i++) {
    const content = contents[contentKeys[i % contentKeys.length] as string] ?? null;
    const metadataKey = metadataKeys[i % metadataKeys.length] as string;
    const metadata = metadatas[metadataKey] ?? null;
    const timestampKey = timestampKeys[i % timestampKeys.length] as string;
    const createdAt = timestamps[timestampKey] as string;
    if (['numbersWhereStringsAreExpected', 'oddKeys'].includes(metadataKey)) expectedMistyped += 2;
    if (['latest', 'infinity', 'minusInfinity'].includes(timestampKey)) expectedBeyondDate += 2;
    const toolCalls = i % 3 === 0 ? metadata : null;
    for (const session of [movedSession, farSession, orphanSession]) {
      // The 1 MiB row once per session is plenty.
      messageIds.push(await insertRawMessage(db, session, { content, metadata, toolCalls, createdAt }));
    }
  }
  result = await moveLegacyChats(db, { batchSize: 4 });
});

afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

describe('hostile legacy data', () => {
  it('the plan reads it without error', async () => {
    const plan = await planLegacyMove(handle.db);
    expect(plan.sessions.total).toBe(3);
    expect(plan.messages.total).toBe(messageIds.length);
    const note = (prefix: string) => plan.legacyValues.find((v) => v.value.startsWith(prefix))?.rows;
    expect(note('chat_messages.metadata has a typed key of another type')).toBe(expectedMistyped);
    expect(note('timestamps a JavaScript Date cannot hold')).toBe(expectedBeyondDate);
    // 42, "just a string", JSON null and [], once in each of the two moved sessions.
    expect(note('chat_messages.metadata is JSON but not an object')).toBe(4 * 2);
  });

  it('what the plan warns of is true: the package select schema rejects a moved row with emailTo: 42', async () => {
    const [row] = await handle.db
      .select()
      .from(messages)
      .where(sql`${messages.metadata} ->> 'emailTo' = '42'`)
      .limit(1);
    expect(row?.metadata).toEqual({ emailTo: 42, emailFrom: 1.5, emailSubject: false, mentioned: [[1, 2]] });
    expect(messageSelectSchema.safeParse(row).success).toBe(false);
  });

  it('every message of a moved session is moved with equal values: content bytes, metadata, tool calls, instants', async () => {
    const rows = await queryRows<{
      id: string;
      moved: boolean;
      content_equal: boolean;
      same_bytes: boolean;
      metadata_equal: boolean;
      tool_calls_equal: boolean;
      instant_equal: boolean;
    }>(
      handle.db,
      sql`select cm.id::text as id, m.id is not null as moved,
                 m.content = coalesce(cm.content, '') as content_equal,
                 convert_to(m.content, 'UTF8') = convert_to(coalesce(cm.content, ''), 'UTF8') as same_bytes,
                 m.metadata is not distinct from cm.metadata as metadata_equal,
                 m.tool_calls is not distinct from cm.tool_calls as tool_calls_equal,
                 m.created_at = (cm.created_at at time zone 'UTC') as instant_equal
          from chat_messages cm join chat_sessions s on s.id = cm.session_id
          left join messages m on m.id = cm.id
          where s.move_id is not null order by cm.id`,
    );
    expect(rows.length).toBe((messageIds.length * 2) / 3);
    const wrong = rows.filter(
      (r) =>
        !(
          r.moved &&
          r.content_equal &&
          r.same_bytes &&
          r.metadata_equal &&
          r.tool_calls_equal &&
          r.instant_equal
        ),
    );
    expect(wrong).toEqual([]);
  });

  it('the 1 MiB content and the Unicode edge cases come back to JavaScript byte-equal', async () => {
    const rows = await queryRows<{ content: string }>(
      handle.db,
      sql`select m.content from messages m where m.conversation_id = ${movedSession}::uuid`,
    );
    const moved = new Set(rows.map((r) => r.content));
    for (const [name, content] of Object.entries(contents)) {
      expect(moved.has(content ?? ''), name).toBe(true);
    }
    const big = rows.find((r) => r.content.length > 1000)?.content ?? '';
    expect(Buffer.byteLength(big)).toBe(1 << 20);
    expect(Buffer.from(big).equals(Buffer.from(oneMebibyte))).toBe(true);
  });

  it('timestamps at the epoch, year 1, 4713 BC, 9999, 294276 and ±infinity are the same instants; the session timestamps too', async () => {
    const rows = await queryRows<{ legacy: string; moved: string }>(
      handle.db,
      sql`select cm.created_at::text as legacy, (m.created_at at time zone 'UTC')::text as moved
          from chat_messages cm join messages m on m.id = cm.id
          where cm.session_id = ${movedSession}::uuid order by cm.id`,
    );
    for (const r of rows) expect(r.moved).toBe(r.legacy);
    expect(new Set(rows.map((r) => r.legacy))).toEqual(
      new Set(
        await queryRows<{ t: string }>(
          handle.db,
          sql`select unnest(${`{${Object.values(timestamps)
            .map((t) => `"${t}"`)
            .join(',')}}`}::timestamp[])::text as t`,
        ).then((ts) => ts.map((t) => t.t)),
      ),
    );
    const sessions = await queryRows<{ equal: boolean }>(
      handle.db,
      sql`select c.created_at = (s.created_at at time zone 'UTC') and c.updated_at = (s.updated_at at time zone 'UTC') as equal
          from chat_sessions s join conversations c on c.id = s.id`,
    );
    expect(sessions).toEqual([{ equal: true }, { equal: true }]);
  });

  it('a message older than its session is moved as it is (its instant kept, not clamped)', async () => {
    const [row] = await queryRows<{ older: number }>(
      handle.db,
      sql`select count(*)::int as older from messages m join conversations c on c.id = m.conversation_id
          where m.created_at < c.created_at and c.id = ${movedSession}::uuid`,
    );
    // 2000-01-01, 1970, 1969, year 1, 4713 BC and -infinity all precede the session's 2025.
    expect(row?.older).toBeGreaterThanOrEqual(6);
  });

  it('the orphan session and its hostile messages are archived equal, and reported by id', async () => {
    expect(result.notMoved.sessions).toEqual([
      { id: orphanSession, reason: 'archived: the session has no move' },
    ]);
    const orphanMessages = result.notMoved.messages.filter((m) => m.sessionId === orphanSession);
    expect(orphanMessages).toHaveLength(messageIds.length / 3);
    expect(result.notMoved.messages).toHaveLength(messageIds.length / 3);
    const [row] = await queryRows<{ unequal: number }>(
      handle.db,
      sql`select count(*)::int as unequal
          from chat_messages cm
          left join lateral (select e from chat_session_archive a, jsonb_array_elements(a.messages) e
                             where a.session_id = cm.session_id and e->>'id' = cm.id::text) img on true
          where cm.session_id = ${orphanSession}::uuid
            and (img.e is null or (img.e->>'content') is distinct from cm.content
                 or (img.e->'metadata') is distinct from coalesce(cm.metadata, 'null'::jsonb)
                 or (img.e->>'created_at')::timestamp <> cm.created_at)`,
    );
    expect(row?.unequal).toBe(0);
  });

  it('validation passes, in-process and through chats:validate', async () => {
    const validation = await validateLegacyMove(handle.db);
    expect(validation.checks.filter((c) => !c.ok)).toEqual([]);
    expect(validation.ok).toBe(true);
    // PGlite is one process: close before the command opens the same folder.
    await handle.close();
    const run = await runInProcess('chats-validate.ts', ['--json'], database.env);
    handle = await database.open({ maxConnections: 1 });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect((JSON.parse(run.stdout) as { ok: boolean }).ok).toBe(true);
  });

  it('a second run finds nothing to change', async () => {
    const again = await moveLegacyChats(handle.db, { batchSize: 7 });
    const written = Object.values(again.counts).reduce((a, b) => a + b, 0);
    expect(written).toBe(0);
  });
});
