/** A drizzle query builder that can be prepared: select, insert, update and delete builders all are. */
export interface PreparableQuery<Result> {
  toSQL(): { sql: string };
  prepare(name: string): { execute(): Promise<Result> };
}

/**
 * Runs `query` as a named prepared statement, so a connection parses and plans each of the package's
 * statements once and then only binds and executes it.
 *
 * Why: postgres.js sends an unprepared statement that has parameters in two round trips (Parse and
 * Describe, wait for the parameter types, then Bind and Execute); prepared, it is one round trip from the
 * second use on, and the server skips parsing and, once it settles on a generic plan, planning too. Under
 * row-level security planning is the larger part of a short query's cost (the policies' subqueries are
 * planned with it). drizzle's unnamed queries are never prepared; `.prepare(name)` asks the driver to.
 *
 * Drivers: postgres.js names and caches the statement per connection by its text and parameter types, and a
 * client created with `prepare: false` (behind a pooler in transaction mode without prepared-statement
 * support) keeps it unprepared; node-postgres caches by name, and refuses one name for two texts, hence
 * the text's hash in the name (a query with optional parts has one text per shape); PGlite ignores the name.
 * Plans stay correct across users on one pooled connection: the policies read the current user when they
 * run, and PostgreSQL replans a cached statement whose row-level security depends on a role that changed
 * (test/row-level-security-plan-cache.test.ts).
 */
export function executePrepared<Result>(query: PreparableQuery<Result>, name: string): Promise<Result> {
  return query.prepare(`${name}_${textHash(query.toSQL().sql)}`).execute();
}

/** FNV-1a over the statement's text, as 8 hex digits: short, stable across processes, no import. */
function textHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
