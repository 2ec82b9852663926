import { getTableName, is } from 'drizzle-orm';
import { isPgEnum, PgTable } from 'drizzle-orm/pg-core';

/** The tables and enums a schema module defines: all that this package owns in the app's database. */
export function ownedObjects(schema: Record<string, unknown>): { tables: string[]; enums: string[] } {
  const tables: string[] = [];
  const enums: string[] = [];
  for (const value of Object.values(schema)) {
    if (is(value, PgTable)) tables.push(getTableName(value));
    else if (isPgEnum(value)) enums.push(value.enumName);
  }
  return { tables: tables.sort(), enums: enums.sort() };
}
