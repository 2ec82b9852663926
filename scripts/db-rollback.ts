import { dbRollback } from '../src/operator/commands/db-rollback.js';
import { runAsProcess } from '../src/operator/commands/process.js';

await runAsProcess(dbRollback);
