import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../app/database.js';
import { conversationsAppRole } from '../app/schema/app-role.js';
import { rowLevelSecurityTables } from '../app/security/protected-tables.js';

/**
 * The row-level security tables the app role may still read or write while no policy limits it to
 * rows (row-level security off, or no policy left): any login granted the role would see every row.
 * Empty when the role does not exist or holds no privilege there.
 */
export async function tablesExposedToAppRole(db: Queryable): Promise<string[]> {
  const rows = await queryRows<{ name: string }>(
    db,
    sql`select c.relname as name from pg_catalog.pg_class c
        where c.relnamespace operator(pg_catalog.=) 'public'::pg_catalog.regnamespace
          and c.relname in (${sql.join(
            rowLevelSecurityTables.map((name) => sql`${name}`),
            sql`, `,
          )})
          and exists (select 1 from pg_catalog.pg_roles r where r.rolname operator(pg_catalog.=) ${conversationsAppRole.name})
          and (pg_catalog.has_table_privilege(${conversationsAppRole.name}, c.oid, 'SELECT, INSERT, UPDATE, DELETE')
               or pg_catalog.has_any_column_privilege(${conversationsAppRole.name}, c.oid, 'SELECT, INSERT, UPDATE'))
          and (not c.relrowsecurity
               or not exists (select 1 from pg_catalog.pg_policy p where p.polrelid operator(pg_catalog.=) c.oid))
        order by 1`,
  );
  return rows.map((r) => r.name);
}
