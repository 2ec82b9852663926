import { cpSync, rmSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';

let t = performance.now();
const lap = (l: string) => {
  const n = performance.now();
  console.log(l, (n - t).toFixed(0), 'ms');
  t = n;
};
rmSync('/tmp/tk/tpl', { recursive: true, force: true });
const pg = await PGlite.create('/tmp/tk/tpl');
lap('create dir');
await pg.query('create table a(x int)');
await pg.close();
lap('close');
for (let i = 0; i < 3; i++) {
  rmSync('/tmp/tk/c' + i, { recursive: true, force: true });
  cpSync('/tmp/tk/tpl', '/tmp/tk/c' + i, { recursive: true });
  lap('cp');
  const c = await PGlite.create('/tmp/tk/c' + i);
  lap('open');
  await c.query('select * from a');
  await c.close();
  lap('close');
}
