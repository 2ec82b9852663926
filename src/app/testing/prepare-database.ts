import type { ConversationsDatabase } from '../conversations-schema.js';

/**
 * What turns an empty database into the template every test database copies; the kit's default is
 * drizzle's own migrate() over the package's shipped migrations.
 */
export type PrepareDatabase = (db: ConversationsDatabase) => Promise<void>;
