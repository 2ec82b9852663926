import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { migrateDatabase } from '../src/migrator/migrate.js';
import * as schema from '../src/schema/index.js';

let t = performance.now();
const lap = (l: string) => {
  const n = performance.now();
  console.log(l, (n - t).toFixed(0), 'ms');
  t = n;
};
const admin = postgres('postgres://postgres@127.0.0.1:5432/postgres', { max: 1, onnotice: () => {} });
await admin.unsafe('create database tk_tpl_x');
lap('createdb');
const c = postgres('postgres://postgres@127.0.0.1:5432/tk_tpl_x', { max: 1, onnotice: () => {} });
await migrateDatabase(drizzle({ client: c, schema }) as never);
lap('migrate');
await c.end();
for (const s of ['WAL_LOG', 'FILE_COPY'])
  for (let i = 0; i < 3; i++) {
    await admin.unsafe(`create database tk_clone_${i} template tk_tpl_x strategy ${s}`);
    lap('clone ' + s);
    await admin.unsafe(`drop database tk_clone_${i}`);
    lap('drop');
  }
await admin.unsafe('drop database tk_tpl_x');
await admin.end();
