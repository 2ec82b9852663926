import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../src/app/database.js';

/**
 * Everything the migrations create in the public schema (and the policies' conversations_security, the sync's conversations_cutover), as sorted text lines: relations, columns
 * (type, nullability, default), constraints, indexes, enums with their labels, triggers, functions,
 * row-level security (flags and policies), comments and privileges (tables, columns, functions, the schema).
 * Two databases with equal dumps have the same schema, whatever order it was built in.
 */
export async function dumpCatalog(db: Queryable): Promise<string[]> {
  const rows = await queryRows<{ line: string }>(
    db,
    sql`
      select 'relation ' || c.relname || ' ' || c.relkind::text as line
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'S')
      union all
      select 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
             || case when a.attnotnull then ' not null' else '' end
             || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
        from pg_attribute a
        join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
        left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
        where n.nspname = 'public' and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
      union all
      select 'constraint ' || c.conrelid::regclass::text || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid)
        from pg_constraint c join pg_namespace n on n.oid = c.connamespace
        where n.nspname = 'public'
      union all
      select 'index ' || indexdef from pg_indexes where schemaname = 'public'
      union all
      select 'comment ' || c.relname || coalesce('.' || a.attname, '') || ' ' || d.description
        from pg_description d
        join pg_class c on c.oid = d.objoid and d.classoid = 'pg_class'::regclass
        join pg_namespace n on n.oid = c.relnamespace
        left join pg_attribute a on a.attrelid = c.oid and a.attnum = d.objsubid and d.objsubid > 0
        where n.nspname = 'public'
      union all
      select 'enum ' || t.typname || ' ' || string_agg(e.enumlabel, ',' order by e.enumsortorder)
        from pg_type t join pg_namespace n on n.oid = t.typnamespace join pg_enum e on e.enumtypid = t.oid
        where n.nspname = 'public' group by t.typname
      union all
      select 'trigger ' || pg_get_triggerdef(t.oid)
        from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and not t.tgisinternal
      union all
      select 'function ' || pg_get_functiondef(p.oid)
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname in ('public', 'conversations_security', 'conversations_cutover') and p.prokind = 'f'
      union all
      select 'rls ' || c.relname || ' enabled=' || c.relrowsecurity::text || ' forced=' || c.relforcerowsecurity::text
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') and (c.relrowsecurity or c.relforcerowsecurity)
      union all
      select 'policy ' || tablename || ' ' || policyname || ' ' || permissive || ' ' || cmd || ' to '
             || array_to_string(roles, ',') || coalesce(' using ' || qual, '') || coalesce(' check ' || with_check, '')
        from pg_policies where schemaname = 'public'
      union all
      select 'grant ' || c.relname || ' ' || coalesce(array_to_string(c.relacl, ','), 'default')
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        -- After a REVOKE, PostgreSQL stores the owner's default ACL explicitly instead of NULL; the same privileges.
        where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'S')
          and c.relacl is not null and c.relacl <> acldefault(case when c.relkind = 'S' then 's' else 'r' end::"char", c.relowner)
      union all
      select 'grant ' || c.relname || '.' || a.attname || ' ' || array_to_string(a.attacl, ',')
        from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and a.attacl is not null and cardinality(a.attacl) > 0
      union all
      select 'grant function ' || p.oid::regprocedure::text || ' ' || array_to_string(p.proacl, ',')
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname in ('public', 'conversations_security', 'conversations_cutover') and p.proacl is not null
          and p.proacl <> acldefault('f', p.proowner)
      union all
      select 'grant schema ' || nspname || ' ' || coalesce(array_to_string(nspacl, ','), 'default')
        from pg_namespace where nspname in ('public', 'conversations_security', 'conversations_cutover')
    `,
  );
  return rows.map((r) => r.line).sort();
}
