import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../app/database.js';

/**
 * What drizzle-kit's diff does not see, read from the catalog for this package's tables: triggers,
 * functions (body, SECURITY DEFINER, pinned settings), grants (tables, columns, functions), row-level
 * security flags, policies in full, and memberships of the roles the chain creates.
 */
/** A policy as pg_policies shows it: what live drift compares in full, WITH CHECK included. */
export type PolicyFact = {
  table: string;
  name: string;
  permissive: string;
  command: string;
  roles: string;
  using: string | null;
  check: string | null;
};

export interface CatalogFacts {
  triggers: Map<string, { table: string; name: string; definition: string; enabled: boolean }>;
  functions: Map<
    string,
    { signature: string; body: string; securityDefiner: boolean; config: string; definition: string }
  >;
  /** `<object> <grantee> <privilege>` for grantees among the chain's roles and PUBLIC. */
  grants: Set<string>;
  rls: Map<string, { enabled: boolean; forced: boolean }>;
  policies: Map<string, PolicyFact>;
  /** `<role> <member>` where either is one of the chain's roles. */
  memberships: Set<string>;
}

const list = (names: string[]) =>
  sql.join(
    names.map((n) => sql`${n}`),
    sql`, `,
  );

/** Functions live in public and in the schemas the chain creates (conversations_security), never in the system's. */
const ownSchemas = sql`n.nspname not in ('pg_catalog', 'information_schema', 'drizzle') and n.nspname not like 'pg\\_%'`;

export const normalized = (text: string | null): string | null =>
  text === null ? null : text.replace(/\s+/g, ' ').trim();

export async function readCatalogFacts(
  db: Queryable,
  tables: string[],
  roles: string[],
): Promise<CatalogFacts> {
  const roleList = roles.length ? roles : ['-'];
  const triggers = await queryRows<{ table: string; name: string; definition: string; enabled: string }>(
    db,
    sql`select c.relname as table, t.tgname as name, pg_catalog.pg_get_triggerdef(t.oid) as definition, t.tgenabled as enabled
        from pg_catalog.pg_trigger t join pg_catalog.pg_class c on c.oid = t.tgrelid
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and not t.tgisinternal and c.relname in (${list(tables)})`,
  );
  const functions = await queryRows<{
    signature: string;
    body: string;
    secdef: boolean;
    config: string | null;
    definition: string;
  }>(
    db,
    sql`select n.nspname || '.' || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')' as signature,
               p.prosrc as body, p.prosecdef as secdef, pg_catalog.array_to_string(p.proconfig, ', ') as config,
               pg_catalog.pg_get_functiondef(p.oid) as definition
        from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
        where ${ownSchemas} and p.prokind in ('f', 'p')
          and not exists (select 1 from pg_catalog.pg_depend d where d.objid = p.oid and d.deptype = 'e')`,
  );
  const grants = await queryRows<{ fact: string }>(
    db,
    sql`with grantees as (select 0::oid as oid, 'PUBLIC' as name
                          union all select oid, rolname from pg_catalog.pg_roles where rolname in (${list(roleList)}))
        select 'TABLE "' || c.relname || '" ' || g.name || ' ' || a.privilege_type as fact
        from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace,
             pg_catalog.aclexplode(c.relacl) a join grantees g on g.oid = a.grantee
        where n.nspname = 'public' and c.relname in (${list(tables)})
        union all
        select 'COLUMN "' || c.relname || '"("' || att.attname || '") ' || g.name || ' ' || a.privilege_type
        from pg_catalog.pg_attribute att join pg_catalog.pg_class c on c.oid = att.attrelid
             join pg_catalog.pg_namespace n on n.oid = c.relnamespace,
             pg_catalog.aclexplode(att.attacl) a join grantees g on g.oid = a.grantee
        where n.nspname = 'public' and c.relname in (${list(tables)}) and att.attacl is not null
        union all
        select 'FUNCTION ' || n.nspname || '.' || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ') ' || g.name || ' ' || a.privilege_type
        from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace,
             pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) a join grantees g on g.oid = a.grantee
        where ${ownSchemas}`,
  );
  const rls = await queryRows<{ table: string; enabled: boolean; forced: boolean }>(
    db,
    sql`select c.relname as table, c.relrowsecurity as enabled, c.relforcerowsecurity as forced
        from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') and c.relname in (${list(tables)})`,
  );
  const policies = await queryRows<PolicyFact>(
    db,
    sql`select tablename as table, policyname as name, permissive, cmd as command,
               pg_catalog.array_to_string(roles, ', ') as roles, qual as using, with_check as check
        from pg_catalog.pg_policies where schemaname = 'public' and tablename in (${list(tables)})`,
  );
  const memberships = await queryRows<{ fact: string }>(
    db,
    sql`select r.rolname || ' ' || m.rolname as fact from pg_catalog.pg_auth_members am
        join pg_catalog.pg_roles r on r.oid = am.roleid join pg_catalog.pg_roles m on m.oid = am.member
        where r.rolname in (${list(roleList)}) or m.rolname in (${list(roleList)})`,
  );
  return {
    triggers: new Map(
      triggers.map((t) => [
        `${t.table}.${t.name}`,
        { table: t.table, name: t.name, definition: t.definition, enabled: t.enabled !== 'D' },
      ]),
    ),
    functions: new Map(
      functions.map((f) => [
        f.signature,
        {
          signature: f.signature,
          body: f.body,
          securityDefiner: f.secdef,
          config: f.config ?? '',
          definition: f.definition,
        },
      ]),
    ),
    grants: new Set(grants.map((g) => g.fact)),
    rls: new Map(rls.map((r) => [r.table, { enabled: r.enabled, forced: r.forced }])),
    policies: new Map(policies.map((p) => [`${p.table}.${p.name}`, p])),
    memberships: new Set(memberships.map((m) => m.fact)),
  };
}

/** Roles the chain created: every role of the reference database but its superuser and the built-in ones. */
export async function chainRoles(reference: Queryable): Promise<string[]> {
  const rows = await queryRows<{ name: string }>(
    reference,
    sql`select rolname as name from pg_catalog.pg_roles
        where rolname not like 'pg\\_%' and rolname <> current_user and not rolsuper`,
  );
  return rows.map((r) => r.name);
}
