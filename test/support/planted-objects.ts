import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type postgres from 'postgres';
import { repoRoot } from './run.js';

// The CVE-2018-1058 attack on this package: a role that may CREATE in public plants functions and
// operators whose argument types match a call better than the pg_catalog object the package meant,
// then waits for the migrator (a superuser, often) to call them. The harness derives what to plant
// from the SQL the package sends: every function name and operator symbol in drizzle/ (migrations,
// down files, the drop's guard) and in src/ (the mover, the validator, the migrator, the queries,
// withUser; drizzle's own helpers such as count() and max() appear there by name too). For each
// pg_catalog function of such a name it plants, in public, every overload whose argument types are
// types the package's tables use and that a call would otherwise reach only by an implicit cast (or
// through a polymorphic or "any" parameter): exactly the overloads that would win. Every planted
// object records its call in a sequence (not rolled back with the failing statement) and raises.

/** Where the package's SQL lives: generated and hand-written migrations, and the library sources. */
const sqlSources = ['drizzle', 'src'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path);
    return /\.(sql|ts)$/.test(name) ? [path] : [];
  });
}

/** The text of every file that holds SQL the package sends. */
export function packageSqlText(): string {
  return sqlSources
    .flatMap((dir) => filesUnder(join(repoRoot, dir)))
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
}

