// npm run bench:activity: the hot-row cost of a message moving its conversation's activity time.
// Posters (each its own connection, through withUser and postMessage, as an app posts) insert messages
// concurrently into one conversation (every bump updates the same row) and, for scale, each into its
// own conversation; rounds alternate three variants on the same database: no bump (the trigger
// disabled), ours (0012's statement trigger on last_message_at, which 0019 makes keep message_count
// too) and seed 002's row trigger that bumps updated_at. Writes its own section of BENCHMARKS.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { conversationParticipants, conversations, users } from '../src/app/schema/index.js';
import { withUser } from '../src/app/security/with-user.js';
import { postMessage } from '../src/app/writes/post-message.js';
import { migrateDatabase } from '../src/deploy/migrate.js';
import { type DatabaseHandle, openDatabase } from '../src/operator/connect.js';
import { activityHeading, withActivitySection } from './lib/activity-section.js';
import { describeMachine } from './lib/machine.js';
import { BenchServer } from './lib/server.js';
import { percentile } from './lib/stats.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const posters = 8;
const postsPerRound = 40;
const roundsPerVariant = 8;

const variants = ['no bump', 'last_message_at (ours)', 'updated_at row trigger (seed 002)'] as const;
type Variant = (typeof variants)[number];
const scenarios = ['one conversation', 'one conversation per poster'] as const;

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    process.stderr.write(
      'bench:activity: needs a PostgreSQL server. Set DATABASE_URL=postgres://user@host:5432/postgres (a role that may create databases) and BENCH_DB_PREFIX=<yours>, then run again.\n',
    );
    return 2;
  }
  const server = new BenchServer(url);
  const handles: DatabaseHandle[] = [];
  try {
    const name = 'bench_activity';
    await server.create(name);
    const owner = await openDatabase({ url: server.urlOf(name), maxConnections: 1 });
    handles.push(owner);
    await migrateDatabase(owner.db);
    const { hot, own, moveId: moveIdOf } = await seed(owner);
    // Seed 002's variant, made here only: a row trigger that bumps updated_at, as the owner.
    await owner.db.execute(
      sql.raw(`
      CREATE FUNCTION conversations_security.bench_seed002_bump() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      BEGIN
        UPDATE public.conversations SET updated_at = pg_catalog.now() WHERE id = NEW.conversation_id;
        RETURN NEW;
      END $$;
      CREATE TRIGGER bench_seed002_bump AFTER INSERT ON public.messages
      FOR EACH ROW EXECUTE FUNCTION conversations_security.bench_seed002_bump();`),
    );

    for (let i = 0; i < posters; i++) {
      handles.push(await openDatabase({ url: server.urlOf(name), maxConnections: 1 }));
    }
    const latencies = new Map<string, number[]>();
    const throughput = new Map<string, number[]>();
    const started = Date.now();
    for (let round = 0; round < roundsPerVariant; round++) {
      for (const scenario of scenarios) {
        // Rotate the order each round so no variant always runs first (cache, autovacuum, load).
        const order = variants.map((_, i) => variants[(i + round) % variants.length] as Variant);
        for (const variant of order) {
          await useVariant(owner, variant);
          const key = `${scenario}|${variant}`;
          const t0 = performance.now();
          const times = await Promise.all(
            handles
              .slice(1)
              .map((h, i) =>
                postMany(h, `poster${i}`, scenario === 'one conversation' ? hot : (own[i] ?? hot)),
              ),
          );
          const seconds = (performance.now() - t0) / 1000;
          latencies.set(key, [...(latencies.get(key) ?? []), ...times.flat()]);
          throughput.set(key, [...(throughput.get(key) ?? []), (posters * postsPerRound) / seconds]);
        }
      }
      log(`round ${round + 1} of ${roundsPerVariant} done`);
    }
    const bulk = await benchBulk(owner, moveIdOf);
    await useVariant(owner, 'last_message_at (ours)');
    const section = render(
      latencies,
      throughput,
      bulk,
      (Date.now() - started) / 60_000,
      await server.version(),
    );
    const out = resolve(repoRoot, 'BENCHMARKS.md');
    replaceSection(out, section);
    log(section);
    log(`Wrote the activity section of ${out}.`);
    return 0;
  } finally {
    for (const h of handles) await h.close().catch(() => {});
    await server.close();
  }
}

async function seed(owner: DatabaseHandle) {
  const { db } = owner;
  await db.execute(sql`insert into users (id, email) values ('employee', 'employee@example.com')`);
  const [employee] = (await db.execute(
    sql`insert into employees (email) values ('employee@example.com') returning id`,
  )) as unknown as { id: string }[];
  const [move] = (await db.execute(
    sql`insert into moves (employee_id) values (${employee?.id}) returning id`,
  )) as unknown as { id: string }[];
  const moveId = move?.id ?? '';
  const ids = Array.from({ length: posters }, (_, i) => `poster${i}`);
  await db.insert(users).values(ids.map((id) => ({ id, email: `${id}@example.com` })));
  const made = await db
    .insert(conversations)
    .values(Array.from({ length: posters + 1 }, (_, i) => ({ moveId, title: `c${i}` })))
    .returning({ id: conversations.id });
  const hot = made[0]?.id ?? '';
  const own = made.slice(1).map((c) => c.id);
  await db.insert(conversationParticipants).values([
    ...ids.map((userId) => ({ conversationId: hot, userId, participantType: 'employee' as const })),
    ...ids.map((userId, i) => ({
      conversationId: own[i] ?? hot,
      userId,
      participantType: 'employee' as const,
    })),
  ]);
  return { hot, own, moveId };
}

