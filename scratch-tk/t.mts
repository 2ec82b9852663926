import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrateDatabase } from '../src/migrator/migrate.js';
import * as schema from '../src/schema/index.js';

let t = performance.now();
const lap = (l: string) => {
  const n = performance.now();
  console.log(l, (n - t).toFixed(0), 'ms');
  t = n;
};
const pg = await PGlite.create();
lap('create');
await migrateDatabase(drizzle({ client: pg, schema }) as never);
lap('migrate');
const blob = await pg.dumpDataDir('none');
lap('dump ' + blob.size);
for (let i = 0; i < 3; i++) {
  const c = await PGlite.create({ loadDataDir: blob });
  lap('load');
  await c.query('select count(*) from conversations');
  await c.close();
}
for (let i = 0; i < 3; i++) {
  const c = await pg.clone();
  lap('clone');
  await c.close();
}
