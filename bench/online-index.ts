import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import type postgres from 'postgres';
import type { Database } from '../src/app/database.js';
import { migrateDatabase } from '../src/deploy/migrate.js';
import { onlineGuard, onlineMarker } from '../src/deploy/online-migration.js';
import { defineCommand } from '../src/operator/commands/command.js';
import { exitCode } from '../src/operator/commands/exit-code.js';
import { runAsProcess } from '../src/operator/commands/process.js';
import { BenchServer } from './lib/server.js';

const help = `
Usage: npm run bench:online-index -- [--rows <n>] [--out <file>]

A new index on a big table, built by db:migrate two ways while the app keeps inserting into that table:
as an ordinary migration (CREATE INDEX inside the chain's transaction: the baseline) and as an online
migration (CREATE INDEX CONCURRENTLY outside it). Reports the writer's longest insert during each build,
and writes the section between the online-index markers of BENCHMARKS.md (default 1,000,000 rows).
Needs DATABASE_URL naming a role that may create databases; set BENCH_DB_PREFIX to keep names apart.
`;

interface BuildResult {
  buildMs: number;
  inserts: number;
  longestInsertMs: number;
}

const table =
  'CREATE TABLE "bench_rows" ("id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY, "body" text NOT NULL);';
const index = 'INDEX "idx_bench_rows_body" ON "bench_rows" ("body");';

/** A migrations folder: the table, then the index (online or not). */
function migrationsFolder(online: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'cdb-bench-online-'));
  mkdirSync(join(dir, 'meta'));
  const entries = [
    { tag: '0000_bench_rows', sql: table },
    {
      tag: '0001_bench_rows_body',
      sql: online
        ? `${onlineMarker}\n${onlineGuard}--> statement-breakpoint\nCREATE ${index.replace('INDEX', 'INDEX CONCURRENTLY')}\n`
        : `CREATE ${index}\n`,
    },
  ];
  const when = Date.UTC(2026, 0, 1);
  writeFileSync(
    join(dir, 'meta/_journal.json'),
    JSON.stringify({
      version: '7',
      dialect: 'postgresql',
      entries: entries.map((e, idx) => ({
        idx,
        version: '7',
        when: when + idx,
        tag: e.tag,
        breakpoints: true,
      })),
    }),
  );
  for (const e of entries) writeFileSync(join(dir, `${e.tag}.sql`), e.sql);
  return dir;
}

/** The app: one insert at a time into the table being indexed, each timed, until stopped. */
function startWriter(sql: postgres.Sql) {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      await sql`insert into bench_rows (body) values (${`written during the build ${latencies.length}`})`;
      latencies.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { inserts: latencies.length, longestInsertMs: Math.max(0, ...latencies) };
    },
  };
}

async function build(server: BenchServer, rows: number, online: boolean): Promise<BuildResult> {
  const name = `bench_online_${online ? 'concurrently' : 'in_transaction'}`;
  await server.create(name);
  const folder = migrationsFolder(online);
  const migrator = server.client(name, 1);
  const writerSql = server.client(name, 1);
  try {
    const db = drizzle({ client: migrator }) as unknown as Database;
    await migrateDatabase(db, { migrationsFolder: folder, to: '0000_bench_rows' });
    await migrator`insert into bench_rows (body) select pg_catalog.md5(g::text) from pg_catalog.generate_series(1, ${rows}) g`;
    await migrator`vacuum analyze bench_rows`;
    const writer = startWriter(writerSql);
    // Let the writer reach its rhythm before the build starts.
    await new Promise((r) => setTimeout(r, 500));
    const started = performance.now();
    await migrateDatabase(db, { migrationsFolder: folder });
    const buildMs = performance.now() - started;
    await new Promise((r) => setTimeout(r, 200));
    return { buildMs, ...(await writer.stop()) };
  } finally {
    await migrator.end();
    await writerSql.end();
    rmSync(folder, { recursive: true, force: true });
    await server.drop(name);
  }
}

const begin = '<!-- online-index:begin -->';
const end = '<!-- online-index:end -->';

function section(rows: number, blocking: BuildResult, online: BuildResult, machine: string): string {
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  return [
    begin,
    '## 5. A new index on a big table while the app writes (`npm run bench:online-index`)',
    '',
    `${rows.toLocaleString('en-US')} rows; a writer inserts one row at a time into the same table (10 ms apart) while db:migrate builds an index on it. ${machine}`,
    '',
    '| build | index build (db:migrate) | writer: longest insert | writer inserts during the run |',
    '| --- | ---: | ---: | ---: |',
    `| ordinary migration: CREATE INDEX in the chain's transaction (baseline) | ${ms(blocking.buildMs)} | ${ms(blocking.longestInsertMs)} | ${blocking.inserts} |`,
    `| online migration: CREATE INDEX CONCURRENTLY outside it | ${ms(online.buildMs)} | ${ms(online.longestInsertMs)} | ${online.inserts} |`,
    '',
    `Longest insert, online / baseline: ${(online.longestInsertMs / blocking.longestInsertMs).toFixed(3)}; build time, online / baseline: ${(online.buildMs / blocking.buildMs).toFixed(2)}. ` +
      `Target: no insert waits more than 1 s during the build: **${online.longestInsertMs <= 1000 ? 'met' : 'missed'}**.`,
    end,
  ].join('\n');
}

const benchOnlineIndex = defineCommand({
  name: 'bench:online-index',
  summary: "the writer's longest insert while an index is built, ordinary and online",
  help,
  flags: { rows: { type: 'string' }, out: { type: 'string' } },
  usesDatabase: false,
  parse: (flags) => flags,
  execute: async (flags) => {
    const rows = Number(flags.rows ?? 1_000_000);
    const url = process.env.DATABASE_URL;
    if (!url || !Number.isInteger(rows) || rows < 1) {
      process.stderr.write(
        'bench:online-index: needs DATABASE_URL (a role that may create databases) and --rows a positive whole number.\n',
      );
      return exitCode.couldNotRun;
    }
    const server = new BenchServer(url);
    try {
      const blocking = await build(server, rows, false);
      process.stdout.write(`in transaction: ${JSON.stringify(blocking)}\n`);
      const online = await build(server, rows, true);
      process.stdout.write(`concurrently: ${JSON.stringify(online)}\n`);
      const machine = `Server ${(await server.version()).split(' ').slice(0, 2).join(' ')}, ${await server.setting('max_wal_size')} max_wal_size; measured ${new Date().toISOString().slice(0, 16)}Z on a loaded 2-core machine.`;
      const out = resolve(flags.out ?? 'BENCHMARKS.md');
      const text = existsSync(out) ? readFileSync(out, 'utf8') : '';
      const block = section(rows, blocking, online, machine);
      const at = text.indexOf(begin);
      const next =
        at === -1
          ? `${text.trimEnd()}\n\n${block}\n`
          : `${text.slice(0, at)}${block}${text.slice(text.indexOf(end) + end.length)}`;
      writeFileSync(out, next);
      return exitCode.ok;
    } finally {
      await server.close();
    }
  },
});

await runAsProcess(benchOnlineIndex);
