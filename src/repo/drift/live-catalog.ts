import { getTableName } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import type { Database, Queryable } from '../../app/database.js';
import * as schema from '../../app/schema/index.js';
import { hostTables } from '../../deploy/host-tables.js';
import { migrateDatabase } from '../../deploy/migrate.js';
import { type CatalogFacts, chainRoles, normalized, readCatalogFacts } from './catalog-facts.js';
import { CouldNotCheckError, type Finding } from './finding.js';
import { ownedObjects } from './owned-objects.js';
import { pendingMigrations } from './pending.js';
import { openReferenceDatabase } from './reference-database.js';
import type { Repository } from './repository.js';

/**
 * The live database's triggers, functions, grants, row-level security and role memberships against a
 * reference: the same chain applied to an empty embedded database (PGlite in memory, see reference-database.ts). Each finding
 * prints the SQL that restores what the chain made. Only this package's tables and the chain's
 * functions and roles count; the app's own are not drift, and memberships are checked one way (other
 * roles may be granted the app role on purpose).
 */
export async function checkLiveCatalog(repo: Repository, db: Queryable): Promise<Finding[]> {
  // A database behind the chain is live-schema's finding; comparing it would repeat every migration.
  if ((await pendingMigrations(repo, db)).length > 0) return [];

  const hostNames: string[] = hostTables.map((t) => getTableName(t));
  const tables = ownedObjects(schema).tables.filter((t) => !hostNames.includes(t));
  const { roles, expected } = await referenceCatalog(repo, tables);
  const live = await readCatalogFacts(db, tables, roles);
  return compare(expected, live);
}

interface ReferenceCatalog {
  roles: string[];
  expected: CatalogFacts;
}

/**
 * What the chain makes, keyed by every migration's tag, `when` and hash: the same chain always makes
 * the same catalog, so a process that checks several databases (the tests, a script looping over
 * tenants) applies it to an embedded database once instead of once a check.
 */
const referenceCatalogs = new Map<string, Promise<ReferenceCatalog>>();

function referenceCatalog(repo: Repository, tables: string[]): Promise<ReferenceCatalog> {
  const key = JSON.stringify([tables, repo.migrations().map((m) => [m.tag, m.when, m.hash])]);
  let catalog = referenceCatalogs.get(key);
  if (!catalog) {
    catalog = buildReferenceCatalog(repo, tables);
    referenceCatalogs.set(key, catalog);
    // A failure is not kept: the next check tries again and reports it again.
    catalog.catch(() => referenceCatalogs.delete(key));
  }
  return catalog;
}

async function buildReferenceCatalog(repo: Repository, tables: string[]): Promise<ReferenceCatalog> {
  const reference = await openReferenceDatabase(repo.root);
  try {
    const referenceDb = drizzle({ client: reference, schema }) as unknown as Database;
    try {
      await migrateDatabase(referenceDb, { migrationsFolder: repo.migrationsFolder });
    } catch (error) {
      throw new CouldNotCheckError(
        `the chain does not apply to an empty database: ${(error as Error).message}`,
      );
    }
    const roles = await chainRoles(referenceDb);
    return { roles, expected: await readCatalogFacts(referenceDb, tables, roles) };
  } finally {
    await reference.close();
  }
}

const finding = (message: string, fix: string): Finding => ({
  check: 'live-catalog',
  file: 'database',
  message,
  fix,
});

