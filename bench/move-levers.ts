import os from 'node:os';
import type postgres from 'postgres';
import { expandStepTag } from '../src/deploy/expand-step.js';
import { openDatabase } from '../src/operator/connect.js';
import { deferrableIndexes } from '../src/operator/legacy-move/deferred-indexes.js';
import { moveLegacyChats } from '../src/operator/legacy-move/index.js';
import { BenchServer } from './lib/server.js';
import { removeSync } from './lib/sync.js';
import { loadLegacyDatabase } from './load-legacy.js';
import { messageBatchSql, seedWithLedger } from './move-breakdown.js';

// The move's levers one by one, on the SQL of the breakdown's block-batch row (the seed's INSERTs and
// the ledger, messages in batches of ~5000 rows of heap blocks, each batch its own transaction; the
// sync removed), each variant on its own TEMPLATE copy of one loaded legacy database, the variants
// alternating round by round so that the machine's load falls on each alike. Only the messages part
// is timed (the sessions part is the same in every variant). Not part of npm test.
//
//   DATABASE_URL=... BENCH_DB_PREFIX=... npx tsx bench/move-levers.ts [messages] [rounds] [mover]
// (`mover`: only the two chats:migrate rows.)

const messages = Number(process.argv[2] ?? 500_000);
const rounds = Number(process.argv[3] ?? 3);
const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL names the server');

interface Variant {
  name: string;
  connections: number;
  run: (clients: postgres.Sql[]) => Promise<void>;
  /** The whole chats:migrate (the library, the sync on), not the SQL's messages part. */
  mover?: { deferIndexes: boolean };
}

/** The block ranges of chat_messages holding ~`size` rows each. */
async function blockRanges(sql: postgres.Sql, size: number): Promise<string[]> {
  const [row] = await sql.unsafe<{ blocks: number; rows: number }[]>(
    `SELECT (pg_relation_size('chat_messages') / current_setting('block_size')::int)::int AS blocks,
            (SELECT count(*) FROM chat_messages)::int AS rows`,
  );
  const blocks = Math.max(1, row?.blocks ?? 1);
  const step = Math.max(1, Math.floor(size / Math.max(1, (row?.rows ?? 0) / blocks)));
  const ranges: string[] = [];
  for (let from = 0; from < blocks; from += step) {
    const upper = from + step >= blocks ? '' : ` AND cm.ctid < '(${from + step},0)'::tid`;
    ranges.push(`cm.ctid >= '(${from},0)'::tid${upper}`);
  }
  return ranges;
}

/** The ranges split over the clients, each client taking the next range when it is free. */
async function load(clients: postgres.Sql[], synchronousCommit: 'on' | 'off'): Promise<void> {
  const [first] = clients;
  if (!first) return;
  const ranges = await blockRanges(first, 5000);
  let next = 0;
  await Promise.all(
    clients.map(async (sql) => {
      await sql.unsafe(`SET synchronous_commit = ${synchronousCommit}`);
      for (let i = next++; i < ranges.length; i = next++)
        await sql.unsafe(messageBatchSql(ranges[i] ?? 'false'));
    }),
  );
}

const dropIndexes = (sql: postgres.Sql) =>
  sql.unsafe(deferrableIndexes.map((i) => `DROP INDEX public."${i.name}"`).join('; '));
const buildIndexes = async (sql: postgres.Sql) => {
  await sql.unsafe(`SET maintenance_work_mem = '256MB'`);
  for (const index of deferrableIndexes) await sql.unsafe(index.create);
};

const onlyMover = process.argv[4] === 'mover';
const allVariants: Variant[] = [
  {
    name: 'chats:migrate, the sync on, indexes built after the load',
    connections: 1,
    run: async () => {},
    mover: { deferIndexes: true },
  },
  {
    name: 'chats:migrate, the sync on, indexes kept throughout',
    connections: 1,
    run: async () => {},
    mover: { deferIndexes: false },
  },
  { name: 'one connection, synchronous_commit on', connections: 1, run: (c) => load(c, 'on') },
  { name: 'one connection, synchronous_commit off', connections: 1, run: (c) => load(c, 'off') },
  { name: 'two connections on disjoint block ranges, off', connections: 2, run: (c) => load(c, 'off') },
  {
    name: 'one connection, off, secondary indexes dropped and built after (CONCURRENTLY)',
    connections: 1,
    run: async (c) => {
      const [sql] = c;
      if (!sql) return;
      await dropIndexes(sql);
      await load(c, 'off');
      await buildIndexes(sql);
    },
  },
];
const variants = onlyMover ? allVariants.filter((v) => v.mover) : allVariants;

const server = new BenchServer(url);
const template = `bench_levers_${messages}`;
const copy = `${template}_copy`;
try {
  const size = {
    sessions: messages / 10,
    messages,
    users: messages / 50,
    bigSessions: 3,
    bigSessionMessages: Math.min(25_000, messages / 20),
  };
  process.stdout.write(`Loading ${messages} messages...\n`);
  await loadLegacyDatabase(server, template, expandStepTag(), size);
  const times = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  const load0 = os.loadavg()[0] ?? 0;
  for (let round = 0; round < rounds; round++) {
    for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) {
      await server.create(copy, template);
      const clients = Array.from({ length: variant.connections }, () => server.client(copy));
      try {
        const [sql] = clients;
        if (!sql) continue;
        if (variant.mover) {
          await sql.unsafe('CHECKPOINT');
          const handle = await openDatabase({ url: server.urlOf(copy), maxConnections: 1 });
          try {
            const started = performance.now();
            await moveLegacyChats(handle.db, { deferIndexes: variant.mover.deferIndexes });
            const ms = performance.now() - started;
            times.get(variant.name)?.push(ms);
            process.stdout.write(`round ${round + 1}: ${variant.name}: ${(ms / 1000).toFixed(2)} s\n`);
            if (!variant.mover.deferIndexes && round === 0) {
              // What each deferred index costs to build again (CONCURRENTLY) on the moved table.
              await sql.unsafe(`SET maintenance_work_mem = '256MB'`);
              for (const index of deferrableIndexes) {
                await sql.unsafe(`DROP INDEX public."${index.name}"`);
                const built = performance.now();
                await sql.unsafe(index.create);
                process.stdout.write(
                  `  build of ${index.name}: ${((performance.now() - built) / 1000).toFixed(2)} s\n`,
                );
              }
            }
          } finally {
            await handle.close();
          }
          continue;
        }
        await removeSync(sql);
        await seedWithLedger(sql, async () => {});
        await sql.unsafe('CHECKPOINT');
        const started = performance.now();
        await variant.run(clients);
        const ms = performance.now() - started;
        times.get(variant.name)?.push(ms);
        process.stdout.write(`round ${round + 1}: ${variant.name}: ${(ms / 1000).toFixed(2)} s\n`);
      } finally {
        for (const c of clients) await c.end();
        await server.drop(copy);
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const base = median(times.get(variants[0]?.name ?? '') ?? []);
  process.stdout.write(
    `\n${messages} messages, ${rounds} rounds, 1-minute load ${load0.toFixed(1)} -> ${(os.loadavg()[0] ?? 0).toFixed(1)}; the SQL rows time the messages part only, the chats:migrate rows the whole run; medians:\n`,
  );
  for (const [name, xs] of times)
    process.stdout.write(
      `| ${name} | ${(median(xs) / 1000).toFixed(2)} s | ${(median(xs) / base).toFixed(2)}x | ${xs.map((x) => (x / 1000).toFixed(1)).join(', ')} |\n`,
    );
} finally {
  await server.drop(template).catch(() => {});
  await server.close();
}
