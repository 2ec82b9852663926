import * as drizzleOrm from 'drizzle-orm';

// The package supports drizzle-orm >=0.44 <0.46 (its peer range). drizzle-orm 1.0 replaces relations()
// with defineRelations() (relational queries v2); imported by name, a missing relations() fails at
// module link time with "does not provide an export named 'relations'", which says nothing of
// versions. A namespace import cannot fail that way, so an app that forced 1.0 past npm's peer check
// (--legacy-peer-deps, --force) gets a sentence that says what to install instead.

const candidate: unknown = (drizzleOrm as Record<string, unknown>).relations;
if (typeof candidate !== 'function') {
  throw new Error(
    '@moveline/conversations-db needs drizzle-orm >=0.44.0 <0.46.0: the drizzle-orm installed here has no ' +
      'relations() (drizzle-orm 1.0 replaced it with defineRelations()). Install drizzle-orm@0.45 ' +
      '(npm install drizzle-orm@0.45); this release does not support drizzle-orm 1.0.',
  );
}

/** drizzle-orm's relations(), checked to exist (see above). */
export const relations = candidate as typeof drizzleOrm.relations;