const bulkConversations = 500;
const bulkPerConversation = 10;
const bulkRuns = 6;

/**
 * What the bump costs a bulk writer (the legacy move inserts a batch of messages in one statement):
 * 5000 messages into 500 conversations in one INSERT, the trigger off and on, alternating; the
 * messages and the activity are reset before each run, as for conversations the move just created.
 */
async function benchBulk(owner: DatabaseHandle, moveId: string): Promise<{ off: number[]; on: number[] }> {
  const { db } = owner;
  const made = await db
    .insert(conversations)
    .values(Array.from({ length: bulkConversations }, (_, i) => ({ moveId, title: `bulk${i}` })))
    .returning({ id: conversations.id });
  const ids = made.map((c) => c.id);
  const result = { off: [] as number[], on: [] as number[] };
  for (let run = 0; run < bulkRuns; run++) {
    for (const on of run % 2 === 0 ? [false, true] : [true, false]) {
      await db.execute(sql`truncate messages cascade`);
      await db.execute(
        sql`update conversations set last_message_at = null where last_message_at is not null`,
      );
      await useVariant(owner, on ? 'last_message_at (ours)' : 'no bump');
      const t0 = performance.now();
      await db.execute(sql`insert into messages (conversation_id, author_type, content, created_at)
        select c.id, 'ai', 'bulk', pg_catalog.now() - g * interval '1 second'
        from unnest(${`{${ids.join(',')}}`}::uuid[]) as c(id)
        cross join generate_series(1, ${bulkPerConversation}) as g`);
      (on ? result.on : result.off).push(performance.now() - t0);
    }
  }
  return result;
}

async function useVariant(owner: DatabaseHandle, variant: Variant): Promise<void> {
  const ours = variant === 'last_message_at (ours)' ? 'ENABLE' : 'DISABLE';
  const seed002 = variant === 'updated_at row trigger (seed 002)' ? 'ENABLE' : 'DISABLE';
  await owner.db.execute(sql.raw(`ALTER TABLE messages ${ours} TRIGGER messages_bump_last_message_at`));
  await owner.db.execute(sql.raw(`ALTER TABLE messages ${seed002} TRIGGER bench_seed002_bump`));
}

/** One poster's round: each post is its own withUser transaction, timed from start to commit. */
async function postMany(handle: DatabaseHandle, userId: string, conversationId: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < postsPerRound; i++) {
    const t0 = performance.now();
    await withUser(handle.db, userId, (tx) =>
      postMessage(tx, { conversationId, authorId: userId, content: `post ${i}` }),
    );
    times.push(performance.now() - t0);
  }
  return times;
}

function render(
  latencies: Map<string, number[]>,
  throughput: Map<string, number[]>,
  bulk: { off: number[]; on: number[] },
  minutes: number,
  version: string,
): string {
  const machine = describeMachine();
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  const lines = [
    activityHeading,
    '',
    `Generated by \`npm run bench:activity\` (bench/activity.ts); run ${new Date().toISOString()}, took ${minutes.toFixed(1)} min. ${machine.cpus} CPUs, ${version.split(' on ')[0]}. ${posters} posters, each its own connection, post ${postsPerRound} messages per round through \`withUser\` + \`postMessage\` (one transaction per post, timed to commit); ${roundsPerVariant} rounds per variant, the variants' order rotating each round, all on one database. "one conversation": every poster into the same conversation (every bump updates the same row); "one conversation per poster": no shared row, for scale. Ratios compare p95 with "no bump" of the same scenario, in this run.`,
    '',
    '| scenario | variant | posts | p50 | p95 | p99 | posts/s (median round) | p95 / no bump |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const scenario of scenarios) {
    const baseline = percentile(latencies.get(`${scenario}|no bump`) ?? [], 95);
    for (const variant of variants) {
      const sample = latencies.get(`${scenario}|${variant}`) ?? [];
      const rate = percentile(throughput.get(`${scenario}|${variant}`) ?? [], 50);
      const p95 = percentile(sample, 95);
      lines.push(
        `| ${scenario} | ${variant} | ${sample.length} | ${ms(percentile(sample, 50))} | ${ms(p95)} | ${ms(percentile(sample, 99))} | ${rate.toFixed(0)} | ${(p95 / baseline).toFixed(2)}x |`,
      );
    }
  }
  const off = percentile(bulk.off, 50);
  const on = percentile(bulk.on, 50);
  lines.push(
    '',
    `Bulk writer (the legacy move's batch): one INSERT of ${bulkConversations * bulkPerConversation} messages into ${bulkConversations} conversations, ${bulkRuns} runs each, alternating: median ${ms(off)} without the trigger, ${ms(on)} with it (${(on / off).toFixed(2)}x): one UPDATE of ${bulkConversations} conversations per statement.`,
  );
  return `${lines.join('\n')}\n`;
}

function replaceSection(out: string, section: string): void {
  const current = existsSync(out) ? readFileSync(out, 'utf8') : '# Benchmarks\n';
  writeFileSync(out, withActivitySection(current, section));
}

process.exitCode = await main();
