import { getTableName, is } from 'drizzle-orm';
import { isPgEnum, isPgSequence, PgTable } from 'drizzle-orm/pg-core';

export interface OwnedObjects {
  tables: string[];
  enums: string[];
  sequences: string[];
}

/** The tables, enums and sequences a schema module defines: all this package owns in the app's database. */
export function ownedObjects(schema: Record<string, unknown>): OwnedObjects {
  const owned: OwnedObjects = { tables: [], enums: [], sequences: [] };
  for (const value of Object.values(schema)) {
    if (is(value, PgTable)) owned.tables.push(getTableName(value));
    else if (isPgEnum(value)) owned.enums.push(value.enumName);
    else if (isPgSequence(value)) owned.sequences.push(value.seqName ?? '');
  }
  return owned;
}