function compare(expected: CatalogFacts, live: CatalogFacts): Finding[] {
  const findings: Finding[] = [];

  for (const [key, want] of expected.triggers) {
    const have = live.triggers.get(key);
    const create = `${want.definition};`;
    if (!have) findings.push(finding(`trigger ${want.name} on ${want.table} is missing.`, `run: ${create}`));
    else if (normalized(have.definition) !== normalized(want.definition))
      findings.push(
        finding(
          `trigger ${want.name} on ${want.table} differs from the chain's: ${have.definition}.`,
          `run: DROP TRIGGER "${want.name}" ON "${want.table}"; ${create}`,
        ),
      );
    else if (!have.enabled)
      findings.push(
        finding(
          `trigger ${want.name} on ${want.table} is disabled.`,
          `run: ALTER TABLE "${want.table}" ENABLE TRIGGER "${want.name}";`,
        ),
      );
  }
  for (const [key, have] of live.triggers) {
    if (!expected.triggers.has(key))
      findings.push(
        finding(
          `trigger ${have.name} on ${have.table} is not made by any migration: ${have.definition}.`,
          `put it in a migration (\`npx drizzle-kit generate --custom\`), or run: DROP TRIGGER "${have.name}" ON "${have.table}";`,
        ),
      );
  }

  for (const [signature, want] of expected.functions) {
    const have = live.functions.get(signature);
    const fix = `run: ${oneLine(want.definition)};`;
    if (!have) findings.push(finding(`function ${signature} is missing.`, fix));
    else {
      const changes = [
        normalized(have.body) !== normalized(want.body) ? 'its body' : '',
        have.securityDefiner !== want.securityDefiner
          ? `SECURITY ${have.securityDefiner ? 'DEFINER' : 'INVOKER'} (the chain says ${want.securityDefiner ? 'DEFINER' : 'INVOKER'})`
          : '',
        have.config !== want.config
          ? `its settings (${have.config || 'none'}; the chain pins ${want.config || 'none'})`
          : '',
      ].filter(Boolean);
      if (changes.length)
        findings.push(finding(`function ${signature} differs from the chain's: ${changes.join(', ')}.`, fix));
    }
  }

  for (const grant of expected.grants) {
    if (!live.grants.has(grant))
      findings.push(
        finding(`grant ${grant} is missing (revoked by hand?).`, `run: ${grantSql('GRANT', grant)}`),
      );
  }
  for (const grant of live.grants) {
    if (!expected.grants.has(grant))
      findings.push(
        finding(`grant ${grant} is not made by any migration.`, `run: ${grantSql('REVOKE', grant)}`),
      );
  }

  for (const [table, want] of expected.rls) {
    const have = live.rls.get(table);
    if (!have) continue;
    if (have.enabled !== want.enabled)
      findings.push(
        finding(
          `row-level security on ${table} is ${have.enabled ? 'enabled' : 'disabled'}; the chain ${want.enabled ? 'enables' : 'disables'} it.`,
          `run: ALTER TABLE "${table}" ${want.enabled ? 'ENABLE' : 'DISABLE'} ROW LEVEL SECURITY;`,
        ),
      );
    if (have.forced !== want.forced)
      findings.push(
        finding(
          `row-level security on ${table} is ${have.forced ? '' : 'not '}forced; the chain ${want.forced ? 'forces' : 'does not force'} it.`,
          `run: ALTER TABLE "${table}" ${want.forced ? 'FORCE' : 'NO FORCE'} ROW LEVEL SECURITY;`,
        ),
      );
  }

  for (const [key, want] of expected.policies) {
    const have = live.policies.get(key);
    const create = `CREATE POLICY "${want.name}" ON "${want.table}" AS ${want.permissive} FOR ${want.command} TO ${want.roles}${
      want.using ? ` USING (${want.using})` : ''
    }${want.check ? ` WITH CHECK (${want.check})` : ''};`;
    if (!have) findings.push(finding(`policy ${want.name} on ${want.table} is missing.`, `run: ${create}`));
    else if (
      (['permissive', 'command', 'roles', 'using', 'check'] as const).some(
        (field) => normalized(have[field]) !== normalized(want[field]),
      )
    )
      findings.push(
        finding(
          `policy ${want.name} on ${want.table} differs from the chain's.`,
          `run: DROP POLICY "${want.name}" ON "${want.table}"; ${create}`,
        ),
      );
  }
  for (const [key, have] of live.policies) {
    if (!expected.policies.has(key))
      findings.push(
        finding(
          `policy ${have.name} on ${have.table} is not made by any migration.`,
          `put it in a migration, or run: DROP POLICY "${have.name}" ON "${have.table}";`,
        ),
      );
  }

  for (const membership of expected.memberships) {
    if (!live.memberships.has(membership)) {
      const [role, member] = membership.split(' ');
      findings.push(
        finding(`role ${member} is no longer a member of ${role}.`, `run: GRANT "${role}" TO "${member}";`),
      );
    }
  }
  return findings;
}

/** db:check prints a finding on one line; a body with a `--` comment keeps its line breaks to stay runnable. */
function oneLine(definition: string): string {
  const trimmed = definition.trim();
  return trimmed.includes('--') ? trimmed : (normalized(trimmed) ?? trimmed);
}

/** `TABLE "t" role PRIV` -> GRANT PRIV ON TABLE "t" TO "role"; (columns and functions alike). */
function grantSql(verb: 'GRANT' | 'REVOKE', grant: string): string {
  const match = /^(TABLE|COLUMN|FUNCTION) (.+) (\S+) (\S+)$/.exec(grant);
  if (!match) return `${verb} ${grant};`;
  const [, kind, object, grantee, privilege] = match;
  const who = grantee === 'PUBLIC' ? 'PUBLIC' : `"${grantee}"`;
  const direction = verb === 'GRANT' ? 'TO' : 'FROM';
  if (kind === 'COLUMN') {
    const [, table, column] = /^(".+")\((.+)\)$/.exec(object ?? '') ?? [];
    return `${verb} ${privilege} (${column}) ON TABLE ${table} ${direction} ${who};`;
  }
  return `${verb} ${privilege} ON ${kind} ${object} ${direction} ${who};`;
}
