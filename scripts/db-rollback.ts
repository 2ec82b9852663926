import { dbRollback } from '../src/commands/db-rollback.js';
import { runAsProcess } from '../src/commands/process.js';

await runAsProcess(dbRollback);