/** Unqualified names called like functions (`name(`): candidates, filtered later by pg_catalog. */
export function calledNames(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(/(?<![\w."$])([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)) {
    names.add((match[1] ?? '').toLowerCase());
  }
  return [...names].sort();
}

/** Functions the SQL calls qualified with `public.`: an overload with a defaulted extra argument makes them ambiguous. */
export function publicQualifiedNames(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(/"?public"?\."?([A-Za-z_][A-Za-z0-9_]*)"?\s*\(/g)) {
    names.add((match[1] ?? '').toLowerCase());
  }
  return [...names].sort();
}

const operatorCandidates = [
  '=',
  '<>',
  '!=',
  '<',
  '>',
  '<=',
  '>=',
  '@>',
  '<@',
  '||',
  '->',
  '->>',
  '#>>',
  '?',
  '~~',
];

/** Operator symbols written between operands somewhere in the SQL. */
export function usedOperators(text: string): string[] {
  const escaped = (op: string) => op.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return operatorCandidates.filter((op) =>
    new RegExp(`[\\w)"'\\]]\\s*${escaped(op)}\\s*[\\w("'$:]`).test(text),
  );
}

/** The sequence every planted object bumps when it is called. */
export const plantedCallsSequence = 'public.cdb_planted_calls';

/** The first statements of every planted body: count the call (unless read-only), then raise. */
const recordCall = `BEGIN PERFORM pg_catalog.nextval('${plantedCallsSequence}'); EXCEPTION WHEN read_only_sql_transaction THEN NULL; END;`;

const pseudo = /^(any|anyelement|anynonarray|anyenum|anycompatible|anycompatiblenonarray|"any")$/;
const pseudoArray = /^(anyarray|anycompatiblearray)$/;

interface CatalogFunction {
  name: string;
  args: string[];
  variadic: string | null;
  returns: string;
  returnsSet: boolean;
}

export interface PlantResult {
  functions: number;
  operators: number;
  /** Names from the SQL that pg_catalog has functions for, i.e. what was planted against. */
  names: string[];
}

/**
 * Plants, as `attacker` (a role that may CREATE in public), every overload and operator described
 * above, for the types that exist now. Idempotent: call it again after migrations add types.
 */
export async function plantHostileObjects(
  sql: postgres.Sql,
  attacker: string,
  text: string,
): Promise<PlantResult> {
  const names = calledNames(text);
  // The harness's own catalog queries are exposed to what it planted (`name || '('` would reach a
  // planted ||(name, boolean)): run them with public off the path; type names then come qualified.
  await sql.unsafe('SET search_path = pg_catalog, pg_temp');
  const typesInPlay = (
    await sql<{ type: string }[]>`
      select distinct a.atttypid::regtype::text as type
      from pg_attribute a join pg_class c on c.oid = a.attrelid
      where c.relnamespace = 'public'::regnamespace and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped
      union select unnest(array['integer', 'bigint', 'numeric', 'text', 'boolean', 'uuid', 'jsonb',
                                'timestamp with time zone', 'timestamp without time zone', 'name', 'text[]'])`
  ).map((r) => r.type);
  const implicit = await sql<{ source: string; target: string }[]>`
    select castsource::regtype::text as source, casttarget::regtype::text as target
    from pg_cast where castcontext = 'i'`;
  const castsTo = new Map<string, Set<string>>();
  for (const { source, target } of implicit) {
    if (!castsTo.has(target)) castsTo.set(target, new Set());
    castsTo.get(target)?.add(source);
  }
  const functions = await sql<CatalogFunction[]>`
    select p.proname as name, p.proargtypes::regtype[]::text[] as args,
           case when p.provariadic = 0 then null else p.provariadic::regtype::text end as variadic,
           p.prorettype::regtype::text as returns, p.proretset as "returnsSet"
    from pg_proc p
    where p.pronamespace = 'pg_catalog'::regnamespace and p.proname = any(${names})
      and p.pronargs between 1 and 4 and p.prokind in ('f', 'a', 'w')`;

  const candidatesFor = (declared: string): string[] => {
    if (pseudo.test(declared)) return typesInPlay.filter((t) => !t.endsWith('[]'));
    if (pseudoArray.test(declared)) return typesInPlay.filter((t) => t.endsWith('[]'));
    const from = castsTo.get(declared) ?? new Set();
    return [declared, ...typesInPlay.filter((t) => t !== declared && from.has(t))];
  };
  const statements: string[] = [];
  const seen = new Set<string>();
  for (const f of functions) {
    const shapes: string[][] = [f.args];
    if (f.variadic) {
      // A variadic parameter (its array type last) is called with one or more separate arguments.
      const fixed = f.args.slice(0, -1);
      shapes.length = 0;
      for (let extra = 1; extra <= 2; extra++) shapes.push([...fixed, ...Array(extra).fill(f.variadic)]);
    }
    for (const shape of shapes) {
      let tuples: string[][] = [[]];
      for (const declared of shape) {
        tuples = tuples.flatMap((t) => candidatesFor(declared).map((c) => [...t, c]));
        if (tuples.length > 2000) tuples = tuples.slice(0, 2000);
      }
      for (const tuple of tuples) {
        // Planting the declared signature itself would change nothing: pg_catalog is searched first.
        if (tuple.every((t, i) => t === shape[i])) continue;
        const key = `${f.name}(${tuple.join(',')})`;
        if (seen.has(key)) continue;
        seen.add(key);
        const returns =
          pseudo.test(f.returns) || pseudoArray.test(f.returns) || f.returns === 'record'
            ? 'text'
            : f.returns;
        statements.push(
          `CREATE FUNCTION public.${quoteIdent(f.name)}(${tuple.join(', ')}) RETURNS ${f.returnsSet ? 'SETOF ' : ''}${returns} LANGUAGE plpgsql AS $planted$ BEGIN ${recordCall} RAISE EXCEPTION 'planted %(%) was called', ${literal(f.name)}, ${literal(tuple.join(', '))}; END $planted$`,
        );
      }
    }
  }
  // The package's own functions in public, called qualified: an overload with a defaulted extra
  // argument makes every such call "not unique" (a denial of service).
  const own = await sql<{ name: string; args: string }[]>`
    select p.proname as name, pg_get_function_identity_arguments(p.oid) as args from pg_proc p
    where p.pronamespace = 'public'::regnamespace and p.proname = any(${publicQualifiedNames(text)})
      and p.proowner <> (select oid from pg_roles where rolname = ${attacker})`;
  for (const f of own) {
    statements.push(
      `CREATE FUNCTION public.${quoteIdent(f.name)}(${f.args ? `${f.args}, ` : ''}cdb_planted integer DEFAULT 0) RETURNS text LANGUAGE plpgsql AS $planted$ BEGIN ${recordCall} RAISE EXCEPTION 'planted % overload was called', ${literal(f.name)}; END $planted$`,
    );
  }
  // Operators: every symbol the SQL writes, for each pair of types in play that pg_catalog has no
  // operator of its own for (an enum compared with a literal resolves to a planted exact match).
  const existing = new Set(
    (
      await sql<{ key: string }[]>`
        select o.oprname || '(' || o.oprleft::regtype::text || ',' || o.oprright::regtype::text || ')' as key
        from pg_operator o where o.oprnamespace in ('pg_catalog'::regnamespace, 'public'::regnamespace)`
    ).map((r) => r.key),
  );
  const scalarTypes = typesInPlay.filter((t) => !t.endsWith('[]'));
  let operatorCount = 0;
  const operatorFunctions = new Set<string>();
  for (const op of usedOperators(text)) {
    for (const left of scalarTypes) {
      for (const right of scalarTypes) {
        if (existing.has(`${op}(${left},${right})`)) continue;
        const fnKey = `${left},${right}`;
        if (!operatorFunctions.has(fnKey)) {
          operatorFunctions.add(fnKey);
          statements.push(
            `CREATE FUNCTION public.cdb_planted_operator(${left}, ${right}) RETURNS boolean LANGUAGE plpgsql AS $planted$ BEGIN ${recordCall} RAISE EXCEPTION 'planted operator on (%) was called', ${literal(fnKey)}; END $planted$`,
          );
        }
        statements.push(
          `CREATE OPERATOR public.${op} (LEFTARG = ${left}, RIGHTARG = ${right}, FUNCTION = public.cdb_planted_operator)`,
        );
        operatorCount++;
      }
    }
  }
  // One round trip: the attacker's own helper runs each statement, skipping those that fail (a
  // signature already planted by an earlier call, a type that cannot take an operator).
  await sql.unsafe(`
    CREATE SEQUENCE IF NOT EXISTS ${plantedCallsSequence};
    GRANT USAGE ON SEQUENCE ${plantedCallsSequence} TO PUBLIC;
    CREATE OR REPLACE FUNCTION public.cdb_plant(statements jsonb) RETURNS integer LANGUAGE plpgsql AS $plant$
    DECLARE s text; n integer := 0;
    BEGIN
      FOR s IN SELECT pg_catalog.jsonb_array_elements_text(statements) LOOP
        BEGIN EXECUTE s; n := n + 1; EXCEPTION WHEN others THEN NULL; END;
      END LOOP;
      RETURN n;
    END $plant$;`);
  const [result] = await sql<{ planted: number }[]>`
    select public.cdb_plant(${sql.json(statements)}) as planted`;
  return {
    functions: (result?.planted ?? 0) - operatorCount,
    operators: operatorCount,
    names: [...new Set(functions.map((f) => f.name))].sort(),
  };
}

function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** How many times a planted object was called, ever (the sequence is not transactional). */
export async function plantedCalls(sql: postgres.Sql): Promise<number> {
  const [row] = await sql<{ calls: string }[]>`
    select case when is_called then last_value else 0 end::text as calls from public.cdb_planted_calls`;
  return Number(row?.calls ?? 0);
}

/**
 * Objects of the package bound to a planted object when they were created: a policy, a default, a
 * constraint, an index or a view that resolved an operator or a function to the attacker's. They
 * would call it later, as whoever uses them.
 */
export async function boundToPlanted(sql: postgres.Sql, attacker: string): Promise<string[]> {
  const rows = await sql<{ object: string; planted: string }[]>`
    with planted as (
      select 'pg_proc'::regclass as classid, oid from pg_proc where proowner = ${attacker}::regrole
      union all select 'pg_operator'::regclass, oid from pg_operator where oprowner = ${attacker}::regrole
    )
    select pg_describe_object(d.classid, d.objid, d.objsubid) as object,
           pg_describe_object(d.refclassid, d.refobjid, 0) as planted
    from pg_depend d join planted p on p.classid = d.refclassid and p.oid = d.refobjid
    where not exists (select 1 from planted q where q.classid = d.classid and q.oid = d.objid)`;
  return rows.map((r) => `${r.object} -> ${r.planted}`).sort();
}

/**
 * Drops the planted objects whose signatures use a type of public (the package's enums): they
 * depend on those types, so the down migration that drops the types would fail on them. Run as an
 * administrator before reversing 0001; every planted object on a built-in type stays.
 */
export async function unplantOnPackageTypes(sql: postgres.Sql, attacker: string): Promise<void> {
  await sql.unsafe(`
    DO $unplant$
    DECLARE f regprocedure;
    BEGIN
      FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
               WHERE p.proowner = '${attacker}'::regrole
                 AND EXISTS (SELECT 1 FROM pg_catalog.unnest(p.proargtypes) t
                             JOIN pg_catalog.pg_type ty ON ty.oid = t
                             WHERE ty.typnamespace = 'public'::regnamespace)
      LOOP
        EXECUTE pg_catalog.format('DROP FUNCTION %s CASCADE', f);
      END LOOP;
    END $unplant$`);
}
