import { tableNamesWithRole } from '../schema/tables.js';

/** The tables the app role reads and writes under row-level security: without policies it would see every row. */
export const rowLevelSecurityTables = tableNamesWithRole('conversations');
