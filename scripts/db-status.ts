import { dbStatus } from '../src/operator/commands/db-status.js';
import { runAsProcess } from '../src/operator/commands/process.js';

await runAsProcess(dbStatus);
