import { dbMigrate } from '../src/operator/commands/db-migrate.js';
import { runAsProcess } from '../src/operator/commands/process.js';

await runAsProcess(dbMigrate);
