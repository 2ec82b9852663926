import { dbMigrate } from '../src/commands/db-migrate.js';
import { runAsProcess } from '../src/commands/process.js';

await runAsProcess(dbMigrate);
